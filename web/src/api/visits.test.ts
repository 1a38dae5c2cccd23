// The visit-loop client sends what the server reads (src/modules/visits/*routes.cc,
// visit_application_service.cc, followup_service.cc): a stand-in http records the calls.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { calls } from './recordingHttp'

vi.mock('./http', async () => (await import('./recordingHttp')).recordingHttp)

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

  it('filters visits and follow-ups by what the server reads, unitId included (R-VISIT-55)', async () => {
    await visits.listVisits({ reportStatus: 'late', unitId: '3', limit: 10 })
    await visits.listFollowUps({ status: 'overdue', visitId: '7', unitId: '3' })
    const visitQuery = calls[0]!.arg as Record<string, unknown>
    expect(visitQuery).toMatchObject({ reportStatus: 'late', unitId: '3', limit: 10 })
    expect(Object.keys(visitQuery).sort()).toEqual(
      ['customerId', 'cursor', 'date', 'from', 'limit', 'repId', 'reportStatus', 'to', 'unitId'].sort(),
    )
    const followUpQuery = calls[1]!.arg as Record<string, unknown>
    expect(followUpQuery).toMatchObject({ status: 'overdue', visitId: '7', unitId: '3' })
    expect(Object.keys(followUpQuery).sort()).toEqual(
      ['customerId', 'cursor', 'limit', 'ownerId', 'status', 'unitId', 'visitId'].sort(),
    )
  })

  it('marks a follow-up done with an optional note', async () => {
    await visits.markFollowUpDone('5')
    await visits.markFollowUpDone('5', '已寄样品')
    expect(calls.map((call) => [call.path, call.arg])).toEqual([
      ['/follow-up-items/5/done', {}],
      ['/follow-up-items/5/done', { note: '已寄样品' }],
    ])
  })

  it('asks the team day in full by default and as counts per rep with view=summary', async () => {
    await visits.getTeamDay('2026-11-23', '7')
    await visits.getTeamDay('2026-11-23', null, 'summary')
    expect(calls.map((call) => call.path)).toEqual(['/team-day', '/team-day'])
    expect(calls[0]!.arg).toEqual({ date: '2026-11-23', unitId: '7', view: undefined })
    expect(calls[1]!.arg).toEqual({ date: '2026-11-23', unitId: null, view: 'summary' })
    expect(visits.TEAM_DAY_TOO_LARGE).toBe('visits.team_day_too_large')
  })
})
