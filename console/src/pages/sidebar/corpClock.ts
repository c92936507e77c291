// Wall times on the corp's clock (the follow-up picker): the employee picks 2026-05-01 09:00
// meaning 09:00 in the corp's zone, whatever zone the phone is set to.

function offsetMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(at))
  const p = Object.fromEntries(parts.map((x) => [x.type, Number(x.value)]))
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(at / 1000) * 1000
}

/** 'YYYY-MM-DD HH:mm' on the corp's clock → an ISO instant with its zone (for the API). */
export function corpWallToIso(wall: string, timeZone?: string | null): string {
  const [d, t] = wall.split(' ')
  const [y, m, day] = d.split('-').map(Number)
  const [h, min] = (t ?? '00:00').split(':').map(Number)
  const guess = Date.UTC(y, m - 1, day, h, min)
  if (!timeZone) return new Date(y, m - 1, day, h, min).toISOString()
  try {
    const first = guess - offsetMs(guess, timeZone)
    return new Date(guess - offsetMs(first, timeZone)).toISOString()
  } catch {
    return new Date(y, m - 1, day, h, min).toISOString()
  }
}
