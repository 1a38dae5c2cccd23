// Customer archive endpoints (docs/api-customers.md).
import { http, seg } from './http'
import type {
  BusinessDate,
  Contact,
  ContactFields,
  Customer,
  CustomerFields,
  CustomerStatus,
  CustomerType,
  CustomerWithContacts,
  CursorQuery,
  DuplicateMatch,
  FollowUpChannel,
  Grade,
  GradeHistoryEntry,
  Id,
  ItemsOf,
  ListPage,
  Timestamp,
  TimelineEntry,
} from './types'

export const CUSTOMER_SORTS = ['-updatedAt', 'name', 'lastFollowUpAt', '-lastFollowUpAt'] as const
export type CustomerSort = (typeof CUSTOMER_SORTS)[number]

export interface CustomerQuery extends CursorQuery {
  /** Name substring, pinyin spelling or initials (`bjlt`), phone or contact name. */
  q?: string
  grade?: Grade | string | null
  status?: CustomerStatus | null
  type?: CustomerType | null
  province?: string | null
  city?: string | null
  ownerId?: Id | null
  /** The owner's unit and its subtree. */
  unitId?: Id | null
  tag?: string | null
  inPool?: boolean | null
  followUpBefore?: BusinessDate | null
  followUpAfter?: BusinessDate | null
  sort?: CustomerSort | null
}

export interface DuplicateCheckRequest {
  name?: string
  phone?: string
  address?: string
  excludeId?: Id
}

export type CreateCustomerRequest = CustomerFields & { acknowledgeDuplicates?: boolean }
export type UpdateCustomerRequest = Partial<CustomerFields> & { acknowledgeDuplicates?: boolean }

export interface FollowUpRequest {
  channel: FollowUpChannel
  summary: string
  at?: Timestamp
}

/** GET /customers (scoped by customers.read; the pool with inPool=true) */
export const listCustomers = (query: CustomerQuery = {}) =>
  http.get<ListPage<Customer>>('/customers', {
    q: query.q,
    grade: query.grade,
    status: query.status,
    type: query.type,
    province: query.province,
    city: query.city,
    ownerId: query.ownerId,
    unitId: query.unitId,
    tag: query.tag,
    inPool: query.inPool,
    followUpBefore: query.followUpBefore,
    followUpAfter: query.followUpAfter,
    sort: query.sort,
    limit: query.limit,
    cursor: query.cursor,
  })

/** POST /customers/duplicate-check */
export const checkDuplicates = (body: DuplicateCheckRequest, signal?: AbortSignal) =>
  http.post<{ matches: DuplicateMatch[] }>('/customers/duplicate-check', body, { signal })

/** POST /customers: 409 customers.possible_duplicate (details.matches) unless acknowledged. */
export const createCustomer = (body: CreateCustomerRequest) => http.post<Customer>('/customers', body)

/** GET /customers/{id}: the customer with its contacts. */
export const getCustomer = (id: Id) => http.get<CustomerWithContacts>(`/customers/${seg(id)}`)

/** PATCH /customers/{id} */
export const updateCustomer = (id: Id, body: UpdateCustomerRequest) => http.patch<Customer>(`/customers/${seg(id)}`, body)

/** POST /customers/{id}/grade-override (managers) */
export const overrideGrade = (id: Id, grade: Grade | string, reason: string) =>
  http.post<Customer>(`/customers/${seg(id)}/grade-override`, { grade, reason })

/** DELETE /customers/{id}/grade-override: back to the computed grade. */
export const removeGradeOverride = (id: Id) => http.delete<Customer>(`/customers/${seg(id)}/grade-override`)

/** GET /customers/{id}/grade-history */
export const getGradeHistory = (id: Id) => http.get<ItemsOf<GradeHistoryEntry>>(`/customers/${seg(id)}/grade-history`)

/** POST /customers/{id}/assign (managers) */
export const assignCustomer = (id: Id, ownerId: Id, note?: string) =>
  http.post<Customer>(`/customers/${seg(id)}/assign`, { ownerId, ...(note ? { note } : {}) })

/** POST /customers/{id}/release: back to the shared pool (owner or manager). */
export const releaseCustomer = (id: Id, reason?: string) =>
  http.post<Customer>(`/customers/${seg(id)}/release`, reason ? { reason } : {})

/** POST /customers/{id}/claim: 409 customers.claim_limit / hold_limit / cooldown. */
export const claimCustomer = (id: Id) => http.post<Customer>(`/customers/${seg(id)}/claim`)

/** GET /customers/{id}/timeline (newest first) */
export const getTimeline = (id: Id, query: CursorQuery = {}) =>
  http.get<ListPage<TimelineEntry>>(`/customers/${seg(id)}/timeline`, { limit: query.limit, cursor: query.cursor })

/** POST /customers/{id}/follow-ups: 201 timeline entry. */
export const addFollowUp = (id: Id, body: FollowUpRequest) =>
  http.post<TimelineEntry>(`/customers/${seg(id)}/follow-ups`, body)

/** POST /customers/{id}/contacts */
export const createContact = (customerId: Id, body: ContactFields) =>
  http.post<Contact>(`/customers/${seg(customerId)}/contacts`, body)

/** PATCH /contacts/{id} */
export const updateContact = (id: Id, body: Partial<ContactFields>) => http.patch<Contact>(`/contacts/${seg(id)}`, body)

/** DELETE /contacts/{id}: 204 */
export const deleteContact = (id: Id) => http.delete<void>(`/contacts/${seg(id)}`)
