// 群发: list with status, compose (text + audience + preview of recipients and cap), detail with live progress.
import { useEffect, useState } from 'react'
import { useNavigate, useParams } from 'react-router-dom'
import {
  Alert,
  Button,
  Card,
  Drawer,
  Empty,
  Input,
  Progress,
  Select,
  Space,
  Table,
  Tag,
} from 'antd'
import { DownloadOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons'
import { query } from '../../api'
import { fmtTime, useI18n } from '../../i18n'
import { useDirectory } from '../directory'
import { Pager, useCursorList } from '../../list'
import { KINDS, progress, STATUS, StatusTag, type Broadcast } from './shared'
import ComposeModal from './ComposeModal'
import BroadcastDetail from './BroadcastDetail'

export default function BroadcastsPage() {
  const { tr } = useI18n()
  const { id } = useParams()
  const navigate = useNavigate()
  const [status, setStatus] = useState<string | undefined>()
  const [keyword, setKeyword] = useState('')
  const [composing, setComposing] = useState(false)
  const dir = useDirectory()
  const list = useCursorList<Broadcast>('/broadcasts', { status, keyword })
  const page = list.page
  const running = (page.data?.items ?? []).some((b) => !progress(b).final)
  useEffect(() => {
    if (!running) return
    const t = setInterval(() => void page.reload(), 5000)
    return () => clearInterval(t)
  }, [running, page.reload])
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card
        title={tr('群发任务', 'Broadcasts')}
        extra={
          <Space wrap>
            <Input.Search
              allowClear
              placeholder={tr('名称', 'Name')}
              style={{ width: 160 }}
              onSearch={setKeyword}
            />
            <Select
              allowClear
              placeholder={tr('状态', 'Status')}
              style={{ width: 120 }}
              value={status}
              onChange={setStatus}
              options={Object.entries(STATUS).map(([k, [zh, en]]) => ({ value: k, label: tr(zh, en) }))}
            />
            <Button icon={<ReloadOutlined />} onClick={() => void page.reload()} aria-label="reload" />
            <Button icon={<DownloadOutlined />} href={`/api/v1/broadcasts/export${query({ status, keyword, sort: list.sort, format: 'xlsx' })}`}>
              {tr('导出', 'Export')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setComposing(true)} data-testid="new-broadcast">
              {tr('新建群发', 'New broadcast')}
            </Button>
          </Space>
        }
      >
        {page.error && <Alert type="error" showIcon title={page.error} style={{ marginBottom: 12 }} />}
        <Table<Broadcast>
          rowKey="id"
          size="middle"
          loading={page.loading && !page.data}
          dataSource={page.data?.items ?? []}
          pagination={false}
          onChange={list.onChange}
          scroll={{ x: 900 }}
          locale={{
            emptyText: (
              <Empty
                description={tr(
                  '还没有群发。点击「新建群发」，选择客户并编写消息，员工确认后即发送给客户。',
                  'No broadcasts yet. Click "New broadcast", pick customers and write the message; employees confirm it in WeCom.',
                )}
              />
            ),
          }}
          columns={[
            {
              title: tr('名称', 'Name'),
              dataIndex: 'name',
              ...list.sortable('name'),
              render: (n: string, b) => (
                <a data-testid="broadcast-name" onClick={() => navigate(`/broadcasts/${b.id}`)}>
                  {n}
                </a>
              ),
            },
            {
              title: tr('类型', 'Kind'),
              dataIndex: 'kind',
              render: (k: string) => {
                const x = KINDS[k] ?? [k, k, 'default']
                return (
                  <Tag color={x[2]} data-testid="broadcast-kind-tag">
                    {tr(x[0], x[1])}
                  </Tag>
                )
              },
            },
            {
              title: tr('状态', 'Status'),
              dataIndex: 'status',
              ...list.sortable('status'),
              render: (s: string) => <StatusTag status={s} />,
            },
            {
              title: tr('进度', 'Progress'),
              key: 'progress',
              width: 200,
              render: (_: unknown, b) => {
                const p = progress(b)
                return (
                  <Progress
                    size="small"
                    percent={p.total ? Math.round((100 * p.done) / p.total) : p.final ? 100 : 0}
                    status={p.final ? undefined : 'active'}
                  />
                )
              },
            },
            {
              title: tr('对象数', 'Recipients'),
              dataIndex: 'total',
              ...list.sortable('total'),
              render: (n: number, b) =>
                b.kind === 'moment' ? '—' : b.kind === 'group' ? tr(`${n} 个群`, `${n} groups`) : tr(`${n} 位客户`, `${n} customers`),
            },
            { title: tr('员工数', 'Senders'), dataIndex: 'senders', ...list.sortable('senders') },
            { title: tr('已发送', 'Sent'), key: 'sent', render: (_: unknown, b) => b.counts.sent ?? 0 },
            { title: tr('创建人', 'By'), dataIndex: 'created_by' },
            { title: tr('创建时间', 'Created'), dataIndex: 'created_at', ...list.sortable('created_at'), render: fmtTime },
          ]}
        />
        <Pager list={list} />
      </Card>
      <ComposeModal
        open={composing}
        dir={dir}
        onClose={(created) => {
          setComposing(false)
          if (created) {
            void page.reload()
            navigate(`/broadcasts/${created.id}`)
          }
        }}
      />
      <Drawer
        open={!!id}
        size="large"
        destroyOnHidden
        title={tr('群发详情', 'Broadcast')}
        onClose={() => {
          navigate('/broadcasts')
          void page.reload()
        }}
      >
        {id && <BroadcastDetail id={Number(id)} dir={dir} />}
      </Drawer>
    </Space>
  )
}
