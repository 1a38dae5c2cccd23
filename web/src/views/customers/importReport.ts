// The import wizard's bookkeeping over the server's per-request reports (docs/api-customers.md
// "Import"): files larger than one request are sent in batches, so reports are joined and
// their row numbers shifted back to the file's.
import type { ImportMatch, ImportMode, ImportReport, ImportRowReport } from '@/api/customers'
import type { DuplicateMatch } from '@/api/types'

/**
 * A batch's report with row numbers of the whole file: the server counts the header as row 1
 * of each request, so a batch starting at data row `start` (zero-based) adds `start`. In-file
 * duplicate references (`{row}`) are shifted the same way.
 */
export function shiftReport(report: ImportReport, start: number): ImportReport {
  if (start === 0) return report
  return {
    ...report,
    rows: report.rows.map((row) => ({
      ...row,
      row: row.row + start,
      ...(row.matches
        ? { matches: row.matches.map((match) => (isRowMatch(match) ? { ...match, row: match.row + start } : match)) }
        : {}),
    })),
  }
}

/** The reports of consecutive batches as one. */
export function joinReports(mode: ImportMode, reports: readonly ImportReport[]): ImportReport {
  const joined: ImportReport = { mode, total: 0, valid: 0, invalid: 0, duplicates: 0, created: 0, contactsCreated: 0, existing: 0, rows: [] }
  for (const report of reports) {
    joined.total += report.total
    joined.valid += report.valid
    joined.invalid += report.invalid
    joined.duplicates += report.duplicates
    joined.created += report.created
    joined.contactsCreated! += report.contactsCreated ?? 0
    joined.existing! += report.existing ?? 0
    joined.rows.push(...report.rows)
  }
  return joined
}

export const isRowMatch = (match: ImportMatch): match is { row: number; reasons: DuplicateMatch['reasons'] } =>
  typeof (match as { row?: unknown }).row === 'number'

/** Statuses of rows that are fine: written, to be written, or matched to a stored customer. */
const FINE_STATUSES: ReadonlySet<ImportRowReport['status']> = new Set(['ok', 'created', 'contact', 'contact_added', 'existing'])

/**
 * Rows the real import would write, per the dry run: `ok`, `contact` (adds a contact to a
 * customer of an earlier row, or to the stored customer its code names) and `duplicate`
 * when acknowledged. `existing` rows name a stored customer and will write nothing (no
 * contact, or one it has already): neither written nor blocking.
 */
export function writableCount(report: ImportReport, acknowledgeDuplicates: boolean): number {
  return report.rows.filter(
    (row) => row.status === 'ok' || row.status === 'contact' || (row.status === 'duplicate' && acknowledgeDuplicates),
  ).length
}

/** Rows matched to stored customers by their code: the summary's `existing`, else counted from the rows. */
export function existingCount(report: ImportReport): number {
  return report.existing ?? report.rows.filter((row) => row.status === 'existing').length
}

/**
 * Rows of the dry run that pass as new customers or contacts (the summary's "ready"):
 * neither invalid, nor possible duplicates, nor matched to stored customers.
 */
export function readyCount(report: ImportReport): number {
  return report.total - report.invalid - report.duplicates - existingCount(report)
}

/** Rows that keep an all-or-nothing import from writing anything. */
export function blockingCount(report: ImportReport, acknowledgeDuplicates: boolean): number {
  const nothingToWrite = report.rows.filter((row) => row.status === 'existing').length
  return report.total - writableCount(report, acknowledgeDuplicates) - nothingToWrite
}

export type RowFilter = 'problems' | 'all' | 'invalid' | 'duplicate'

export function filterRows(rows: readonly ImportRowReport[], filter: RowFilter): ImportRowReport[] {
  switch (filter) {
    case 'all':
      return [...rows]
    case 'invalid':
      return rows.filter((row) => row.status === 'invalid')
    case 'duplicate':
      return rows.filter((row) => row.status === 'duplicate')
    case 'problems':
      return rows.filter((row) => !FINE_STATUSES.has(row.status))
  }
}

/** Counts of the result step by status. */
export function statusCounts(report: ImportReport): Record<ImportRowReport['status'], number> {
  const counts = { ok: 0, invalid: 0, duplicate: 0, created: 0, skipped: 0, contact: 0, contact_added: 0, existing: 0 }
  for (const row of report.rows) counts[row.status] += 1
  return counts
}
