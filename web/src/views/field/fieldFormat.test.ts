import { describe, expect, it } from 'vitest'
import {
  daysOfMonth,
  fitWithin,
  formatAccuracy,
  formatCoordinates,
  formatDistance,
  haversineM,
  isoWeekday,
  mondayOf,
  moneyFromYuan,
  newClientId,
  nextMonth,
  sumFen,
} from './fieldFormat'

describe('geo formatting', () => {
  it('formats distances in metres and kilometres', () => {
    expect(formatDistance(0)).toBe('0 m')
    expect(formatDistance(85.4)).toBe('85 m')
    expect(formatDistance(999)).toBe('999 m')
    expect(formatDistance(1234)).toBe('1.2 km')
    expect(formatDistance(12_345)).toBe('12 km')
    expect(formatDistance(null)).toBe('—')
    expect(formatDistance(Number.NaN)).toBe('—')
  })

  it('formats accuracy and coordinates', () => {
    expect(formatAccuracy(12)).toBe('±12 m')
    expect(formatAccuracy(undefined)).toBe('—')
    expect(formatCoordinates(31.2304, 121.4737)).toBe('31.23040, 121.47370')
    expect(formatCoordinates(null, 1)).toBe('—')
  })

  it('computes great-circle distances', () => {
    const bund = { lat: 31.2400, lng: 121.4900 }
    expect(haversineM(bund, bund)).toBe(0)
    // 0.001° of latitude ≈ 111 m
    expect(Math.round(haversineM(bund, { lat: 31.241, lng: 121.49 }))).toBe(111)
  })
})

describe('money lines', () => {
  it('converts typed yuan to fen money exactly', () => {
    expect(moneyFromYuan('300')).toEqual({ amount: '30000', currency: 'CNY' })
    expect(moneyFromYuan('0.1')).toEqual({ amount: '10', currency: 'CNY' })
    expect(moneyFromYuan('1,234.56')).toEqual({ amount: '123456', currency: 'CNY' })
    expect(moneyFromYuan('')).toBeNull()
    expect(moneyFromYuan('1.234')).toBeUndefined()
    expect(moneyFromYuan('abc')).toBeUndefined()
  })

  it('sums fen without floating point', () => {
    expect(sumFen(['10', '20', null, '9007199254740993'])).toBe('9007199254741023')
    expect(sumFen([])).toBe('0')
  })
})

describe('photos and ids', () => {
  it('fits a photo within the long side, never enlarging', () => {
    expect(fitWithin(4032, 3024, 1280)).toEqual({ width: 1280, height: 960 })
    expect(fitWithin(3024, 4032, 1280)).toEqual({ width: 960, height: 1280 })
    expect(fitWithin(800, 600, 1280)).toEqual({ width: 800, height: 600 })
    expect(fitWithin(0, 600, 1280)).toEqual({ width: 0, height: 0 })
  })

  it('makes distinct v4 UUIDs', () => {
    const a = newClientId()
    const b = newClientId()
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(a).not.toBe(b)
  })
})

describe('calendar helpers', () => {
  it('lists the days of a month and the next month', () => {
    expect(daysOfMonth('2026-02')).toHaveLength(28)
    expect(daysOfMonth('2028-02')).toHaveLength(29)
    expect(daysOfMonth('2026-11')[29]).toBe('2026-11-30')
    expect(nextMonth('2026-12')).toBe('2027-01')
    expect(nextMonth('2026-09')).toBe('2026-10')
  })

  it('knows weekdays and Mondays', () => {
    expect(isoWeekday('2026-11-22')).toBe(7)
    expect(isoWeekday('2026-11-23')).toBe(1)
    expect(mondayOf('2026-11-22')).toBe('2026-11-16')
    expect(mondayOf('2026-11-23')).toBe('2026-11-23')
  })
})
