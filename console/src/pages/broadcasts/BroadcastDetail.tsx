// 群发: detail with live progress, jobs and recipients.
import { useEffect, useMemo, useState } from 'react'
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Popconfirm,
  Progress,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd'
import { DownloadOutlined, ReloadOutlined } from '@ant-design/icons'
import { get, post, type Page } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import { localText } from '../../errorText'
import { type Dir } from '../directory'
import { progress, StatusTag, type Detail, type Job } from './shared'

export default function BroadcastDetail({ id, dir }: { id: number; dir: Dir }) {
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
  // a moment has no recipients: it waits for WeCom to create the moment task
  const momentPending = b?.kind === 'moment' && b.status === 'submitted' && !b.jobs[0]?.result?.moment_id
  const awaiting =
    b?.status === 'submitted' &&
    (!final || momentPending) &&
    !!b.submitted_at &&
    Date.now() - new Date(b.submitted_at).getTime() < 30 * 60 * 1000
  // after a cancel the API syncs the results at once: poll until unsent customers resolve
  const settling =
    b?.status === 'cancelled' &&
    (b.counts.submitted ?? 0) + (b.counts.planned ?? 0) > 0 &&
    !!b.cancelled_at &&
    Date.now() - new Date(b.cancelled_at).getTime() < 5 * 60 * 1000
  useEffect(() => {
    if (!loaded || (final && !settling && !momentPending)) return
    const t = setInterval(() => void d.reload(), 2000)
    return () => clearInterval(t)
  }, [loaded, final, settling, momentPending, d.reload])
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
        {b.radar && (
          <Descriptions.Item label={tr('素材打开', 'Content opens')}>
            <span data-testid="broadcast-radar">
              {tr(
                `打开 ${b.radar.opens} 次 · ${b.radar.unique_openers} 位客户 · 未识别 ${b.radar.anonymous_opens} 次`,
                `${b.radar.opens} opens · ${b.radar.unique_openers} customers · ${b.radar.anonymous_opens} unidentified`,
              )}
            </span>
          </Descriptions.Item>
        )}
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
            {b.kind === 'group' ? tr('客户群', 'Group chats') : b.kind === 'moment' ? tr('朋友圈', 'Moment') : tr('客户', 'Recipients')}{' '}
            {b.kind === 'moment' ? '' : b.total}
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
              if (r) modal.info({ title: tr(`已提醒 ${r.ok} 位员工`, `Reminded ${r.ok} employees`), content: r.errors.map((e) => localText(e, tr('提醒失败', 'Failed'))).join('\n') })
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
              children: <JobsTable jobs={b.jobs} dir={dir} broadcast={b} />,
            },
            ...(b.kind === 'moment'
              ? []
              : [
                  {
                    key: 'recipients',
                    label: b.kind === 'group' ? tr('客户群明细', 'Group chats') : tr('客户明细', 'Recipients'),
                    children: <Recipients id={id} dir={dir} stamp={b.synced_at ?? b.status} kind={b.kind} />,
                  },
                ]),
          ]}
        />
      </Card>
    </Space>
  )
}

function JobsTable({ jobs, dir, broadcast }: { jobs: Job[]; dir: Dir; broadcast: Detail }) {
  const { tr } = useI18n()
  if (broadcast.kind === 'moment') return <MomentJob jobs={jobs} dir={dir} broadcast={broadcast} />
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
        {
          title: broadcast.kind === 'group' ? tr('客户群', 'Group chats') : tr('客户', 'Recipients'),
          dataIndex: 'recipients',
          sorter: (a, c) => a.recipients - c.recipients,
        },
        {
          title: tr('员工确认', 'Confirmed'),
          dataIndex: 'task_status',
          render: (s: number | null, j) =>
            s === 2 ? (
              <Tag color="green">{tr('已发送', 'Sent')}</Tag>
            ) : j.result?.msgid_unknown ? (
              <Tag title={j.error ?? undefined}>{tr('企业微信已无此群发', 'Unknown to WeCom')}</Tag>
            ) : j.status === 'failed' ? (
              <Tag color="red">{j.error ?? tr('失败', 'Failed')}</Tag>
            ) : j.status === 'cancelled' ? (
              <Tag color="orange">{tr('已取消', 'Cancelled')}</Tag>
            ) : (
              <Tag>
                {j.status === 'submitted'
                  ? tr('待确认', 'Pending')
                  : j.status === 'in_flight'
                    ? tr('提交中', 'Submitting')
                    : tr('待提交', 'Planned')}
              </Tag>
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

/** A moment broadcast: one task for its employees; WeCom reports when it was posted. */
function MomentJob({ jobs, dir, broadcast }: { jobs: Job[]; dir: Dir; broadcast: Detail }) {
  const { tr } = useI18n()
  const userids = (broadcast.audience.userids as string[] | undefined) ?? []
  const tags = (broadcast.audience.visible_tag_ids as string[] | undefined) ?? []
  const job = jobs[0]
  const invalid = ((job?.result?.invalid_senders as string[] | undefined) ?? []).map(dir.empName)
  return (
    <Descriptions column={1} size="small" bordered data-testid="broadcast-jobs">
      <Descriptions.Item label={tr('发表员工', 'Posted by')}>
        {userids.length ? userids.map(dir.empName).join('、') : tr('全部员工', 'Every employee')}
      </Descriptions.Item>
      <Descriptions.Item label={tr('可见客户标签', 'Visible to')}>
        {tags.length ? tags.map(dir.tagName).join('、') : tr('全部客户', 'Every customer')}
      </Descriptions.Item>
      <Descriptions.Item label={tr('状态', 'Status')}>
        <span data-testid="moment-status">
          {job?.status === 'failed' ? (
            <Tag color="red">{job.error ?? tr('失败', 'Failed')}</Tag>
          ) : job?.result?.moment_id ? (
            <Tag color="green">{tr('已创建，待员工发表', 'Created; employees post it')}</Tag>
          ) : job?.status === 'submitted' ? (
            <Tag color="processing">{tr('等待企业微信创建', 'Waiting for WeCom')}</Tag>
          ) : job?.status === 'cancelled' ? (
            <Tag color="orange">{tr('已取消', 'Cancelled')}</Tag>
          ) : (
            <Tag>{tr('待提交', 'Planned')}</Tag>
          )}
        </span>
      </Descriptions.Item>
      {invalid.length > 0 && (
        <Descriptions.Item label={tr('无法发表的员工', 'Employees who cannot post')}>{invalid.join('、')}</Descriptions.Item>
      )}
      <Descriptions.Item label={tr('时间', 'At')}>{fmtTime(job?.sent_at)}</Descriptions.Item>
    </Descriptions>
  )
}

interface Recipient {
  id: number
  customer_id: number
  external_userid: string
  customer_name: string
  userid: string
  employee_name: string
  state: string
  reason: string | null
  sent_at: string | null
}

const REASONS: Record<string, [string, string]> = {
  frequency_cap: ['频次限制', 'Frequency cap'],
  not_friend: ['已非好友', 'Not a contact any more'],
  cancelled: ['已取消', 'Cancelled'],
  msgid_unknown: ['企业微信已无此群发', 'Unknown to WeCom'],
}

function Recipients({ id, dir, stamp, kind }: { id: number; dir: Dir; stamp: string; kind: string }) {
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
          {
            title: kind === 'group' ? tr('客户群', 'Group chat') : tr('客户', 'Customer'),
            dataIndex: 'customer_name',
            ellipsis: true,
            render: (n: string, r) =>
              n ||
              (kind === 'group'
                ? tr('未命名群聊', 'Unnamed group chat')
                : tr(`客户 #${r.customer_id}`, `Customer #${r.customer_id}`)),
          },
          { title: tr('员工', 'Employee'), dataIndex: 'employee_name', render: (n: string, r) => n || dir.empName(r.userid) },
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
