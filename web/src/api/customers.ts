// Customer archive endpoints (docs/api-customers.md).
import { API_BASE, ApiError, NETWORK_ERROR_CODE, buildQuery, http, seg, type Query } from './http'
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
  StatusHistory,
  Timestamp,
  TimelineEntry,
} from './types'

export const CUSTOMER_SORTS = ['-updatedAt', 'name', 'lastFollowUpAt', '-lastFollowUpAt'] as const
export type CustomerSort = (typeof CUSTOMER_SORTS)[number]

export interface CustomerQuery extends CursorQuery {
  /** Name substring, pinyin spelling or initials (`bjlt`), phone, code (3+ letters or digits) or contact name. */
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
  /** R-CUST-67: no follow-up for this many days as of the day the list is read (never included). */
  idleDays?: number | null
  neverFollowedUp?: boolean | null
  sort?: CustomerSort | null
}

export interface DuplicateCheckRequest {
  name?: string
  /** A match holding the same code gets the reason `code`. */
  code?: string
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
  http.get<ListPage<Customer>>('/customers', { ...customerFilterQuery(query), limit: query.limit, cursor: query.cursor })

/** POST /customers/duplicate-check */
export const checkDuplicates = (body: DuplicateCheckRequest, signal?: AbortSignal) =>
  http.post<{ matches: DuplicateMatch[] }>('/customers/duplicate-check', body, { signal })

/**
 * POST /customers: 409 customers.possible_duplicate (details.matches) unless acknowledged;
 * 409 customers.code_taken (details.holder: CodeHolder) whatever is acknowledged.
 */
export const createCustomer = (body: CreateCustomerRequest) => http.post<Customer>('/customers', body)

/** GET /customers/{id}: the customer with its contacts. */
export const getCustomer = (id: Id) => http.get<CustomerWithContacts>(`/customers/${seg(id)}`)

/** PATCH /customers/{id}: the conflicts of create (`code` null or "" clears the code). */
export const updateCustomer = (id: Id, body: UpdateCustomerRequest) => http.patch<Customer>(`/customers/${seg(id)}`, body)

/** POST /customers/{id}/grade-override (managers) */
export const overrideGrade = (id: Id, grade: Grade | string, reason: string) =>
  http.post<Customer>(`/customers/${seg(id)}/grade-override`, { grade, reason })

/** DELETE /customers/{id}/grade-override: back to the computed grade. */
export const removeGradeOverride = (id: Id) => http.delete<Customer>(`/customers/${seg(id)}/grade-override`)

/** GET /customers/{id}/grade-history */
export const getGradeHistory = (id: Id) => http.get<ItemsOf<GradeHistoryEntry>>(`/customers/${seg(id)}/grade-history`)

/** GET /customers/{id}/status-history (R-CUST-62): changes newest first and the status the customer was created with. */
export const getStatusHistory = (id: Id) => http.get<StatusHistory>(`/customers/${seg(id)}/status-history`)

/** What an assignment moved besides the customers: the previous owners' open follow-up items. */
export interface HandedOver {
  followUpItems: number
}

/**
 * POST /customers/{id}/assign (managers). `handOver`: the previous owner's open follow-up
 * items of the customer go to the new owner too (the `assigned` timeline entry then carries
 * `data.handedOver`). 409 customers.hold_limit (`{limit, held, ownerId}`).
 */
export const assignCustomer = (id: Id, ownerId: Id, note?: string, handOver?: boolean) =>
  http.post<Customer>(`/customers/${seg(id)}/assign`, { ownerId, ...(note ? { note } : {}), ...(handOver ? { handOver: true } : {}) })

/** The most customers one bulk transfer takes. */
export const BULK_ASSIGN_MAX = 500

export interface BulkAssignResult {
  /** Customers that changed owner. */
  assigned: Id[]
  /** Customers the new owner already held. */
  unchanged: Id[]
  handedOver: HandedOver
}

/**
 * POST /customers/assign (customers.assign): 1 to 500 distinct customers to one owner, all
 * or nothing. 404 customers.not_found (`details.id`), 422 validation.failed, 409
 * customers.hold_limit (`{limit, held, ownerId}`).
 */
export const assignCustomers = (ids: Id[], ownerId: Id, note?: string, handOver?: boolean) =>
  http.post<BulkAssignResult>('/customers/assign', { ids, ownerId, ...(note ? { note } : {}), ...(handOver ? { handOver: true } : {}) })

/** POST /customers/{id}/release: back to the shared pool (owner or manager). */
export const releaseCustomer = (id: Id, reason?: string) =>
  http.post<Customer>(`/customers/${seg(id)}/release`, reason ? { reason } : {})

/** POST /customers/{id}/claim: 409 customers.claim_limit / hold_limit / cooldown. */
export const claimCustomer = (id: Id) => http.post<Customer>(`/customers/${seg(id)}/claim`)

/** What the caller may still claim from the shared pool today (R-CUST-64), under today's policies. */
export interface PoolStatus {
  claimedToday: number
  claimLimitPerDay: number
  held: number
  maxHeld: number
  /** Days before a rep may claim again a customer they released or lost. */
  cooldownDays: number
}

/** GET /customers/pool/status (404 route.not_found on servers before R-CUST-64). */
export const getPoolStatus = () => http.get<PoolStatus>('/customers/pool/status')

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

// ---- export, import, saved views, merges -------------------------------------------------

/** The list filters of `GET /customers` as query parameters (shared by export and saved views). */
export function customerFilterQuery(query: Omit<CustomerQuery, 'limit' | 'cursor'>): Query {
  return {
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
    idleDays: query.idleDays,
    neverFollowedUp: query.neverFollowedUp,
    sort: query.sort,
  }
}

/**
 * fetch for bodies that are not JSON (file downloads and uploads): same-origin cookies, and the
 * error envelope of a failed answer thrown as ApiError like `http` does.
 */
async function rawFetch(url: string, init: RequestInit = {}): Promise<Response> {
  let response: Response
  try {
    response = await fetch(url, { credentials: 'same-origin', ...init })
  } catch (cause) {
    throw new ApiError(0, { code: NETWORK_ERROR_CODE, message: String(cause) })
  }
  if (!response.ok) {
    const payload = await response.json().catch(() => undefined)
    const error = payload?.error
    throw new ApiError(
      response.status,
      error && typeof error.code === 'string' ? error : { code: 'http.unexpected', message: `HTTP ${response.status}` },
      response.headers.get('X-Request-Id'),
    )
  }
  return response
}

export type ExportFormat = 'csv' | 'xlsx'

/** The file name of a download from its Content-Disposition (RFC 5987 `filename*` first). */
export function dispositionFileName(header: string | null, fallback: string): string {
  if (!header) return fallback
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header)
  if (extended) {
    try {
      return decodeURIComponent(extended[1]!.trim())
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"([^"]+)"/i.exec(header) ?? /filename\s*=\s*([^;]+)/i.exec(header)
  return plain ? plain[1]!.trim() : fallback
}

/**
 * GET /customers/export.{csv,xlsx} with the list's filters and sort: fetched (so errors such
 * as 422 customers.export_too_large arrive as ApiError) and saved by the browser.
 * Returns the file name and the row count of `X-Export-Rows`.
 */
export async function downloadCustomerExport(
  format: ExportFormat,
  query: Omit<CustomerQuery, 'limit' | 'cursor'>,
  lang: 'zh' | 'en',
): Promise<{ fileName: string; rows: number | null }> {
  const response = await rawFetch(`${API_BASE}/customers/export.${format}${buildQuery({ ...customerFilterQuery(query), lang })}`)
  const blob = await response.blob()
  const fileName = dispositionFileName(response.headers.get('Content-Disposition'), `customers.${format}`)
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  document.body.appendChild(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
  const rows = Number(response.headers.get('X-Export-Rows'))
  return { fileName, rows: Number.isFinite(rows) && response.headers.has('X-Export-Rows') ? rows : null }
}

export type ImportMode = 'dry_run' | 'all_or_nothing' | 'skip_bad'
/**
 * `contact` / `contact_added`: a later row of an imported customer that adds its contact (R-CUST-37).
 * `existing`: the row's code names a stored customer (`id`; the survivor of a merge), so it
 * creates no customer and only adds its contact there (R-CUST-48); after writing such a row is
 * `contact_added` when its contact was added, else still `existing`.
 */
export type ImportRowStatus = 'ok' | 'invalid' | 'duplicate' | 'created' | 'skipped' | 'contact' | 'contact_added' | 'existing'

/** A duplicate of an import row: a customer of the archive, or an earlier row of the same file. */
export type ImportMatch = DuplicateMatch | { row: number; reasons: DuplicateMatch['reasons'] }

export interface ImportRowReport {
  row: number
  status: ImportRowStatus
  errors?: Record<string, string>
  matches?: ImportMatch[]
  id?: Id
  /** R-CUST-48: the stored customer's name, on rows its code reached (`existing`, `contact_added`). */
  customerName?: string
}

export interface ImportReport {
  mode: ImportMode
  total: number
  valid: number
  invalid: number
  duplicates: number
  created: number
  /** Contacts written (servers before R-CUST-37 leave it out), those added to `existing` rows' customers included. */
  contactsCreated?: number
  /** Rows matched to stored customers by their code (servers before R-CUST-48 leave it out). */
  existing?: number
  rows: ImportRowReport[]
}

export interface ImportRequest {
  mode: ImportMode
  columns: (string | null)[]
  rows: string[][]
  acknowledgeDuplicates?: boolean
  ownerId?: Id
}

/** POST /customers/import: rows parsed by the browser (row 1 is the header, so data starts at 2). */
export const importCustomers = (body: ImportRequest) => http.post<ImportReport>('/customers/import', body)

/** Filters of a saved view: the list's query parameters as text. */
export type CustomerViewFilters = Partial<
  Record<'q' | 'grade' | 'status' | 'type' | 'province' | 'city' | 'ownerId' | 'unitId' | 'tag' | 'inPool' | 'followUpBefore' | 'followUpAfter' | 'idleDays' | 'neverFollowedUp', string>
>

export interface CustomerView {
  id: Id
  name: string
  filters: CustomerViewFilters
  sort: CustomerSort
  shared: boolean
  ownerId: Id
  ownerName: string
  mine: boolean
  createdAt: Timestamp
  updatedAt: Timestamp
}

export interface CustomerViewRequest {
  name: string
  filters?: CustomerViewFilters
  sort?: CustomerSort
  shared?: boolean
}

/** GET /customer-views: the caller's views, then views shared into the caller's unit. */
export const listCustomerViews = () => http.get<ItemsOf<CustomerView>>('/customer-views')
/** POST /customer-views: 409 customers.view_name_taken / customers.view_limit. */
export const createCustomerView = (body: CustomerViewRequest) => http.post<CustomerView>('/customer-views', body)
/** PATCH /customer-views/{id} (the owner only) */
export const updateCustomerView = (id: Id, body: Partial<CustomerViewRequest>) =>
  http.patch<CustomerView>(`/customer-views/${seg(id)}`, body)
/** DELETE /customer-views/{id}: 204 */
export const deleteCustomerView = (id: Id) => http.delete<void>(`/customer-views/${seg(id)}`)

export interface MergeRecord {
  id: Id
  kind: 'merge' | 'reversal'
  survivorId: Id
  mergedId: Id
  reversesId: Id | null
  reversedById: Id | null
  reason: string
  moved: Record<string, string[]>
  actorName: string | null
  at: Timestamp
}

/** POST /customers/merge (customers.assign over both): the merged customer's rows move to the survivor. */
export const mergeCustomers = (survivorId: Id, mergedId: Id, reason: string) =>
  http.post<MergeRecord>('/customers/merge', { survivorId, mergedId, reason })

/** POST /customers/merges/{id}/reverse: a new record of kind `reversal`. */
export const reverseMerge = (mergeId: Id, reason?: string) =>
  http.post<MergeRecord>(`/customers/merges/${seg(mergeId)}/reverse`, reason ? { reason } : {})

export const ATTACHMENT_KINDS = ['floor_plan', 'business_card', 'licence', 'other'] as const
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number]

export interface Attachment {
  id: Id
  customerId: Id
  kind: AttachmentKind | string
  fileName: string
  contentType: string
  sizeBytes: number
  sha256: string
  note: string | null
  uploadedByName: string | null
  uploadedAt: Timestamp
  /** `/api/v1/customer-attachments/{id}/content`; `?disposition=inline` shows it in place. */
  downloadUrl: string
}

/** GET /customers/{id}/attachments (oldest first) */
export const listAttachments = (customerId: Id) => http.get<ItemsOf<Attachment>>(`/customers/${seg(customerId)}/attachments`)

/**
 * POST /customers/{id}/attachments: the body is the file itself, kind and name in the query.
 * 413 customers.attachment_too_large, 422 customers.attachment_type(_mismatch), 409 customers.attachment_limit.
 */
export async function uploadAttachment(
  customerId: Id,
  file: Blob & { name: string },
  kind: AttachmentKind,
  csrfToken: string | null,
  note?: string,
): Promise<Attachment> {
  const query = buildQuery({ kind, fileName: file.name, note: note || undefined })
  const response = await rawFetch(`${API_BASE}/customers/${seg(customerId)}/attachments${query}`, {
    method: 'POST',
    headers: {
      Accept: 'application/json',
      'Content-Type': file.type || 'application/octet-stream',
      ...(csrfToken ? { 'X-CSRF-Token': csrfToken } : {}),
    },
    body: file,
  })
  return (await response.json()) as Attachment
}

/** The attachment's bytes for an <img> or a link: inline (shown in place) or as a download. */
export const attachmentUrl = (attachment: Pick<Attachment, 'id' | 'downloadUrl'>, inline = false) =>
  `${attachment.downloadUrl || `${API_BASE}/customer-attachments/${seg(attachment.id)}/content`}${inline ? '?disposition=inline' : ''}`

/** DELETE /customer-attachments/{id}: 204 */
export const deleteAttachment = (id: Id) => http.delete<void>(`/customer-attachments/${seg(id)}`)

export interface ImportFileOptions {
  mode: ImportMode
  /** CSV only: `auto` (UTF-8 when valid, else GB18030), `utf-8` or `gbk`. */
  encoding?: 'auto' | 'utf-8' | 'gbk'
  format?: 'auto' | 'csv' | 'xlsx'
  /** File header → field (null: not imported). */
  mapping: Record<string, string | null>
  ownerId?: Id | null
  acknowledgeDuplicates?: boolean
}

export interface ImportFileReport extends ImportReport {
  format: 'csv' | 'xlsx'
  encoding: 'utf-8' | 'gb18030' | null
  ignoredColumns: string[]
}

/**
 * POST /customers/import-file: the file itself as the body (up to 20 MiB), read by the
 * server (R-CUST-35, 36); one request, so all-or-nothing holds for the whole file.
 */
export async function importCustomerFile(file: Blob, options: ImportFileOptions, csrfToken: string | null): Promise<ImportFileReport> {
  const query = buildQuery({
    mode: options.mode,
    encoding: options.encoding,
    format: options.format,
    mapping: JSON.stringify(options.mapping),
    ownerId: options.ownerId,
    acknowledgeDuplicates: options.acknowledgeDuplicates ? 'true' : undefined,
  })
  const response = await rawFetch(`${API_BASE}/customers/import-file${query}`, {
    method: 'POST',
    headers: {
      Accept: 'application/json',
      'Content-Type': 'application/octet-stream',
      ...(csrfToken ? { 'X-CSRF-Token': csrfToken } : {}),
    },
    body: file,
  })
  return (await response.json()) as ImportFileReport
}
