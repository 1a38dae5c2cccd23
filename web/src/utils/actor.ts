// Who made a change: a user's name as it is; the server's own jobs write under a system name
// (pool-reclaim, grading-policy, visits.report_late_job, …), shown translated from the one
// list `audit.systemActor.<name>` (dots as underscores); an unknown one as it is. Used by the
// audit log and a customer's timeline.
type Translate = (key: string) => string
type Has = (key: string) => boolean

export interface Actor {
  /** The user, when a user made it; absent where the source does not say (the timeline). */
  actorId?: string | null
  actorName: string | null
}

export function actorText(t: Translate, te: Has, entry: Actor): string {
  if (entry.actorId) return entry.actorName || ''
  if (!entry.actorName) return entry.actorId === undefined ? '' : t('audit.system')
  const key = `audit.systemActor.${entry.actorName.replace(/\./g, '_')}`
  return te(key) ? t(key) : entry.actorName
}
