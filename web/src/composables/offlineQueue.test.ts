import { describe, expect, it } from 'vitest'
import { ApiError, NETWORK_ERROR_CODE } from '@/api/http'
import { OfflineQueue, backoffMs, classifyFailure, type StorageLike } from './offlineQueue'

interface Body {
  clientId: string
  n: number
}

function memory(): StorageLike & { map: Map<string, string> } {
  const map = new Map<string, string>()
  return {
    map,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  }
}

const networkError = () => new ApiError(0, { code: NETWORK_ERROR_CODE, message: 'Failed to fetch' })
const serverError = () => new ApiError(503, { code: 'internal', message: 'HTTP 503' })
const validationError = () =>
  new ApiError(422, { code: 'validation.failed', message: 'lat out of range', details: { fields: { lat: 'out of range' } } })

/** A fake server: answers per call from `script`, records what it received. */
function fakeServer(script: Array<'ok' | 'network' | '503' | '422'>) {
  const received: Body[] = []
  const byClientId = new Map<string, { id: number }>()
  let call = 0
  const send = async (body: Body) => {
    const step = script[call++] ?? 'ok'
    if (step === 'network') throw networkError()
    if (step === '503') throw serverError()
    if (step === '422') throw validationError()
    received.push(body)
    // Idempotent by clientId, like POST /check-ins.
    const existing = byClientId.get(body.clientId)
    if (existing) return existing
    const created = { id: byClientId.size + 1 }
    byClientId.set(body.clientId, created)
    return created
  }
  return { send, received, byClientId }
}

describe('OfflineQueue', () => {
  it('keeps queued captures across page loads (persists to storage)', () => {
    const storage = memory()
    const server = fakeServer([])
    const queue = new OfflineQueue<Body>({ storageKey: 'q', storage, send: server.send })
    queue.enqueue({ clientId: 'a', n: 1 })
    queue.enqueue({ clientId: 'b', n: 2 })
    const reloaded = new OfflineQueue<Body>({ storageKey: 'q', storage, send: server.send })
    expect(reloaded.items.map((entry) => entry.clientId)).toEqual(['a', 'b'])
    expect(server.received).toEqual([])
  })

  it('ignores a second enqueue of the same clientId', () => {
    const queue = new OfflineQueue<Body>({ storageKey: 'q', storage: memory(), send: fakeServer([]).send })
    queue.enqueue({ clientId: 'a', n: 1 })
    queue.enqueue({ clientId: 'a', n: 1 })
    expect(queue.size).toBe(1)
  })

  it('flushes in capture order on reconnect and empties the storage', async () => {
    const storage = memory()
    const server = fakeServer([])
    const queue = new OfflineQueue<Body, { id: number }>({ storageKey: 'q', storage, send: server.send })
    for (const [clientId, n] of [['a', 1], ['b', 2], ['c', 3]] as const) queue.enqueue({ clientId, n })
    const report = await queue.flush(true)
    expect(server.received.map((body) => body.clientId)).toEqual(['a', 'b', 'c'])
    expect(report.sent.map((sent) => sent.clientId)).toEqual(['a', 'b', 'c'])
    expect(report.remaining).toBe(0)
    expect(storage.map.has('q')).toBe(false)
  })

  it('keeps every entry on a network error and stops so nothing overtakes', async () => {
    let now = 1_000_000
    const server = fakeServer(['ok', 'network'])
    const queue = new OfflineQueue<Body>({ storageKey: 'q', storage: memory(), send: server.send, now: () => now })
    for (const clientId of ['a', 'b', 'c']) queue.enqueue({ clientId, n: 0 })
    const report = await queue.flush(true)
    expect(report.sent.map((sent) => sent.clientId)).toEqual(['a'])
    expect(queue.items.map((entry) => entry.clientId)).toEqual(['b', 'c'])
    expect(queue.items[0]!.attempts).toBe(1)
    expect(queue.items[0]!.lastError).toBe(NETWORK_ERROR_CODE)
    // Back-off: an unforced flush before the next attempt time sends nothing.
    expect((await queue.flush(false)).sent).toEqual([])
    now += backoffMs(1)
    const later = await queue.flush(false)
    expect(later.sent.map((sent) => sent.clientId)).toEqual(['b', 'c'])
    expect(queue.size).toBe(0)
  })

  it('keeps entries on 5xx', async () => {
    const server = fakeServer(['503'])
    const queue = new OfflineQueue<Body>({ storageKey: 'q', storage: memory(), send: server.send })
    queue.enqueue({ clientId: 'a', n: 1 })
    const report = await queue.flush(true)
    expect(report.sent).toEqual([])
    expect(report.rejected).toEqual([])
    expect(queue.size).toBe(1)
  })

  it('drops an entry the server refuses (4xx validation), reports it, and goes on', async () => {
    const server = fakeServer(['422', 'ok'])
    const queue = new OfflineQueue<Body>({ storageKey: 'q', storage: memory(), send: server.send })
    queue.enqueue({ clientId: 'bad', n: 1 })
    queue.enqueue({ clientId: 'good', n: 2 })
    const report = await queue.flush(true)
    expect(report.rejected).toHaveLength(1)
    expect(report.rejected[0]).toMatchObject({ clientId: 'bad', code: 'validation.failed', status: 422, message: 'lat out of range' })
    expect(report.sent.map((sent) => sent.clientId)).toEqual(['good'])
    expect(queue.size).toBe(0)
  })

  it('resends with the same clientId, and the server keeps one check-in', async () => {
    // The first answer is lost (network error after the server stored it is modelled by a
    // second identical send): the id the server answers is the same.
    const server = fakeServer([])
    const queue = new OfflineQueue<Body, { id: number }>({ storageKey: 'q', storage: memory(), send: server.send })
    queue.enqueue({ clientId: 'same', n: 1 })
    const first = await queue.flush(true)
    queue.enqueue({ clientId: 'same', n: 1 })
    const second = await queue.flush(true)
    expect(server.received.map((body) => body.clientId)).toEqual(['same', 'same'])
    expect(first.sent[0]!.result).toEqual(second.sent[0]!.result)
    expect(server.byClientId.size).toBe(1)
  })

  it('runs one flush at a time', async () => {
    const server = fakeServer([])
    const queue = new OfflineQueue<Body>({ storageKey: 'q', storage: memory(), send: server.send })
    queue.enqueue({ clientId: 'a', n: 1 })
    await Promise.all([queue.flush(true), queue.flush(true)])
    expect(server.received).toHaveLength(1)
  })

  it('notifies subscribers when the queue changes', () => {
    const queue = new OfflineQueue<Body>({ storageKey: 'q', storage: memory(), send: fakeServer([]).send })
    let calls = 0
    queue.subscribe(() => calls++)
    queue.enqueue({ clientId: 'a', n: 1 })
    expect(calls).toBe(1)
  })
})

describe('classifyFailure and backoff', () => {
  it('retries network, 5xx, 401/403/408/429; drops other 4xx', () => {
    expect(classifyFailure(networkError())).toBe('retry')
    expect(classifyFailure(serverError())).toBe('retry')
    for (const status of [401, 403, 408, 429]) expect(classifyFailure(new ApiError(status, { code: 'x', message: '' }))).toBe('retry')
    for (const status of [400, 404, 409, 422]) expect(classifyFailure(new ApiError(status, { code: 'x', message: '' }))).toBe('drop')
    expect(classifyFailure(new TypeError('Failed to fetch'))).toBe('retry')
  })

  it('doubles the wait up to a cap', () => {
    expect(backoffMs(1)).toBe(2000)
    expect(backoffMs(2)).toBe(4000)
    expect(backoffMs(3)).toBe(8000)
    expect(backoffMs(30)).toBe(300_000)
  })
})
