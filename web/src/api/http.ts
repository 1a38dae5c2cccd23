// Minimal fetch wrapper for the Tuoke API: same-origin cookies, JSON bodies, CSRF
// header on unsafe methods, and the error envelope parsed into ApiError.
import type { ErrorBody } from './types'

export const API_BASE = '/api/v1'

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** An error answered by the server (or a network failure, with status 0). */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: Record<string, unknown>
  readonly requestId: string | null

  constructor(status: number, body: ErrorBody, requestId: string | null = null) {
    super(body.message || body.code)
    this.name = 'ApiError'
    this.status = status
    this.code = body.code
    this.details = body.details ?? {}
    this.requestId = body.requestId ?? requestId
  }

  /** `details.fields` of a `validation.failed` error: field name → message. */
  get fieldErrors(): Record<string, string> {
    const fields = this.details.fields
    if (!fields || typeof fields !== 'object') return {}
    const result: Record<string, string> = {}
    for (const [field, message] of Object.entries(fields as Record<string, unknown>)) {
      result[field] = String(message)
    }
    return result
  }

  /** `details.remainingAttempts` of `auth.invalid_credentials`, when the server sent it. */
  get remainingAttempts(): number | null {
    const value = this.details.remainingAttempts
    return typeof value === 'number' ? value : null
  }

  /** `details.lockedUntil` of `auth.account_locked` (RFC 3339), when the server sent it. */
  get lockedUntil(): string | null {
    const value = this.details.lockedUntil
    return typeof value === 'string' ? value : null
  }
}

export const NETWORK_ERROR_CODE = 'network.unreachable'

export interface HttpHooks {
  /** The CSRF token of the current browser session, if any. */
  csrfToken: () => string | null
  /** Called when an authenticated request answers 401 (session missing or expired). */
  onUnauthenticated: () => void
  /** Called on `auth.password_change_required`. */
  onPasswordChangeRequired: () => void
}

let hooks: HttpHooks = {
  csrfToken: () => null,
  onUnauthenticated: () => {},
  onPasswordChangeRequired: () => {},
}

export function configureHttp(next: HttpHooks): void {
  hooks = next
}

export type QueryValue = string | number | boolean | null | undefined
export type Query = Record<string, QueryValue>

export function buildQuery(query?: Query): string {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    params.append(key, String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

export interface RequestOptions {
  query?: Query
  body?: unknown
  /**
   * Do not run the global 401 handler (redirect to the login page). Used by the
   * login call itself and by the session probe at start-up.
   */
  skipAuthRedirect?: boolean
  signal?: AbortSignal
}

function parseEnvelope(status: number, payload: unknown, requestId: string | null): ApiError {
  if (payload && typeof payload === 'object' && 'error' in payload) {
    const error = (payload as { error: unknown }).error
    if (error && typeof error === 'object' && typeof (error as ErrorBody).code === 'string') {
      return new ApiError(status, error as ErrorBody, requestId)
    }
  }
  return new ApiError(status, { code: status >= 500 ? 'internal' : 'http.unexpected', message: `HTTP ${status}` }, requestId)
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  let body: string | undefined
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  if (UNSAFE_METHODS.has(method)) {
    const token = hooks.csrfToken()
    if (token) headers['X-CSRF-Token'] = token
  }

  let response: Response
  try {
    response = await fetch(`${API_BASE}${path}${buildQuery(options.query)}`, {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    })
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause
    throw new ApiError(0, { code: NETWORK_ERROR_CODE, message: String(cause) })
  }

  const requestId = response.headers.get('X-Request-Id')
  if (response.status === 204) return undefined as T

  const text = await response.text()
  let payload: unknown = undefined
  if (text) {
    try {
      payload = JSON.parse(text)
    } catch {
      payload = undefined
    }
  }

  if (!response.ok) {
    const error = parseEnvelope(response.status, payload, requestId)
    if (response.status === 401 && !options.skipAuthRedirect) hooks.onUnauthenticated()
    if (error.code === 'auth.password_change_required') hooks.onPasswordChangeRequired()
    throw error
  }
  return payload as T
}

export const http = {
  get: <T>(path: string, query?: Query, options?: Omit<RequestOptions, 'query'>) =>
    request<T>('GET', path, { ...options, query }),
  post: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>) =>
    request<T>('POST', path, { ...options, body }),
  put: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>) =>
    request<T>('PUT', path, { ...options, body }),
  patch: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>) =>
    request<T>('PATCH', path, { ...options, body }),
  delete: <T>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
}

/** Encodes one path segment (ids, role codes, policy keys). */
export const seg = (value: string) => encodeURIComponent(value)
