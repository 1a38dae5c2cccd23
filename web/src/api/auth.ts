import { http, seg } from './http'
import type { ApiToken, CreatedApiToken, ItemsOf, Me } from './types'

export interface LoginRequest {
  /** Phone number or username. */
  login: string
  password: string
}

export interface ChangePasswordRequest {
  currentPassword: string
  newPassword: string
}

export interface CreateTokenRequest {
  name: string
  /** 1..365 */
  expiresInDays: number
}

/** POST /auth/login: sets the session cookie. */
export const login = (body: LoginRequest) => http.post<Me>('/auth/login', body, { skipAuthRedirect: true })

/** POST /auth/logout: 204, cookie cleared. */
export const logout = () => http.post<void>('/auth/logout', undefined, { skipAuthRedirect: true })

/** GET /auth/me */
export const getMe = (options?: { skipAuthRedirect?: boolean }) => http.get<Me>('/auth/me', undefined, options)

/** POST /auth/password: 204; other sessions of the user are ended. */
export const changePassword = (body: ChangePasswordRequest) => http.post<void>('/auth/password', body)

/** GET /auth/tokens */
export const listTokens = () => http.get<ItemsOf<ApiToken>>('/auth/tokens')

/** POST /auth/tokens: the token is shown once. */
export const createToken = (body: CreateTokenRequest) => http.post<CreatedApiToken>('/auth/tokens', body)

/** DELETE /auth/tokens/{id} */
export const deleteToken = (id: string) => http.delete<void>(`/auth/tokens/${seg(id)}`)
