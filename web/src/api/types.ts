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

// Customer archive (docs/api-customers.md)

/** Money in fen as a decimal string. */
export interface Money {
  amount: string
  currency: 'CNY' | string
}

export const CUSTOMER_TYPES = ['terminal', 'agent', 'distributor', 'retailer', 'partner', 'peer'] as const
export type CustomerType = (typeof CUSTOMER_TYPES)[number]

export const CUSTOMER_STATUSES = ['prospect', 'target', 'active', 'peer', 'lost'] as const
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number]

export const CUSTOMER_SOURCES = ['cold_visit', 'flyer', 'referral', 'trade_fair', 'online', 'phone', 'other'] as const
export type CustomerSource = (typeof CUSTOMER_SOURCES)[number]

export const PURCHASE_POWERS = ['clear', 'some', 'doubtful'] as const
export type PurchasePower = (typeof PURCHASE_POWERS)[number]

export const PURCHASE_HORIZONS = ['within_1_month', 'within_3_months', 'within_6_months', 'later', 'unknown'] as const
export type PurchaseHorizon = (typeof PURCHASE_HORIZONS)[number]

export const LEVELS = ['high', 'medium', 'low'] as const
export type Level = (typeof LEVELS)[number]

export const CREDIT_STATUSES = ['good', 'normal', 'poor', 'unknown'] as const
export type CreditStatus = (typeof CREDIT_STATUSES)[number]

/** Rule set `horizon` grades, then rule set `abcd` grades. */
export const GRADES = ['key', 'important', 'general', 'watch', 'A', 'B', 'C', 'D'] as const
export type Grade = (typeof GRADES)[number]

export interface CustomerGrade {
  value: Grade | string
  reason: string
  source: 'computed' | 'override'
  overriddenByName: string | null
  /** `customers.grade_reason.<why>` for the UI to translate (R-CUST-34); null for older grades. */
  reasonCode?: string | null
  reasonParams?: Record<string, unknown> | null
}

export interface GeoPoint {
  lat: number
  lng: number
}

export interface CustomerProject {
  unit: string | null
  site: string | null
  areaSqm: number | null
  expectedCompletion: BusinessDate | null
}

export interface Man {
  money: boolean
  authority: boolean
  need: boolean
  easyToApproach: boolean
}

/** The writable fields of a customer (POST body without `acknowledgeDuplicates`). */
export interface CustomerFields {
  name: string
  /**
   * The customer's code in the company's other systems (ERP, finance; 客户编码, R-CUST-48):
   * 1–64 characters without spaces, unique among all customers; null when not set.
   */
  code: string | null
  type: CustomerType
  industry: string | null
  province: string | null
  city: string | null
  district: string | null
  address: string | null
  location: GeoPoint | null
  phone: string | null
  fax: string | null
  email: string | null
  website: string | null
  project: CustomerProject | null
  status: CustomerStatus
  source: CustomerSource
  referrerCustomerId: Id | null
  referrerName: string | null
  man: Man
  purchasePower: PurchasePower | null
  purchaseHorizon: PurchaseHorizon
  importance: Level | null
  potential: Level | null
  creditStatus: CreditStatus
  paymentMethod: string | null
  creditLimit: Money | null
  collateral: string | null
  scaleNotes: string | null
  tags: string[]
  notes: string | null
}

export interface Customer extends CustomerFields {
  id: Id
  grade: CustomerGrade
  ownerId: Id | null
  ownerName: string | null
  inPool: boolean
  lastFollowUpAt: Timestamp | null
  createdAt: Timestamp
  updatedAt: Timestamp
}

export const PURCHASE_ROLES = [
  'decision_maker',
  'influencer',
  'user',
  'purchaser',
  'receiver',
  'cashier',
  'accountant',
  'economic_buyer',
  'technical_buyer',
  'user_buyer',
  'coach',
] as const
export type PurchaseRole = (typeof PURCHASE_ROLES)[number]

export const PERSONALITIES = [
  'know_it_all',
  'open_minded',
  'hesitant',
  'complaining',
  'analytical',
  'bargainer',
  'intimidating',
] as const
export type Personality = (typeof PERSONALITIES)[number]

export interface ContactFields {
  name: string
  title: string | null
  mobile: string | null
  phone: string | null
  fax: string | null
  email: string | null
  qq: string | null
  wechat: string | null
  purchaseRole: PurchaseRole | null
  personality: Personality | null
  hobbies: string | null
  family: string | null
  socialRelations: string | null
  birthday: BusinessDate | null
  notes: string | null
}

export interface Contact extends ContactFields {
  id: Id
  customerId: Id
}

export interface CustomerWithContacts extends Customer {
  contacts: Contact[]
}

export type DuplicateReason = 'name' | 'phone' | 'address' | 'code'

export interface DuplicateMatch {
  /** null when the caller may not see the match (the server withholds its id). */
  id: Id | null
  name: string
  ownerName: string | null
  inPool: boolean
  reasons: DuplicateReason[]
  visible: boolean
}

/**
 * The customer holding a code, in `409 customers.code_taken` (`details.holder`): like a
 * duplicate match, id null and visible false when it is outside the caller's scope.
 */
export interface CodeHolder {
  id: Id | null
  name: string
  ownerName: string | null
  inPool: boolean
  visible: boolean
}

export interface GradeHistoryEntry {
  grade: Grade | string
  reason: string
  reasonCode?: string | null
  reasonParams?: Record<string, unknown> | null
  source: 'computed' | 'override'
  changedByName: string | null
  at: Timestamp
}

/** One change of a customer's relationship status (R-CUST-62). */
export interface StatusChange {
  from: CustomerStatus | string
  to: CustomerStatus | string
  changedByName: string | null
  at: Timestamp
}

/** GET /customers/{id}/status-history: changes newest first; `initial` the status at creation. */
export interface StatusHistory {
  items: StatusChange[]
  initial: CustomerStatus | string
}

export const FOLLOW_UP_CHANNELS = ['visit', 'phone', 'wechat', 'other'] as const
export type FollowUpChannel = (typeof FOLLOW_UP_CHANNELS)[number]

export interface TimelineEntry {
  id: Id
  at: Timestamp
  kind: string
  actorName: string | null
  summary: string
  data: Record<string, unknown> | null
  /** `customers.timeline.<kind>` with its parameters, for the UI to translate (R-CUST-34). */
  summaryCode?: string | null
  summaryParams?: Record<string, unknown> | null
}
