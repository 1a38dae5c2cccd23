import { describe, expect, it } from 'vitest'
import type { ImportReport } from '@/api/customers'
import { blockingCount, existingCount, filterRows, joinReports, readyCount, shiftReport, statusCounts, writableCount } from './importReport'

const archiveMatch = { id: '7', name: '北京凌天', ownerName: '张伟', inPool: false, reasons: ['name' as const], visible: true }

const first: ImportReport = {
  mode: 'dry_run',
  total: 3,
  valid: 2,
  invalid: 1,
  duplicates: 1,
  created: 0,
  rows: [
    { row: 2, status: 'ok' },
    { row: 3, status: 'invalid', errors: { type: 'must be one of …' } },
    { row: 4, status: 'duplicate', matches: [archiveMatch] },
  ],
}
const second: ImportReport = {
  mode: 'dry_run',
  total: 2,
  valid: 2,
  invalid: 0,
  duplicates: 1,
  created: 0,
  rows: [
    { row: 2, status: 'ok' },
    { row: 3, status: 'duplicate', matches: [{ row: 2, reasons: ['phone'] }, archiveMatch] },
  ],
}

describe('import reports', () => {
  it('shifts a later batch to file row numbers, in-file references included', () => {
    const shifted = shiftReport(second, 3)
    expect(shifted.rows.map((row) => row.row)).toEqual([5, 6])
    expect(shifted.rows[1]!.matches).toEqual([{ row: 5, reasons: ['phone'] }, archiveMatch])
    expect(shiftReport(first, 0)).toBe(first)
  })

  it('joins batches', () => {
    const joined = joinReports('dry_run', [first, shiftReport(second, 3)])
    expect(joined).toMatchObject({ total: 5, valid: 4, invalid: 1, duplicates: 2, created: 0 })
    expect(joined.rows.map((row) => row.row)).toEqual([2, 3, 4, 5, 6])
    expect(statusCounts(joined)).toEqual({ ok: 2, invalid: 1, duplicate: 2, created: 0, skipped: 0, contact: 0, contact_added: 0, existing: 0 })
    expect(joined.contactsCreated).toBe(0)
    expect(joined.existing).toBe(0)
  })

  it('counts what an import would write and what blocks all-or-nothing', () => {
    const joined = joinReports('dry_run', [first, shiftReport(second, 3)])
    expect(writableCount(joined, false)).toBe(2)
    expect(writableCount(joined, true)).toBe(4)
    expect(blockingCount(joined, false)).toBe(3)
    expect(blockingCount(joined, true)).toBe(1)
  })

  it('counts contact rows as written and not as problems', () => {
    const withContact: ImportReport = { ...first, total: 4, rows: [...first.rows, { row: 5, status: 'contact' }], contactsCreated: 0 }
    expect(writableCount(withContact, false)).toBe(2)
    expect(blockingCount(withContact, false)).toBe(2)
    expect(filterRows(withContact.rows, 'problems').map((row) => row.row)).toEqual([3, 4])
    expect(joinReports('skip_bad', [{ ...withContact, contactsCreated: 1 }, { ...second, contactsCreated: 2 }]).contactsCreated).toBe(3)
  })

  // R-CUST-48: rows whose code names a stored customer.
  const withExisting: ImportReport = {
    ...first,
    total: 5,
    existing: 2,
    rows: [...first.rows, { row: 5, status: 'existing', id: '41' }, { row: 6, status: 'existing', id: '41' }],
  }

  it('counts rows matched by code apart from the ready ones, and as written', () => {
    expect(existingCount(withExisting)).toBe(2)
    expect(readyCount(withExisting)).toBe(1)
    expect(readyCount(first)).toBe(1)
    // An older server's report without the number: counted from the rows.
    expect(existingCount({ ...withExisting, existing: undefined })).toBe(2)
    expect(existingCount(first)).toBe(0)
    // Existing rows will write nothing: not counted as written, and they do not block all-or-nothing.
    expect(writableCount(withExisting, false)).toBe(1)
    expect(blockingCount(withExisting, false)).toBe(2)
    expect(statusCounts(withExisting).existing).toBe(2)
    const onlyExisting: ImportReport = { ...withExisting, total: 1, invalid: 0, duplicates: 0, existing: 1, rows: [{ row: 2, status: 'existing', id: '41' }] }
    expect(writableCount(onlyExisting, false)).toBe(0)
    expect(blockingCount(onlyExisting, false)).toBe(0)
    // A stored customer's row that will add its contact is a `contact` row with the customer's id.
    const addsContact: ImportReport = {
      ...onlyExisting,
      total: 2,
      existing: 2,
      rows: [{ row: 2, status: 'contact', id: '41', customerName: '北京凌天' }, { row: 3, status: 'existing', id: '41' }],
    }
    expect(writableCount(addsContact, false)).toBe(1)
    expect(blockingCount(addsContact, false)).toBe(0)
  })

  it('keeps existing rows out of the problems, with their ids, and joins their counts', () => {
    const problems = filterRows(withExisting.rows, 'problems')
    expect(problems.map((row) => row.row)).toEqual([3, 4])
    const all = filterRows(withExisting.rows, 'all')
    expect(all.filter((row) => row.status === 'existing').map((row) => row.id)).toEqual(['41', '41'])
    const written: ImportReport = {
      ...withExisting,
      mode: 'skip_bad',
      contactsCreated: 1,
      rows: [{ row: 2, status: 'contact_added', id: '41' }, { row: 3, status: 'existing', id: '41' }],
    }
    expect(filterRows(written.rows, 'problems')).toEqual([])
    const joined = joinReports('skip_bad', [written, shiftReport({ ...second, existing: 1 }, 2)])
    expect(joined.existing).toBe(3)
    expect(joined.contactsCreated).toBe(1)
    expect(joined.rows.slice(0, 2)).toEqual(written.rows)
    expect(statusCounts(joined)).toMatchObject({ contact_added: 1, existing: 1 })
  })

  it('filters rows of the report', () => {
    expect(filterRows(first.rows, 'problems').map((row) => row.row)).toEqual([3, 4])
    expect(filterRows(first.rows, 'invalid').map((row) => row.row)).toEqual([3])
    expect(filterRows(first.rows, 'duplicate').map((row) => row.row)).toEqual([4])
    expect(filterRows(first.rows, 'all')).toHaveLength(3)
  })
})
