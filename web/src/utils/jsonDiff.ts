// Field-by-field comparison of an audit entry's `before` and `after` snapshots.

export interface DiffRow {
  /** Field name, or '' when a snapshot is not an object (compared as a whole). */
  field: string
  before: unknown
  after: unknown
  /** Present only in `after` / only in `before` / in both with different values / same. */
  change: 'added' | 'removed' | 'changed' | 'same'
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Structural equality for JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]))
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a)
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && jsonEqual(a[key], b[key]))
  }
  return false
}

/**
 * Rows for each top-level field of `before`/`after` (either may be null: a creation or a
 * deletion). Fields keep the order of `after`, then fields only in `before`.
 */
export function diffSnapshots(before: unknown, after: unknown): DiffRow[] {
  const beforeRecord = isRecord(before) ? before : before == null ? {} : null
  const afterRecord = isRecord(after) ? after : after == null ? {} : null
  if (beforeRecord === null || afterRecord === null) {
    return [{ field: '', before, after, change: jsonEqual(before, after) ? 'same' : 'changed' }]
  }
  const fields = [...Object.keys(afterRecord), ...Object.keys(beforeRecord).filter((key) => !(key in afterRecord))]
  return fields.map((field) => {
    const inBefore = field in beforeRecord
    const inAfter = field in afterRecord
    const change: DiffRow['change'] = !inBefore
      ? 'added'
      : !inAfter
        ? 'removed'
        : jsonEqual(beforeRecord[field], afterRecord[field])
          ? 'same'
          : 'changed'
    return { field, before: beforeRecord[field], after: afterRecord[field], change }
  })
}

/** A JSON value as short text for a table cell. */
export function showJson(value: unknown): string {
  if (value === undefined) return ''
  if (typeof value === 'string') return value
  return JSON.stringify(value)
}
