// Pure helpers of the summary and competitor screens: the first day of a report period
// (R-REPORT-8, 11), the periods a rep picks from, quarters as `YYYY-Qn` (R-INTEL-6), and the
// side-by-side numbers of an offer (R-INTEL-11).
import type { PeriodKind } from '@/api/fieldreports'
import type { Money } from '@/api/types'
import { mondayOf } from '@/views/field/fieldFormat'

const pad = (value: number) => String(value).padStart(2, '0')

/** The first day of the period of `kind` containing the business date `date` (YYYY-MM-DD). */
export function periodStartOf(kind: PeriodKind, date: string): string {
  const year = Number(date.slice(0, 4))
  const month = Number(date.slice(5, 7))
  switch (kind) {
    case 'week':
      return mondayOf(date)
    case 'month':
      return `${year}-${pad(month)}-01`
    case 'quarter':
      return `${year}-${pad(Math.floor((month - 1) / 3) * 3 + 1)}-01`
    case 'half_year':
      return `${year}-${month <= 6 ? '01' : '07'}-01`
    case 'year':
      return `${year}-01-01`
  }
}

/** The first day of the period before the one starting on `start`. */
export function previousPeriodStart(kind: PeriodKind, start: string): string {
  const [year, month, day] = start.split('-').map(Number) as [number, number, number]
  if (kind === 'week') return new Date(Date.UTC(year, month - 1, day - 7)).toISOString().slice(0, 10)
  const months = { month: 1, quarter: 3, half_year: 6, year: 12 }[kind]
  const at = new Date(Date.UTC(year, month - 1 - months, 1))
  return at.toISOString().slice(0, 10)
}

/** The current period and the `count - 1` before it, newest first. */
export function recentPeriodStarts(kind: PeriodKind, today: string, count: number): string[] {
  const starts = [periodStartOf(kind, today)]
  while (starts.length < count) starts.push(previousPeriodStart(kind, starts[starts.length - 1]!))
  return starts
}

/** `2026-10-01` → `2026-Q4` (the quarter containing the date). */
export function quarterOf(date: string): string {
  return `${date.slice(0, 4)}-Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`
}

/** A short, language-neutral label of a period: the Monday, `2026-11`, `2026-Q4`, `2026 H2` or `2026`. */
export function periodLabel(kind: PeriodKind, start: string): string {
  switch (kind) {
    case 'week':
      return start
    case 'month':
      return start.slice(0, 7)
    case 'quarter':
      return quarterOf(start)
    case 'half_year':
      return `${start.slice(0, 4)} H${start.slice(5, 7) === '01' ? 1 : 2}`
    case 'year':
      return start.slice(0, 4)
  }
}

/** The share of a gap in our price, in whole percent (negative: the competitor is cheaper); null without both prices. */
export function gapPercent(theirs: Money | null, ours: Money | null): number | null {
  if (!theirs || !ours) return null
  const our = BigInt(ours.amount)
  if (our === 0n) return null
  const gap = (BigInt(theirs.amount) - our) * 100n
  // BigInt division truncates toward zero.
  return Number(gap / our)
}
