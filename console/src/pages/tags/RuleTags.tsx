// 规则标签: tags Siyu puts on (and optionally takes off) the customers a rule matches; counts of
// matched customers and of the WeCom writes applied / pending / failed (with reasons).
import { useEffect, useMemo, useState } from 'react'
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Empty,
  Input,
  Modal,
  Popconfirm,
  Popover,
  Select,
  Space,
  Statistic,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd'
import { PlayCircleOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons'
import { del, get, patch, post, type Page, type Schemas } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import { useDirectory } from '../directory'
import type { ChannelCode } from '../channels/channelTypes'
import RuleBuilder from '../segments/RuleBuilder'
import { fromRule, nextKey, toRule, type Builder } from '../segments/rules'

export type RuleTag = Schemas['RuleTagOut']

const empty = (): Builder => ({ op: 'and', groups: [{ key: nextKey(), op: 'and', conditions: [] }] })

export default function RuleTags({ canEdit }: { canEdit: boolean }) {
  const { tr } = useI18n()
  const dir = useDirectory()
  const act = useAction()
  const rules = useLoad(() => get<RuleTag[]>('/rule-tags'), [])
  const [editing, setEditing] = useState<RuleTag | 'new' | null>(null)
  const [watchUntil, setWatchUntil] = useState(0)
  // poll while writes are pending or shortly after a save / run (evaluation runs in the worker)
  const busy = (rules.data ?? []).some((r) => r.counts.pending > 0)
  useEffect(() => {
    if (!busy && Date.now() > watchUntil) return
    const t = setInterval(() => {
      void rules.reload()
      if (Date.now() > watchUntil && !busy) clearInterval(t)
    }, 2000)
    return () => clearInterval(t)
  }, [busy, watchUntil, rules.reload])
  const watch = () => setWatchUntil(Date.now() + 60_000)
  return (
    <Card
      title={tr('规则标签', 'Rule tags')}
      extra={
        <Space>
          <Button icon={<ReloadOutlined />} onClick={() => void rules.reload()} aria-label="reload" />
          {canEdit && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="new-rule-tag">
              {tr('新建规则标签', 'New rule tag')}
            </Button>
          )}
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">
        {tr(
          '按条件自动给客户打标签：保存后立即计算一次，之后每 15 分钟以及客户变化时重新计算；标签通过企业微信写入。「命中」和「已打标」按客户计（当前数据），「写入 / 移除」按跟进关系计（一位客户可能有多位跟进员工）。',
          'Tag customers by a rule: evaluated once on save, then every 15 minutes and when customers change; tags are written through WeCom. Matched and Tagged count customers (now); writes and removals count follow relations (a customer may follow several employees).',
        )}
      </Typography.Paragraph>
      {rules.error && <Alert type="error" showIcon title={rules.error} style={{ marginBottom: 12 }} />}
      <Table<RuleTag>
        rowKey="id"
        size="middle"
        loading={rules.loading && !rules.data}
        dataSource={rules.data ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 900 }}
        locale={{
          emptyText: (
            <Empty
              description={tr(
                '还没有规则标签。点击「新建规则标签」，例如给「近 7 天添加且来自门店活码」的客户打上「新客」。',
                'No rule tags yet. Click "New rule tag", e.g. tag customers added in the last 7 days through a store code as "New".',
              )}
            />
          ),
        }}
        columns={[
          { title: tr('名称', 'Name'), dataIndex: 'name', render: (n: string) => <span data-testid="rule-tag-name">{n}</span> },
          { title: tr('标签', 'Tag'), dataIndex: 'tag_id', render: (t: string) => <Tag>{dir.tagName(t)}</Tag> },
          {
            title: tr('启用', 'Active'),
            dataIndex: 'active',
            render: (on: boolean, r) => (
              <Switch
                size="small"
                checked={on}
                disabled={!canEdit}
                data-testid="rule-tag-active"
                onChange={async (active) => {
                  await act(() => patch(`/rule-tags/${r.id}`, { active }), active ? tr('已启用', 'Enabled') : tr('已停用', 'Disabled'))
                  void rules.reload()
                }}
              />
            ),
          },
          {
            title: tr('命中', 'Matched'),
            key: 'matched',
            render: (_: unknown, r) =>
              r.counts.rule_error ? (
                <Popover content={r.counts.rule_error}>
                  <Typography.Text type="warning" data-testid="rule-tag-matched">
                    {tr('规则无效', 'Invalid rule')}
                  </Typography.Text>
                </Popover>
              ) : (
                <span data-testid="rule-tag-matched">{r.counts.matched.toLocaleString()}</span>
              ),
          },
          {
            // customers, like 命中: the matched customers who carry the tag now
            title: tr('已打标', 'Tagged'),
            key: 'tagged',
            render: (_: unknown, r) => (
              <Space size={4}>
                <span data-testid="rule-tag-tagged">{(r.counts.tagged ?? 0).toLocaleString()}</span>
                {(r.counts.tagged_unmatched ?? 0) > 0 && (
                  <Popover
                    content={tr(
                      `另有 ${r.counts.tagged_unmatched} 位客户带此标签但不符合规则（手动打标，或未开启「不再符合时移除」）`,
                      `${r.counts.tagged_unmatched} more customers carry the tag without matching (tagged by hand, or kept because removal is off)`,
                    )}
                  >
                    <Tag data-testid="rule-tag-unmatched">+{r.counts.tagged_unmatched}</Tag>
                  </Popover>
                )}
              </Space>
            ),
          },
          {
            title: tr('写入 / 移除', 'Writes / removals'),
            key: 'writes',
            render: (_: unknown, r) => (
              <Typography.Text type="secondary" data-testid="rule-tag-writes">
                {r.counts.applied} / {r.counts.removed}
              </Typography.Text>
            ),
          },
          { title: tr('排队中', 'Pending'), key: 'pending', render: (_: unknown, r) => <span data-testid="rule-tag-pending">{r.counts.pending}</span> },
          {
            title: tr('失败', 'Failed'),
            key: 'failed',
            render: (_: unknown, r) =>
              r.counts.failed ? (
                <Popover
                  title={tr('失败原因', 'Failure reasons')}
                  content={
                    <Space orientation="vertical" size={2}>
                      {r.counts.failures.map((f) => (
                        <Typography.Text key={f.reason}>
                          {f.reason} × {f.count}
                        </Typography.Text>
                      ))}
                    </Space>
                  }
                >
                  <Typography.Text type="danger" underline data-testid="rule-tag-failed">
                    {r.counts.failed}
                  </Typography.Text>
                </Popover>
              ) : (
                0
              ),
          },
          { title: tr('最近计算', 'Evaluated'), dataIndex: 'evaluated_at', render: fmtTime },
          ...(canEdit
            ? [
                {
                  title: tr('操作', 'Actions'),
                  key: 'actions',
                  render: (_: unknown, r: RuleTag) => (
                    <Space size="small">
                      <a
                        onClick={async () => {
                          await act(() => post(`/rule-tags/${r.id}/run`), tr('已开始计算', 'Evaluation queued'))
                          watch()
                        }}
                        data-testid="rule-tag-run"
                      >
                        <PlayCircleOutlined /> {tr('立即执行', 'Run now')}
                      </a>
                      <a onClick={() => setEditing(r)}>{tr('编辑', 'Edit')}</a>
                      <Popconfirm
                        title={tr('删除规则？已打的标签会保留。', 'Delete the rule? Tags already applied stay.')}
                        onConfirm={async () => {
                          await act(() => del(`/rule-tags/${r.id}`), tr('已删除', 'Deleted'))
                          void rules.reload()
                        }}
                      >
                        <a>{tr('删除', 'Delete')}</a>
                      </Popconfirm>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <RuleTagModal
        editing={editing}
        onClose={(saved) => {
          setEditing(null)
          if (saved) {
            void rules.reload()
            watch()
          }
        }}
      />
    </Card>
  )
}

function RuleTagModal({ editing, onClose }: { editing: RuleTag | 'new' | null; onClose: (saved?: boolean) => void }) {
  const { tr } = useI18n()
  const dir = useDirectory()
  const act = useAction()
  const existing = editing && editing !== 'new' ? editing : null
  const [name, setName] = useState('')
  const [tagId, setTagId] = useState<string | undefined>()
  const [remove, setRemove] = useState(false)
  const [builder, setBuilder] = useState<Builder>(empty)
  const [foreign, setForeign] = useState(false)
  const [count, setCount] = useState<number | null>(null)
  const channels = useLoad(() => get<Page<ChannelCode>>('/acquisition/channels', { limit: 200 }), [])
  const channelOptions = (channels.data?.items ?? []).map((c) => ({ label: `${c.name} (${c.state})`, value: c.state }))
  useEffect(() => {
    if (!editing) return
    const b = existing ? fromRule(existing.rule) : empty()
    setName(existing?.name ?? '')
    setTagId(existing?.tag_id)
    setRemove(existing?.remove_when_unmatched ?? false)
    setBuilder(b ?? empty())
    setForeign(!!existing && b === null)
  }, [editing, existing])
  const rule = useMemo(() => (foreign && existing ? existing.rule : toRule(builder)), [builder, foreign, existing])
  const ruleJson = JSON.stringify(rule)
  useEffect(() => {
    if (!editing) return
    let live = true
    const t = setTimeout(() => {
      post<{ count: number }>('/segments/preview', { rule: JSON.parse(ruleJson) })
        .then((r) => live && setCount(r.count))
        .catch(() => live && setCount(null))
    }, 400)
    return () => {
      live = false
      clearTimeout(t)
    }
  }, [ruleJson, editing])
  const submit = async () => {
    const ok = existing
      ? await act(() => patch(`/rule-tags/${existing.id}`, { name: name.trim(), rule, remove_when_unmatched: remove }), tr('已保存', 'Saved'))
      : await act(
          () => post('/rule-tags', { name: name.trim(), rule, tag_id: tagId, remove_when_unmatched: remove, active: true }),
          tr('已创建，正在计算', 'Created; evaluating'),
        )
    if (ok !== undefined) onClose(true)
  }
  return (
    <Modal
      open={!!editing}
      width={820}
      title={existing ? tr(`编辑规则标签：${existing.name}`, `Edit rule tag: ${existing.name}`) : tr('新建规则标签', 'New rule tag')}
      onCancel={() => onClose()}
      onOk={() => void submit()}
      okText={tr('保存', 'Save')}
      okButtonProps={{ disabled: !name.trim() || !tagId, ...({ 'data-testid': 'rule-tag-submit' } as Record<string, string>) }}
      destroyOnHidden
    >
      <Space orientation="vertical" style={{ width: '100%' }} size="middle">
        <Space wrap>
          <Input
            placeholder={tr('规则名称', 'Rule name')}
            value={name}
            maxLength={100}
            onChange={(e) => setName(e.target.value)}
            style={{ width: 240 }}
            data-testid="rule-tag-name-input"
          />
          <Select
            placeholder={tr('要打的标签', 'Tag to apply')}
            value={tagId}
            onChange={setTagId}
            disabled={!!existing}
            showSearch={{ optionFilterProp: 'label' }}
            options={dir.tagOptions}
            style={{ width: 220 }}
            data-testid="rule-tag-tag"
          />
          <Checkbox checked={remove} onChange={(e) => setRemove(e.target.checked)}>
            {tr('不再满足时移除标签', 'Remove the tag when a customer stops matching')}
          </Checkbox>
        </Space>
        {foreign ? (
          <Alert
            type="info"
            showIcon
            title={tr('该规则由 API 创建，结构超出可视化编辑器，保存时保持不变。', 'This rule was written through the API in a shape the builder cannot show; it is kept as is.')}
          />
        ) : (
          <RuleBuilder builder={builder} setBuilder={setBuilder} dir={dir} channelOptions={channelOptions} />
        )}
        <Statistic title={tr('当前命中人数', 'Customers matching now')} value={count ?? '—'} data-testid="rule-tag-preview" />
      </Space>
    </Modal>
  )
}
