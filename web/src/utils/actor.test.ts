import { describe, expect, it } from 'vitest'
import zh from '@/locales/zh-CN/audit.json'
import en from '@/locales/en-US/audit.json'
import { actorText } from './actor'

function translator(messages: unknown) {
  const lookup = (key: string): string | undefined => {
    let node: unknown = { audit: messages }
    for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part]
    return typeof node === 'string' ? node : undefined
  }
  return { t: (key: string) => lookup(key) ?? key, te: (key: string) => lookup(key) !== undefined }
}
const cn = translator(zh)
const us = translator(en)

describe('who made an audited change', () => {
  it('translates the server jobs, dotted names included', () => {
    expect(actorText(cn.t, cn.te, { actorId: null, actorName: 'grading-policy' })).toBe('系统 · 分级规则')
    expect(actorText(cn.t, cn.te, { actorId: null, actorName: 'visits.report_late_job' })).toBe('系统 · 拜访报告逾期检查')
    expect(actorText(us.t, us.te, { actorId: null, actorName: 'pool-reclaim' })).toBe('System · pool reclaim')
    expect(actorText(cn.t, cn.te, { actorId: null, actorName: 'attachment-purge' })).toBe('系统 · 附件清理')
  })
  it('names the jobs in a timeline, which carries no user id, and keeps people as they are', () => {
    expect(actorText(cn.t, cn.te, { actorName: 'grading-policy' })).toBe('系统 · 分级规则')
    expect(actorText(cn.t, cn.te, { actorName: '王磊' })).toBe('王磊')
    expect(actorText(cn.t, cn.te, { actorName: null })).toBe('')
  })
  it('keeps users and unknown jobs as they are', () => {
    expect(actorText(cn.t, cn.te, { actorId: '7', actorName: 'cli' })).toBe('cli')
    expect(actorText(cn.t, cn.te, { actorId: null, actorName: 'future-job' })).toBe('future-job')
    expect(actorText(cn.t, cn.te, { actorId: null, actorName: null })).toBe('系统')
  })
})
