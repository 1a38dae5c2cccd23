import { http } from './http'
import type { AuditEntry, BusinessDate, CursorQuery, Id, ListPage } from './types'

export interface AuditQuery extends CursorQuery {
  actorId?: Id | null
  /** `user`, `unit`, `policy`, `role`, `session`, … */
  entity?: string | null
  entityId?: Id | null
  action?: string | null
  from?: BusinessDate | null
  to?: BusinessDate | null
}

/** GET /audit: newest first. */
export const listAudit = (query: AuditQuery = {}) =>
  http.get<ListPage<AuditEntry>>('/audit', {
    actorId: query.actorId,
    entity: query.entity,
    entityId: query.entityId,
    action: query.action,
    from: query.from,
    to: query.to,
    limit: query.limit,
    cursor: query.cursor,
  })
