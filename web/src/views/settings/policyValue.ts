// Conversions between a policy's stored value and what a person types.
// Money is stored in fen (integer) and typed in yuan; basis points are stored as an
// integer (10000 = 100%) and typed as a percentage.
import type { Policy, PolicyType, PolicyValue } from '@/api/types'

/** The value as held by the edit form. */
export type EditorValue = number | boolean | string | null

export function fenToYuan(fen: number): number {
  return fen / 100
}

/** Rounds to the fen so `0.29` yuan is 29 fen, not 28.999…. */
export function yuanToFen(yuan: number): number {
  return Math.round(yuan * 100)
}

export function basisPointsToPercent(basisPoints: number): number {
  return basisPoints / 100
}

export function percentToBasisPoints(percent: number): number {
  return Math.round(percent * 100)
}

const TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/

export function isTime(value: string): boolean {
  return TIME_PATTERN.test(value)
}

/** Stored value → editor value. */
export function toEditor(type: PolicyType, value: PolicyValue): EditorValue {
  switch (type) {
    case 'money':
      return typeof value === 'number' ? fenToYuan(value) : null
    case 'basis_points':
      return typeof value === 'number' ? basisPointsToPercent(value) : null
    case 'integer':
      return typeof value === 'number' ? value : null
    case 'boolean':
      return value === true
    case 'json':
      return JSON.stringify(value, null, 2)
    case 'string':
    case 'enum':
    case 'time':
      return typeof value === 'string' ? value : value === null ? '' : String(value)
  }
}

export type ParseResult = { ok: true; value: PolicyValue } | { ok: false; reason: 'required' | 'json' | 'time' | 'range' }

/** Editor value → stored value, checked against the policy's type and min/max (stored units). */
export function fromEditor(policy: Pick<Policy, 'type' | 'min' | 'max'>, input: EditorValue): ParseResult {
  const inRange = (stored: number): ParseResult =>
    (policy.min !== null && stored < policy.min) || (policy.max !== null && stored > policy.max)
      ? { ok: false, reason: 'range' }
      : { ok: true, value: stored }
  switch (policy.type) {
    case 'integer':
      if (typeof input !== 'number' || Number.isNaN(input)) return { ok: false, reason: 'required' }
      return inRange(Math.trunc(input))
    case 'money':
      if (typeof input !== 'number' || Number.isNaN(input)) return { ok: false, reason: 'required' }
      return inRange(yuanToFen(input))
    case 'basis_points':
      if (typeof input !== 'number' || Number.isNaN(input)) return { ok: false, reason: 'required' }
      return inRange(percentToBasisPoints(input))
    case 'boolean':
      return { ok: true, value: input === true }
    case 'time':
      if (typeof input !== 'string' || !input) return { ok: false, reason: 'required' }
      return isTime(input) ? { ok: true, value: input } : { ok: false, reason: 'time' }
    case 'enum':
      if (typeof input !== 'string' || !input) return { ok: false, reason: 'required' }
      return { ok: true, value: input }
    case 'string':
      return { ok: true, value: typeof input === 'string' ? input : '' }
    case 'json':
      if (typeof input !== 'string' || !input.trim()) return { ok: false, reason: 'required' }
      try {
        return { ok: true, value: JSON.parse(input) as PolicyValue }
      } catch {
        return { ok: false, reason: 'json' }
      }
  }
}

/** Limits in the editor's units (yuan, percent), or null. */
export function editorLimit(type: PolicyType, stored: number | null): number | null {
  if (stored === null) return null
  if (type === 'money') return fenToYuan(stored)
  if (type === 'basis_points') return basisPointsToPercent(stored)
  return stored
}

const trimNumber = (value: number, digits: number) => String(Number(value.toFixed(digits)))

export interface FormatOptions {
  yes: string
  no: string
  unit?: string
  locale?: string
}

/** A value for display: `¥1,234.50`, `12.5%`, `500 米`, `开启`, compact JSON. */
export function formatPolicyValue(type: PolicyType, value: PolicyValue, options: FormatOptions): string {
  if (value === null || value === undefined) return '—'
  const unit = options.unit ? ` ${options.unit}` : ''
  switch (type) {
    case 'money':
      return typeof value === 'number'
        ? `¥${fenToYuan(value).toLocaleString(options.locale ?? 'zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
        : String(value)
    case 'basis_points':
      return typeof value === 'number' ? `${trimNumber(basisPointsToPercent(value), 2)}%` : String(value)
    case 'integer':
      return typeof value === 'number' ? `${value.toLocaleString(options.locale ?? 'zh-CN')}${unit}` : String(value)
    case 'boolean':
      return value === true ? options.yes : options.no
    case 'json':
      return JSON.stringify(value)
    default:
      return `${String(value)}${unit}`
  }
}
