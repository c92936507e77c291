// 渠道活码: shared types and staff-rule helpers.
import dayjs, { type Dayjs } from 'dayjs'
import type { Schemas } from '../../api'

export type ChannelCode = Schemas['ChannelCodeOut']
export type Duty = Schemas['DutyOut']
export type StatRow = Schemas['StatRow']
export type Stats = Schemas['StatsOut']





export interface Filters {
  keyword?: string
  group_name?: string
  userid?: string
}

export interface Draft {
  name: string
  group_name?: string
  userids: string[]
  skip_verify: boolean
  tag_ids?: string[]
  remark_template?: string
  welcome_text?: string
  staff?: { userid: string; days: number[]; time?: [Dayjs, Dayjs] | null; daily_cap?: number | null }[]
  backups?: string[]
  /** always: accept every request; window: only within accept_time (corp time); never */
  accept_mode?: 'always' | 'window' | 'never'
  accept_time?: [Dayjs, Dayjs] | null
  welcome_attachments?: Schemas['Attachment'][]
  /** time-of-day welcomes (corp time); the first covering "now" wins, else the default */
  variants?: { time?: [Dayjs, Dayjs] | null; text?: string; attachments?: Schemas['Attachment'][] }[]
}

/** HH:MM (24:00 for a window that runs to midnight) as a picker value, and back. */
export function atTime(hhmm: string): Dayjs {
  return dayjs(`2000-01-01 ${hhmm === '24:00' ? '23:59' : hhmm}`)
}

export function hhmm(d: Dayjs | undefined | null, end = false): string {
  const v = d?.format('HH:mm') ?? (end ? '24:00' : '00:00')
  return end && v === '23:59' ? '24:00' : v
}


/** A rotation rule as the API returns it (every field filled in). */
export type StaffRule = Required<Schemas['StaffRule']>

export function weekdays(tr: (zh: string, en: string) => string) {
  const zh = ['一', '二', '三', '四', '五', '六', '日']
  const en = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
  return zh.map((d, i) => ({ value: i + 1, label: tr(`周${d}`, en[i]) }))
}

export function toRules(staff: Draft['staff']): StaffRule[] {
  return (staff ?? [])
    .filter((r) => r?.userid)
    .map((r) => {
      const end = r.time?.[1]?.format('HH:mm')
      return {
        userid: r.userid,
        days: r.days,
        daily_cap: r.daily_cap ?? null,
        start: r.time?.[0]?.format('HH:mm') ?? '00:00',
        end: !end || end === '00:00' || end === '23:59' ? '24:00' : end,
      }
    })
}

export function offReason(r: string, tr: (zh: string, en: string) => string): string {
  if (r === 'not a working day') return tr('非接待日', r)
  if (r === 'outside working hours') return tr('不在接待时段', r)
  const cap = r.match(/^daily cap of (\d+) reached$/)
  if (cap) return tr(`已达每日上限 ${cap[1]} 人`, r)
  return r
}

export function fromRules(rules: Schemas['StaffRule'][]): Draft['staff'] {
  const at = (hhmm: string) => dayjs(`2000-01-01 ${hhmm === '24:00' ? '23:59' : hhmm}`)
  return rules.map((r) => ({
    userid: r.userid,
    days: r.days ?? [1, 2, 3, 4, 5, 6, 7],
    daily_cap: r.daily_cap ?? null,
    time: r.start === '00:00' && r.end === '24:00' ? null : [at(r.start), at(r.end)],
  }))
}
