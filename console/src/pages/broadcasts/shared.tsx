// 群发: shared types, status labels and progress.
import { Tag } from 'antd'
import { useI18n } from '../../i18n'
import type { ContentStats } from '../content/shared'

export interface Broadcast {
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
  content_item_id?: number | null
}

export interface Job {
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
  /** msgid_unknown: WeCom no longer knows the message (errcode), its results are lost */
  /** moments: moment_id once WeCom created it, employees who cannot post */
  result?: { msgid_unknown?: number; moment_id?: string | null; invalid_senders?: string[] } | null
  counts: Record<string, number>
}

export interface Detail extends Broadcast {
  radar?: ContentStats | null
  jobs: Job[]
}

export const STATUS: Record<string, [string, string, string]> = {
  scheduled: ['已预约', 'Scheduled', 'default'],
  planning: ['规划中', 'Planning', 'processing'],
  submitting: ['提交中', 'Submitting', 'processing'],
  submitted: ['已提交', 'Submitted', 'success'],
  cancelled: ['已取消', 'Cancelled', 'warning'],
  failed: ['失败', 'Failed', 'error'],
}

export const KINDS: Record<string, [string, string, string]> = {
  customer: ['客户', 'Customers', 'blue'],
  group: ['客户群', 'Group chats', 'cyan'],
  moment: ['朋友圈', 'Moments', 'purple'],
}

export const RESOLVED = ['sent', 'not_sent', 'failed']

/** Recipients whose outcome is known, out of all. */
export function progress(b: Broadcast): { done: number; total: number; final: boolean } {
  const done = RESOLVED.reduce((n, k) => n + (b.counts[k] ?? 0), 0)
  const total = b.total
  const final = b.status === 'cancelled' || b.status === 'failed' || (b.status === 'submitted' && done >= total)
  return { done, total, final }
}

export function StatusTag({ status }: { status: string }) {
  const { tr } = useI18n()
  const s = STATUS[status] ?? [status, status, 'default']
  return (
    <Tag color={s[2]} data-testid="broadcast-status">
      {tr(s[0], s[1])}
    </Tag>
  )
}
