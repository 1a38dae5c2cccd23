// Approvals engine endpoints (docs/api-workflow.md).
import { http, seg } from './http'
import type { CursorQuery, Id, ListPage, Timestamp, BusinessDate } from './types'

export const APPROVAL_BOXES = ['inbox', 'mine', 'decided'] as const
export type ApprovalBox = (typeof APPROVAL_BOXES)[number]

export const APPROVAL_ACTIONS = ['approve', 'reject', 'return', 'register', 'withdraw'] as const
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number]

/** `pending` while a step waits; the outcomes of ApprovalEvent otherwise. */
export type ApprovalState = 'pending' | 'approved' | 'registered' | 'rejected' | 'returned' | 'withdrawn' | string

export interface ApprovalStep {
  id: Id
  round: number
  seq: number
  stepKind: 'approve' | 'register'
  /** `manager`, `general_manager`, `sales_assistant` (registration). */
  role: string
  /** null for a registration step: any registrar takes it. */
  approverId: Id | null
  approverName: string | null
  state: 'waiting' | 'pending' | 'approved' | 'rejected' | 'returned' | 'registered' | 'withdrawn' | 'skipped' | string
  decidedById: Id | null
  decidedByName: string | null
  /** Set when a delegate decided on the approver's behalf. */
  onBehalfOfId: Id | null
  onBehalfOfName: string | null
  comment: string | null
  arrivedAt: Timestamp | null
  decidedAt: Timestamp | null
}

export interface Approval {
  id: Id
  /** `visit_plan`, `visit_application`, later `quote`… */
  kind: string
  entityId: Id
  title: string
  summary: Record<string, unknown>
  state: ApprovalState
  requesterId: Id
  requesterName: string | null
  round?: number
  registerAfter?: boolean
  createdAt: Timestamp
  updatedAt?: Timestamp
  closedAt?: Timestamp | null
  /** The current round's steps (detail only). */
  steps?: ApprovalStep[]
  /** Steps of earlier rounds (after a return and a resubmission). */
  history?: ApprovalStep[]
  /** What the caller may do now (detail only; the buttons follow). */
  actions?: ApprovalAction[]
  /** List answers only. */
  currentStep?: { stepKind: string; role: string; approverId: Id | null; approverName: string | null } | null
  onBehalfOfId?: Id | null
}

export interface Delegation {
  delegateId: Id
  delegateName?: string | null
  from: BusinessDate
  to: BusinessDate
  /** Today is within the range. */
  active?: boolean
}

/** GET /approvals?box= */
export const listApprovals = (box: ApprovalBox, query: CursorQuery = {}) =>
  http.get<ListPage<Approval>>('/approvals', { box, limit: query.limit, cursor: query.cursor })

/** GET /approvals/{id}: with its steps. */
export const getApproval = (id: Id) => http.get<Approval>(`/approvals/${seg(id)}`)

/** POST /approvals/{id}/approve|reject|return|register|withdraw */
export const decideApproval = (id: Id, action: ApprovalAction, comment: string) =>
  http.post<Approval>(`/approvals/${seg(id)}/${action}`, comment ? { comment } : {})

/** GET /approval-delegation: mine, or null. */
export const getDelegation = () => http.get<Delegation | null>('/approval-delegation')

/** PUT /approval-delegation: `{delegateId: null}` clears it. */
export const putDelegation = (delegation: Pick<Delegation, 'delegateId' | 'from' | 'to'> | null) =>
  http.put<Delegation | null>('/approval-delegation', delegation ?? { delegateId: null })
