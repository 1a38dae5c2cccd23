// The shared pool's status line (GET /customers/pool/status, R-CUST-64): how many customers
// the caller claimed today and holds, against the limits, and whether a claim can succeed.
import type { PoolStatus } from '@/api/customers'

type Translate = (key: string, named?: Record<string, unknown>) => string

/** Why no claim can succeed now: the day's claims are used up, or the caller holds the maximum. */
export type ClaimBlock = 'claim_limit' | 'hold_limit'

const count = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null)

/** The answer when it has the expected numbers, else null (the line then stays hidden). */
export function parsePoolStatus(value: unknown): PoolStatus | null {
  if (!value || typeof value !== 'object') return null
  const body = value as Record<string, unknown>
  const claimedToday = count(body.claimedToday)
  const claimLimitPerDay = count(body.claimLimitPerDay)
  const held = count(body.held)
  const maxHeld = count(body.maxHeld)
  if (claimedToday === null || claimLimitPerDay === null || held === null || maxHeld === null) return null
  return { claimedToday, claimLimitPerDay, held, maxHeld, cooldownDays: count(body.cooldownDays) ?? 0 }
}

/** The limit the next claim would break, the day's limit first (the server checks it first too). */
export function claimBlock(status: PoolStatus | null): ClaimBlock | null {
  if (!status) return null
  if (status.claimedToday >= status.claimLimitPerDay) return 'claim_limit'
  if (status.held >= status.maxHeld) return 'hold_limit'
  return null
}

/** "今日已领取 1/3 · 名下客户 120/300" */
export function poolStatusLine(t: Translate, status: PoolStatus): string {
  return [
    t('customers.poolStatus.claimed', { n: status.claimedToday, limit: status.claimLimitPerDay }),
    t('customers.poolStatus.held', { n: status.held, limit: status.maxHeld }),
  ].join(t('customers.poolStatus.separator'))
}

/** Why the claim buttons are disabled, in the words of the server's refusal. */
export function claimBlockText(t: Translate, status: PoolStatus, block: ClaimBlock): string {
  return block === 'claim_limit'
    ? t('customers.claim.claimLimit', { limit: status.claimLimitPerDay })
    : t('customers.claim.holdLimit', { limit: status.maxHeld })
}

/** The cool-down note ("退回或失去的客户 7 天内不能再认领"), empty without one. */
export function cooldownText(t: Translate, status: PoolStatus): string {
  return status.cooldownDays > 0 ? t('customers.poolStatus.cooldown', { n: status.cooldownDays }) : ''
}
