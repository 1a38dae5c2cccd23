// Daily / period reports, morning notes, routines and market intelligence
// (docs/api-fieldreports.md).
import { http, seg } from './http'
import type { BusinessDate, CursorQuery, Id, ListPage, Money, Timestamp } from './types'

/** `new` = a draft not saved yet (`id` null). */
export type ReportStatus = 'new' | 'draft' | 'submitted' | 'reviewed'

export interface ReportComment {
  id: Id
  authorId: Id
  authorName: string | null
  body: string
  createdAt: Timestamp
}

export interface ReportSection {
  title: string
  body: string
}

export interface DailyFacts {
  date?: BusinessDate
  counts: Record<string, number>
  flags?: Array<{ code: string; count: number }>
  /** Summaries (R-REPORT-7, 12): the most visited customers, market reports by kind, plan vs actual. */
  customers?: Array<{ id: Id; name: string; visits: number }>
  intel?: Array<{ kind: string; count: number }>
  plan?: PlanFacts
}

export interface PlanFacts {
  plannedVisits: number
  plannedCustomers: number
  plannedVisitsDone: number
  /** Rounded down; null without an approved plan in the period. */
  completionPercent: number | null
  unplannedVisits: number
}

export interface FieldReport {
  id: Id | null
  kind: 'day' | PeriodKind
  date?: BusinessDate
  periodStart: BusinessDate
  periodEnd: BusinessDate
  repId: Id
  repName: string | null
  unitName?: string | null
  status: ReportStatus
  late: boolean
  lateIfSubmittedNow?: boolean
  dueAt: Timestamp | null
  submittedAt: Timestamp | null
  reviewedAt?: Timestamp | null
  summary: string
  problems: string | null
  /** Tomorrow's plan in a daily report; next week's / month's in a summary. */
  nextPlan: string | null
  sections?: ReportSection[]
  commentCount?: number
  facts?: DailyFacts
  comments?: ReportComment[]
}

export interface ReportInput {
  summary?: string
  problems?: string | null
  nextPlan?: string | null
  sections?: ReportSection[]
}

export const listDailyReports = (query: { date?: BusinessDate | null; repId?: Id | null; unitId?: Id | null } & CursorQuery = {}) =>
  http.get<ListPage<FieldReport>>('/daily-reports', { date: query.date, repId: query.repId, unitId: query.unitId, limit: query.limit, cursor: query.cursor })
export const getDailyReport = (id: Id) => http.get<FieldReport>(`/daily-reports/${seg(id)}`)
export const getDailyDraft = (date: BusinessDate) => http.get<FieldReport>('/daily-reports/draft', { date })
export const saveDailyReport = (date: BusinessDate, body: ReportInput) => http.put<FieldReport>(`/daily-reports/${seg(date)}`, body)
/** Saves the fields given and submits. */
export const submitDailyReport = (date: BusinessDate, body: ReportInput = {}) => http.post<FieldReport>(`/daily-reports/${seg(date)}/submit`, body)
export const commentDailyReport = (id: Id, body: string) => http.post<FieldReport>(`/daily-reports/${seg(id)}/comment`, { body })

export interface MissingReport {
  repId: Id
  repName: string
  unitId?: Id
  unitName?: string | null
  /** The rep's unsubmitted draft, if any. */
  draftId: Id | null
  /** Past the due time. */
  overdue: boolean
}

export interface MissingPage extends ListPage<MissingReport> {
  date: BusinessDate
  dueAt: Timestamp
}

export const listMissingDailyReports = (date: BusinessDate, unitId?: Id | null) =>
  http.get<MissingPage>('/daily-reports/missing', { date, unitId, limit: 200 })

// ---- morning note ----------------------------------------------------------------------------------

export interface MorningNote {
  id: Id
  repId: Id
  repName?: string | null
  date: BusinessDate
  plan: string
  backByEndOfDay: boolean
  reasonNotBack: string | null
  late?: boolean
  updatedAt?: Timestamp
}

export const listMorningNotes = (query: { date?: BusinessDate | null; repId?: Id | null; unitId?: Id | null } & CursorQuery = {}) =>
  http.get<ListPage<MorningNote>>('/morning-notes', { date: query.date, repId: query.repId, unitId: query.unitId, limit: query.limit, cursor: query.cursor })
/** Today's note of the caller. */
export const putMorningNote = (body: { plan: string; backByEndOfDay: boolean; reasonNotBack?: string | null }) =>
  http.put<MorningNote>('/morning-notes', body)

// ---- weekly / monthly ----------------------------------------------------------------------------

export const PERIOD_KINDS = ['week', 'month', 'quarter', 'half_year', 'year'] as const
export type PeriodKind = (typeof PERIOD_KINDS)[number]

export const getPeriodDraft = (period: PeriodKind, start?: BusinessDate) =>
  http.get<FieldReport>('/period-reports/draft', { period, start })
export const savePeriodReport = (period: PeriodKind, start: BusinessDate, body: ReportInput) =>
  http.put<FieldReport>(`/period-reports/${seg(period)}/${seg(start)}`, body)
export const submitPeriodReport = (period: PeriodKind, start: BusinessDate, body: ReportInput = {}) =>
  http.post<FieldReport>(`/period-reports/${seg(period)}/${seg(start)}/submit`, body)
export const listPeriodReports = (
  query: { period: PeriodKind; start?: BusinessDate | null; repId?: Id | null; unitId?: Id | null; status?: string | null } & CursorQuery,
) =>
  http.get<ListPage<FieldReport>>('/period-reports', {
    period: query.period,
    start: query.start,
    repId: query.repId,
    unitId: query.unitId,
    status: query.status,
    limit: query.limit,
    cursor: query.cursor,
  })
export const getPeriodReport = (id: Id) => http.get<FieldReport>(`/period-reports/${seg(id)}`)
export const commentPeriodReport = (id: Id, body: string) => http.post<FieldReport>(`/period-reports/${seg(id)}/comment`, { body })

// ---- routines (§11) ---------------------------------------------------------------------------------

export const ROUTINE_PERIODS = ['daily', 'weekly', 'monthly', 'quarterly', 'half_yearly', 'yearly'] as const
export type RoutinePeriod = (typeof ROUTINE_PERIODS)[number]

export interface RoutineItem {
  id: Id
  position: number
  text: string
  checked: boolean
  checkedAt: Timestamp | null
  note: string | null
}

export interface RoutineChecklist {
  id: Id
  templateId: Id
  name: string
  period: RoutinePeriod
  periodStart: BusinessDate
  periodEnd: BusinessDate
  current: boolean
  total: number
  checked: number
  items: RoutineItem[]
}

export const getMyRoutines = (date?: BusinessDate) => http.get<{ date: BusinessDate; items: RoutineChecklist[] }>('/routines/mine', { date })
/** Answers the whole checklist. */
export const checkRoutineItem = (id: Id, checked: boolean) => http.post<RoutineChecklist>(`/routines/items/${seg(id)}/check`, { checked })

export interface RoutineCompletionRow {
  userId: Id
  userName: string
  unitName: string | null
  total: number
  checked: number
  percent: number
}

export interface RoutineCompletion extends ListPage<RoutineCompletionRow> {
  period: RoutinePeriod
  periodStart: BusinessDate
  periodEnd: BusinessDate
}

export const getRoutineCompletion = (period: RoutinePeriod, unitId?: Id | null) =>
  http.get<RoutineCompletion>('/routines/completion', { period, unitId, limit: 200 })

// ---- market intelligence (§13) ----------------------------------------------------------------------

export const INTEL_KINDS = [
  'competitor_sales',
  'competitor_price',
  'competitor_new_product',
  'competitor_policy',
  'competitor_channel',
  'competitor_advertising',
  'competitor_promotion',
  'distributor_stock',
  'distributor_flow',
  'customer_feedback',
] as const
export type IntelKind = (typeof INTEL_KINDS)[number] | string

export interface MarketReportInput {
  kind: IntelKind
  /** Required for `competitor_*` kinds. */
  competitor: string | null
  product: string | null
  price: Money | null
  quantity: number | null
  quantityUnit: string | null
  observedOn: BusinessDate
  description: string
  tags: string[]
  customerId: Id | null
  province: string | null
  city: string | null
}

export interface MarketReport extends MarketReportInput {
  id: Id
  reporterId: Id
  reporterName: string | null
  customerName: string | null
  createdAt: Timestamp
  updatedAt?: Timestamp
}

export const listMarketReports = (
  query: { kind?: string | null; customerId?: Id | null; month?: string | null; reporterId?: Id | null; unitId?: Id | null } & CursorQuery = {},
) =>
  http.get<ListPage<MarketReport>>('/market-reports', {
    kind: query.kind,
    customerId: query.customerId,
    month: query.month,
    reporterId: query.reporterId,
    unitId: query.unitId,
    limit: query.limit,
    cursor: query.cursor,
  })
export const createMarketReport = (body: MarketReportInput) => http.post<MarketReport>('/market-reports', body)
export const updateMarketReport = (id: Id, body: Partial<MarketReportInput>) => http.patch<MarketReport>(`/market-reports/${seg(id)}`, body)
export const deleteMarketReport = (id: Id) => http.delete<void>(`/market-reports/${seg(id)}`)

export interface MarketRollup {
  /** One of month (YYYY-MM) and quarter (YYYY-Qn), as asked. */
  month?: string
  quarter?: string
  periodStart?: BusinessDate
  periodEnd?: BusinessDate
  /** Quarterly summaries: the count of each of the quarter's months. */
  byMonth?: Array<{ month: string; count: number }>
  total: number
  byKind: Array<{ kind: IntelKind; count: number }>
  byRegion: Array<{ province: string | null; count: number }>
  /** null gathers the reports without a competitor. */
  byCompetitor: Array<{ competitor: string | null; count: number }>
  /** Counts per kind × province × competitor with the price range of the group. */
  groups?: Array<{
    kind: IntelKind
    province: string | null
    competitor: string | null
    count: number
    customers: number
    minPrice: Money | null
    maxPrice: Money | null
  }>
}

export const getMarketRollup = (month: string, unitId?: Id | null) => http.get<MarketRollup>('/market-reports/rollup', { month, unitId })
/** The quarterly market summary; `quarter` is `YYYY-Qn`. */
export const getQuarterRollup = (quarter: string, unitId?: Id | null) => http.get<MarketRollup>('/market-reports/rollup', { quarter, unitId })

// ---- competitor profiles (§13, R-INTEL-7..12) ----------------------------------------------------------

export interface CompetitorInput {
  name: string
  aliases: string[]
  strength: string
  weakPoints: string
  floor: Money | null
  floorNote: string | null
  notes: string
}

export interface LinkedReport {
  id: Id
  kind: IntelKind
  observedOn: BusinessDate
  competitor: string
  product: string | null
  price: Money | null
  description: string
  reporterName: string
}

export interface CompetitorOffer {
  id: Id
  profileId: Id
  competitor: string
  customerId: Id
  customerName: string
  customerGrade: string
  province: string | null
  city: string | null
  product: string
  theirs: { price: Money | null; terms: string }
  ours: { price: Money | null; terms: string }
  customerData: { volume: number | null; volumeUnit: string | null; note: string }
  /** Theirs − ours; negative when the competitor is cheaper. */
  priceGap: Money | null
  belowFloor: boolean | null
  observedOn: BusinessDate
  createdBy: Id
  createdByName: string
  updatedAt: Timestamp
}

export interface CompetitorProfile extends CompetitorInput {
  id: Id
  createdBy: Id
  createdByName: string
  createdAt: Timestamp
  updatedAt: Timestamp
  offers?: CompetitorOffer[]
  linkedReports?: { total: number; items: LinkedReport[] }
}

export interface OfferInput {
  customerId?: Id
  product: string
  theirPrice: Money | null
  theirTerms: string
  ourPrice: Money | null
  ourTerms: string
  customerVolume: number | null
  volumeUnit: string | null
  customerNote: string
  observedOn?: BusinessDate
}

export interface Comparison {
  profile?: CompetitorProfile
  customer?: { id: Id; name: string; grade: string; province: string | null; city: string | null }
  rows: CompetitorOffer[]
  truncated: boolean
}

export const listCompetitors = (query: { q?: string | null } & CursorQuery = {}) =>
  http.get<ListPage<CompetitorProfile>>('/competitor-profiles', { q: query.q, limit: query.limit, cursor: query.cursor })
export const getCompetitor = (id: Id) => http.get<CompetitorProfile>(`/competitor-profiles/${seg(id)}`)
export const createCompetitor = (body: CompetitorInput) => http.post<CompetitorProfile>('/competitor-profiles', body)
export const updateCompetitor = (id: Id, body: Partial<CompetitorInput>) => http.patch<CompetitorProfile>(`/competitor-profiles/${seg(id)}`, body)
export const deleteCompetitor = (id: Id) => http.delete<void>(`/competitor-profiles/${seg(id)}`)
export const addOffer = (profileId: Id, body: OfferInput) => http.post<CompetitorOffer>(`/competitor-profiles/${seg(profileId)}/offers`, body)
export const updateOffer = (id: Id, body: Partial<OfferInput>) => http.patch<CompetitorOffer>(`/competitor-offers/${seg(id)}`, body)
export const deleteOffer = (id: Id) => http.delete<void>(`/competitor-offers/${seg(id)}`)
export const getComparison = (query: { profileId?: Id | null; customerId?: Id | null }) =>
  http.get<Comparison>('/competitor-comparison', { profileId: query.profileId, customerId: query.customerId })
