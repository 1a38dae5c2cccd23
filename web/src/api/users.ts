import { http, seg } from './http'
import type { BusinessDate, CursorQuery, EmploymentStatus, Id, ItemsOf, ListPage, Role, UnitHistoryEntry, User } from './types'

export interface UserQuery extends CursorQuery {
  /** Substring of name, phone or username. */
  q?: string
  unitId?: Id | null
  role?: Role | null
  active?: boolean | null
}

export interface CreateUserRequest {
  username: string
  name: string
  phone: string
  email?: string | null
  roles: Role[]
  unitId: Id
  managerId?: Id | null
  employmentStatus: EmploymentStatus
  hiredOn?: BusinessDate | null
  regularOn?: BusinessDate | null
  password: string
}

export interface UpdateUserRequest {
  name?: string
  phone?: string
  email?: string | null
  roles?: Role[]
  managerId?: Id | null
  employmentStatus?: EmploymentStatus
  hiredOn?: BusinessDate | null
  regularOn?: BusinessDate | null
}

export interface MoveUserRequest {
  unitId: Id
  note?: string
}

/** GET /users (scoped by users.read) */
export const listUsers = (query: UserQuery = {}) =>
  http.get<ListPage<User>>('/users', {
    q: query.q,
    unitId: query.unitId,
    role: query.role,
    active: query.active,
    limit: query.limit,
    cursor: query.cursor,
  })

/** GET /users/{id} */
export const getUser = (id: Id) => http.get<User>(`/users/${seg(id)}`)

/** POST /users */
export const createUser = (body: CreateUserRequest) => http.post<User>('/users', body)

/** PATCH /users/{id} */
export const updateUser = (id: Id, body: UpdateUserRequest) => http.patch<User>(`/users/${seg(id)}`, body)

/** POST /users/{id}/move */
export const moveUser = (id: Id, body: MoveUserRequest) => http.post<User>(`/users/${seg(id)}/move`, body)

/** GET /users/{id}/unit-history */
export const getUnitHistory = (id: Id) => http.get<ItemsOf<UnitHistoryEntry>>(`/users/${seg(id)}/unit-history`)

/** POST /users/{id}/reset-password: 204; the user must change it at next login. */
export const resetPassword = (id: Id, newPassword: string) =>
  http.post<void>(`/users/${seg(id)}/reset-password`, { newPassword })

/** POST /users/{id}/deactivate */
export const deactivateUser = (id: Id) => http.post<User>(`/users/${seg(id)}/deactivate`)

/** POST /users/{id}/activate */
export const activateUser = (id: Id) => http.post<User>(`/users/${seg(id)}/activate`)

/** POST /users/{id}/unlock */
export const unlockUser = (id: Id) => http.post<User>(`/users/${seg(id)}/unlock`)
