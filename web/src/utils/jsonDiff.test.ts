import { describe, expect, it } from 'vitest'
import { diffSnapshots, jsonEqual } from './jsonDiff'

describe('jsonEqual', () => {
  it('ignores key order and compares deeply', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true)
    expect(jsonEqual({ a: 1 }, { a: 1, b: null })).toBe(false)
    expect(jsonEqual([1, 2], [2, 1])).toBe(false)
  })
})

describe('diffSnapshots', () => {
  it('marks changed, same, added and removed fields', () => {
    const rows = diffSnapshots({ name: '张伟', unitId: '3', phone: '1' }, { name: '张伟', unitId: '4', email: 'a@b.c' })
    expect(rows.map((row) => [row.field, row.change])).toEqual([
      ['name', 'same'],
      ['unitId', 'changed'],
      ['email', 'added'],
      ['phone', 'removed'],
    ])
  })

  it('treats a creation as all fields added', () => {
    expect(diffSnapshots(null, { id: '1' })).toEqual([{ field: 'id', before: undefined, after: '1', change: 'added' }])
  })

  it('compares non-object snapshots as a whole', () => {
    expect(diffSnapshots(500, 800)).toEqual([{ field: '', before: 500, after: 800, change: 'changed' }])
  })
})
