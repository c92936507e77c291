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
  Typography,
} from 'antd'
import { DownloadOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons'
import { get, query, type Page } from '../../api'
import { useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import { useDirectory } from '../directory'
import { progress, STATUS, StatusTag, type Broadcast } from './shared'
import ComposeModal from './ComposeModal'
import BroadcastDetail from './BroadcastDetail'

export default function BroadcastsPage() {
  const { tr } = useI18n()
  const { id } = useParams()
  const navigate = useNavigate()
  const [status, setStatus] = useState<string | undefined>()
  const [keyword, setKeyword] = useState('')
  const [cursors, setCursors] = useState<(string | null)[]>([null])
  const [composing, setComposing] = useState(false)
  const dir = useDirectory()
  const cursor = cursors[cursors.length - 1]
  const page = useLoad(
    () => get<Page<Broadcast>>('/broadcasts', { status, keyword, cursor, limit: 20 }),
    [status, keyword, cursor],
  )
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
              onSearch={(v) => {
                setKeyword(v)
                setCursors([null])
              }}
            />
            <Select
              allowClear
              placeholder={tr('状态', 'Status')}
              style={{ width: 120 }}
              value={status}
              onChange={(v) => {
                setStatus(v)
                setCursors([null])
              }}
              options={Object.entries(STATUS).map(([k, [zh, en]]) => ({ value: k, label: tr(zh, en) }))}
            />
            <Button icon={<ReloadOutlined />} onClick={() => void page.reload()} aria-label="reload" />
            <Button icon={<DownloadOutlined />} href={`/api/v1/broadcasts/export${query({ status, format: 'xlsx' })}`}>
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
              render: (n: string, b) => (
                <a data-testid="broadcast-name" onClick={() => navigate(`/broadcasts/${b.id}`)}>
                  {n}
                </a>
              ),
            },
            {
              title: tr('状态', 'Status'),
              dataIndex: 'status',
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
            { title: tr('客户数', 'Recipients'), dataIndex: 'total' },
            { title: tr('员工数', 'Senders'), dataIndex: 'senders' },
            { title: tr('已发送', 'Sent'), key: 'sent', render: (_: unknown, b) => b.counts.sent ?? 0 },
            { title: tr('创建人', 'By'), dataIndex: 'created_by' },
            { title: tr('创建时间', 'Created'), dataIndex: 'created_at', render: fmtTime },
          ]}
        />
        <Space style={{ marginTop: 12, justifyContent: 'flex-end', width: '100%' }}>
          <Button disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            {tr('上一页', 'Previous')}
          </Button>
          <Typography.Text type="secondary">{tr(`第 ${cursors.length} 页`, `Page ${cursors.length}`)}</Typography.Text>
          <Button
            disabled={!page.data?.next_cursor}
            onClick={() => setCursors([...cursors, page.data?.next_cursor ?? null])}
          >
            {tr('下一页', 'Next')}
          </Button>
        </Space>
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
