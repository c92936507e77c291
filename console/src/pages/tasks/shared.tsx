// 营销任务: shared types, labels and small pieces.
import { Progress, Tag } from 'antd'
import { useI18n } from '../../i18n'

export interface Totals {
  employees: number
  employees_done: number
  assigned: number
  sent: number
  not_sent: number
  failed: number
  pending: number
  completion_rate: number
  employee_rate: number
  opens: number
  opened_customers: number
  without_targets: string[]
  error: string | null
}

export interface Task {
  id: number
  name: string
  description: string
  kind: 'customer' | 'group' | 'moment' | 'todo'
  status: string
  text: string
  content_ids: number[]
  targets: Record<string, unknown>
  department_ids: number[]
  start_at: string | null
  deadline: string
  remind_before_minutes: number
  auto_reminded_at: string | null
  broadcast_id: number | null
  created_by: string
  created_at: string
  started_at: string | null
  ended_at: string | null
  cancelled_at: string | null
  synced_at: string | null
  totals: Totals
  userids: string[]
}

export interface Assignee {
  userid: string
  name: string
  assigned: number
  sent: number
  not_sent: number
  failed: number
  pending: number
  completion_rate: number
  done: boolean
  completed_at: string | null
  late: boolean
  opens: number
  opened_customers: number
  reminds: number
  last_reminded_at: string | null
}

export interface RankRow {
  rank: number
  userid: string
  name: string
  tasks: number
  assigned: number
  sent: number
  completion_rate: number
  done: number
  opens: number
  opened_customers: number
}

export const STATUS: Record<string, [string, string, string]> = {
  draft: ['草稿', 'Draft', 'default'],
  scheduled: ['待开始', 'Scheduled', 'blue'],
  running: ['进行中', 'Running', 'processing'],
  ended: ['已结束', 'Ended', 'success'],
  cancelled: ['已取消', 'Cancelled', 'warning'],
}

export const KIND: Record<string, [string, string]> = {
  customer: ['客户群发', 'Customer message'],
  group: ['客户群群发', 'Group message'],
  moment: ['朋友圈', 'Moments post'],
  todo: ['待办', 'To-do'],
}

export function StatusTag({ status }: { status: string }) {
  const { tr } = useI18n()
  const [zh, en, color] = STATUS[status] ?? [status, status, 'default']
  return (
    <Tag color={color} data-testid="task-status">
      {tr(zh, en)}
    </Tag>
  )
}

export function KindTag({ kind }: { kind: string }) {
  const { tr } = useI18n()
  const [zh, en] = KIND[kind] ?? [kind, kind]
  return <Tag>{tr(zh, en)}</Tag>
}

export function pct(rate: number): number {
  return Math.round(rate * 1000) / 10
}

/** Completion of a task: customers reached for sends, employees done for to-dos. */
export function TaskProgress({ task }: { task: Task }) {
  const t = task.totals
  const rate = task.kind === 'todo' ? t.employee_rate : t.completion_rate
  return (
    <Progress
      size="small"
      percent={pct(rate ?? 0)}
      status={task.status === 'running' ? 'active' : undefined}
      data-testid="task-progress"
    />
  )
}
