// Daily / period reports, morning notes, routines and market intelligence (issue #4,
// contract-visit-loop.md; docs/api-fieldreports.md).
import { http, seg } from './http'
import type { BusinessDate, CursorQuery, Id, ItemsOf, ListPage, Timestamp } from './types'

export type DailyReportStatus = 'draft' | 'submitted' | 'late' | 'missing' | string

export interface ReportComment {
  id?: Id
  authorId?: Id
  authorName: string | null
  text: string
  at: Timestamp
}

export interface DailyReport {
  id: Id | null
  repId: Id
  repName?: string | null
  date: BusinessDate
  status: DailyReportStatus
  /** The rep's text (pre-filled from the day's check-ins, visits and follow-ups). */
  summary: string
  problems: string | null
  tomorrowPlan: string | null
  /** Counts the draft was built from. */
  stats?: { checkIns?: number; visits?: number; followUpsDone?: number; followUpsDue?: number }
  submittedAt: Timestamp | null
  comments: ReportComment[]
}

export type DailyReportInput = Pick<DailyReport, 'summary' | 'problems' | 'tomorrowPlan'>

export const listDailyReports = (query: { date?: BusinessDate | null; repId?: Id | null; unitId?: Id | null } & CursorQuery = {}) =>
  http.get<ListPage<DailyReport>>('/daily-reports', { date: query.date, repId: query.repId, unitId: query.unitId, limit: query.limit, cursor: query.cursor })
export const getDailyDraft = (date: BusinessDate) => http.get<DailyReport>('/daily-reports/draft', { date })
export const saveDailyReport = (date: BusinessDate, body: DailyReportInput) => http.put<DailyReport>(`/daily-reports/${seg(date)}`, body)
export const submitDailyReport = (date: BusinessDate) => http.post<DailyReport>(`/daily-reports/${seg(date)}/submit`)
export const commentDailyReport = (id: Id, text: string) => http.post<DailyReport>(`/daily-reports/${seg(id)}/comment`, { text })

export interface MissingReport {
  repId: Id
  repName: string
  unitName?: string | null
  date: BusinessDate
  state: 'missing' | 'late' | string
}

export const listMissingDailyReports = (date: BusinessDate, unitId?: Id | null) =>
  http.get<ItemsOf<MissingReport>>('/daily-reports/missing', { date, unitId })

export interface MorningNote {
  date: BusinessDate
  text: string
  /** Why the rep cannot be back by the end of the day (§3.4). */
  notBackReason?: string | null
  updatedAt?: Timestamp | null
}

export const getMorningNote = (date?: BusinessDate) => http.get<MorningNote | null>('/morning-notes', { date })
export const putMorningNote = (body: MorningNote) => http.put<MorningNote>('/morning-notes', body)

// ---- weekly / monthly ----------------------------------------------------------------------------

export type PeriodKind = 'week' | 'month'

export interface PeriodReport {
  id: Id | null
  period: PeriodKind
  start: BusinessDate
  status: DailyReportStatus
  summary: string
  stats?: Record<string, number>
  submittedAt: Timestamp | null
}

export const getPeriodDraft = (period: PeriodKind, start: BusinessDate) =>
  http.get<PeriodReport>('/period-reports/draft', { period, start })
export const savePeriodReport = (period: PeriodKind, start: BusinessDate, summary: string) =>
  http.put<PeriodReport>(`/period-reports/${seg(period)}/${seg(start)}`, { summary })
export const submitPeriodReport = (period: PeriodKind, start: BusinessDate) =>
  http.post<PeriodReport>(`/period-reports/${seg(period)}/${seg(start)}/submit`)

// ---- routines (§11) ---------------------------------------------------------------------------------

export const ROUTINE_PERIODS = ['daily', 'weekly', 'monthly', 'quarterly', 'half_yearly', 'yearly'] as const
export type RoutinePeriod = (typeof ROUTINE_PERIODS)[number]

export interface RoutineItem {
  id: Id
  text: string
  checked: boolean
  checkedAt: Timestamp | null
}

export interface RoutineChecklist {
  assignmentId: Id
  templateName: string
  period: RoutinePeriod
  /** The period instance, e.g. `2026-11-22` or `2026-W47`. */
  periodKey: string
  items: RoutineItem[]
}

export const getMyRoutines = (date?: BusinessDate) => http.get<ItemsOf<RoutineChecklist>>('/routines/mine', { date })
export const checkRoutineItem = (id: Id, checked: boolean) => http.post<RoutineItem>(`/routines/items/${seg(id)}/check`, { checked })

export interface RoutineCompletionRow {
  repId: Id
  repName: string
  period: RoutinePeriod
  done: number
  total: number
}

export const getRoutineCompletion = (unitId?: Id | null, date?: BusinessDate) =>
  http.get<ItemsOf<RoutineCompletionRow>>('/routines/completion', { unitId, date })

// ---- market intelligence (§13) ----------------------------------------------------------------------

export const INTEL_CATEGORIES = ['sales', 'price', 'new_product', 'policy', 'channel', 'advertising', 'promotion', 'distributor_stock', 'customer_feedback'] as const
export type IntelCategory = (typeof INTEL_CATEGORIES)[number] | string

export interface MarketReportInput {
  category: IntelCategory
  competitor: string | null
  title: string
  content: string
  customerId: Id | null
  region: string | null
  observedOn: BusinessDate
}

export interface MarketReport extends MarketReportInput {
  id: Id
  authorId: Id
  authorName: string | null
  customerName?: string | null
  createdAt: Timestamp
}

export const listMarketReports = (
  query: { category?: string | null; customerId?: Id | null; region?: string | null; month?: string | null; authorId?: Id | null } & CursorQuery = {},
) =>
  http.get<ListPage<MarketReport>>('/market-reports', {
    category: query.category,
    customerId: query.customerId,
    region: query.region,
    month: query.month,
    authorId: query.authorId,
    limit: query.limit,
    cursor: query.cursor,
  })
export const createMarketReport = (body: MarketReportInput) => http.post<MarketReport>('/market-reports', body)
export const updateMarketReport = (id: Id, body: Partial<MarketReportInput>) => http.patch<MarketReport>(`/market-reports/${seg(id)}`, body)
export const deleteMarketReport = (id: Id) => http.delete<void>(`/market-reports/${seg(id)}`)

export interface MarketRollup {
  month: string
  byCategory: Array<{ category: IntelCategory; count: number }>
  byRegion: Array<{ region: string; count: number }>
  byCompetitor?: Array<{ competitor: string; count: number }>
  total: number
}

export const getMarketRollup = (month: string) => http.get<MarketRollup>('/market-reports/rollup', { month })
