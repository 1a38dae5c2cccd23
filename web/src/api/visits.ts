// Visit loop endpoints of the plans and field modules (docs/api-visits.md). Money travels
// as fen strings `{"amount","currency"}`.
import { http, seg } from './http'
import type { BusinessDate, CursorQuery, Id, ListPage, Money, Timestamp } from './types'

// ---- check-ins (field; docs/api-visits.md) ------------------------------------------------

export type CheckInKind = 'in' | 'out'
export type CheckInPlace = 'customer' | 'office' | 'other'

/** Flags the server raises on a check-in for the manager (§3.3, §3.4), stable codes. */
export const CHECK_IN_FLAGS = [
  'absence',
  'no_application',
  'outside_geofence',
  'no_customer_location',
  'poor_accuracy',
  'too_fast',
  'clock_skew',
  'stale_capture',
  'delayed',
] as const
export type CheckInFlag = (typeof CHECK_IN_FLAGS)[number] | string

export interface CheckInRequest {
  /** crypto.randomUUID(): the server answers the stored check-in for a resend. */
  clientId: string
  kind: CheckInKind
  place?: CheckInPlace
  /** Required for, and only for, place `customer`. */
  customerId?: Id
  /** A check-out may name the visit it closes. */
  visitId?: Id | null
  lat: number
  lng: number
  accuracyM: number
  /** Device clock at capture (offline captures are synced later with it). */
  capturedAt: Timestamp
  /** Device clock when sent (set by the sender, also on a flush of the offline queue). */
  sentAt?: Timestamp
  /** A downscaled JPEG as a data URL, if the rep took one. */
  photo?: string | null
  note?: string | null
}

export type Geofence = 'inside' | 'outside' | 'unknown' | 'none'

export interface CheckIn {
  id: Id
  clientId?: string
  repId?: Id
  repName?: string | null
  customerId: Id | null
  customerName: string | null
  visitId?: Id | null
  kind: CheckInKind
  place?: CheckInPlace
  /** When it happened (receipt, or the corrected capture time of a delayed one). */
  at: Timestamp
  businessDate?: BusinessDate
  receivedAt?: Timestamp
  capturedAt?: Timestamp
  sentAt?: Timestamp | null
  location?: { lat: number; lng: number; accuracyM: number } | null
  /** team-day items carry the accuracy at the top level. */
  accuracyM?: number | null
  /** Distance to the customer's pinned location; null without one. */
  distanceM: number | null
  geofence: Geofence
  speedKmh?: number | null
  flags: CheckInFlag[]
  delayed: boolean
  hasPhoto?: boolean
  note?: string | null
  /** True when the server answered a resend of a known clientId. */
  replayed?: boolean
}

/** POST /check-ins: 201 (or 200 for a resend of the same clientId). */
export const postCheckIn = (body: CheckInRequest) => http.post<CheckIn>('/check-ins', body)
/** R-VISIT-48: pins the check-in's unpinned customer at the check-in's position (the rep's own, accurate check-in). */
export const pinCustomerFromCheckIn = (checkInId: Id) =>
  http.post<{ checkInId: Id; customerId: Id; location: { lat: number; lng: number; accuracyM: number } }>(
    `/check-ins/${seg(checkInId)}/pin-customer`,
  )

/** GET /check-ins?repId=&date= (oldest first) */
export const listCheckIns = (query: { repId?: Id | null; date?: BusinessDate | null } & CursorQuery = {}) =>
  http.get<ListPage<CheckIn>>('/check-ins', { repId: query.repId, date: query.date, limit: query.limit, cursor: query.cursor })

// ---- visits (field) ---------------------------------------------------------------------

export const VISIT_PURPOSES = ['market_research', 'competitor_intel', 'relationship', 'new_customer', 'new_product', 'coverage'] as const
export type VisitPurpose = (typeof VISIT_PURPOSES)[number] | string

export const OBJECTION_CATEGORIES = ['price', 'effect', 'after_sales', 'competitor', 'support_system', 'guarantee'] as const

export type ReportStatus = 'open' | 'submitted' | 'late' | 'reviewed'

/** What a distributor visit checks (§3.5). */
export interface DistributorCheck {
  prices?: string | null
  stock?: string | null
  sales?: string | null
  policies?: string | null
  competitors?: string | null
  crossRegionSelling?: boolean
  priceDisorder?: boolean
  accounts?: {
    creditLimitFen?: number
    creditUsedFen?: number
    paidFen?: number
    receivableFen?: number
    overdueFen?: number
    note?: string | null
  } | null
}

export interface Objection {
  text: string
  category?: string | null
  answer?: string | null
  outcome?: string | null
}

export interface VisitPromise {
  title: string
  dueOn: BusinessDate
  ownerId?: Id
}

export interface VisitReport {
  purposes: VisitPurpose[]
  targets: { sales: string | null; administrative: string | null }
  results: string | null
  distributorCheck: DistributorCheck | null
  objections: Objection[]
  /** Each promise becomes a follow-up item at submission (§3.5). */
  promises: VisitPromise[]
}

export interface Visit extends VisitReport {
  id: Id
  repId: Id
  repName?: string | null
  customerId: Id
  customerName: string | null
  visitDate: BusinessDate
  kind?: string
  checkedInAt: Timestamp | null
  checkedOutAt: Timestamp | null
  durationMinutes?: number | null
  flags?: CheckInFlag[]
  reportStatus: ReportStatus
  reportDueOn: BusinessDate | null
  reportSubmittedAt?: Timestamp | null
  reportLate?: boolean
  reviewedByName?: string | null
  reviewedAt?: Timestamp | null
  reviewComment?: string | null
  checkIns?: CheckIn[]
}

export const listVisits = (
  query: {
    repId?: Id | null
    customerId?: Id | null
    date?: BusinessDate | null
    from?: BusinessDate | null
    to?: BusinessDate | null
    reportStatus?: ReportStatus | null
    /** The reps of that unit's subtree (must lie in the caller's scope). */
    unitId?: Id | null
  } & CursorQuery = {},
) =>
  http.get<ListPage<Visit>>('/visits', {
    repId: query.repId,
    customerId: query.customerId,
    date: query.date,
    from: query.from,
    to: query.to,
    reportStatus: query.reportStatus,
    unitId: query.unitId,
    limit: query.limit,
    cursor: query.cursor,
  })
export const getVisit = (id: Id) => http.get<Visit>(`/visits/${seg(id)}`)
export const updateVisit = (id: Id, body: Partial<VisitReport>) => http.patch<Visit>(`/visits/${seg(id)}`, body)
/** The body may carry report fields to apply first. */
export const submitVisitReport = (id: Id, body?: Partial<VisitReport>) => http.post<Visit>(`/visits/${seg(id)}/submit-report`, body ?? {})
export const reviewVisit = (id: Id, comment: string) => http.post<Visit>(`/visits/${seg(id)}/review`, { comment })

// ---- follow-up items (field) ---------------------------------------------------------------

export type FollowUpStatus = 'open' | 'done' | 'cancelled'
/** List filter: the stored status, or a state derived from the due date. */
export type FollowUpFilter = FollowUpStatus | 'due_today' | 'overdue' | 'all'

export interface FollowUpItem {
  id: Id
  customerId: Id
  customerName: string | null
  visitId: Id | null
  ownerId: Id
  ownerName?: string | null
  title: string
  note?: string | null
  dueOn: BusinessDate
  status: FollowUpStatus
  /** `status`, with `due_today` / `overdue` for open items. */
  state?: string
  doneAt: Timestamp | null
  doneNote?: string | null
  createdAt?: Timestamp
}

export interface FollowUpQuery extends CursorQuery {
  status?: FollowUpFilter | null
  ownerId?: Id | null
  customerId?: Id | null
  visitId?: Id | null
  /** Owners in that unit's subtree (must lie in the caller's scope). */
  unitId?: Id | null
}

export const listFollowUps = (query: FollowUpQuery = {}) =>
  http.get<ListPage<FollowUpItem>>('/follow-up-items', {
    status: query.status,
    ownerId: query.ownerId,
    customerId: query.customerId,
    visitId: query.visitId,
    unitId: query.unitId,
    limit: query.limit,
    cursor: query.cursor,
  })
export const createFollowUp = (body: { customerId: Id; title: string; dueOn: BusinessDate; visitId?: Id | null }) =>
  http.post<FollowUpItem>('/follow-up-items', body)
/** PATCH: status may only be `open` or `cancelled` here; done goes through /done. */
export const updateFollowUp = (
  id: Id,
  body: { title?: string; note?: string | null; dueOn?: BusinessDate; ownerId?: Id; status?: 'open' | 'cancelled' },
) =>
  http.patch<FollowUpItem>(`/follow-up-items/${seg(id)}`, body)
export const markFollowUpDone = (id: Id, note?: string) =>
  http.post<FollowUpItem>(`/follow-up-items/${seg(id)}/done`, note ? { note } : {})

export const isOverdue = (item: FollowUpItem, today: BusinessDate) =>
  item.status === 'open' && (item.state ? item.state === 'overdue' : item.dueOn < today)

// ---- my day / team day (field) ---------------------------------------------------------------

export interface MyDay {
  date: BusinessDate
  checkIns: CheckIn[]
  /** Visits of that day. */
  visits: Visit[]
  /** Visits of any day whose report is open or late. */
  reportsDue: Visit[]
  /** Open items due by that day. */
  followUpsDue: FollowUpItem[]
  /** The customers of the approved plan on that day and of the approved or registered applications (R-VISIT-59). */
  planned?: PlannedCustomer[]
}

export interface PlannedCustomer {
  customerId: Id
  customerName: string
  location: { lat: number; lng: number } | null
  inPlan: boolean
  applicationId: Id | null
  applicationStatus: string | null
  purposes: string[]
  visitId: Id | null
}

export const getMyDay = (date?: BusinessDate) => http.get<MyDay>('/my-day', { date })

export interface TeamDayRep {
  repId: Id
  repName: string
  unitId?: Id
  /** Only in the full view; the summary names units once in TeamDay.units. */
  unitName?: string | null
  /** Only in the full view (view=full). */
  checkIns?: CheckIn[]
  /** Only in the full view (view=full). */
  visits?: Visit[]
  /** Counts per rep, in both views. */
  checkInCount?: number
  firstCheckInAt?: string | null
  lastCheckInAt?: string | null
  visitCount?: number
  reportsPending?: number
  reportsLate?: number
  flagCounts: Record<string, number>
}

/** full: every check-in and visit (up to 1,000 reps); summary: counts per rep (up to 5,000). */
export type TeamDayView = 'full' | 'summary'

/** The error of a full view asked for too many reps: ask the summary instead. */
export const TEAM_DAY_TOO_LARGE = 'visits.team_day_too_large'

export interface TeamDay {
  date: BusinessDate
  unitId: Id | null
  view?: TeamDayView
  /** The units of the listed reps, once each (R-VISIT-58). */
  units?: { id: Id; name: string }[]
  reps: TeamDayRep[]
  summary: {
    reps: number
    repsCheckedIn: number
    checkIns: number
    visits: number
    reportsPending: number
    reportsLate: number
    flagCounts: Record<string, number>
  }
}

export const getTeamDay = (date: BusinessDate, unitId?: Id | null, view?: TeamDayView) =>
  http.get<TeamDay>('/team-day', { date, unitId, view })

// ---- monthly plans (plans) --------------------------------------------------------------------

export type PlanStatus = 'draft' | 'pending' | 'approved' | 'returned' | 'rejected' | 'withdrawn' | string

export interface PlanItem {
  id?: Id
  customerId: Id
  customerName?: string | null
  date: BusinessDate
  purposes: VisitPurpose[]
  note: string | null
}

export interface PlanTargets {
  /** Fen as a decimal string. */
  salesTargetFen: string | null
  adminTargets: string | null
}

export interface CoverageSummary {
  customers?: number
  covered: number
  missing: number
  short: number
  requiredVisits: number
  plannedTowardNorm: number
  coveragePercent: number | null
}

export interface VisitPlan {
  id: Id
  repId: Id
  repName?: string | null
  /** `YYYY-MM` */
  month: string
  status: PlanStatus
  /** In single reads (lists may leave them out). */
  items?: PlanItem[]
  targets: PlanTargets
  note?: string | null
  approvalId?: Id | null
  late?: boolean
  deadlineAt?: Timestamp
  submittedAt?: Timestamp | null
  decisionComment?: string | null
  coverageSummary?: CoverageSummary
  updatedAt?: Timestamp
}

export interface CoverageEntry {
  customerId: Id
  customerName: string
  grade: string | null
  /** `same_city`, `same_province`, `other` (relation to the rep's region). */
  region: string | null
  lastVisitOn: BusinessDate | null
  required: number
  planned: number
  /** `missing` (left out), `short` (fewer than the norm), `ok`. */
  state: 'missing' | 'short' | 'ok' | string
}

export interface Coverage {
  month: string
  items: CoverageEntry[]
  summary: CoverageSummary
}

export const listPlans = (query: { repId?: Id | null; month?: string | null; status?: PlanStatus | null } & CursorQuery = {}) =>
  http.get<ListPage<VisitPlan>>('/visit-plans', { repId: query.repId, month: query.month, status: query.status, limit: query.limit, cursor: query.cursor })
export const createPlan = (body: { month: string; items?: PlanItem[]; targets?: Partial<PlanTargets>; note?: string | null }) =>
  http.post<VisitPlan>('/visit-plans', body)
export const getPlan = (id: Id) => http.get<VisitPlan>(`/visit-plans/${seg(id)}`)
export const updatePlan = (id: Id, body: { items?: PlanItem[]; targets?: Partial<PlanTargets>; note?: string | null }) =>
  http.patch<VisitPlan>(`/visit-plans/${seg(id)}`, body)
export const getCoverage = (id: Id) => http.get<Coverage>(`/visit-plans/${seg(id)}/coverage`)
export const submitPlan = (id: Id) => http.post<VisitPlan>(`/visit-plans/${seg(id)}/submit`)

export interface ProgressRow {
  repId: Id | null
  repName: string | null
  planId?: Id | null
  planStatus?: string | null
  planned: number
  plannedToDate?: number
  actual: number
  /** Planned visits made on their planned day. */
  onPlan: number
  unplanned: number
  actualPercent?: number | null
  onPlanPercent?: number | null
}

export interface Progress {
  month: string
  today?: BusinessDate
  reps: ProgressRow[]
  team: ProgressRow
}

export const getProgress = (month: string, unitId?: Id | null) =>
  http.get<Progress>('/visit-plans/progress', { month, unitId })

// ---- visit applications (plans) -------------------------------------------------------------------

export type ApplicationStatus = 'draft' | 'pending' | 'approved' | 'registered' | 'rejected' | 'returned' | 'withdrawn'

/** §3.3: gifts, entertainment and other expenses of a visit are applied for in advance. */
export const EXPENSE_CATEGORIES = ['gift', 'entertainment', 'meal', 'travel', 'samples', 'other'] as const
export type ExpenseCategory = (typeof EXPENSE_CATEGORIES)[number]

export interface ExpenseLine {
  category: ExpenseCategory | string
  description: string
  amount: Money
}

export interface VisitApplicationInput {
  visitDate: BusinessDate
  customerIds: Id[]
  purposes: VisitPurpose[]
  notes: string | null
  expenses: ExpenseLine[]
  /** The rep comes to the office that morning (else the deadline is the day before, §3.3). */
  comesToOfficeFirst: boolean
}

export interface VisitApplication extends VisitApplicationInput {
  id: Id
  repId: Id
  repName?: string | null
  customers: Array<{ id: Id; name: string }>
  status: ApplicationStatus
  expectedTotal?: Money
  needsRegistration?: boolean
  deadlineAt?: Timestamp
  approvalId?: Id | null
  late?: boolean
  submittedAt?: Timestamp | null
  decisionComment?: string | null
  createdAt?: Timestamp
}

export const listApplications = (query: { repId?: Id | null; status?: ApplicationStatus | null; from?: BusinessDate | null; to?: BusinessDate | null } & CursorQuery = {}) =>
  http.get<ListPage<VisitApplication>>('/visit-applications', {
    repId: query.repId,
    status: query.status,
    from: query.from,
    to: query.to,
    limit: query.limit,
    cursor: query.cursor,
  })
export const createApplication = (body: VisitApplicationInput) => http.post<VisitApplication>('/visit-applications', body)
export const getApplication = (id: Id) => http.get<VisitApplication>(`/visit-applications/${seg(id)}`)
export const updateApplication = (id: Id, body: Partial<VisitApplicationInput>) =>
  http.patch<VisitApplication>(`/visit-applications/${seg(id)}`, body)
export const submitApplication = (id: Id) => http.post<VisitApplication>(`/visit-applications/${seg(id)}/submit`)

// ---- visit norms (plans) -----------------------------------------------------------------------------

export interface NormEntry {
  customerId: Id
  customerName: string
  ownerId: Id | null
  ownerName: string | null
  grade: string | null
  region: string | null
  lastVisitOn: BusinessDate | null
  dueOn: BusinessDate | null
  /** `due` or `overdue`. */
  state: 'due' | 'overdue' | string
  overdueDays: number | null
  intervalMonths?: number | null
  visitsPerMonth?: number | null
}

export interface NormsPage extends ListPage<NormEntry> {
  today: BusinessDate
  summary: { due: number; overdue: number }
}

export const getVisitNorms = (query: { unitId?: Id | null; repId?: Id | null; state?: 'due' | 'overdue' | null } & CursorQuery = {}) =>
  http.get<NormsPage>('/visit-norms', { unitId: query.unitId, repId: query.repId, state: query.state, limit: query.limit, cursor: query.cursor })
