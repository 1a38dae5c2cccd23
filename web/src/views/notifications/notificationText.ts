// R-NOTIF-8: a notification's text in the reader's language, from its code (`kind`) and
// params (`data`); the server's zh-CN title when the kind has no text or a param is missing.
import type { AppNotification } from '@/api/notifications'

type Translate = (key: string, named: Record<string, unknown>) => string
type Exists = (key: string) => boolean

// Stands for a param the data lacks; invisible, and never in a real text.
const MISSING = '\u2063'

export function notificationText(t: Translate, te: Exists, item: Pick<AppNotification, 'kind' | 'title' | 'data'>): string {
  const key = `notifications.kind.${item.kind}`
  if (!te(key)) return item.title
  const data: Record<string, string> = {}
  for (const [name, value] of Object.entries(item.data ?? {})) if (value !== null && value !== undefined) data[name] = String(value)
  // Derived params: a report's kind by name, and the late mark.
  const reportKind = `reports.periodKind.${String(item.data?.kind ?? '')}`
  if (item.data?.kind && te(reportKind)) data.reportKind = t(reportKind, {})
  data.lateMark = item.data?.late === true ? t('notifications.lateMark', {}) : ''
  const named = new Proxy(data, {
    get: (target, name) => (typeof name === 'string' && !(name in target) ? MISSING : Reflect.get(target, name)),
  })
  const rendered = t(key, named)
  return rendered.includes(MISSING) || /\{\w+\}/.test(rendered) ? item.title : rendered
}
