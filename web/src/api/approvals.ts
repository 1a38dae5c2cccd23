// Approvals engine endpoints (issue #4, contract-visit-loop.md; docs/api-workflow.md).
import { http, seg } from './http'
import type { CursorQuery, Id, ListPage, Timestamp, BusinessDate } from './types'

export const APPROVAL_BOXES = ['inbox', 'mine', 'decided'] as const
export type ApprovalBox = (typeof APPROVAL_BOXES)[number]

export const APPROVAL_ACTIONS = ['approve', 'reject', 'return', 'register', 'withdraw'] as const
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number]

/** `pending` while a step waits; the outcomes of ApprovalEvent otherwise. */
export type ApprovalState = 'pending' | 'approved' | 'registered' | 'rejected' | 'returned' | 'withdrawn' | string

export interface ApprovalStep {
  approverId: Id
  approverName: string | null
  /** `manager`, `general_manager`, `register` (the sales assistant's registration step)… */
  role: string
  state: 'waiting' | 'pending' | 'approved' | 'rejected' | 'returned' | 'registered' | 'skipped' | string
  comment: string | null
  decidedAt: Timestamp | null
  /** The delegate who decided on the approver's behalf, if any. */
  decidedByName?: string | null
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
  createdAt: Timestamp
  updatedAt?: Timestamp
  steps?: ApprovalStep[]
  /** What the caller may do now (the server decides; the buttons follow). */
  actions?: ApprovalAction[]
}

export interface Delegation {
  delegateId: Id
  delegateName?: string | null
  from: BusinessDate
  to: BusinessDate
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

/** PUT /approval-delegation: null clears it. */
export const putDelegation = (delegation: Delegation | null) => http.put<Delegation | null>('/approval-delegation', delegation)
