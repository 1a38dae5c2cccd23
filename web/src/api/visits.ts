// Visit loop endpoints of the plans and field modules (issue #4, contract-visit-loop.md;
// docs/api-visits.md). Money travels as fen strings `{"amount","currency"}`.
import { http, seg } from './http'
import type { BusinessDate, CursorQuery, Id, ItemsOf, ListPage, Money, Timestamp } from './types'

// ---- check-ins (field) -----------------------------------------------------------------

export type CheckInKind = 'in' | 'out'

/** Flags the server raises on a check-in for the manager (§3.3, §3.4). */
export const CHECK_IN_FLAGS = ['absence', 'outside_radius', 'no_location', 'speed', 'accuracy', 'clock_skew', 'delayed'] as const
export type CheckInFlag = (typeof CHECK_IN_FLAGS)[number] | string

export interface CheckInRequest {
  /** crypto.randomUUID(): the server answers the same check-in for a resend. */
  clientId: string
  kind: CheckInKind
  customerId: Id | null
  /** Null when the device gave no position (the server flags it). */
  lat: number | null
  lng: number | null
  accuracyM: number | null
  /** Device time of the capture (offline captures are synced later with it). */
  capturedAt: Timestamp
  /** A downscaled JPEG as a data URL, if the rep took one. */
  photo?: string | null
  note?: string | null
}

export interface CheckIn {
  id: Id
  clientId: string
  repId: Id
  repName?: string | null
  customerId: Id | null
  customerName: string | null
  kind: CheckInKind
  /** Server time of receipt. */
  at: Timestamp
  /** Device time of capture. */
  deviceAt: Timestamp | null
  lat: number | null
  lng: number | null
  accuracyM: number | null
  /** Distance to the customer's pinned location; null without one. */
  distanceM: number | null
  radiusM?: number | null
  inside?: boolean | null
  flags: CheckInFlag[]
  delayed: boolean
  visitId?: Id | null
  hasPhoto?: boolean
}

/** POST /check-ins: 201 (or 200 for a resend of the same clientId). */
export const postCheckIn = (body: CheckInRequest) => http.post<CheckIn>('/check-ins', body)

/** GET /check-ins?repId=&date= */
export const listCheckIns = (query: { repId?: Id | null; date?: BusinessDate | null } & CursorQuery = {}) =>
  http.get<ListPage<CheckIn>>('/check-ins', { repId: query.repId, date: query.date, limit: query.limit, cursor: query.cursor })

// ---- visits (field) ---------------------------------------------------------------------

export const VISIT_PURPOSES = ['market_research', 'competitor_intel', 'relationship', 'new_customer', 'new_product', 'coverage'] as const
export type VisitPurpose = (typeof VISIT_PURPOSES)[number] | string

export type ReportStatus = 'open' | 'submitted' | 'late' | 'reviewed'

/** What a distributor visit checks (§3.5). */
export interface DistributorChecks {
  prices: string | null
  stock: string | null
  sales: string | null
  accounts: string | null
  policies?: string | null
  crossRegion?: string | null
}

export interface Promise_ {
  title: string
  dueOn: BusinessDate
}

export interface VisitReport {
  purposes: VisitPurpose[]
  salesTarget: string | null
  adminTarget: string | null
  results: string | null
  distributorChecks: DistributorChecks | null
  objections: string | null
  /** Each promise becomes a follow-up item (§3.5). */
  promises: Promise_[]
}

export interface Visit extends VisitReport {
  id: Id
  repId: Id
  repName?: string | null
  customerId: Id
  customerName: string | null
  visitDate: BusinessDate
  checkedInAt: Timestamp | null
  checkedOutAt: Timestamp | null
  reportStatus: ReportStatus
  reportDueOn: BusinessDate | null
  reportSubmittedAt?: Timestamp | null
  reviewComment?: string | null
  reviewedByName?: string | null
  flags?: CheckInFlag[]
}

export const listVisits = (
  query: {
    repId?: Id | null
    customerId?: Id | null
    date?: BusinessDate | null
    from?: BusinessDate | null
    to?: BusinessDate | null
    reportStatus?: ReportStatus | null
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
export const submitVisitReport = (id: Id) => http.post<Visit>(`/visits/${seg(id)}/submit-report`)
export const reviewVisit = (id: Id, comment: string) => http.post<Visit>(`/visits/${seg(id)}/review`, { comment })

// ---- follow-up items (field) ---------------------------------------------------------------

export type FollowUpStatus = 'open' | 'done' | 'cancelled'

export interface FollowUpItem {
  id: Id
  customerId: Id
  customerName: string | null
  visitId: Id | null
  ownerId: Id
  ownerName?: string | null
  title: string
  dueOn: BusinessDate
  status: FollowUpStatus
  overdue?: boolean
  doneAt: Timestamp | null
  createdAt?: Timestamp
}

export interface FollowUpQuery extends CursorQuery {
  status?: FollowUpStatus | null
  overdue?: boolean | null
  ownerId?: Id | null
  customerId?: Id | null
  unitId?: Id | null
  dueBefore?: BusinessDate | null
}

export const listFollowUps = (query: FollowUpQuery = {}) =>
  http.get<ListPage<FollowUpItem>>('/follow-up-items', {
    status: query.status,
    overdue: query.overdue ?? undefined,
    ownerId: query.ownerId,
    customerId: query.customerId,
    unitId: query.unitId,
    dueBefore: query.dueBefore,
    limit: query.limit,
    cursor: query.cursor,
  })
export const createFollowUp = (body: { customerId: Id; title: string; dueOn: BusinessDate; visitId?: Id | null }) =>
  http.post<FollowUpItem>('/follow-up-items', body)
export const updateFollowUp = (id: Id, body: Partial<Pick<FollowUpItem, 'title' | 'dueOn' | 'status'>>) =>
  http.patch<FollowUpItem>(`/follow-up-items/${seg(id)}`, body)
export const markFollowUpDone = (id: Id) => http.post<FollowUpItem>(`/follow-up-items/${seg(id)}/done`)

// ---- my day / team day (field) ---------------------------------------------------------------

export interface PlannedCustomer {
  customerId: Id
  customerName: string
  address?: string | null
  location?: { lat: number; lng: number } | null
  purposes: VisitPurpose[]
  applicationId?: Id | null
  /** The open visit of today for this customer, if checked in. */
  visitId?: Id | null
  checkedIn?: boolean
  checkedOut?: boolean
}

export interface MyDayApplication {
  id: Id
  status: ApplicationStatus
  visitDate: BusinessDate
  purpose?: string | null
}

export interface MyDay {
  date: BusinessDate
  applications: MyDayApplication[]
  planned: PlannedCustomer[]
  checkIns: CheckIn[]
  visits: Visit[]
  followUpsDue: FollowUpItem[]
  morningNote?: { text: string; updatedAt?: Timestamp } | null
}

export const getMyDay = (date?: BusinessDate) => http.get<MyDay>('/my-day', { date })

export interface TeamDayRep {
  repId: Id
  repName: string
  unitName?: string | null
  checkIns: CheckIn[]
  visits: Visit[]
  flags: CheckInFlag[]
  /** The rep planned visits (an approved application) that day. */
  applications?: MyDayApplication[]
  dailyReportStatus?: string | null
}

export interface TeamDay {
  date: BusinessDate
  reps: TeamDayRep[]
}

export const getTeamDay = (date: BusinessDate, unitId?: Id | null) =>
  http.get<TeamDay>('/team-day', { date, unitId })

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
  salesTargetFen: string | null
  adminTargets: string | null
}

export interface VisitPlan {
  id: Id
  repId: Id
  repName?: string | null
  /** `YYYY-MM` */
  month: string
  status: PlanStatus
  items: PlanItem[]
  targets: PlanTargets
  approvalId?: Id | null
  submittedAt?: Timestamp | null
  updatedAt?: Timestamp
}

export interface CoverageEntry {
  customerId: Id
  customerName: string
  grade?: string | null
  region?: string | null
  required: number
  planned: number
  /** `missing` (left out), `short` (fewer than the norm), `ok`. */
  state: 'missing' | 'short' | 'ok' | string
}

export interface Coverage {
  items: CoverageEntry[]
  summary?: { customers: number; covered: number; missing: number }
}

export const listPlans = (query: { repId?: Id | null; month?: string | null; status?: PlanStatus | null } & CursorQuery = {}) =>
  http.get<ListPage<VisitPlan>>('/visit-plans', { repId: query.repId, month: query.month, status: query.status, limit: query.limit, cursor: query.cursor })
export const createPlan = (body: { month: string; items?: PlanItem[]; targets?: Partial<PlanTargets> }) =>
  http.post<VisitPlan>('/visit-plans', body)
export const getPlan = (id: Id) => http.get<VisitPlan>(`/visit-plans/${seg(id)}`)
export const updatePlan = (id: Id, body: { items?: PlanItem[]; targets?: Partial<PlanTargets> }) =>
  http.patch<VisitPlan>(`/visit-plans/${seg(id)}`, body)
export const getCoverage = (id: Id) => http.get<Coverage>(`/visit-plans/${seg(id)}/coverage`)
export const submitPlan = (id: Id) => http.post<VisitPlan>(`/visit-plans/${seg(id)}/submit`)

export interface ProgressRow {
  repId: Id | null
  repName: string | null
  planned: number
  actual: number
  /** Planned visits done on the planned day. */
  onPlan?: number
  unplanned?: number
}

export interface Progress {
  month: string
  reps: ProgressRow[]
  team: ProgressRow
}

export const getProgress = (month: string, unitId?: Id | null) =>
  http.get<Progress>('/visit-plans/progress', { month, unitId })

// ---- visit applications (plans) -------------------------------------------------------------------

export type ApplicationStatus = 'draft' | 'pending' | 'approved' | 'registered' | 'rejected' | 'returned' | 'withdrawn'

export interface CostLine {
  description: string
  amount: Money
}

export interface VisitApplicationInput {
  visitDate: BusinessDate
  customerIds: Id[]
  purpose: string
  expenses: CostLine[]
  gifts: CostLine[]
  /** The rep comes to the office that morning (else the deadline is the day before, §3.3). */
  inOfficeMorning?: boolean
}

export interface VisitApplication extends VisitApplicationInput {
  id: Id
  repId: Id
  repName?: string | null
  customers?: Array<{ id: Id; name: string }>
  status: ApplicationStatus
  approvalId?: Id | null
  late?: boolean
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
  region?: string | null
  lastVisitOn: BusinessDate | null
  dueOn: BusinessDate | null
  /** `due` or `overdue`. */
  state: 'due' | 'overdue' | string
  overdueDays?: number
}

export const getVisitNorms = (query: { unitId?: Id | null; repId?: Id | null } & CursorQuery = {}) =>
  http.get<ListPage<NormEntry> | ItemsOf<NormEntry>>('/visit-norms', { unitId: query.unitId, repId: query.repId, limit: query.limit, cursor: query.cursor })
