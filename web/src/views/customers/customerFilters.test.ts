import { describe, expect, it } from 'vitest'
import { blankFilters, fromViewFilters, isFiltered, matchesView, sortOf, toQuery, toViewFilters } from './customerFilters'

describe('customer list filters', () => {
  it('a saved view keeps only set, trimmed filters and round-trips', () => {
    const filters = { ...blankFilters(), q: ' bjlt ', grade: 'A', inPool: 'false' as const, followUpAfter: '2026-11-01', tag: '  ' }
    const view = toViewFilters(filters)
    expect(view).toEqual({ q: 'bjlt', grade: 'A', inPool: 'false', followUpAfter: '2026-11-01' })
    expect(fromViewFilters(view)).toEqual({ ...filters, q: 'bjlt', tag: '' })
    expect(isFiltered(filters)).toBe(true)
    expect(isFiltered({ ...blankFilters(), city: ' ' })).toBe(false)
  })

  it('ignores unknown keys and bad values of a view', () => {
    const filters = fromViewFilters({ inPool: 'maybe', city: '杭州', ...({ limit: '5' } as object) })
    expect(filters).toEqual({ ...blankFilters(), city: '杭州' })
    expect(sortOf('name')).toBe('name')
    expect(sortOf('bogus')).toBe('-updatedAt')
    expect(sortOf(undefined)).toBe('-updatedAt')
  })

  it('builds the list query: booleans for the pool, no default sort', () => {
    const query = toQuery({ ...blankFilters(), inPool: 'true', province: ' 浙江 ' }, '-updatedAt')
    expect(query).toMatchObject({ inPool: true, province: '浙江', sort: null, q: undefined, city: null })
    expect(toQuery(blankFilters(), 'name').sort).toBe('name')
    expect(toQuery(blankFilters(), 'name').inPool).toBeNull()
  })

  it('knows when the screen shows a view', () => {
    const view = { filters: { grade: 'A' }, sort: 'name' }
    expect(matchesView({ ...blankFilters(), grade: 'A' }, 'name', view)).toBe(true)
    expect(matchesView({ ...blankFilters(), grade: 'A' }, '-updatedAt', view)).toBe(false)
    expect(matchesView({ ...blankFilters(), grade: 'A', city: '杭州' }, 'name', view)).toBe(false)
  })
})
