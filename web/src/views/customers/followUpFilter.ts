// The customer list's "last follow-up" filter as a sales manager asks it: "not followed up
// for 7 / 15 / 30 days" (presets), or a custom "no follow-up after" and/or "followed up
// since" date. Both map onto the list's two date parameters (docs/api-customers.md):
// `followUpBefore` (inclusive; also returns customers never followed up) and `followUpAfter`
// (inclusive). Saved views keep storing those two dates, so views saved before the presets
// open as the custom case.
import type { BusinessDate } from '@/api/types'

/** Days without a follow-up offered as presets. */
export const IDLE_PRESETS = [7, 15, 30] as const
export type IdleDays = (typeof IDLE_PRESETS)[number]

/** '' no filter, `idle<N>` a preset, `custom` the two dates. */
export type FollowUpMode = '' | `idle${IdleDays}` | 'custom'

export const FOLLOW_UP_MODES: readonly FollowUpMode[] = ['', ...IDLE_PRESETS.map((days) => `idle${days}` as const), 'custom']

export interface FollowUpDates {
  followUpAfter: BusinessDate | null
  followUpBefore: BusinessDate | null
}

const pad = (value: number) => String(value).padStart(2, '0')

/** `YYYY-MM-DD` minus `days` calendar days (no time zone involved: dates only). */
export function daysBefore(date: BusinessDate, days: number): BusinessDate {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number]
  const shifted = new Date(Date.UTC(year, month - 1, day - days))
  return `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}`
}

/** The days of an `idle<N>` mode, else null. */
export function idleDaysOf(mode: FollowUpMode): IdleDays | null {
  const days = Number(mode.startsWith('idle') ? mode.slice(4) : NaN)
  return (IDLE_PRESETS as readonly number[]).includes(days) ? (days as IdleDays) : null
}

/**
 * The dates of a preset, today being `today`: "not followed up for N days" is no follow-up
 * after today − N (a follow-up exactly N days ago counts as N days), never followed up included.
 */
export function presetDates(mode: FollowUpMode, today: BusinessDate): FollowUpDates | null {
  if (mode === '') return { followUpAfter: null, followUpBefore: null }
  const days = idleDaysOf(mode)
  return days === null ? null : { followUpAfter: null, followUpBefore: daysBefore(today, days) }
}

/**
 * The mode that shows `dates` set from outside the filter (a saved view, a reset): a preset
 * when they are exactly one for today, nothing when empty, else custom.
 */
export function modeOf(dates: FollowUpDates, today: BusinessDate): FollowUpMode {
  if (!dates.followUpAfter && !dates.followUpBefore) return ''
  if (!dates.followUpAfter) {
    const preset = IDLE_PRESETS.find((days) => daysBefore(today, days) === dates.followUpBefore)
    if (preset !== undefined) return `idle${preset}`
  }
  return 'custom'
}

/** Whether the filter is set (a custom mode without dates filters nothing). */
export const hasFollowUpFilter = (dates: FollowUpDates) => !!(dates.followUpAfter || dates.followUpBefore)
