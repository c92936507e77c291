// Calendar days in the corp's time zone (`timezone` of GET /auth/session), not the browser's:
// the API counts adds, joins and trends by the corp's day, so "today" must be the corp's today
// (a browser in UTC would otherwise leave out everything after 00:00 in Shanghai).
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
