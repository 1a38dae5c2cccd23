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
}

export interface FieldReport {
  id: Id | null
  kind: 'day' | 'week' | 'month'
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

export type PeriodKind = 'week' | 'month'

export const getPeriodDraft = (period: PeriodKind, start?: BusinessDate) =>
  http.get<FieldReport>('/period-reports/draft', { period, start })
export const savePeriodReport = (period: PeriodKind, start: BusinessDate, body: ReportInput) =>
  http.put<FieldReport>(`/period-reports/${seg(period)}/${seg(start)}`, body)
export const submitPeriodReport = (period: PeriodKind, start: BusinessDate, body: ReportInput = {}) =>
  http.post<FieldReport>(`/period-reports/${seg(period)}/${seg(start)}/submit`, body)

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
  month: string
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
