import { describe, expect, it } from 'vitest'
import zh from '@/locales/zh-CN/customers.json'
import en from '@/locales/en-US/customers.json'
import { translator } from './localeTranslator'
import {
  assignDoneMessage,
  assignErrorMessage,
  handedOverCount,
  handedOverOfLatestAssign,
  ownersSummary,
  transferButtonLabel,
  transferDoneMessage,
} from './customerAssign'

const cn = translator(zh)
const us = translator(en)

/** Every key path of a locale tree. */
function keysOf(tree: unknown, prefix = ''): string[] {
  return Object.entries(tree as Record<string, unknown>).flatMap(([key, value]) =>
    value && typeof value === 'object' ? keysOf(value, `${prefix}${key}.`) : [`${prefix}${key}`],
  )
}

describe('locales', () => {
  it('have the same customer keys in Chinese and English', () => {
    expect(keysOf(en).sort()).toEqual(keysOf(zh).sort())
  })
})

describe('hand-over counts', () => {
  it('reads followUpItems, 0 when absent or malformed', () => {
    expect(handedOverCount({ followUpItems: 3 })).toBe(3)
    expect(handedOverCount({ followUpItems: '2' })).toBe(2)
    expect(handedOverCount({})).toBe(0)
    expect(handedOverCount(null)).toBe(0)
    expect(handedOverCount({ followUpItems: -1 })).toBe(0)
    expect(handedOverCount({ followUpItems: 1.5 })).toBe(0)
  })

  it("takes the newest assignment to the new owner from the timeline", () => {
    const entries = [
      { kind: 'follow_up', data: { channel: 'visit' } },
      { kind: 'assigned', data: { ownerId: '7', handedOver: { followUpItems: 2 } } },
      { kind: 'assigned', data: { ownerId: '5', handedOver: { followUpItems: 9 } } },
    ]
    expect(handedOverOfLatestAssign(entries, '7')).toBe(2)
    expect(handedOverOfLatestAssign(entries, '5')).toBe(9)
    expect(handedOverOfLatestAssign(entries, '8')).toBe(0)
    expect(handedOverOfLatestAssign([{ kind: 'assigned', data: { ownerId: '7' } }], '7')).toBe(0)
    expect(handedOverOfLatestAssign([], '7')).toBe(0)
  })
})

describe('assign and transfer messages', () => {
  it('names the items handed over by a single assignment only when there are some', () => {
    expect(assignDoneMessage(cn.t, cn.te, '王芳', 0)).toBe('已分配给 王芳')
    expect(assignDoneMessage(cn.t, cn.te, '王芳', 2)).toBe('已分配给 王芳，移交 2 项跟进事项')
    expect(assignDoneMessage(us.t, us.te, 'Wang Fang', 1)).toBe('Assigned to Wang Fang; 1 follow-up item handed over')
    expect(assignDoneMessage(us.t, us.te, 'Wang Fang', 3)).toBe('Assigned to Wang Fang; 3 follow-up items handed over')
  })

  it('composes the bulk result, leaving out the parts that are 0', () => {
    const result = (assigned: number, unchanged: number, items?: number) => ({
      assigned: Array.from({ length: assigned }, (_, i) => String(i)),
      unchanged: Array.from({ length: unchanged }, (_, i) => String(100 + i)),
      handedOver: items === undefined ? {} : { followUpItems: items },
    })
    expect(transferDoneMessage(cn.t, cn.te, result(2, 1, 3))).toBe('已转移 2 位客户，1 位原本已属于该负责人，移交 3 项跟进事项')
    expect(transferDoneMessage(cn.t, cn.te, result(2, 0, 0))).toBe('已转移 2 位客户')
    expect(transferDoneMessage(cn.t, cn.te, result(2, 0))).toBe('已转移 2 位客户')
    expect(transferDoneMessage(cn.t, cn.te, result(1, 0, 1))).toBe('已转移 1 位客户，移交 1 项跟进事项')
    expect(transferDoneMessage(cn.t, cn.te, result(0, 2, 0))).toBe('没有客户需要转移，2 位原本已属于该负责人')
    expect(transferDoneMessage(us.t, us.te, result(2, 1, 3))).toBe(
      'Transferred 2 customers; 1 already belonged to that owner; 3 follow-up items handed over',
    )
    expect(transferDoneMessage(us.t, us.te, result(1, 0, 1))).toBe('Transferred 1 customer; 1 follow-up item handed over')
  })

  it('labels the transfer button with the count, or the limit past it', () => {
    expect(transferButtonLabel(cn.t, 0)).toBe('批量转移 (0)')
    expect(transferButtonLabel(cn.t, 3)).toBe('批量转移 (3)')
    expect(transferButtonLabel(us.t, 3)).toBe('Transfer (3)')
    expect(transferButtonLabel(cn.t, 500)).toBe('批量转移 (500)')
    expect(transferButtonLabel(cn.t, 501)).toBe('一次最多转移 500 位（已选 501 位）')
    expect(transferButtonLabel(us.t, 501)).toBe('At most 500 at a time (501 selected)')
  })

  it('sums up the current owners, the pool included', () => {
    const customers = [
      { ownerId: '5', ownerName: '张伟', inPool: false },
      { ownerId: null, ownerName: null, inPool: true },
      { ownerId: '5', ownerName: '张伟', inPool: false },
      { ownerId: '6', ownerName: '王芳', inPool: false },
    ]
    expect(ownersSummary(cn.t, customers)).toBe('张伟 ×2、公海 ×1、王芳 ×1')
  })
})

describe('assign errors', () => {
  it("explains the new owner's hold limit with what the server tells", () => {
    const details = { limit: 300, held: 299, ownerId: '7' }
    expect(assignErrorMessage(cn.t, 'customers.hold_limit', details)).toBe('新负责人名下的客户将超过上限：最多 300 个，目前已有 299 个。')
    expect(assignErrorMessage(us.t, 'customers.hold_limit', details)).toBe(
      'The new owner would hold more customers than allowed: at most 300, and they hold 299 now.',
    )
    expect(assignErrorMessage(cn.t, 'customers.hold_limit', { limit: 300 })).toBe('新负责人名下的客户将超过上限（最多 300 个）。')
    expect(assignErrorMessage(cn.t, 'customers.hold_limit', {})).toBe('新负责人名下的客户已达上限。')
  })

  it('names the customer the transfer could not find', () => {
    const nameOf = (id: string) => (id === '12' ? '北京凌天' : null)
    expect(assignErrorMessage(cn.t, 'customers.not_found', { id: '12' }, nameOf)).toMatch(/^找不到客户「北京凌天」/)
    expect(assignErrorMessage(us.t, 'customers.not_found', { id: '13' }, nameOf)).toMatch(/^Customer “13” cannot be found/)
    expect(assignErrorMessage(cn.t, 'customers.not_found', {}, nameOf)).toBeNull()
    expect(assignErrorMessage(cn.t, 'validation.failed', {})).toBeNull()
  })
})
