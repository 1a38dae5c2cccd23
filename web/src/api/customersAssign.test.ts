// The assign and transfer requests carry what the server reads (customer_service.cc Assign,
// AssignMany): a stand-in http records the calls.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { calls } from './recordingHttp'

vi.mock('./http', async () => (await import('./recordingHttp')).recordingHttp)

const customers = await import('./customers')

describe('assign requests', () => {
  beforeEach(() => {
    calls.length = 0
  })

  it('asks for the hand-over only when wanted', async () => {
    await customers.assignCustomer('12', '7')
    await customers.assignCustomer('12', '7', '交接', true)
    await customers.assignCustomer('12', '7', '', false)
    expect(calls.map((call) => [call.method, call.path, call.arg])).toEqual([
      ['POST', '/customers/12/assign', { ownerId: '7' }],
      ['POST', '/customers/12/assign', { ownerId: '7', note: '交接', handOver: true }],
      ['POST', '/customers/12/assign', { ownerId: '7' }],
    ])
  })

  it('transfers several customers in one request', async () => {
    await customers.assignCustomers(['12', '13'], '7', '调岗', true)
    await customers.assignCustomers(['14'], '8')
    expect(calls.map((call) => [call.method, call.path, call.arg])).toEqual([
      ['POST', '/customers/assign', { ids: ['12', '13'], ownerId: '7', note: '调岗', handOver: true }],
      ['POST', '/customers/assign', { ids: ['14'], ownerId: '8' }],
    ])
    expect(customers.BULK_ASSIGN_MAX).toBe(500)
  })
})
