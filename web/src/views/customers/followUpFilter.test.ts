import { describe, expect, it } from 'vitest'
import { fromViewFilters, toQuery, toViewFilters } from './customerFilters'
import { FOLLOW_UP_MODES, daysBefore, hasFollowUpFilter, idleDaysOf, modeOf, presetDates } from './followUpFilter'

const TODAY = '2026-03-01'

describe('the last follow-up filter', () => {
  it('counts calendar days back over month and year ends', () => {
    expect(daysBefore(TODAY, 7)).toBe('2026-02-22')
    expect(daysBefore(TODAY, 30)).toBe('2026-01-30')
    expect(daysBefore('2026-01-05', 15)).toBe('2025-12-21')
    expect(daysBefore('2028-03-01', 1)).toBe('2028-02-29')
  })

  it('turns a preset into "no follow-up after today − N" alone, which includes never followed up', () => {
    expect(presetDates('idle7', TODAY)).toEqual({ followUpAfter: null, followUpBefore: '2026-02-22' })
    expect(presetDates('idle30', TODAY)).toEqual({ followUpAfter: null, followUpBefore: '2026-01-30' })
    expect(presetDates('', TODAY)).toEqual({ followUpAfter: null, followUpBefore: null })
    // Custom keeps whatever the pickers hold.
    expect(presetDates('custom', TODAY)).toBeNull()
    expect(FOLLOW_UP_MODES).toEqual(['', 'idle7', 'idle15', 'idle30', 'custom'])
    expect(idleDaysOf('idle15')).toBe(15)
    expect(idleDaysOf('custom')).toBeNull()
  })

  it('shows dates set from outside as the preset they are today, else as custom', () => {
    expect(modeOf({ followUpAfter: null, followUpBefore: null }, TODAY)).toBe('')
    expect(modeOf({ followUpAfter: null, followUpBefore: '2026-02-14' }, TODAY)).toBe('idle15')
    // A view saved with "7 days" some days ago, or any other date: the custom pickers.
    expect(modeOf({ followUpAfter: null, followUpBefore: '2026-02-20' }, TODAY)).toBe('custom')
    expect(modeOf({ followUpAfter: '2026-02-01', followUpBefore: null }, TODAY)).toBe('custom')
    // Views saved with the old range picker (both ends).
    expect(modeOf({ followUpAfter: '2026-01-01', followUpBefore: '2026-02-22' }, TODAY)).toBe('custom')
    expect(hasFollowUpFilter({ followUpAfter: null, followUpBefore: '2026-02-22' })).toBe(true)
    expect(hasFollowUpFilter({ followUpAfter: null, followUpBefore: null })).toBe(false)
  })

  it('reaches the list and saved views as the two date parameters, one of them alone', () => {
    const filters = { ...fromViewFilters({}), ...presetDates('idle30', TODAY) }
    expect(toQuery(filters, '-updatedAt')).toMatchObject({ followUpBefore: '2026-01-30', followUpAfter: null })
    expect(toViewFilters(filters)).toEqual({ followUpBefore: '2026-01-30' })
    // An old view with both ends still opens with both.
    expect(fromViewFilters({ followUpAfter: '2026-01-01', followUpBefore: '2026-02-01' })).toMatchObject({
      followUpAfter: '2026-01-01',
      followUpBefore: '2026-02-01',
    })
  })
})
