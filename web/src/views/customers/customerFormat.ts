// Pure helpers of the customer screens: money in yuan ↔ fen strings, grade tags and
// labels, and the text of a duplicate match.
import type { CodeHolder, CustomerGrade, DuplicateMatch, Money } from '@/api/types'

const YUAN_PATTERN = /^(\d+)(?:\.(\d{0,2}))?$/

/**
 * Yuan as typed (`1234.5`, `1,234.50`, `¥ 80`) → fen as a decimal string (`123450`), exact
 * (no floating point). `null` for an empty input; `undefined` when the text is not an
 * amount of at most two decimals.
 */
export function yuanToFen(input: string | number | null | undefined): string | null | undefined {
  if (input === null || input === undefined) return null
  const text = String(input).replace(/[\s,，¥￥]/g, '')
  if (text === '') return null
  const match = YUAN_PATTERN.exec(text)
  if (!match) return undefined
  const whole = match[1]!.replace(/^0+(?=\d)/, '')
  const cents = (match[2] ?? '').padEnd(2, '0')
  const fen = `${whole}${cents}`.replace(/^0+(?=\d)/, '')
  return fen
}

/** Fen string (`123450`) → yuan with two decimals (`1234.50`); `''` when not a number. */
export function fenToYuan(amount: string | null | undefined): string {
  if (amount === null || amount === undefined) return ''
  const match = /^(-?)(\d+)$/.exec(amount.trim())
  if (!match) return ''
  const [, sign, digits] = match
  const padded = digits!.padStart(3, '0')
  const whole = padded.slice(0, -2).replace(/^0+(?=\d)/, '')
  return `${sign}${whole}.${padded.slice(-2)}`
}

/** Money for reading: `¥1,234.50`. */
export function formatMoney(money: Money | null | undefined): string {
  if (!money) return ''
  const yuan = fenToYuan(money.amount)
  if (!yuan) return money.amount
  const [whole, cents] = yuan.split('.')
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${money.currency === 'CNY' || !money.currency ? '¥' : `${money.currency} `}${grouped}.${cents}`
}

/** The Element Plus tag type of a grade: hottest red, coldest grey. */
export function gradeTagType(grade: string | null | undefined): 'danger' | 'warning' | 'primary' | 'info' {
  switch (grade) {
    case 'key':
    case 'A':
      return 'danger'
    case 'important':
    case 'B':
      return 'warning'
    case 'general':
    case 'C':
      return 'primary'
    default:
      return 'info'
  }
}

type Translate = (key: string, named?: Record<string, unknown>) => string
type Has = (key: string) => boolean

/** The label of a grade (`key` → 关键客户, `A` → A 类); unknown values as they are. */
export function gradeLabel(t: Translate, te: Has, grade: string | null | undefined): string {
  if (!grade) return ''
  const key = `customers.grade.${grade}`
  return te(key) ? t(key) : grade
}

/**
 * One line about a possible duplicate: its name, who owns it (or that it is in the shared
 * pool, or that the caller cannot see it) and why it matched.
 */
export function duplicateHint(t: Translate, match: DuplicateMatch): string {
  const reasons = match.reasons.map((reason) => t(`customers.duplicate.reason.${reason}`)).join(t('customers.duplicate.joiner'))
  const parts = holderParts(t, match)
  if (reasons) parts.push(t('customers.duplicate.sameAs', { reasons }))
  return `${match.name}${t('customers.duplicate.open')}${parts.join(t('customers.duplicate.separator'))}${t('customers.duplicate.close')}`
}

/** Who holds another customer: its owner, or that it is in the pool; and whether the caller may see it. */
function holderParts(t: Translate, holder: Pick<CodeHolder, 'ownerName' | 'inPool' | 'visible'>): string[] {
  const parts: string[] = []
  if (holder.inPool) parts.push(t('customers.duplicate.inPool'))
  else if (holder.ownerName) parts.push(t('customers.duplicate.owner', { name: holder.ownerName }))
  else parts.push(t('customers.duplicate.noOwner'))
  if (!holder.visible) parts.push(t('customers.duplicate.notVisible'))
  return parts
}

/**
 * The code field's message when another customer holds the code (`409 customers.code_taken`,
 * or a duplicate-check match for the reason `code`): 客户编码已被「北京凌天」使用（负责人：张伟）.
 */
export function codeTakenMessage(t: Translate, holder: CodeHolder): string {
  const parts = holderParts(t, holder).join(t('customers.duplicate.separator'))
  return `${t('customers.codeTaken', { name: holder.name })}${t('customers.duplicate.open')}${parts}${t('customers.duplicate.close')}`
}

/** `details.holder` of a `customers.code_taken` error, when it has the documented shape. */
export function codeHolderOf(details: Record<string, unknown> | undefined): CodeHolder | null {
  const holder = details?.holder
  if (!holder || typeof holder !== 'object') return null
  const { id, name, ownerName, inPool, visible } = holder as Record<string, unknown>
  if (typeof name !== 'string' || !name) return null
  return {
    id: typeof id === 'string' && id ? id : null,
    name,
    ownerName: typeof ownerName === 'string' && ownerName ? ownerName : null,
    inPool: inPool === true,
    visible: visible === true,
  }
}

/** The first numeric or string value among `details` keys (the contract leaves their names open). */
function detail(details: Record<string, unknown>, keys: string[]): string | null {
  for (const key of keys) {
    const value = details[key]
    if (typeof value === 'number' || (typeof value === 'string' && value)) return String(value)
  }
  return null
}

/**
 * A person's explanation of a failed claim (`customers.claim_limit`, `customers.hold_limit`,
 * `customers.cooldown`) using its details; `null` for other codes. `formatTime` renders the
 * end of a cool-down.
 */
export function claimErrorMessage(
  t: Translate,
  code: string,
  details: Record<string, unknown>,
  formatTime: (value: string) => string = (value) => value,
): string | null {
  switch (code) {
    case 'customers.claim_limit': {
      const limit = detail(details, ['limit', 'dailyLimit', 'claimLimit', 'max'])
      return limit ? t('customers.claim.claimLimit', { limit }) : t('customers.claim.claimLimitPlain')
    }
    case 'customers.hold_limit': {
      const limit = detail(details, ['limit', 'holdLimit', 'maxHeld', 'max'])
      return limit ? t('customers.claim.holdLimit', { limit }) : t('customers.claim.holdLimitPlain')
    }
    case 'customers.cooldown': {
      const until = detail(details, ['until', 'availableAt', 'cooldownUntil', 'claimableAt', 'retryAt'])
      return until ? t('customers.claim.cooldown', { until: formatTime(until) }) : t('customers.claim.cooldownPlain')
    }
    default:
      return null
  }
}

const HORIZON_GRADES = new Set(['key', 'important', 'general', 'watch'])

/**
 * Why a customer has its grade, in the UI language where possible: a computed grade of the
 * purchase-horizon rule set is explained from the customer's horizon ("重要客户：决策时间 2–3 个月内");
 * overrides (the manager's own words) and other rule sets show the server's reason.
 */
export function gradeReason(
  t: Translate,
  te: Has,
  grade: Pick<CustomerGrade, 'value' | 'reason' | 'source'> | null | undefined,
  horizon?: string | null,
): string {
  if (!grade) return ''
  if (grade.source === 'computed' && horizon && HORIZON_GRADES.has(grade.value) && te(`customers.horizon.${horizon}`)) {
    return t('customers.gradeReason', { grade: gradeLabel(t, te, grade.value), horizon: t(`customers.horizon.${horizon}`) })
  }
  return grade.reason
}

/** A file size for people: `820 B`, `14 KB`, `2.5 MB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return ''
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`
  const mb = bytes / 1024 / 1024
  return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`
}
