// Types of the Tuoke HTTP API v1 (docs/api.md). Keep in step with the contract.

/** Ids are decimal strings. */
export type Id = string
/** Business date `YYYY-MM-DD` in the company time zone. */
export type BusinessDate = string
/** RFC 3339 UTC timestamp. */
export type Timestamp = string

export interface ListPage<T> {
  items: T[]
  nextCursor: string | null
}

export interface ItemsOf<T> {
  items: T[]
}

export interface CursorQuery {
  limit?: number
  cursor?: string | null
}

/** Data scope of a granted permission. */
export type Scope = 'own' | 'team' | 'all'

export const ROLES = [
  'rep',
  'sales_manager',
  'general_manager',
  'sales_assistant',
  'finance',
  'customer_service',
  'admin',
] as const
export type Role = (typeof ROLES)[number]

export type MenuKey = 'dashboard' | 'units' | 'users' | 'roles' | 'policies' | 'audit'

export interface MenuItem {
  key: MenuKey | string
  path: string
  icon: string
}

export type EmploymentStatus = 'probation' | 'regular'

export interface User {
  id: Id
  username: string
  name: string
  phone: string
  email: string | null
  roles: Role[]
  unitId: Id
  unitName: string
  managerId: Id | null
  managerName: string | null
  employmentStatus: EmploymentStatus
  hiredOn: BusinessDate | null
  regularOn: BusinessDate | null
  active: boolean
  locked: boolean
  mustChangePassword: boolean
  createdAt: Timestamp
  updatedAt: Timestamp
}

export interface Me {
  user: User
  permissions: Record<string, Scope>
  menu: MenuItem[]
  csrfToken: string
}

export interface ApiToken {
  id: Id
  name: string
  createdAt: Timestamp
  expiresAt: Timestamp
  lastUsedAt: Timestamp | null
}

export interface CreatedApiToken {
  id: Id
  name: string
  token: string
  expiresAt: Timestamp
}

export type UnitKind = 'company' | 'department' | 'team'

export interface Unit {
  id: Id
  parentId: Id | null
  name: string
  kind: UnitKind
  managerId: Id | null
  managerName: string | null
  active: boolean
  memberCount: number
}

export interface UnitHistoryEntry {
  unitId: Id
  unitName: string
  from: BusinessDate | Timestamp
  to: BusinessDate | Timestamp | null
  /** docs/api.md lists only `changedBy`; the server sends the id there and the name below. */
  changedBy: string | null
  changedByName?: string | null
  note?: string | null
}

export interface Permission {
  key: string
  module: string
  scoped: boolean
}

export interface RoleGrants {
  role: Role
  grants: Record<string, Scope>
}

export type PolicyType =
  | 'integer'
  | 'money'
  | 'basis_points'
  | 'boolean'
  | 'string'
  | 'enum'
  | 'time'
  | 'json'

/** A policy value as JSON; its shape depends on the policy's type. */
export type PolicyValue = number | boolean | string | null | PolicyValue[] | { [key: string]: PolicyValue }

export interface Policy {
  key: string
  group: string
  type: PolicyType
  unit: string | null
  section: string | null
  options: string[] | null
  min: number | null
  max: number | null
  default: PolicyValue
  value: PolicyValue
  effectiveFrom: BusinessDate
  labelZh?: string
  labelEn?: string
}

export interface PolicyVersion {
  id: Id
  value: PolicyValue
  effectiveFrom: BusinessDate
  note: string | null
  createdBy: Id | null
  createdByName: string | null
  createdAt: Timestamp
}

export interface AuditEntry {
  id: Id
  at: Timestamp
  actorId: Id | null
  actorName: string | null
  ip: string | null
  requestId: string | null
  action: string
  entity: string
  entityId: Id | null
  before: unknown
  after: unknown
}

/** The error envelope: `{"error":{code,message,details,requestId}}`. */
export interface ErrorBody {
  code: string
  message: string
  details?: Record<string, unknown>
  requestId?: string
}
