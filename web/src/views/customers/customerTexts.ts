// Server texts in the UI language (R-CUST-34): grade reasons from their `reasonCode` and
// `reasonParams`, timeline summaries from the entry's kind (`summaryCode`
// "customers.timeline.<kind>") and data. Whatever has no translation shows the server's
// English text, so a newer server never shows a blank.
import { handedOverSuffix } from './customerAssign'
import { gradeLabel, gradeReason } from './customerFormat'

type Translate = (key: string, named?: Record<string, unknown>) => string
type Has = (key: string) => boolean
type Params = Record<string, unknown>

export interface CodedReason {
  value: string
  reason: string
  source: 'computed' | 'override'
  reasonCode?: string | null
  reasonParams?: Params | null
}

const text = (value: unknown) => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '')

function label(t: Translate, te: Has, namespace: string, value: unknown): string {
  const key = `customers.${namespace}.${text(value)}`
  return text(value) && te(key) ? t(key) : text(value)
}

/**
 * Why a customer has its grade: the translated reason code (`customers.grade_reason.horizon`
 * → "重要客户：决策时间 2–3 个月内"), the horizon explanation for older records without a code,
 * else the server's text. An override shows the manager's own words.
 */
export function gradeReasonText(t: Translate, te: Has, grade: CodedReason | null | undefined, horizon?: string | null): string {
  if (!grade) return ''
  const code = grade.reasonCode ?? ''
  const why = code.startsWith('customers.grade_reason.') ? code.slice('customers.grade_reason.'.length) : ''
  const key = `customers.gradeReasonCode.${why}`
  if (why && te(key)) {
    const params = grade.reasonParams ?? {}
    return t(key, {
      grade: gradeLabel(t, te, text(params.grade) || grade.value),
      horizon: label(t, te, 'horizon', params.horizon ?? horizon),
      reason: text(params.reason) || grade.reason,
    })
  }
  return gradeReason(t, te, grade, horizon)
}

export interface TimelineLike {
  kind: string
  summary: string
  data: Params | null
  summaryCode?: string | null
  summaryParams?: Params | null
}

/**
 * The parameters each translated summary needs; an entry without them (written by an older
 * server) keeps the server's text rather than showing a gap.
 */
const REQUIRED: Record<string, string[]> = {
  created: ['name'],
  assigned: ['ownerName'],
  assigned_note: ['ownerName', 'note'],
  released_reason: ['reason'],
  reclaimed: ['idleDays'],
  merged: ['mergedName', 'reason'],
  merged_into: ['survivorName', 'reason'],
  merge_reversed: ['mergedName'],
  merge_restored: ['survivorName'],
  attachment_added: ['fileName'],
  attachment_deleted: ['fileName'],
  edited_status: ['from', 'to'],
  edited_with_status: ['fields', 'from', 'to'],
}

/** A relationship status in the UI language (`target` → "目标客户"); unknown codes as they are. */
export function statusLabel(t: Translate, te: Has, status: unknown): string {
  return label(t, te, 'status', status)
}

/** A status change `{from, to}` of an `edited` entry (R-CUST-62), when it has both codes. */
function statusChangeOf(value: unknown): { from: string; to: string } | null {
  if (!value || typeof value !== 'object') return null
  const { from, to } = value as Params
  return text(from) && text(to) ? { from: text(from), to: text(to) } : null
}

/** Joined field labels of an `edited` entry (`fields: ["name","phone"]`), without those in `except`. */
function fieldList(t: Translate, te: Has, fields: unknown, except: string[] = []): string {
  if (!Array.isArray(fields)) return ''
  return fields
    .filter((field) => !except.includes(text(field)))
    .map((field) => label(t, te, 'field', field))
    .join(t('customers.duplicate.joiner'))
}

/**
 * One timeline entry's summary in the UI language. `customerId` tells the two sides of a
 * merge reversal apart. Follow-ups are the rep's own words and stay as written.
 */
export function timelineSummary(t: Translate, te: Has, entry: TimelineLike, customerId?: string): string {
  const kind = entry.summaryCode?.startsWith('customers.timeline.') ? entry.summaryCode.slice('customers.timeline.'.length) : entry.kind
  const params: Params = { ...(entry.data ?? {}), ...(entry.summaryParams ?? {}) }
  let key = `customers.timeline.${kind}`
  const named: Params = { ...params }
  /** Appended to the translated summary (an assignment's handed-over follow-up items). */
  let suffix = ''
  switch (kind) {
    case 'follow_up':
      return entry.summary
    case 'edited': {
      // An edit that changed the status names both statuses (R-CUST-62), after the other fields.
      const change = statusChangeOf(params.status)
      named.fields = fieldList(t, te, params.fields, change ? ['status'] : [])
      if (change) {
        named.field = label(t, te, 'field', 'status')
        named.from = statusLabel(t, te, change.from)
        named.to = statusLabel(t, te, change.to)
        key = named.fields ? 'customers.timeline.edited_with_status' : 'customers.timeline.edited_status'
      } else if (!named.fields) key = 'customers.timeline.edited_plain'
      break
    }
    case 'graded': {
      const reason = params.reason && typeof params.reason === 'object' ? (params.reason as Params) : null
      const coded = reason
        ? gradeReasonText(t, te, {
            value: text(params.grade),
            reason: '',
            source: params.source === 'override' ? 'override' : 'computed',
            reasonCode: text(reason.code),
            reasonParams: (reason.params as Params) ?? {},
          })
        : ''
      if (!coded) return entry.summary
      named.reason = coded
      break
    }
    case 'assigned':
      if (text(params.note)) key = 'customers.timeline.assigned_note'
      suffix = handedOverSuffix(t, te, params.handedOver)
      break
    case 'released':
      if (text(params.reason)) key = 'customers.timeline.released_reason'
      break
    case 'merge_reversed':
      key = customerId && text(params.mergedId) === customerId ? 'customers.timeline.merge_restored' : key
      break
    case 'attachment_added':
    case 'attachment_deleted':
      named.kindLabel = label(t, te, 'attachments.kind', params.kind)
      break
  }
  const missing = (REQUIRED[key.slice('customers.timeline.'.length)] ?? []).some((name) => text(named[name]) === '')
  return te(key) && !missing ? `${t(key, named)}${suffix}` : entry.summary
}
