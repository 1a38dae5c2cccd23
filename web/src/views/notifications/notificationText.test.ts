import { describe, expect, it } from 'vitest'
import zhNotifications from '@/locales/zh-CN/notifications.json'
import enNotifications from '@/locales/en-US/notifications.json'
import zhReports from '@/locales/zh-CN/reports.json'
import enReports from '@/locales/en-US/reports.json'
import { notificationText } from './notificationText'

/** A tiny `t` over two namespaces, like vue-i18n's named interpolation (reads named[name]). */
function translator(notifications: unknown, reports: unknown) {
  const lookup = (key: string): string | undefined => {
    let node: unknown = { notifications, reports }
    for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part]
    return typeof node === 'string' ? node : undefined
  }
  const t = (key: string, named: Record<string, unknown>) =>
    (lookup(key) ?? key).replace(/\{(\w+)\}/g, (_, name: string) => String(named[name] ?? ''))
  const te = (key: string) => lookup(key) !== undefined
  return { t, te }
}
const cn = translator(zhNotifications, zhReports)
const us = translator(enNotifications, enReports)

describe('notification texts from code and params', () => {
  it('renders approvals with the subject the server adds', () => {
    const item = { kind: 'approval.pending', title: '待审批：2026-12 拜访计划', data: { requestId: '3', subject: '2026-12 拜访计划' } }
    expect(notificationText(us.t, us.te, item)).toBe('Approval waiting: 2026-12 拜访计划')
    expect(notificationText(cn.t, cn.te, item)).toBe('待审批：2026-12 拜访计划')
  })

  it('names the report kind and marks late submissions', () => {
    const item = {
      kind: 'field_report.submitted',
      title: '张伟 提交了2026-10-01季度总结（迟交）',
      data: { kind: 'quarter', periodStart: '2026-10-01', repName: '张伟', late: true },
    }
    expect(notificationText(us.t, us.te, item)).toBe('张伟 submitted: Quarterly summary of 2026-10-01 (late)')
    expect(notificationText(cn.t, cn.te, item)).toBe('张伟 提交了 2026-10-01 季度总结（迟交）')
  })

  it('renders reminders', () => {
    const due = { kind: 'field_report.due_soon', title: '日报将于今天 23:59 截止，请及时提交', data: { date: '2026-11-20', dueTime: '23:59' } }
    expect(notificationText(us.t, us.te, due)).toBe('Your daily report of 2026-11-20 is due at 23:59')
    const overdue = { kind: 'followup.overdue', title: '跟进事项已逾期：送样品', data: { title: '送样品', dueOn: '2026-11-19', customerName: null } }
    expect(notificationText(us.t, us.te, overdue)).toBe('Follow-up overdue since 2026-11-19: 送样品')
  })

  it('falls back to the stored title for unknown kinds and missing params', () => {
    expect(notificationText(us.t, us.te, { kind: 'quote.expired', title: '报价已过期', data: {} })).toBe('报价已过期')
    expect(notificationText(us.t, us.te, { kind: 'approval.pending', title: '待审批：某事', data: {} })).toBe('待审批：某事')
  })
})
