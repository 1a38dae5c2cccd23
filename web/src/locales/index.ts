// vue-i18n set-up. Each `locales/<lang>/<module>.json` becomes the namespace
// `<module>` of that language, e.g. `menu.users`, `role.rep`, `users.createTitle`.
import { createI18n } from 'vue-i18n'

export const LOCALES = ['zh-CN', 'en-US'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'zh-CN'

const STORAGE_KEY = 'tuoke.locale'

type MessageTree = { [key: string]: string | MessageTree }

function loadMessages(): Record<Locale, MessageTree> {
  const files = import.meta.glob<MessageTree>('./*/*.json', { eager: true, import: 'default' })
  const messages: Record<Locale, MessageTree> = { 'zh-CN': {}, 'en-US': {} }
  for (const [path, tree] of Object.entries(files)) {
    const match = /^\.\/([^/]+)\/([^/]+)\.json$/.exec(path)
    if (!match) continue
    const [, locale, namespace] = match
    if (!locale || !namespace || !isLocale(locale)) continue
    messages[locale][namespace] = tree
  }
  return messages
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY)
    if (isLocale(saved)) return saved
  } catch {
    // Storage can be unavailable (private mode); fall back to the default.
  }
  return DEFAULT_LOCALE
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: DEFAULT_LOCALE,
  messages: loadMessages(),
  missingWarn: false,
  fallbackWarn: false,
})

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  document.documentElement.lang = locale
  try {
    localStorage.setItem(STORAGE_KEY, locale)
  } catch {
    // Not persisted; the choice still applies to this page.
  }
}

document.documentElement.lang = initialLocale()
