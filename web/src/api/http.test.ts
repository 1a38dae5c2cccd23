import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, buildQuery, configureHttp, http } from './http'

afterEach(() => vi.unstubAllGlobals())

function stubFetch(status: number, body: unknown, headers: Record<string, string> = {}) {
  const fetchMock = vi.fn(async () => new Response(body === undefined ? null : JSON.stringify(body), { status, headers }))
  vi.stubGlobal('fetch', fetchMock)
  return fetchMock
}

describe('buildQuery', () => {
  it('skips empty values', () => {
    expect(buildQuery({ q: '张', unitId: null, active: false, cursor: '', limit: 50 })).toBe('?q=%E5%BC%A0&active=false&limit=50')
    expect(buildQuery({})).toBe('')
  })
})

describe('request', () => {
  it('sends the CSRF token on unsafe methods only', async () => {
    configureHttp({ csrfToken: () => 'tok', onUnauthenticated: () => {}, onPasswordChangeRequired: () => {} })
    const fetchMock = stubFetch(200, { ok: true })
    await http.post('/x', { a: 1 })
    await http.get('/y')
    const calls = fetchMock.mock.calls as unknown as Array<[string, RequestInit]>
    expect((calls[0]![1].headers as Record<string, string>)['X-CSRF-Token']).toBe('tok')
    expect((calls[1]![1].headers as Record<string, string>)['X-CSRF-Token']).toBeUndefined()
    expect(calls[0]![1].credentials).toBe('same-origin')
    expect(calls[0]![0]).toBe('/api/v1/x')
  })

  it('parses the error envelope and calls the 401 hook', async () => {
    const onUnauthenticated = vi.fn()
    configureHttp({ csrfToken: () => null, onUnauthenticated, onPasswordChangeRequired: () => {} })
    stubFetch(422, {
      error: { code: 'validation.failed', message: 'bad', details: { fields: { phone: 'taken' } }, requestId: 'r1' },
    })
    const error = await http.post('/users', {}).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).fieldErrors).toEqual({ phone: 'taken' })
    expect((error as ApiError).requestId).toBe('r1')

    stubFetch(401, { error: { code: 'auth.invalid_credentials', message: 'no', details: { remainingAttempts: 3 } } })
    const denied = (await http.post('/auth/login', {}, { skipAuthRedirect: true }).catch((caught: unknown) => caught)) as ApiError
    expect(denied.remainingAttempts).toBe(3)
    expect(onUnauthenticated).not.toHaveBeenCalled()

    stubFetch(401, { error: { code: 'auth.unauthenticated', message: 'no' } })
    await http.get('/users').catch(() => undefined)
    expect(onUnauthenticated).toHaveBeenCalledOnce()
  })

  it('answers undefined for 204', async () => {
    stubFetch(204, undefined)
    await expect(http.post('/auth/logout')).resolves.toBeUndefined()
  })
})
