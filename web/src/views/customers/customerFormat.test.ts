import { describe, expect, it } from 'vitest'
import type { DuplicateMatch } from '@/api/types'
import zh from '@/locales/zh-CN/customers.json'
import en from '@/locales/en-US/customers.json'
import { translator } from './localeTranslator'
import { claimErrorMessage, codeHolderOf, codeTakenMessage, duplicateHint, fenToYuan, formatBytes, formatMoney, gradeLabel, gradeReason, gradeTagType, yuanToFen } from './customerFormat'


describe('yuan ↔ fen', () => {
  it('converts typed yuan to an exact fen string', () => {
    expect(yuanToFen('1234.5')).toBe('123450')
    expect(yuanToFen('0.29')).toBe('29')
    expect(yuanToFen('50000')).toBe('5000000')
    expect(yuanToFen('1,234.56')).toBe('123456')
    expect(yuanToFen('¥ 80')).toBe('8000')
    expect(yuanToFen(12.3)).toBe('1230')
    expect(yuanToFen('0')).toBe('0')
    expect(yuanToFen('007.')).toBe('700')
    expect(yuanToFen('99999999999999.99')).toBe('9999999999999999')
  })

  it('treats empty input as no amount and rejects non-amounts', () => {
    expect(yuanToFen('')).toBeNull()
    expect(yuanToFen('  ')).toBeNull()
    expect(yuanToFen(null)).toBeNull()
    expect(yuanToFen('1.234')).toBeUndefined()
    expect(yuanToFen('-5')).toBeUndefined()
    expect(yuanToFen('abc')).toBeUndefined()
    expect(yuanToFen('.5')).toBeUndefined()
  })

  it('shows fen as yuan with two decimals', () => {
    expect(fenToYuan('5000000')).toBe('50000.00')
    expect(fenToYuan('29')).toBe('0.29')
    expect(fenToYuan('5')).toBe('0.05')
    expect(fenToYuan('0')).toBe('0.00')
    expect(fenToYuan('-150')).toBe('-1.50')
    expect(fenToYuan('x')).toBe('')
    expect(fenToYuan(null)).toBe('')
  })

  it('round-trips', () => {
    for (const fen of ['0', '1', '10', '99', '100', '123456789012345']) expect(yuanToFen(fenToYuan(fen))).toBe(fen)
  })

  it('formats money with grouping', () => {
    expect(formatMoney({ amount: '5000000', currency: 'CNY' })).toBe('¥50,000.00')
    expect(formatMoney({ amount: '123456789', currency: 'CNY' })).toBe('¥1,234,567.89')
    expect(formatMoney(null)).toBe('')
  })
})

describe('grades', () => {
  it('labels both rule sets in both languages', () => {
    const cn = translator(zh)
    const us = translator(en)
    expect(gradeLabel(cn.t, cn.te, 'key')).toBe('关键客户')
    expect(gradeLabel(cn.t, cn.te, 'important')).toBe('重要客户')
    expect(gradeLabel(cn.t, cn.te, 'general')).toBe('一般客户')
    expect(gradeLabel(cn.t, cn.te, 'watch')).toBe('观察客户')
    expect(gradeLabel(cn.t, cn.te, 'B')).toBe('B 类')
    expect(gradeLabel(us.t, us.te, 'important')).toBe('Important')
    expect(gradeLabel(us.t, us.te, 'D')).toBe('D')
    expect(gradeLabel(cn.t, cn.te, 'A1')).toBe('A1')
    expect(gradeLabel(cn.t, cn.te, null)).toBe('')
  })

  it('colours the hottest grades red and the coldest grey', () => {
    expect(gradeTagType('key')).toBe('danger')
    expect(gradeTagType('A')).toBe('danger')
    expect(gradeTagType('important')).toBe('warning')
    expect(gradeTagType('C')).toBe('primary')
    expect(gradeTagType('watch')).toBe('info')
    expect(gradeTagType(undefined)).toBe('info')
  })
})

describe('duplicate hints', () => {
  const match = (over: Partial<DuplicateMatch>): DuplicateMatch => ({
    id: '1',
    name: '北京凌天商贸有限公司',
    ownerName: '张伟',
    inPool: false,
    reasons: ['name'],
    visible: true,
    ...over,
  })

  it('names the owner and the reasons', () => {
    const { t } = translator(zh)
    expect(duplicateHint(t, match({}))).toBe('北京凌天商贸有限公司（负责人：张伟；名称相同）')
    expect(duplicateHint(t, match({ reasons: ['phone', 'address'] }))).toBe('北京凌天商贸有限公司（负责人：张伟；电话、地址相同）')
  })

  it('says when the match is in the pool or hidden from the caller', () => {
    const { t } = translator(zh)
    expect(duplicateHint(t, match({ inPool: true, ownerName: null }))).toBe('北京凌天商贸有限公司（在公海；名称相同）')
    expect(duplicateHint(t, match({ visible: false, ownerName: '王芳' }))).toBe('北京凌天商贸有限公司（负责人：王芳；您无权查看；名称相同）')
    expect(duplicateHint(t, match({ ownerName: null }))).toBe('北京凌天商贸有限公司（无负责人；名称相同）')
  })

  it('reads in English', () => {
    const { t } = translator(en)
    expect(duplicateHint(t, match({ visible: false, reasons: ['name', 'phone'] }))).toBe(
      '北京凌天商贸有限公司 (owner: 张伟; not visible to you; same name, phone)',
    )
    expect(duplicateHint(t, match({ reasons: ['code'] }))).toBe('北京凌天商贸有限公司 (owner: 张伟; same code)')
  })

  it('labels a match by code', () => {
    const { t } = translator(zh)
    expect(duplicateHint(t, match({ reasons: ['name', 'code'] }))).toBe('北京凌天商贸有限公司（负责人：张伟；名称、编码相同）')
  })
})

describe('code taken', () => {
  const holder = { id: '7', name: '北京凌天', ownerName: '张三', inPool: false, visible: true }

  it('names the holder and its owner', () => {
    expect(codeTakenMessage(translator(zh).t, holder)).toBe('客户编码已被「北京凌天」使用（负责人：张三）')
    expect(codeTakenMessage(translator(zh).t, { ...holder, id: null, visible: false })).toBe('客户编码已被「北京凌天」使用（负责人：张三；您无权查看）')
    expect(codeTakenMessage(translator(zh).t, { ...holder, ownerName: null, inPool: true })).toBe('客户编码已被「北京凌天」使用（在公海）')
    expect(codeTakenMessage(translator(en).t, holder)).toBe('The code is already used by “北京凌天” (owner: 张三)')
  })

  it("reads the error's details.holder", () => {
    expect(codeHolderOf({ holder })).toEqual(holder)
    expect(codeHolderOf({ holder: { id: null, name: '某公司', ownerName: null, inPool: false, visible: false } })).toEqual({
      id: null,
      name: '某公司',
      ownerName: null,
      inPool: false,
      visible: false,
    })
    expect(codeHolderOf({})).toBeNull()
    expect(codeHolderOf({ holder: { id: '7' } })).toBeNull()
    expect(codeHolderOf(undefined)).toBeNull()
  })
})

describe('claim errors', () => {
  const { t } = translator(zh)
  it('explains each limit with its details', () => {
    expect(claimErrorMessage(t, 'customers.claim_limit', { limit: 5 })).toBe('今天的认领次数已用完（每天最多 5 个），明天再来。')
    expect(claimErrorMessage(t, 'customers.hold_limit', { limit: 200, held: 200 })).toContain('最多 200 个')
    expect(claimErrorMessage(t, 'customers.cooldown', { until: '2026-11-25T00:00:00Z' }, () => '2026-11-25 08:00')).toContain('2026-11-25 08:00 之后')
    // What the server sends today: details.availableAt and cooldownDays.
    expect(claimErrorMessage(t, 'customers.cooldown', { availableAt: '2026-11-29T13:13:16.816Z', cooldownDays: 7 }, (v) => v.slice(0, 10))).toBe(
      '您刚退回或失去这个客户，2026-11-29 之后才能再次认领。',
    )
  })
  it('still explains without details, and ignores other codes', () => {
    expect(claimErrorMessage(t, 'customers.cooldown', {})).toBe('您刚退回或失去这个客户，冷却期内不能再次认领。')
    expect(claimErrorMessage(t, 'customers.not_found', {})).toBeNull()
  })
})

describe('grade reasons', () => {
  const cn = translator(zh)
  const us = translator(en)
  const computed = { value: 'important', reason: 'important: decision expected within 3 months', source: 'computed' as const }
  it('explains a computed horizon grade in the UI language', () => {
    expect(gradeReason(cn.t, cn.te, computed, 'within_3_months')).toBe('重要客户：决策时间 2–3 个月内')
    expect(gradeReason(us.t, us.te, computed, 'within_3_months')).toBe('Important — decision horizon: Within 2–3 months')
  })
  it("keeps the server's reason for overrides, other rule sets and a missing horizon", () => {
    expect(gradeReason(cn.t, cn.te, { ...computed, source: 'override', reason: '老板亲自对接' }, 'later')).toBe('老板亲自对接')
    expect(gradeReason(cn.t, cn.te, { value: 'B', reason: 'B: potential high', source: 'computed' }, 'later')).toBe('B: potential high')
    expect(gradeReason(cn.t, cn.te, computed, null)).toBe(computed.reason)
  })
})

describe('file sizes', () => {
  it('reads as B, KB and MB', () => {
    expect(formatBytes(820)).toBe('820 B')
    expect(formatBytes(14 * 1024 + 100)).toBe('14 KB')
    expect(formatBytes(2.5 * 1024 * 1024)).toBe('2.5 MB')
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 MB')
    expect(formatBytes(-1)).toBe('')
  })
})
