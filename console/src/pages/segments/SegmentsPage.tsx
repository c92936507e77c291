// 客户分群: a rule builder (AND/OR groups of conditions) with a live audience count, saved segments.
import { useEffect, useMemo, useRef, useState } from 'react'
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Drawer,
  Empty,
  Input,
  Popconfirm,
  Space,
  Spin,
  Statistic,
  Table,
} from 'antd'
import { DownloadOutlined, EyeOutlined } from '@ant-design/icons'
import { del, download, get, patch, post, type Page } from '../../api'
import { useAuth } from '../../auth'
import { useAction, useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import type { ChannelCode } from '../channels/ChannelCodesPage'
import { useDirectory } from '../directory'
import { fromRule, nextKey, toRule, type Builder, type Segment } from './rules'
import { Members, SegmentCount } from './Members'
import RuleBuilder from './RuleBuilder'

export type { Builder, Condition, Group, Segment } from './rules'
export { toRule } from './rules'

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value)
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms)
    return () => clearTimeout(t)
  }, [value, ms])
  return v
}

export default function SegmentsPage() {
  const { tr } = useI18n()
  const dir = useDirectory()
  const act = useAction()
  // managers and staff read segments within their data scope; only admins and operators define them
  const full = !!useAuth().me?.full_access
  const [builder, setBuilder] = useState<Builder>({ op: 'and', groups: [{ key: nextKey(), op: 'and', conditions: [] }] })
  const [includeDeleted, setIncludeDeleted] = useState(false)
  const [name, setName] = useState('')
  const [editing, setEditing] = useState<Segment | null>(null)
  const [members, setMembers] = useState<Segment | null>(null)
  const [drafting, setDrafting] = useState(false)
  const rule = useMemo(() => toRule(builder), [builder])
  const ruleJson = useDebounced(JSON.stringify({ rule, include_deleted: includeDeleted }), 400)
  const [count, setCount] = useState<{ count: number | null; busy: boolean; error: string | null }>({
    count: null,
    busy: true,
    error: null,
  })
  const latest = useRef(0)
  useEffect(() => {
    const id = ++latest.current
    setCount((c) => ({ ...c, busy: true }))
    post<{ count: number; took_ms: number }>('/segments/preview', JSON.parse(ruleJson))
      .then((r) => id === latest.current && setCount({ count: r.count, busy: false, error: null }))
      .catch((e: Error) => id === latest.current && setCount({ count: null, busy: false, error: e.message }))
  }, [ruleJson])
  const segments = useLoad(() => get<Segment[]>('/segments'), [])
  const channels = useLoad(() => get<Page<ChannelCode>>('/acquisition/channels', { limit: 200 }), [])
  const channelOptions = (channels.data?.items ?? []).map((c) => ({ label: `${c.name} (${c.state})`, value: c.state }))

  const save = async () => {
    const body = { name: name.trim(), rule, include_deleted: includeDeleted }
    const saved = editing
      ? await act(() => patch<Segment>(`/segments/${editing.id}`, body), tr('分群已更新', 'Segment updated'))
      : await act(() => post<Segment>('/segments', body), tr('分群已保存', 'Segment saved'))
    if (saved) {
      setEditing(saved)
      void segments.reload()
    }
  }

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card
        title={
          !full
            ? editing
              ? tr(`分群：${editing.name}`, `Segment: ${editing.name}`)
              : tr('按条件查看客户', 'Find customers by rule')
            : editing
              ? tr(`编辑分群：${editing.name}`, `Edit segment: ${editing.name}`)
              : tr('新建分群', 'New segment')
        }
        extra={
          <Statistic
            title={tr('预计人数', 'Audience')}
            value={count.count ?? '—'}
            suffix={count.busy ? <Spin size="small" /> : tr('人', '')}
            valueStyle={{ color: '#07c160' }}
            data-testid="segment-count"
            data-busy={count.busy ? 'true' : 'false'}
          />
        }
      >
        {count.error && <Alert type="error" showIcon title={count.error} style={{ marginBottom: 12 }} />}
        {!full && (
          <Alert
            type="info"
            showIcon
            data-testid="segment-scope-note"
            style={{ marginBottom: 12 }}
            title={tr(
              '人数、成员和导出只包含你负责范围内的客户；分群由管理员和运营创建。',
              'Counts, members and exports include only the customers in your scope; admins and operators create segments.',
            )}
          />
        )}
        <Space orientation="vertical" style={{ width: '100%' }}>
          <RuleBuilder builder={builder} setBuilder={setBuilder} dir={dir} channelOptions={channelOptions} />
          <Space wrap>
            <Checkbox checked={includeDeleted} onChange={(e) => setIncludeDeleted(e.target.checked)}>
              {tr('包含已流失客户', 'Include lost customers')}
            </Checkbox>
          </Space>
          <Space wrap style={{ marginTop: 8 }}>
            {full && (
            <Input
              placeholder={tr('分群名称', 'Segment name')}
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={100}
              style={{ width: 240 }}
              data-testid="segment-name"
            />
            )}
            <Button icon={<EyeOutlined />} onClick={() => setDrafting(true)} data-testid="segment-preview-members">
              {tr('预览成员', 'Preview members')}
            </Button>
            {full && (
              <Button type="primary" disabled={!name.trim()} onClick={() => void save()} data-testid="segment-save">
                {editing ? tr('保存修改', 'Save changes') : tr('保存分群', 'Save segment')}
              </Button>
            )}
            {editing && (
              <Button
                onClick={() => {
                  setEditing(null)
                  setName('')
                  setBuilder({ op: 'and', groups: [{ key: nextKey(), op: 'and', conditions: [] }] })
                }}
              >
                {full ? tr('新建', 'New') : tr('清空条件', 'Clear')}
              </Button>
            )}
          </Space>
        </Space>
      </Card>
      <Card title={tr('已保存的分群', 'Saved segments')}>
        {segments.error && <Alert type="error" showIcon title={segments.error} style={{ marginBottom: 12 }} />}
        <Table<Segment>
          rowKey="id"
          size="middle"
          loading={segments.loading}
          dataSource={segments.data ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          locale={{
            emptyText: (
              <Empty
                description={tr(
                  '还没有分群。在上方组合条件，看到合适的人数后命名并保存。',
                  'No segments yet. Combine conditions above and save once the audience looks right.',
                )}
              />
            ),
          }}
          columns={[
            {
              title: tr('名称', 'Name'),
              dataIndex: 'name',
              sorter: (a, b) => a.name.localeCompare(b.name),
              render: (n: string, s) => (
                <a
                  data-testid="segment-row-name"
                  onClick={() => {
                    const b = fromRule(s.rule)
                    if (b) setBuilder(b)
                    setIncludeDeleted(s.include_deleted)
                    setEditing(s)
                    setName(s.name)
                    window.scrollTo({ top: 0 })
                  }}
                >
                  {n}
                </a>
              ),
            },
            {
              title: tr('人数', 'Members'),
              key: 'count',
              render: (_: unknown, s) => <SegmentCount id={s.id} stamp={s.updated_at} />,
            },
            {
              title: tr('更新时间', 'Updated'),
              dataIndex: 'updated_at',
              render: fmtTime,
              sorter: (a, b) => a.updated_at.localeCompare(b.updated_at),
              defaultSortOrder: 'descend',
            },
            {
              title: tr('操作', 'Actions'),
              key: 'actions',
              render: (_: unknown, s) => (
                <Space>
                  <a onClick={() => setMembers(s)} data-testid="segment-members-open">
                    {tr('成员', 'Members')}
                  </a>
                  <a href={`/api/v1/segments/${s.id}/export?format=xlsx`}>
                    <DownloadOutlined /> {tr('导出', 'Export')}
                  </a>
                  {full && (
                  <Popconfirm
                    title={tr('确定删除该分群？', 'Delete this segment?')}
                    onConfirm={async () => {
                      await act(() => del(`/segments/${s.id}`), tr('已删除', 'Deleted'))
                      if (editing?.id === s.id) setEditing(null)
                      void segments.reload()
                    }}
                  >
                    <a>{tr('删除', 'Delete')}</a>
                  </Popconfirm>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Drawer
        open={!!members}
        size="large"
        destroyOnHidden
        title={members ? tr(`分群成员：${members.name}`, `Members: ${members.name}`) : ''}
        onClose={() => setMembers(null)}
      >
        {members && <Members id={members.id} empName={dir.empName} />}
      </Drawer>
      <Drawer
        open={drafting}
        size="large"
        destroyOnHidden
        title={tr(`当前条件的成员（未保存，${count.count ?? '—'} 人）`, `Members of the current rule (unsaved, ${count.count ?? '—'})`)}
        extra={
          <Button
            icon={<DownloadOutlined />}
            data-testid="segment-preview-export"
            onClick={() =>
              void act(() => download('/segments/preview/export?format=xlsx', { rule, include_deleted: includeDeleted }, 'segment_draft.xlsx'), tr('已导出', 'Exported'))
            }
          >
            {tr('导出', 'Export')}
          </Button>
        }
        onClose={() => setDrafting(false)}
      >
        {drafting && <Members draft={{ rule, include_deleted: includeDeleted }} empName={dir.empName} />}
      </Drawer>
    </Space>
  )
}
