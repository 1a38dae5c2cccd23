import { describe, expect, it } from 'vitest'
import { gapPercent, periodLabel, periodStartOf, previousPeriodStart, quarterOf, recentPeriodStarts } from './summaryPeriods'

describe('periodStartOf', () => {
  it('finds the first day of each period kind', () => {
    expect(periodStartOf('week', '2026-11-22')).toBe('2026-11-16')
    expect(periodStartOf('month', '2026-11-22')).toBe('2026-11-01')
    expect(periodStartOf('quarter', '2026-11-22')).toBe('2026-10-01')
    expect(periodStartOf('quarter', '2026-03-31')).toBe('2026-01-01')
    expect(periodStartOf('half_year', '2026-06-30')).toBe('2026-01-01')
    expect(periodStartOf('half_year', '2026-07-01')).toBe('2026-07-01')
    expect(periodStartOf('year', '2026-11-22')).toBe('2026-01-01')
  })
})

describe('previous and recent periods', () => {
  it('steps back across year ends', () => {
    expect(previousPeriodStart('quarter', '2026-01-01')).toBe('2025-10-01')
    expect(previousPeriodStart('half_year', '2026-01-01')).toBe('2025-07-01')
    expect(previousPeriodStart('week', '2026-01-05')).toBe('2025-12-29')
    expect(previousPeriodStart('year', '2026-01-01')).toBe('2025-01-01')
    expect(recentPeriodStarts('quarter', '2026-11-22', 3)).toEqual(['2026-10-01', '2026-07-01', '2026-04-01'])
  })
})

describe('labels', () => {
  it('names quarters, halves, months and years', () => {
    expect(quarterOf('2026-12-31')).toBe('2026-Q4')
    expect(periodLabel('quarter', '2026-04-01')).toBe('2026-Q2')
    expect(periodLabel('half_year', '2026-07-01')).toBe('2026 H2')
    expect(periodLabel('month', '2026-11-01')).toBe('2026-11')
    expect(periodLabel('year', '2026-01-01')).toBe('2026')
  })
})

describe('gapPercent', () => {
  it('is the gap in whole percent of our price', () => {
    expect(gapPercent({ amount: '37500', currency: 'CNY' }, { amount: '41000', currency: 'CNY' })).toBe(-8)
    expect(gapPercent({ amount: '45000', currency: 'CNY' }, { amount: '40000', currency: 'CNY' })).toBe(12)
    expect(gapPercent(null, { amount: '40000', currency: 'CNY' })).toBeNull()
    expect(gapPercent({ amount: '1', currency: 'CNY' }, { amount: '0', currency: 'CNY' })).toBeNull()
  })
})
