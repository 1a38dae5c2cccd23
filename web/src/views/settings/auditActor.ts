// Who made an audited change: a user's name as it is; entries without a user are written by
// the server's own jobs under a system name (pool-reclaim, grading-policy, …), shown
// translated (`audit.systemActor.<name>`, dots as underscores); an unknown one as it is.
type Translate = (key: string) => string
type Has = (key: string) => boolean

export interface AuditActor {
  actorId: string | null
  actorName: string | null
}

export function auditActorText(t: Translate, te: Has, entry: AuditActor): string {
  if (entry.actorId) return entry.actorName || ''
  const key = `audit.systemActor.${(entry.actorName || 'system').replace(/\./g, '_')}`
  return te(key) ? t(key) : entry.actorName || t('audit.system')
}
