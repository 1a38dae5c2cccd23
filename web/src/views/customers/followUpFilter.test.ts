import { describe, expect, it } from 'vitest'
import { fromViewFilters, toQuery, toViewFilters } from './customerFilters'
import { FOLLOW_UP_MODES, daysBefore, hasFollowUpFilter, idleDaysOf, modeOf, presetState, type FollowUpState } from './followUpFilter'

const TODAY = '2026-03-01'
const NONE: FollowUpState = { followUpAfter: null, followUpBefore: null, idleDays: null, neverFollowedUp: null }
const dates = (followUpAfter: string | null, followUpBefore: string | null): FollowUpState => ({ ...NONE, followUpAfter, followUpBefore })

describe('the last follow-up filter', () => {
  it('counts calendar days back over month and year ends', () => {
    expect(daysBefore(TODAY, 7)).toBe('2026-02-22')
    expect(daysBefore(TODAY, 30)).toBe('2026-01-30')
    expect(daysBefore('2026-01-05', 15)).toBe('2025-12-21')
    expect(daysBefore('2028-03-01', 1)).toBe('2028-02-29')
  })

  it('turns a preset into the relative idleDays alone, and "never" into its flag (R-CUST-67)', () => {
    expect(presetState('idle7')).toEqual({ ...NONE, idleDays: '7' })
    expect(presetState('idle30')).toEqual({ ...NONE, idleDays: '30' })
    expect(presetState('never')).toEqual({ ...NONE, neverFollowedUp: 'true' })
    expect(presetState('')).toEqual(NONE)
    // Custom keeps whatever the pickers hold.
    expect(presetState('custom')).toBeNull()
    expect(FOLLOW_UP_MODES).toEqual(['', 'idle7', 'idle15', 'idle30', 'never', 'custom'])
    expect(idleDaysOf('idle15')).toBe(15)
    expect(idleDaysOf('custom')).toBeNull()
  })

  it('shows a state set from outside as its preset, old dates as the preset they are today, else custom', () => {
    expect(modeOf(NONE, TODAY)).toBe('')
    expect(modeOf({ ...NONE, idleDays: '15' }, TODAY)).toBe('idle15')
    expect(modeOf({ ...NONE, neverFollowedUp: 'true' }, TODAY)).toBe('never')
    expect(modeOf({ ...NONE, idleDays: '45' }, TODAY)).toBe('custom')
    expect(modeOf(dates(null, '2026-02-14'), TODAY)).toBe('idle15')
    // A view saved with "7 days" as a date some days ago, or any other date: the custom pickers.
    expect(modeOf(dates(null, '2026-02-20'), TODAY)).toBe('custom')
    expect(modeOf(dates('2026-02-01', null), TODAY)).toBe('custom')
    // Views saved with the old range picker (both ends).
    expect(modeOf(dates('2026-01-01', '2026-02-22'), TODAY)).toBe('custom')
    expect(hasFollowUpFilter(dates(null, '2026-02-22'))).toBe(true)
    expect(hasFollowUpFilter({ ...NONE, idleDays: '7' })).toBe(true)
    expect(hasFollowUpFilter(NONE)).toBe(false)
  })

  it('reaches the list and saved views as idleDays or neverFollowedUp, dates as they were', () => {
    const filters = { ...fromViewFilters({}), ...presetState('idle30') }
    expect(toQuery(filters, '-updatedAt')).toMatchObject({ idleDays: 30, followUpBefore: null, followUpAfter: null, neverFollowedUp: null })
    expect(toViewFilters(filters)).toEqual({ idleDays: '30' })
    const never = { ...fromViewFilters({}), ...presetState('never') }
    expect(toQuery(never, '-updatedAt')).toMatchObject({ neverFollowedUp: true, idleDays: null })
    expect(fromViewFilters({ idleDays: '30' })).toMatchObject({ idleDays: '30', followUpBefore: null })
    expect(fromViewFilters({ idleDays: 'x' }).idleDays).toBeNull()
    // An old view with both ends still opens with both.
    expect(fromViewFilters({ followUpAfter: '2026-01-01', followUpBefore: '2026-02-01' })).toMatchObject({
      followUpAfter: '2026-01-01',
      followUpBefore: '2026-02-01',
    })
  })
})
