import { useEffect } from 'react'
import { Alert, Button, Card, Descriptions, Empty, Progress, Space, Table, Tag } from 'antd'
import { SyncOutlined } from '@ant-design/icons'
import { get, post } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import { localText } from '../../errorText'

// what the API calls a run's trigger, status and step, as the operator reads them
const TRIGGERS: Record<string, [string, string]> = {
  api: ['控制台 / API', 'Console / API'],
  periodic: ['定时同步', 'Scheduled'],
  cli: ['命令行', 'Command line'],
  demo: ['演示启动', 'Demo start'],
  test: ['测试', 'Test'],
}
const STATUSES: Record<string, [string, string]> = {
  pending: ['等待中', 'Pending'],
  running: ['同步中', 'Running'],
  done: ['已完成', 'Done'],
  failed: ['失败', 'Failed'],
  interrupted: ['已中断', 'Interrupted'],
}
const STEPS: Record<string, [string, string]> = {
  departments: ['部门', 'Departments'],
  employees: ['员工', 'Employees'],
  tags: ['标签', 'Tags'],
  customers: ['客户', 'Customers'],
  groups: ['客户群', 'Group chats'],
  reconcile: ['核对已删除的关系', 'Reconcile'],
}

interface Run {
  id: number
  trigger: string
  status: string
  step: string
  steps: Record<string, { done?: number; total?: number; status?: string } | unknown>
  error: string | null
  started_at: string
  finished_at: string | null
}

function percent(run: Run): number {
  if (run.status === 'done') return 100
  const steps = Object.values(run.steps) as { status?: string; done?: number; total?: number | null }[]
  if (!steps.length) return 0
  let sum = 0
  for (const s of steps) {
    if (s.status === 'done') sum += 1
    else if (s.total) sum += Math.min(1, (s.done ?? 0) / s.total)
  }
  return Math.round((sum / steps.length) * 100)
}

export default function SyncPage() {
  const { tr } = useI18n()
  const say = (names: Record<string, [string, string]>, v: string) => (names[v] ? tr(...names[v]) : v || '—')
  const act = useAction()
  const runs = useLoad(() => get<Run[]>('/sync/runs'), [])
  const active = runs.data?.find((r) => r.status === 'running' || r.status === 'pending')
  useEffect(() => {
    if (!active) return
    const t = setInterval(() => void runs.reload(), 1500)
    return () => clearInterval(t)
  }, [active, runs])
  const latest = runs.data?.[0]
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Card
        title={tr('从企业微信同步', 'Sync from WeCom')}
        extra={
          <Button type="primary" icon={<SyncOutlined spin={!!active} />} disabled={!!active} onClick={async () => { if ((await act(() => post('/sync'), tr('同步已开始', 'Sync started'))) !== undefined) void runs.reload() }}>
            {tr('立即全量同步', 'Full sync now')}
          </Button>
        }
      >
        {runs.error && <Alert type="error" showIcon message={runs.error} />}
        {latest ? (
          <Descriptions column={{ xs: 1, md: 3 }} size="small">
            <Descriptions.Item label={tr('状态', 'Status')}>
              <Tag color={latest.status === 'done' ? 'green' : latest.status === 'failed' ? 'red' : 'blue'}>{say(STATUSES, latest.status)}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label={tr('步骤', 'Step')}>{latest.status === 'done' ? tr('全部完成', 'All done') : say(STEPS, latest.step)}</Descriptions.Item>
            <Descriptions.Item label={tr('开始', 'Started')}>{fmtTime(latest.started_at)}</Descriptions.Item>
            <Descriptions.Item label={tr('进度', 'Progress')} span={3}>
              <Progress percent={percent(latest)} status={latest.status === 'failed' ? 'exception' : active ? 'active' : undefined} />
            </Descriptions.Item>
            {latest.error && (
              <Descriptions.Item label={tr('错误', 'Error')} span={3}>
                <Alert type="error" message={localText(latest.error, tr('同步出错，请重试', 'The sync failed'))} />
              </Descriptions.Item>
            )}
          </Descriptions>
        ) : (
          <Empty description={tr('还没有同步过。点击「立即全量同步」拉取员工、标签、客户和客户群。', 'No sync yet. Click "Full sync now" to pull employees, tags, customers and groups.')} />
        )}
      </Card>
      <Card title={tr('同步记录', 'Runs')}>
        <Table<Run>
          rowKey="id"
          dataSource={runs.data ?? []}
          pagination={false}
          scroll={{ x: 500 }}
          columns={[
            { title: 'ID', dataIndex: 'id' },
            { title: tr('触发', 'Trigger'), dataIndex: 'trigger', render: (v: string) => say(TRIGGERS, v) },
            { title: tr('状态', 'Status'), dataIndex: 'status', render: (v: string) => say(STATUSES, v) },
            { title: tr('开始', 'Started'), dataIndex: 'started_at', render: fmtTime },
            { title: tr('结束', 'Finished'), dataIndex: 'finished_at', render: fmtTime },
          ]}
        />
      </Card>
    </Space>
  )
}
