// 群发: list with status, compose (text + audience + preview of recipients and cap), detail with live progress.
import { useEffect, useMemo, useState } from 'react'
import { useNavigate, useParams } from 'react-router-dom'
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Drawer,
  Empty,
  Form,
  Input,
  Modal,
  Popconfirm,
  Progress,
  Radio,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd'
import { DownloadOutlined, PlusOutlined, ReloadOutlined, SendOutlined } from '@ant-design/icons'
import type { Dayjs } from 'dayjs'
import { get, post, query, type Page } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import { useDirectory, type Dir } from '../directory'
import type { Segment } from '../segments/SegmentsPage'

interface Broadcast {
  id: number
  name: string
  kind: string
  status: string
  text: string
  audience: Record<string, unknown>
  scheduled_at: string | null
  created_by: string
  created_at: string
  planned_at: string | null
  submitted_at: string | null
  cancelled_at: string | null
  synced_at: string | null
  total: number
  senders: number
  cap_blocked_estimate: number
  counts: Record<string, number>
  error: string | null
}

interface Job {
  id: number
  userid: string
  chunk: number
  status: string
  recipients: number
  msgid: string | null
  task_status: number | null
  sent_at: string | null
  reminds: number
  error: string | null
  counts: Record<string, number>
}

interface Detail extends Broadcast {
  jobs: Job[]
}

interface Preview {
  total: number
  senders: number
  jobs: number
  cap_rule: string
  cap: number | null
  cap_blocked: number
  by_employee: { userid: string; recipients: number }[]
}

interface Compose {
  name: string
  text: string
  mode: 'filter' | 'segment'
  tags_any?: string[]
  tags_none?: string[]
  userid?: string
  segment_id?: number
  userids?: string[]
  scheduled_at?: Dayjs | null
}

const STATUS: Record<string, [string, string, string]> = {
  scheduled: ['已预约', 'Scheduled', 'default'],
  planning: ['规划中', 'Planning', 'processing'],
  submitting: ['提交中', 'Submitting', 'processing'],
  submitted: ['已提交', 'Submitted', 'success'],
  cancelled: ['已取消', 'Cancelled', 'warning'],
  failed: ['失败', 'Failed', 'error'],
}

const RESOLVED = ['sent', 'not_sent', 'failed']

/** Recipients whose outcome is known, out of all. */
function progress(b: Broadcast): { done: number; total: number; final: boolean } {
  const done = RESOLVED.reduce((n, k) => n + (b.counts[k] ?? 0), 0)
  const total = b.total
  const final = b.status === 'cancelled' || b.status === 'failed' || (b.status === 'submitted' && done >= total)
  return { done, total, final }
}

function audienceBody(v: Compose) {
  return {
    filter:
      v.mode === 'filter'
        ? { tags_any: v.tags_any ?? [], tags_none: v.tags_none ?? [], userid: v.userid ?? null }
        : {},
    userids: v.userids ?? [],
    segment_id: v.mode === 'segment' ? (v.segment_id ?? null) : null,
  }
}

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

function StatusTag({ status }: { status: string }) {
  const { tr } = useI18n()
  const s = STATUS[status] ?? [status, status, 'default']
  return (
    <Tag color={s[2]} data-testid="broadcast-status">
      {tr(s[0], s[1])}
    </Tag>
  )
}

function ComposeModal({ open, dir, onClose }: { open: boolean; dir: Dir; onClose: (b?: Broadcast) => void }) {
  const { tr } = useI18n()
  const [form] = Form.useForm<Compose>()
  const act = useAction()
  const [busy, setBusy] = useState(false)
  const values = Form.useWatch([], form) as Compose | undefined
  const segments = useLoad(() => (open ? get<Segment[]>('/segments') : Promise.resolve([] as Segment[])), [open])
  const audienceKey = JSON.stringify(values ? audienceBody(values) : null)
  const [preview, setPreview] = useState<{ data: Preview | null; error: string | null; busy: boolean }>({
    data: null,
    error: null,
    busy: false,
  })
  useEffect(() => {
    if (!open || !values) return
    if (values.mode === 'segment' && !values.segment_id) {
      setPreview({ data: null, error: null, busy: false })
      return
    }
    let live = true
    setPreview((p) => ({ ...p, busy: true }))
    const t = setTimeout(() => {
      post<Preview>('/broadcasts/preview', JSON.parse(audienceKey))
        .then((data) => live && setPreview({ data, error: null, busy: false }))
        .catch((e: Error) => live && setPreview({ data: null, error: e.message, busy: false }))
    }, 400)
    return () => {
      live = false
      clearTimeout(t)
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [audienceKey, open])
  const close = (b?: Broadcast) => {
    form.resetFields()
    onClose(b)
  }
  const send = async () => {
    const v = await form.validateFields()
    const all = { ...form.getFieldsValue(true), ...v } as Compose
    setBusy(true)
    const created = await act(
      () =>
        post<Broadcast>('/broadcasts', {
          name: all.name,
          text: all.text,
          audience: audienceBody(all),
          scheduled_at: all.scheduled_at ? all.scheduled_at.toISOString() : null,
        }),
      all.scheduled_at
        ? tr('群发已预约', 'Broadcast scheduled')
        : tr('群发已创建，正在提交给员工', 'Broadcast created; submitting to employees'),
    )
    setBusy(false)
    if (created) close(created)
  }
  const p = preview.data
  return (
    <Modal
      open={open}
      width={760}
      title={tr('新建群发', 'New broadcast')}
      onCancel={() => close()}
      destroyOnHidden
      footer={
        <Space>
          <Button onClick={() => close()}>{tr('取消', 'Cancel')}</Button>
          <Popconfirm
            title={tr(
              `将向 ${p?.total ?? 0} 位客户群发（${p?.senders ?? 0} 位员工确认后发送），确定？`,
              `Send to ${p?.total ?? 0} customers (${p?.senders ?? 0} employees confirm)?`,
            )}
            onConfirm={() => void send()}
            okButtonProps={{ 'data-testid': 'broadcast-confirm' } as Record<string, string>}
          >
            <Button type="primary" icon={<SendOutlined />} loading={busy} disabled={!p || p.total === 0} data-testid="broadcast-send">
              {tr('发送', 'Send')}
            </Button>
          </Popconfirm>
        </Space>
      }
    >
      <Form form={form} name="broadcast_compose" layout="vertical" preserve initialValues={{ mode: 'filter', text: '' }}>
        <Row gutter={16}>
          <Col xs={24} md={14}>
            <Form.Item name="name" label={tr('任务名称', 'Name')} rules={[{ required: true, message: tr('请输入名称', 'Enter a name') }]}>
              <Input maxLength={100} data-testid="broadcast-name-input" />
            </Form.Item>
            <Form.Item
              name="text"
              label={tr('消息内容', 'Message')}
              rules={[{ required: true, message: tr('请输入消息内容', 'Enter the message') }]}
            >
              <Input.TextArea rows={5} maxLength={1300} showCount data-testid="broadcast-text" />
            </Form.Item>
            <Form.Item name="mode" label={tr('发送对象', 'Audience')}>
              <Radio.Group
                options={[
                  { label: tr('按条件筛选', 'By filter'), value: 'filter' },
                  { label: tr('已保存的分群', 'Saved segment'), value: 'segment' },
                ]}
              />
            </Form.Item>
            {values?.mode === 'segment' ? (
              <Form.Item name="segment_id" label={tr('客户分群', 'Segment')} rules={[{ required: true }]}>
                <Select
                  data-testid="broadcast-segment"
                  options={(segments.data ?? []).map((s) => ({ label: s.name, value: s.id }))}
                  placeholder={tr('选择分群', 'Pick a segment')}
                />
              </Form.Item>
            ) : (
              <>
                <Form.Item name="tags_any" label={tr('含任一标签', 'Has any of the tags')}>
                  <Select mode="multiple" allowClear showSearch={{ optionFilterProp: 'label' }} options={dir.tagOptions} data-testid="broadcast-tags" />
                </Form.Item>
                <Form.Item name="tags_none" label={tr('排除标签', 'Has none of the tags')}>
                  <Select mode="multiple" allowClear showSearch={{ optionFilterProp: 'label' }} options={dir.tagOptions} />
                </Form.Item>
                <Form.Item name="userid" label={tr('跟进员工', 'Followed by')}>
                  <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={dir.employeeOptions} />
                </Form.Item>
              </>
            )}
            <Form.Item
              name="userids"
              label={tr('发送员工', 'Senders')}
              extra={tr('为空时由客户的归属员工发送；每位客户只收到一次。', 'Empty: each customer’s owner sends; every customer gets it once.')}
            >
              <Select mode="multiple" allowClear showSearch={{ optionFilterProp: 'label' }} options={dir.employeeOptions} />
            </Form.Item>
            <Form.Item
              name="scheduled_at"
              label={tr('定时发送', 'Schedule')}
              extra={tr('留空则立即发送。', 'Leave empty to send now.')}
            >
              <DatePicker
                showTime={{ format: 'HH:mm' }}
                format="YYYY-MM-DD HH:mm"
                disabledDate={(d) => d.isBefore(new Date(), 'day')}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={10}>
            <Card size="small" title={tr('发送预估', 'Preview')} loading={preview.busy && !p} data-testid="broadcast-preview">
              {preview.error && <Alert type="error" showIcon title={preview.error} />}
              {p ? (
                <Space orientation="vertical" style={{ width: '100%' }}>
                  <Row>
                    <Col span={12}>
                      <Statistic title={tr('客户', 'Recipients')} value={p.total} data-testid="preview-total" />
                    </Col>
                    <Col span={12}>
                      <Statistic title={tr('员工', 'Senders')} value={p.senders} />
                    </Col>
                  </Row>
                  <Statistic
                    title={tr('频次限制将拦截', 'Blocked by the frequency cap')}
                    value={p.cap_blocked}
                    valueStyle={p.cap_blocked ? { color: '#fa8c16' } : undefined}
                    data-testid="preview-capped"
                  />
                  <Typography.Text type="secondary">
                    {p.cap === null
                      ? tr('未设置频次限制', 'No frequency cap')
                      : tr(`每位客户本周期最多收到 ${p.cap} 条（${p.cap_rule}）`, `Each customer receives at most ${p.cap} per period (${p.cap_rule})`)}
                  </Typography.Text>
                  {values?.text && (
                    <div style={{ background: '#ededed', borderRadius: 8, padding: 10 }}>
                      <div style={{ background: '#fff', borderRadius: 6, padding: '8px 10px', whiteSpace: 'pre-wrap' }}>
                        {values.text}
                      </div>
                    </div>
                  )}
                </Space>
              ) : (
                !preview.error && <Typography.Text type="secondary">{tr('选择发送对象后显示人数。', 'Pick an audience to see the count.')}</Typography.Text>
              )}
            </Card>
          </Col>
        </Row>
      </Form>
    </Modal>
  )
}

function BroadcastDetail({ id, dir }: { id: number; dir: Dir }) {
  const { tr } = useI18n()
  const act = useAction()
  const { modal } = App.useApp()
  const d = useLoad(() => get<Detail>(`/broadcasts/${id}`), [id])
  const b = d.data
  const p = b ? progress(b) : null
  const final = p?.final ?? false
  // live progress: poll while not final
  const loaded = !!b
  // each sync reads every sender's task and results from WeCom: ask once a minute, and only
  // during the first half hour after submission (later: the 10-minute background sync or the button)
  const awaiting =
    b?.status === 'submitted' &&
    !final &&
    !!b.submitted_at &&
    Date.now() - new Date(b.submitted_at).getTime() < 30 * 60 * 1000
  useEffect(() => {
    if (!loaded || final) return
    const t = setInterval(() => void d.reload(), 2000)
    return () => clearInterval(t)
  }, [loaded, final, d.reload])
  useEffect(() => {
    if (!awaiting) return
    const ask = () => void post(`/broadcasts/${id}/sync`).catch(() => undefined)
    ask()
    const t = setInterval(ask, 60000)
    return () => clearInterval(t)
  }, [awaiting, id])
  const stateTags = useMemo(
    () => [
      ['planned', tr('待提交', 'Planned'), 'default'],
      ['submitted', tr('待员工确认', 'Awaiting employee'), 'processing'],
      ['sent', tr('已送达', 'Sent'), 'success'],
      ['not_sent', tr('未发送', 'Not sent'), 'warning'],
      ['failed', tr('失败', 'Failed'), 'error'],
    ],
    [tr],
  )
  if (d.error) return <Alert type="error" showIcon title={d.error} />
  if (!b || !p) return null
  const pct = p.total ? Math.round((100 * p.done) / p.total) : final ? 100 : 0
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Descriptions column={1} size="small" title={b.name}>
        <Descriptions.Item label={tr('状态', 'Status')}>
          <StatusTag status={b.status} />
        </Descriptions.Item>
        <Descriptions.Item label={tr('消息', 'Message')}>
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>{b.text}</Typography.Paragraph>
        </Descriptions.Item>
        {b.scheduled_at && (
          <Descriptions.Item label={tr('定时发送', 'Scheduled for')}>{fmtTime(b.scheduled_at)}</Descriptions.Item>
        )}
        <Descriptions.Item label={tr('创建', 'Created')}>
          {fmtTime(b.created_at)} · {b.created_by}
        </Descriptions.Item>
        <Descriptions.Item label={tr('最近同步', 'Last synced')}>{fmtTime(b.synced_at)}</Descriptions.Item>
        {b.error && (
          <Descriptions.Item label={tr('错误', 'Error')}>
            <Typography.Text type="danger">{b.error}</Typography.Text>
          </Descriptions.Item>
        )}
      </Descriptions>
      <Card size="small" title={tr('发送进度', 'Progress')}>
        <Progress
          percent={pct}
          status={final ? (b.status === 'cancelled' ? 'exception' : 'success') : 'active'}
          data-testid="broadcast-progress"
          data-final={final ? 'true' : 'false'}
        />
        <Space wrap style={{ marginTop: 8, display: 'flex' }} data-testid="broadcast-counts">
          <Tag>
            {tr('客户', 'Recipients')} {b.total}
          </Tag>
          {stateTags.map(([k, label, color]) =>
            b.counts[k] ? (
              <Tag key={k} color={color} data-testid={`count-${k}`}>
                {label} {b.counts[k]}
              </Tag>
            ) : null,
          )}
          {b.cap_blocked_estimate > 0 && (
            <Tag color="orange">
              {tr('预计频次拦截', 'Cap estimate')} {b.cap_blocked_estimate}
            </Tag>
          )}
        </Space>
        <Space style={{ marginTop: 12, display: 'flex' }} wrap>
          <Button
            icon={<ReloadOutlined />}
            data-testid="broadcast-sync"
            onClick={async () => {
              await act(() => post(`/broadcasts/${id}/sync`), tr('已请求同步结果', 'Result sync queued'))
              void d.reload()
            }}
          >
            {tr('同步发送结果', 'Sync results')}
          </Button>
          <Button
            disabled={b.status !== 'submitted' || final}
            onClick={async () => {
              const r = await act(() => post<{ ok: number; errors: string[] }>(`/broadcasts/${id}/remind`))
              if (r) modal.info({ title: tr(`已提醒 ${r.ok} 位员工`, `Reminded ${r.ok} employees`), content: r.errors.join('\n') })
            }}
          >
            {tr('提醒员工', 'Remind')}
          </Button>
          <Popconfirm
            title={tr('取消后未发送的客户不再收到，确定？', 'Customers not reached yet will not receive it. Cancel?')}
            disabled={final}
            onConfirm={async () => {
              await act(() => post(`/broadcasts/${id}/cancel`), tr('已取消', 'Cancelled'))
              void d.reload()
            }}
          >
            <Button danger disabled={final}>
              {tr('取消群发', 'Cancel broadcast')}
            </Button>
          </Popconfirm>
          <Button icon={<DownloadOutlined />} href={`/api/v1/broadcasts/${id}/recipients/export?format=xlsx`}>
            {tr('导出明细', 'Export recipients')}
          </Button>
        </Space>
      </Card>
      <Card size="small">
        <Tabs
          items={[
            {
              key: 'jobs',
              label: tr('员工发送情况', 'Per employee'),
              children: <JobsTable jobs={b.jobs} dir={dir} />,
            },
            {
              key: 'recipients',
              label: tr('客户明细', 'Recipients'),
              children: <Recipients id={id} dir={dir} stamp={b.synced_at ?? b.status} />,
            },
          ]}
        />
      </Card>
    </Space>
  )
}

function JobsTable({ jobs, dir }: { jobs: Job[]; dir: Dir }) {
  const { tr } = useI18n()
  return (
    <Table<Job>
      rowKey="id"
      size="small"
      dataSource={jobs}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      data-testid="broadcast-jobs"
      columns={[
        {
          title: tr('员工', 'Employee'),
          dataIndex: 'userid',
          render: (u: string, j) => `${dir.empName(u)}${j.chunk ? ` #${j.chunk + 1}` : ''}`,
        },
        { title: tr('客户', 'Recipients'), dataIndex: 'recipients', sorter: (a, c) => a.recipients - c.recipients },
        {
          title: tr('员工确认', 'Confirmed'),
          dataIndex: 'task_status',
          render: (s: number | null, j) =>
            s === 2 ? (
              <Tag color="green">{tr('已发送', 'Sent')}</Tag>
            ) : j.status === 'failed' ? (
              <Tag color="red">{j.error ?? tr('失败', 'Failed')}</Tag>
            ) : (
              <Tag>{j.status === 'submitted' ? tr('待确认', 'Pending') : j.status}</Tag>
            ),
        },
        { title: tr('已送达', 'Sent'), key: 'sent', render: (_: unknown, j) => j.counts.sent ?? 0 },
        { title: tr('未发送', 'Not sent'), key: 'ns', render: (_: unknown, j) => j.counts.not_sent ?? 0 },
        { title: tr('失败', 'Failed'), key: 'f', render: (_: unknown, j) => j.counts.failed ?? 0 },
        { title: tr('提醒次数', 'Reminders'), dataIndex: 'reminds' },
        { title: tr('发送时间', 'Sent at'), dataIndex: 'sent_at', render: fmtTime },
      ]}
    />
  )
}

interface Recipient {
  id: number
  customer_id: number
  external_userid: string
  userid: string
  state: string
  reason: string | null
  sent_at: string | null
}

const REASONS: Record<string, [string, string]> = {
  frequency_cap: ['频次限制', 'Frequency cap'],
  not_friend: ['已非好友', 'Not a contact any more'],
  cancelled: ['已取消', 'Cancelled'],
}

function Recipients({ id, dir, stamp }: { id: number; dir: Dir; stamp: string }) {
  const { tr } = useI18n()
  const [state, setState] = useState<string | undefined>()
  const [userid, setUserid] = useState<string | undefined>()
  const [cursors, setCursors] = useState<(string | null)[]>([null])
  const cursor = cursors[cursors.length - 1]
  const page = useLoad(
    () => get<Page<Recipient>>(`/broadcasts/${id}/recipients`, { state, userid, cursor, limit: 20 }),
    [id, state, userid, cursor, stamp],
  )
  const labels: Record<string, string> = {
    planned: tr('待提交', 'Planned'),
    submitted: tr('待员工确认', 'Awaiting employee'),
    sent: tr('已送达', 'Sent'),
    not_sent: tr('未发送', 'Not sent'),
    failed: tr('失败', 'Failed'),
  }
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Select
          allowClear
          placeholder={tr('状态', 'State')}
          style={{ width: 140 }}
          value={state}
          onChange={(v) => {
            setState(v)
            setCursors([null])
          }}
          options={Object.entries(labels).map(([value, label]) => ({ value, label }))}
        />
        <Select
          allowClear
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={tr('员工', 'Employee')}
          style={{ width: 160 }}
          value={userid}
          onChange={(v) => {
            setUserid(v)
            setCursors([null])
          }}
          options={dir.employeeOptions}
        />
      </Space>
      {page.error && <Alert type="error" showIcon title={page.error} />}
      <Table<Recipient>
        data-testid="broadcast-recipients"
        rowKey="id"
        size="small"
        loading={page.loading}
        dataSource={page.data?.items ?? []}
        pagination={false}
        columns={[
          { title: tr('客户', 'Customer'), dataIndex: 'external_userid', ellipsis: true },
          { title: tr('员工', 'Employee'), dataIndex: 'userid', render: dir.empName },
          { title: tr('状态', 'State'), dataIndex: 'state', render: (s: string) => labels[s] ?? s },
          {
            title: tr('原因', 'Reason'),
            dataIndex: 'reason',
            render: (r: string | null) => (r ? (REASONS[r] ? tr(REASONS[r][0], REASONS[r][1]) : r) : '—'),
          },
          { title: tr('发送时间', 'Sent at'), dataIndex: 'sent_at', render: fmtTime },
        ]}
      />
      <Space style={{ justifyContent: 'flex-end', width: '100%' }}>
        <Button size="small" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          {tr('上一页', 'Previous')}
        </Button>
        <Typography.Text type="secondary">{tr(`第 ${cursors.length} 页`, `Page ${cursors.length}`)}</Typography.Text>
        <Button
          size="small"
          disabled={!page.data?.next_cursor}
          onClick={() => setCursors([...cursors, page.data?.next_cursor ?? null])}
        >
          {tr('下一页', 'Next')}
        </Button>
      </Space>
    </Space>
  )
}
