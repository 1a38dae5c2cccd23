// In-app notifications and outgoing webhooks (docs/api-workflow.md).
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
  read: boolean
  readAt: Timestamp | null
  createdAt: Timestamp
}

export const WEBHOOK_FORMATS = ['dingtalk', 'wecom'] as const
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number] | string

export interface Webhook {
  id: Id
  name: string
  /** Query values masked by the server (`?access_token=***`): the full URL is write-only. */
  url: string
  format: WebhookFormat
  /** Patterns: `*`, an exact kind (`approval.pending`) or a prefix (`approval.*`). */
  events: string[]
  enabled: boolean
  /** DingTalk signing secret: write-only; the server says whether one is set. */
  hasSecret: boolean
  /** R-NOTIF-8: the messages' language; null follows the policy notifications.webhook_language. */
  language?: WebhookLanguage | null
  createdAt?: Timestamp
  updatedAt?: Timestamp
}

export type WebhookLanguage = 'zh-CN' | 'en'

export interface WebhookInput {
  language?: WebhookLanguage | null
  name: string
  url: string
  format: WebhookFormat
  events: string[]
  enabled: boolean
  /** null removes it (PATCH). */
  secret?: string | null
}

/** One delivery attempt. */
export interface WebhookDelivery {
  id: Id
  outboxId: Id | null
  event: string
  attempt: number
  at: Timestamp
  ok: boolean
  statusCode: number | null
  error: string | null
  durationMs: number
  responseExcerpt: string | null
}

export interface WebhookTestResult {
  ok: boolean
  statusCode: number | null
  error: string | null
  durationMs: number
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
export const markRead = (id: Id) => http.post<AppNotification>(`/notifications/${seg(id)}/read`)

/** POST /notifications/read-all */
export const markAllRead = () => http.post<{ marked: number; count: number }>('/notifications/read-all')

export const listWebhooks = () => http.get<ListPage<Webhook>>('/webhooks')
export const createWebhook = (body: WebhookInput) => http.post<Webhook>('/webhooks', body)
export const updateWebhook = (id: Id, body: Partial<WebhookInput>) => http.patch<Webhook>(`/webhooks/${seg(id)}`, body)
export const deleteWebhook = (id: Id) => http.delete<void>(`/webhooks/${seg(id)}`)
export const testWebhook = (id: Id) => http.post<WebhookTestResult>(`/webhooks/${seg(id)}/test`)
export const listDeliveries = (id: Id, query: CursorQuery = {}) =>
  http.get<ListPage<WebhookDelivery>>(`/webhooks/${seg(id)}/deliveries`, { limit: query.limit, cursor: query.cursor })
