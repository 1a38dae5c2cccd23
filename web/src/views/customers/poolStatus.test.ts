import { describe, expect, it } from 'vitest'
import zh from '@/locales/zh-CN/customers.json'
import en from '@/locales/en-US/customers.json'
import { claimBlock, claimBlockText, cooldownText, parsePoolStatus, poolStatusLine } from './poolStatus'

function translator(messages: unknown) {
  const lookup = (key: string): string | undefined => {
    let node: unknown = { customers: messages }
    for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part]
    return typeof node === 'string' ? node : undefined
  }
  return (key: string, named: Record<string, unknown> = {}) =>
    (lookup(key) ?? key).replace(/\{(\w+)\}/g, (_, name: string) => String(named[name] ?? ''))
}
const cn = translator(zh)
const us = translator(en)

const status = (over: Record<string, number> = {}) => ({ claimedToday: 1, claimLimitPerDay: 3, held: 120, maxHeld: 300, cooldownDays: 7, ...over })

describe('the shared pool status line', () => {
  it('reads the claims of the day and the customers held against their limits', () => {
    expect(poolStatusLine(cn, status())).toBe('今日已领取 1/3 · 名下客户 120/300')
    expect(poolStatusLine(us, status())).toBe('Claimed today 1/3 · Customers held 120/300')
    expect(cooldownText(cn, status())).toBe('您退回或失去的客户 7 天内不能再认领')
    expect(cooldownText(cn, status({ cooldownDays: 0 }))).toBe('')
  })

  it('blocks claims at the day limit first, then at the hold limit', () => {
    expect(claimBlock(status())).toBeNull()
    expect(claimBlock(null)).toBeNull()
    expect(claimBlock(status({ claimedToday: 3 }))).toBe('claim_limit')
    expect(claimBlock(status({ held: 300 }))).toBe('hold_limit')
    expect(claimBlock(status({ claimedToday: 4, held: 301 }))).toBe('claim_limit')
    expect(claimBlockText(cn, status({ claimedToday: 3 }), 'claim_limit')).toBe('今天的认领次数已用完（每天最多 3 个），明天再来。')
    expect(claimBlockText(cn, status({ held: 300 }), 'hold_limit')).toMatch(/最多 300 个/)
  })

  it('takes only an answer with the numbers it needs', () => {
    expect(parsePoolStatus(status())).toEqual(status())
    expect(parsePoolStatus({ claimedToday: 0, claimLimitPerDay: 2, held: 0, maxHeld: 3 })).toEqual({
      claimedToday: 0,
      claimLimitPerDay: 2,
      held: 0,
      maxHeld: 3,
      cooldownDays: 0,
    })
    expect(parsePoolStatus({ claimedToday: '1', claimLimitPerDay: 3, held: 1, maxHeld: 3 })).toBeNull()
    expect(parsePoolStatus(null)).toBeNull()
    expect(parsePoolStatus('<html>')).toBeNull()
  })
})
