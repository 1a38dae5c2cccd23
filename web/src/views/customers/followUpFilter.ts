// The customer list's "last follow-up" filter as a sales manager asks it: "not followed up
// for 7 / 15 / 30 days" (presets), "never followed up", or a custom "no follow-up after"
// and/or "followed up since" date. A preset is the list's `idleDays` (R-CUST-67), counted
// from the day the list is read, so a saved view stays relative; "never" is
// `neverFollowedUp`; the custom dates are `followUpBefore` (inclusive; also returns customers
// never followed up) and `followUpAfter` (inclusive) (docs/api-customers.md). Views saved with
// a preset's dates before R-CUST-67 open as that preset on the day they match, else custom.
import type { BusinessDate } from '@/api/types'

/** Days without a follow-up offered as presets. */
export const IDLE_PRESETS = [7, 15, 30] as const
export type IdleDays = (typeof IDLE_PRESETS)[number]

/** '' no filter, `idle<N>` a preset, `never` never followed up, `custom` the two dates. */
export type FollowUpMode = '' | `idle${IdleDays}` | 'never' | 'custom'

export const FOLLOW_UP_MODES: readonly FollowUpMode[] = ['', ...IDLE_PRESETS.map((days) => `idle${days}` as const), 'never', 'custom']

export interface FollowUpDates {
  followUpAfter: BusinessDate | null
  followUpBefore: BusinessDate | null
}

/** The filter's four list parameters, as the list's filters hold them (text). */
export interface FollowUpState extends FollowUpDates {
  idleDays: string | null
  neverFollowedUp: 'true' | null
}

const NONE: FollowUpState = { followUpAfter: null, followUpBefore: null, idleDays: null, neverFollowedUp: null }

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
 * What a mode writes: a preset its days (the server counts them from the day it reads the
 * list: no follow-up after today − N, a follow-up exactly N days ago counting as N days,
 * never followed up included), "never" its flag, nothing for no filter; null for custom,
 * which keeps the dates shown and lets the pickers change them.
 */
export function presetState(mode: FollowUpMode): FollowUpState | null {
  if (mode === '') return { ...NONE }
  if (mode === 'never') return { ...NONE, neverFollowedUp: 'true' }
  const days = idleDaysOf(mode)
  return days === null ? null : { ...NONE, idleDays: String(days) }
}

/**
 * The mode that shows `state` set from outside the filter (a saved view, a reset): the
 * preset or "never" it holds; for dates alone a preset when they are exactly one for today
 * (views saved before R-CUST-67), nothing when empty, else custom.
 */
export function modeOf(state: FollowUpState, today: BusinessDate): FollowUpMode {
  if (state.neverFollowedUp === 'true' && !state.idleDays && !state.followUpAfter && !state.followUpBefore) return 'never'
  if (state.idleDays && !state.neverFollowedUp && !state.followUpAfter && !state.followUpBefore) {
    const days = Number(state.idleDays)
    return (IDLE_PRESETS as readonly number[]).includes(days) ? (`idle${days}` as FollowUpMode) : 'custom'
  }
  if (state.idleDays || state.neverFollowedUp) return 'custom'
  const dates = state
  if (!dates.followUpAfter && !dates.followUpBefore) return ''
  if (!dates.followUpAfter) {
    const preset = IDLE_PRESETS.find((days) => daysBefore(today, days) === dates.followUpBefore)
    if (preset !== undefined) return `idle${preset}`
  }
  return 'custom'
}

/** Whether the filter is set (a custom mode without dates filters nothing). */
export const hasFollowUpFilter = (state: FollowUpState) =>
  !!(state.followUpAfter || state.followUpBefore || state.idleDays || state.neverFollowedUp)
