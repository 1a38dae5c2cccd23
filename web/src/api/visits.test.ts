// The visit-loop client sends what the server reads (src/modules/visits/*routes.cc,
// visit_application_service.cc, followup_service.cc): a stand-in http records the calls.
import { beforeEach, describe, expect, it, vi } from 'vitest'

const calls: Array<{ method: string; path: string; arg?: unknown }> = []
vi.mock('./http', () => {
  const record = (method: string) => (path: string, arg?: unknown) => {
    calls.push({ method, path, arg })
    return Promise.resolve({})
  }
  return {
    http: { get: record('GET'), post: record('POST'), put: record('PUT'), patch: record('PATCH'), delete: record('DELETE') },
    seg: (value: string) => encodeURIComponent(value),
  }
})

const visits = await import('./visits')

describe('visit-loop requests', () => {
  beforeEach(() => {
    calls.length = 0
  })

  it('sends an application with purpose codes, one expense list with categories and comesToOfficeFirst', async () => {
    await visits.createApplication({
      visitDate: '2026-11-23',
      customerIds: ['1'],
      purposes: ['relationship'],
      notes: null,
      comesToOfficeFirst: true,
      expenses: [{ category: 'gift', description: '礼盒', amount: { amount: '20000', currency: 'CNY' } }],
    })
    expect(calls[0]!.method).toBe('POST')
    expect(calls[0]!.path).toBe('/visit-applications')
    expect(Object.keys(calls[0]!.arg as object).sort()).toEqual(
      ['comesToOfficeFirst', 'customerIds', 'expenses', 'notes', 'purposes', 'visitDate'].sort(),
    )
    expect(visits.EXPENSE_CATEGORIES).toContain('gift')
  })

  it('filters visits and follow-ups only by what the server reads', async () => {
    await visits.listVisits({ reportStatus: 'late', limit: 10 })
    await visits.listFollowUps({ status: 'overdue', visitId: '7' })
    const visitQuery = calls[0]!.arg as Record<string, unknown>
    expect(visitQuery.reportStatus).toBe('late')
    expect(visitQuery).not.toHaveProperty('unitId')
    const followUpQuery = calls[1]!.arg as Record<string, unknown>
    expect(followUpQuery).toMatchObject({ status: 'overdue', visitId: '7' })
    expect(followUpQuery).not.toHaveProperty('unitId')
  })

  it('marks a follow-up done with an optional note', async () => {
    await visits.markFollowUpDone('5')
    await visits.markFollowUpDone('5', '已寄样品')
    expect(calls.map((call) => [call.path, call.arg])).toEqual([
      ['/follow-up-items/5/done', {}],
      ['/follow-up-items/5/done', { note: '已寄样品' }],
    ])
  })
})
