import { describe, expect, it } from 'vitest'
import zh from '@/locales/zh-CN/customers.json'
import en from '@/locales/en-US/customers.json'
import { translator } from './localeTranslator'
import { gradeReasonText, statusLabel, timelineSummary } from './customerTexts'

const cn = translator(zh)
const us = translator(en)

describe('grade reasons from codes', () => {
  it('translates the horizon and A/B/C/D reasons', () => {
    const horizon = {
      value: 'important',
      reason: 'important: decision expected within 3 months',
      source: 'computed' as const,
      reasonCode: 'customers.grade_reason.horizon',
      reasonParams: { grade: 'important', horizon: 'within_3_months' },
    }
    expect(gradeReasonText(cn.t, cn.te, horizon)).toBe('重要客户：决策时间 2–3 个月内')
    expect(gradeReasonText(us.t, us.te, horizon)).toBe('Important — decision horizon: Within 2–3 months')
    const abcd = { value: 'B', reason: 'B: high potential', source: 'computed' as const, reasonCode: 'customers.grade_reason.high_potential', reasonParams: { grade: 'B' } }
    expect(gradeReasonText(cn.t, cn.te, abcd)).toBe('B 类：发展潜力大')
  })

  it("keeps an override's own words and falls back to the server text for unknown codes", () => {
    const override = {
      value: 'A',
      reason: '老板亲自对接',
      source: 'override' as const,
      reasonCode: 'customers.grade_reason.override',
      reasonParams: { grade: 'A', reason: '老板亲自对接' },
    }
    expect(gradeReasonText(cn.t, cn.te, override)).toBe('A 类：老板亲自对接')
    const unknown = { value: 'C', reason: 'C: something new', source: 'computed' as const, reasonCode: 'customers.grade_reason.brand_new' }
    expect(gradeReasonText(cn.t, cn.te, unknown)).toBe('C: something new')
    // Records graded before codes existed: the horizon explanation, as before.
    expect(gradeReasonText(cn.t, cn.te, { value: 'key', reason: 'key: …', source: 'computed', reasonCode: null }, 'within_1_month')).toBe(
      '关键客户：决策时间 1 个月内',
    )
  })
})

describe('timeline summaries', () => {
  const entry = (kind: string, data: Record<string, unknown>, summary = `server text of ${kind}`) => ({ kind, summary, data })

  it('translates entries from their data', () => {
    expect(timelineSummary(cn.t, cn.te, entry('created', { name: '北京凌天' }))).toBe('创建客户 北京凌天')
    expect(timelineSummary(cn.t, cn.te, entry('edited', { fields: ['name', 'phone'] }))).toBe('修改了客户名称、电话')
    expect(timelineSummary(cn.t, cn.te, entry('edited', { fields: ['code'] }))).toBe('修改了客户编码')
    expect(timelineSummary(us.t, us.te, entry('edited', { fields: [] }))).toBe('Edited the customer')
    expect(timelineSummary(cn.t, cn.te, entry('assigned', { ownerName: '李娜', note: null }))).toBe('分配给 李娜')
    expect(timelineSummary(cn.t, cn.te, entry('assigned', { ownerName: '李娜', note: '交接' }))).toBe('分配给 李娜（交接）')
    expect(timelineSummary(cn.t, cn.te, entry('reclaimed', { idleDays: 30 }))).toBe('30 天未跟进，自动回到公海')
    expect(timelineSummary(cn.t, cn.te, entry('attachment_added', { kind: 'business_card', fileName: 'a.jpg' }))).toBe('上传名片 a.jpg')
  })

  it('translates a grade entry from its coded reason, else keeps the server text', () => {
    const coded = entry('graded', {
      grade: 'general',
      source: 'computed',
      reason: { code: 'customers.grade_reason.horizon', params: { grade: 'general', horizon: 'within_6_months' } },
    })
    expect(timelineSummary(cn.t, cn.te, coded)).toBe('等级：一般客户：决策时间 6 个月内')
    expect(timelineSummary(cn.t, cn.te, entry('graded', { grade: 'general' }, 'grade general: …'))).toBe('grade general: …')
  })

  it('tells the two sides of a merge reversal apart and prefers summaryParams', () => {
    const data = { mergeId: '4', survivorId: '12', survivorName: '凌天', mergedId: '15', mergedName: '凌天有限公司', reason: '同一家' }
    expect(timelineSummary(cn.t, cn.te, entry('merge_reversed', data), '12')).toBe('撤销了 凌天有限公司 的合并')
    expect(timelineSummary(cn.t, cn.te, entry('merge_reversed', data), '15')).toBe('从 凌天 中恢复为独立客户')
    expect(timelineSummary(cn.t, cn.te, entry('merged', data))).toBe('凌天有限公司 并入本客户：同一家')
    const coded = { kind: 'created', summary: 'created X', data: null, summaryCode: 'customers.timeline.created', summaryParams: { name: 'X' } }
    expect(timelineSummary(us.t, us.te, coded)).toBe('Created X')
  })

  it('keeps the server text when the data lacks what the translation needs (older entries)', () => {
    expect(timelineSummary(cn.t, cn.te, entry('created', {}, 'created 北京凌天'))).toBe('created 北京凌天')
    expect(timelineSummary(cn.t, cn.te, entry('assigned', { ownerId: '5' }, 'assigned to 李娜'))).toBe('assigned to 李娜')
    expect(timelineSummary(cn.t, cn.te, entry('claimed', {}))).toBe('从公海认领')
  })

  it("keeps follow-ups as written and unknown kinds as the server's text", () => {
    expect(timelineSummary(cn.t, cn.te, entry('follow_up', { channel: 'visit' }, '带样品拜访'))).toBe('带样品拜访')
    expect(timelineSummary(cn.t, cn.te, entry('visit_checked_in', {}, 'checked in'))).toBe('checked in')
  })
})

describe('assignments that handed follow-up items over', () => {
  const assigned = (data: Record<string, unknown>) => ({ kind: 'assigned', summary: 'assigned to 李娜', data })

  it('say how many items went to the new owner', () => {
    expect(timelineSummary(cn.t, cn.te, assigned({ ownerName: '李娜', note: null, handedOver: { followUpItems: 2 } }))).toBe(
      '分配给 李娜，移交 2 项跟进事项',
    )
    expect(timelineSummary(cn.t, cn.te, assigned({ ownerName: '李娜', note: '交接', handedOver: { followUpItems: 1 } }))).toBe(
      '分配给 李娜（交接），移交 1 项跟进事项',
    )
    expect(timelineSummary(us.t, us.te, assigned({ ownerName: 'Li Na', handedOver: { followUpItems: 1 } }))).toBe(
      'Assigned to Li Na, 1 follow-up item handed over',
    )
    expect(timelineSummary(us.t, us.te, assigned({ ownerName: 'Li Na', handedOver: { followUpItems: 3 } }))).toBe(
      'Assigned to Li Na, 3 follow-up items handed over',
    )
  })

  it('say nothing more when none moved or the hand-over was not asked', () => {
    expect(timelineSummary(cn.t, cn.te, assigned({ ownerName: '李娜', handedOver: { followUpItems: 0 } }))).toBe('分配给 李娜')
    expect(timelineSummary(cn.t, cn.te, assigned({ ownerName: '李娜' }))).toBe('分配给 李娜')
    // An entry the UI cannot translate keeps the server's text as it is.
    expect(timelineSummary(cn.t, cn.te, assigned({ handedOver: { followUpItems: 2 } }))).toBe('assigned to 李娜')
  })
})

describe('edits that changed the relationship status (R-CUST-62)', () => {
  const edited = (data: Record<string, unknown>) => ({ kind: 'edited', summary: 'edited the customer', data })

  it('name both statuses instead of the generic field list', () => {
    const change = { fields: ['status'], status: { from: 'target', to: 'active' } }
    expect(timelineSummary(cn.t, cn.te, edited(change))).toBe('客户状态：目标客户 → 业务往来客户')
    expect(timelineSummary(us.t, us.te, edited(change))).toBe('Status: Target → Active')
    // As the server sends it: the data again in summaryParams, with the actor.
    const coded = { ...edited(change), summaryCode: 'customers.timeline.edited', summaryParams: { ...change, actorName: '张伟' } }
    expect(timelineSummary(cn.t, cn.te, coded)).toBe('客户状态：目标客户 → 业务往来客户')
  })

  it('list the other changed fields first', () => {
    const change = { fields: ['notes', 'status', 'phone'], status: { from: 'prospect', to: 'lost' } }
    expect(timelineSummary(cn.t, cn.te, edited(change))).toBe('修改了备注、电话；客户状态：潜在客户 → 流失')
    expect(timelineSummary(us.t, us.te, edited(change))).toMatch(/^Changed .+; Status: Prospect → Lost$/)
  })

  it('keep the field list for older entries and incomplete changes, and unknown codes as they are', () => {
    expect(timelineSummary(cn.t, cn.te, edited({ fields: ['status'] }))).toBe('修改了客户状态')
    expect(timelineSummary(cn.t, cn.te, edited({ fields: ['status'], status: { from: 'target' } }))).toBe('修改了客户状态')
    expect(timelineSummary(cn.t, cn.te, edited({ fields: ['status'], status: 'active' }))).toBe('修改了客户状态')
    expect(timelineSummary(cn.t, cn.te, edited({ fields: ['status'], status: { from: 'target', to: 'dormant' } }))).toBe('客户状态：目标客户 → dormant')
  })

  it('label statuses for the status history', () => {
    expect(statusLabel(cn.t, cn.te, 'peer')).toBe('同行业')
    expect(statusLabel(us.t, us.te, 'prospect')).toBe('Prospect')
    expect(statusLabel(cn.t, cn.te, 'dormant')).toBe('dormant')
    expect(statusLabel(cn.t, cn.te, null)).toBe('')
  })
})
