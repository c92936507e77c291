// 任务详情: totals, effect, per-employee progress (filter, pages, export), leaderboard, actions.
import { useEffect, useState } from 'react'
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Popconfirm,
  Progress,
  Row,
  Segmented,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd'
import { BellOutlined, CheckOutlined, DownloadOutlined, PlayCircleOutlined, StopOutlined, SyncOutlined } from '@ant-design/icons'
import { get, post, query, type Page } from '../../api'
import { useAuth } from '../../auth'
import { useAction, useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import { localText } from '../../errorText'
import { RankChart, RankTable } from './Leaderboard'
import { KindTag, pct, StatusTag, type Assignee, type RankRow, type Task } from './shared'

interface RemindResult {
  employees: number
  wecom_ok: number
  errors: string[]
}

export default function TaskDetail({ id, onChanged }: { id: number; onChanged: () => void }) {
  const { tr } = useI18n()
  const { me } = useAuth()
  const act = useAction()
  const [done, setDone] = useState<string>('all')
  const [cursors, setCursors] = useState<(string | null)[]>([null])
  const cursor = cursors[cursors.length - 1]
  const task = useLoad(() => get<Task>(`/tasks/${id}`), [id])
  const doneParam = done === 'all' ? undefined : done === 'done'
  const rows = useLoad(
    () => get<Page<Assignee>>(`/tasks/${id}/employees`, { done: doneParam, cursor, limit: 20 }),
    [id, done, cursor],
  )
  const board = useLoad(() => get<RankRow[]>(`/tasks/${id}/leaderboard`), [id])
  const t = task.data
  const reload = () => {
    void task.reload()
    void rows.reload()
    void board.reload()
    onChanged()
  }
  const live = t?.status === 'running'
  useEffect(() => {
    if (!live) return
    const timer = setInterval(() => {
      void task.reload()
      void rows.reload()
      void board.reload()
    }, 8000)
    return () => clearInterval(timer)
  }, [live, task.reload, rows.reload, board.reload])
  if (task.error) return <Alert type="error" showIcon title={task.error} />
  if (!t) return <Card loading />
  const x = t.totals
  const mine = me?.userid && t.userids.includes(me.userid)
  const sends = t.kind !== 'todo'
  const actions = (
    <Space wrap>
      {me?.full_access && t.status === 'draft' && (
        <Button
          type="primary"
          icon={<PlayCircleOutlined />}
          data-testid="task-start"
          onClick={async () => {
            if (await act(() => post(`/tasks/${id}/start`), tr('任务已开始，已通知员工', 'Task started; employees notified'))) reload()
          }}
        >
          {tr('开始任务', 'Start')}
        </Button>
      )}
      {t.status === 'running' && me?.role !== 'staff' && (
        <Button
          icon={<BellOutlined />}
          data-testid="task-remind"
          onClick={async () => {
            const r = await act(() => post<RemindResult>(`/tasks/${id}/remind`))
            if (!r) return
            reload()
            if (r.errors.length) {
              void act(() => Promise.reject(new Error(r.errors.map((e) => localText(e, tr('提醒失败', 'Failed'))).join('；'))))
            } else {
              void act(
                () => Promise.resolve(r),
                r.employees
                  ? tr(`已提醒 ${r.employees} 位未完成的员工`, `Reminded ${r.employees} employees who have not finished`)
                  : tr('所有员工都已完成', 'Every employee is done'),
              )
            }
          }}
        >
          {tr('提醒未完成员工', 'Remind laggards')}
        </Button>
      )}
      {t.kind === 'todo' && t.status === 'running' && mine && (
        <Button
          icon={<CheckOutlined />}
          data-testid="task-done"
          onClick={async () => {
            if (await act(() => post(`/tasks/${id}/done`, { done: true }), tr('已标记完成', 'Marked done'))) reload()
          }}
        >
          {tr('标记我已完成', 'Mark my part done')}
        </Button>
      )}
      {t.status !== 'draft' && (
        <Button
          icon={<SyncOutlined />}
          data-testid="task-sync"
          onClick={async () => {
            if (await act(() => post(`/tasks/${id}/sync`), tr('正在同步发送结果…', 'Syncing send results…'))) {
              setTimeout(reload, 1500)
            }
          }}
        >
          {tr('同步结果', 'Sync results')}
        </Button>
      )}
      {me?.full_access && ['draft', 'scheduled', 'running'].includes(t.status) && (
        <Popconfirm
          title={tr('取消后员工未发送的消息将被撤回，确定？', 'Cancel? Messages employees have not sent are withdrawn.')}
          onConfirm={async () => {
            if (await act(() => post(`/tasks/${id}/cancel`), tr('任务已取消', 'Task cancelled'))) reload()
          }}
        >
          <Button danger icon={<StopOutlined />}>
            {tr('取消任务', 'Cancel task')}
          </Button>
        </Popconfirm>
      )}
    </Space>
  )
  const employees = (
    <>
      <Space style={{ marginBottom: 12, justifyContent: 'space-between', width: '100%' }} wrap>
        <Segmented
          value={done}
          onChange={(v) => {
            setDone(String(v))
            setCursors([null])
          }}
          options={[
            { label: tr('全部', 'All'), value: 'all' },
            { label: tr('已完成', 'Done'), value: 'done' },
            { label: tr('未完成', 'Not done'), value: 'pending' },
          ]}
        />
        <Button icon={<DownloadOutlined />} href={`/api/v1/tasks/${id}/employees/export${query({ done: doneParam, format: 'xlsx' })}`}>
          {tr('导出', 'Export')}
        </Button>
      </Space>
      {rows.error && <Alert type="error" showIcon title={rows.error} />}
      <Table<Assignee>
        rowKey="userid"
        size="small"
        data-testid="task-employees"
        loading={rows.loading && !rows.data}
        dataSource={rows.data?.items ?? []}
        pagination={false}
        scroll={{ x: 820 }}
        locale={{ emptyText: <Empty description={tr('没有符合条件的员工。', 'No employees match.')} /> }}
        columns={[
          { title: tr('员工', 'Employee'), key: 'name', render: (_: unknown, a) => a.name || a.userid },
          ...(sends
            ? [
                { title: tr('目标', 'Targets'), dataIndex: 'assigned' },
                { title: tr('已发送', 'Sent'), dataIndex: 'sent' },
                { title: tr('未发送', 'Not sent'), key: 'ns', render: (_: unknown, a: Assignee) => a.pending + a.not_sent },
                { title: tr('失败', 'Failed'), dataIndex: 'failed' },
              ]
            : []),
          {
            title: tr('完成率', 'Completion'),
            dataIndex: 'completion_rate',
            width: 150,
            render: (v: number) => <Progress size="small" percent={pct(v)} />,
          },
          {
            title: tr('状态', 'Status'),
            key: 'done',
            render: (_: unknown, a) =>
              a.done ? (
                <Tag color="success" data-testid="employee-done">
                  {a.late ? tr('已完成（逾期）', 'Done (late)') : tr('已完成', 'Done')}
                </Tag>
              ) : (
                <Tag data-testid="employee-pending">{tr('未完成', 'Not done')}</Tag>
              ),
          },
          { title: tr('完成时间', 'Completed'), dataIndex: 'completed_at', render: fmtTime },
          { title: tr('打开次数', 'Opens'), dataIndex: 'opens' },
          { title: tr('提醒', 'Reminded'), dataIndex: 'reminds' },
        ]}
      />
      <Space style={{ marginTop: 12, justifyContent: 'flex-end', width: '100%' }}>
        <Button disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          {tr('上一页', 'Previous')}
        </Button>
        <Button disabled={!rows.data?.next_cursor} onClick={() => setCursors([...cursors, rows.data?.next_cursor ?? null])}>
          {tr('下一页', 'Next')}
        </Button>
      </Space>
    </>
  )
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Descriptions
        size="small"
        column={{ xs: 1, md: 2 }}
        title={
          <Space>
            <span data-testid="task-title">{t.name}</span>
            <StatusTag status={t.status} />
            <KindTag kind={t.kind} />
          </Space>
        }
        extra={actions}
        items={[
          { key: 'deadline', label: tr('截止时间', 'Deadline'), children: fmtTime(t.deadline) },
          { key: 'start', label: tr('开始时间', 'Start'), children: fmtTime(t.started_at ?? t.start_at) },
          { key: 'by', label: tr('创建人', 'Created by'), children: t.created_by },
          { key: 'synced', label: tr('最近同步', 'Last synced'), children: fmtTime(t.synced_at) },
          { key: 'desc', label: tr('说明', 'Description'), children: t.description || '—', span: 2 },
          { key: 'text', label: tr('消息内容', 'Message'), children: <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{t.text || '—'}</Typography.Paragraph>, span: 2 },
        ]}
      />
      {x.error && <Alert type="error" showIcon title={x.error} />}
      {x.without_targets?.length > 0 && (
        <Alert
          type="info"
          showIcon
          title={tr(
            `${x.without_targets.length} 位员工没有符合条件的客户，未参与本任务：${x.without_targets.join('、')}`,
            `${x.without_targets.length} employees had nobody to send to and were left out: ${x.without_targets.join(', ')}`,
          )}
        />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={tr('完成率', 'Completion')} value={pct(sends ? x.completion_rate : x.employee_rate)} suffix="%" data-testid="task-rate" />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={tr('员工完成', 'Employees done')} value={x.employees_done} suffix={`/ ${x.employees}`} data-testid="task-employees-done" />
          </Card>
        </Col>
        {sends && (
          <Col xs={12} md={6}>
            <Card size="small">
              <Statistic title={tr('已发送 / 目标', 'Sent / targets')} value={x.sent} suffix={`/ ${x.assigned}`} />
            </Card>
          </Col>
        )}
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={tr('雷达打开次数', 'Radar opens')} value={x.opens} data-testid="task-opens" />
          </Card>
        </Col>
      </Row>
      <Typography.Text type="secondary">
        {tr(
          '效果：统计员工发出的雷达链接被打开的次数。客户回复需要企业微信「会话内容存档」，未开通时无法统计。',
          'Effect counts opens of the radar links employees sent. Replies need WeCom chat archiving (会话内容存档); without it they cannot be counted.',
        )}
      </Typography.Text>
      <Tabs
        items={[
          { key: 'employees', label: tr('员工进度', 'Employees'), children: employees },
          {
            key: 'board',
            label: tr('排行榜', 'Leaderboard'),
            children: (
              <>
                <Space style={{ justifyContent: 'flex-end', width: '100%' }}>
                  <Button icon={<DownloadOutlined />} href={`/api/v1/tasks/${id}/leaderboard/export?format=xlsx`}>
                    {tr('导出', 'Export')}
                  </Button>
                </Space>
                {(board.data ?? []).length > 0 && <RankChart rows={board.data ?? []} />}
                <RankTable rows={board.data ?? []} />
              </>
            ),
          },
        ]}
      />
    </Space>
  )
}
