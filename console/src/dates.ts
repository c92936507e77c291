// Calendar days in the corp's time zone (`timezone` of GET /auth/session), not the browser's:
// the API counts adds, joins and trends by the corp's day, so "today" must be the corp's today
// (a browser in UTC would otherwise leave out everything after 00:00 in Shanghai).
import { useCallback } from 'react'
import dayjs, { type Dayjs } from 'dayjs'
import { useAuth } from './auth'

/** Today's date in `timeZone`, as a Dayjs at the browser's midnight of that date (for pickers and YYYY-MM-DD). */
export function todayIn(timeZone?: string | null, now: Date = new Date()): Dayjs {
  if (timeZone) {
    try {
      const ymd = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
      return dayjs(ymd)
    } catch {
      // an unknown zone: fall back to the browser's day
    }
  }
  return dayjs().startOf('day')
}

/** The corp's today. */
export function useCorpToday(): Dayjs {
  const { me } = useAuth()
  return todayIn(me?.timezone)
}

/** The last `n` days of the corp's calendar, today included. */
export function useLastDays(n: number): [Dayjs, Dayjs] {
  const today = useCorpToday()
  return [today.subtract(n - 1, 'day'), today]
}

/** `value` on the corp's clock as YYYY-MM-DD HH:mm ('—' when empty), whatever the browser's zone. */
export function fmtIn(value: string | null | undefined, timeZone?: string | null): string {
  if (!value) return '—'
  const d = new Date(value)
  if (Number.isNaN(d.getTime())) return '—'
  try {
    const parts = new Intl.DateTimeFormat('en-CA', {
      timeZone: timeZone || undefined,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(d)
    const p = Object.fromEntries(parts.map((x) => [x.type, x.value]))
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
  } catch {
    return dayjs(value).format('YYYY-MM-DD HH:mm')
  }
}

/** A formatter of times on the corp's clock (the zone of GET /auth/session). */
export function useCorpTime(): (value: string | null | undefined) => string {
  const { me } = useAuth()
  const tz = me?.timezone
  return useCallback((value: string | null | undefined) => fmtIn(value, tz), [tz])
}
