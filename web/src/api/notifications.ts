// In-app notifications and outgoing webhooks (issue #4, contract-visit-loop.md).
import { http, seg } from './http'
import type { CursorQuery, Id, ListPage, Timestamp } from './types'

export interface AppNotification {
  id: Id
  /** Stable code: `approval.pending`, `visit.report_late`, `followup.overdue`… */
  kind: string
  /** zh-CN fallback text; the client renders by kind + data when it knows the kind. */
  title: string
  /** Client route, e.g. `/approvals/12`. */
  link: string | null
  data: Record<string, unknown>
  readAt: Timestamp | null
  createdAt: Timestamp
}

export const WEBHOOK_FORMATS = ['dingtalk', 'wecom'] as const
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number] | string

export interface Webhook {
  id: Id
  name: string
  url: string
  format: WebhookFormat
  /** Notification kinds sent; empty = all. */
  kinds: string[]
  active: boolean
  /** DingTalk signing secret: write-only; the server says whether one is set. */
  hasSecret?: boolean
  createdAt?: Timestamp
}

export interface WebhookInput {
  name: string
  url: string
  format: WebhookFormat
  kinds: string[]
  active: boolean
  secret?: string | null
}

export interface WebhookDelivery {
  id: Id
  notificationId?: Id | null
  state: 'pending' | 'sent' | 'failed' | string
  attempts: number
  lastStatus?: number | null
  lastError?: string | null
  createdAt: Timestamp
  sentAt?: Timestamp | null
}

/** GET /notifications?unread=true */
export const listNotifications = (unreadOnly: boolean, query: CursorQuery = {}) =>
  http.get<ListPage<AppNotification>>('/notifications', {
    unread: unreadOnly ? true : undefined,
    limit: query.limit,
    cursor: query.cursor,
  })

/** GET /notifications/unread-count */
export const unreadCount = () => http.get<{ count: number }>('/notifications/unread-count')

/** POST /notifications/{id}/read */
export const markRead = (id: Id) => http.post<void>(`/notifications/${seg(id)}/read`)

/** POST /notifications/read-all */
export const markAllRead = () => http.post<void>('/notifications/read-all')

export const listWebhooks = () => http.get<ListPage<Webhook>>('/webhooks')
export const createWebhook = (body: WebhookInput) => http.post<Webhook>('/webhooks', body)
export const updateWebhook = (id: Id, body: Partial<WebhookInput>) => http.patch<Webhook>(`/webhooks/${seg(id)}`, body)
export const deleteWebhook = (id: Id) => http.delete<void>(`/webhooks/${seg(id)}`)
export const testWebhook = (id: Id) => http.post<WebhookDelivery | void>(`/webhooks/${seg(id)}/test`)
export const listDeliveries = (id: Id, query: CursorQuery = {}) =>
  http.get<ListPage<WebhookDelivery>>(`/webhooks/${seg(id)}/deliveries`, { limit: query.limit, cursor: query.cursor })
