// Texts of assigning and transferring customers (single assign on the detail page, bulk
// transfer from the list): the success messages, the hand-over count of an `assigned`
// timeline entry, and the explanation of the transfer's conflicts.
import { BULK_ASSIGN_MAX, type BulkAssignResult } from '@/api/customers'
import type { Customer } from '@/api/types'

type Translate = (key: string, named?: Record<string, unknown>) => string
type Has = (key: string) => boolean

/** `key_one` for a count of 1 when the locale has it (English singulars), else `key`. */
export function counted(t: Translate, te: Has, key: string, n: number, named: Record<string, unknown> = {}): string {
  return t(n === 1 && te(`${key}_one`) ? `${key}_one` : key, { ...named, n })
}

/** `followUpItems` of a `handedOver` object (`{ "followUpItems": 2 }`), 0 when absent or malformed. */
export function handedOverCount(handedOver: unknown): number {
  if (!handedOver || typeof handedOver !== 'object') return 0
  const value = (handedOver as Record<string, unknown>).followUpItems
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN
  return Number.isInteger(n) && n > 0 ? n : 0
}

interface TimelineLike {
  kind: string
  data: Record<string, unknown> | null
}

/**
 * The items handed over by the newest `assigned` entry to `ownerId` among `entries` (newest
 * first): what the single assign moved, since its answer is the plain customer.
 */
export function handedOverOfLatestAssign(entries: readonly TimelineLike[], ownerId: string | null | undefined): number {
  const entry = entries.find((item) => item.kind === 'assigned' && (!ownerId || String(item.data?.ownerId ?? ownerId) === ownerId))
  return handedOverCount(entry?.data?.handedOver)
}

/** The detail page's message after an assignment: 已分配给 李娜（, 移交 2 项跟进事项）. */
export function assignDoneMessage(t: Translate, te: Has, ownerName: string, handedOver: number): string {
  return handedOver > 0
    ? counted(t, te, 'customers.assign.doneHandedOver', handedOver, { name: ownerName })
    : t('customers.assign.done', { name: ownerName })
}

/** The suffix of an `assigned` timeline summary that handed items over (`，移交 2 项跟进事项`), or ''. */
export function handedOverSuffix(t: Translate, te: Has, handedOver: unknown): string {
  const n = handedOverCount(handedOver)
  return n > 0 ? counted(t, te, 'customers.assign.timelineHandedOver', n) : ''
}

/**
 * The bulk transfer's message: 已转移 2 位客户，1 位原本已属于该负责人，移交 3 项跟进事项 —
 * parts that are 0 left out (and "nothing transferred" when every customer was already there).
 */
export function transferDoneMessage(t: Translate, te: Has, result: Pick<BulkAssignResult, 'assigned' | 'unchanged'> & { handedOver?: unknown }): string {
  const assigned = result.assigned?.length ?? 0
  const unchanged = result.unchanged?.length ?? 0
  const items = handedOverCount(result.handedOver)
  const parts = [assigned > 0 ? counted(t, te, 'customers.transfer.doneAssigned', assigned) : t('customers.transfer.doneNone')]
  if (unchanged > 0) parts.push(counted(t, te, 'customers.transfer.doneUnchanged', unchanged))
  if (items > 0) parts.push(counted(t, te, 'customers.transfer.doneHandedOver', items))
  return parts.join(t('customers.transfer.joiner'))
}

/** The list's transfer button: 批量转移 (3), or the limit when too many are selected. */
export function transferButtonLabel(t: Translate, selected: number, max = BULK_ASSIGN_MAX): string {
  return selected > max ? t('customers.transfer.tooMany', { max, n: selected }) : t('customers.transfer.button', { n: selected })
}

/** Who holds the selected customers now: 张伟 ×2、公海 ×1 (most first, then by first appearance). */
export function ownersSummary(t: Translate, customers: readonly Pick<Customer, 'ownerId' | 'ownerName' | 'inPool'>[]): string {
  const counts = new Map<string, { label: string; n: number }>()
  for (const customer of customers) {
    const key = customer.inPool || !customer.ownerId ? '' : customer.ownerId
    const label = key ? (customer.ownerName ?? t('customers.noOwner')) : customer.inPool ? t('customers.transfer.pool') : t('customers.noOwner')
    const entry = counts.get(key) ?? { label, n: 0 }
    entry.n += 1
    counts.set(key, entry)
  }
  return [...counts.values()]
    .sort((a, b) => b.n - a.n)
    .map((entry) => t('customers.transfer.ownerCount', { name: entry.label, n: entry.n }))
    .join(t('customers.duplicate.joiner'))
}

function numberOf(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value === 'string' && /^\d+$/.test(value)) return value
  return null
}

/**
 * A person's explanation of a failed assign or transfer, from the error's code and details;
 * `null` when the generic error handling should speak. `nameOf` names a customer id of the
 * selection (for `customers.not_found`).
 */
export function assignErrorMessage(
  t: Translate,
  code: string,
  details: Record<string, unknown>,
  nameOf: (id: string) => string | null = () => null,
): string | null {
  switch (code) {
    case 'customers.hold_limit': {
      const limit = numberOf(details.limit)
      const held = numberOf(details.held)
      if (limit && held) return t('customers.assign.holdLimit', { limit, held })
      if (limit) return t('customers.assign.holdLimitMax', { limit })
      return t('customers.assign.holdLimitPlain')
    }
    case 'customers.not_found': {
      const id = typeof details.id === 'string' || typeof details.id === 'number' ? String(details.id) : ''
      if (!id) return null
      return t('customers.transfer.notFound', { name: nameOf(id) ?? id })
    }
    default:
      return null
  }
}
