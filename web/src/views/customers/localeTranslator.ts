// For unit tests: a tiny `t` / `te` over one locale's customers namespace, with vue-i18n's
// named interpolation ({name}), so texts are checked against the real locale files.
export function translator(messages: unknown) {
  const lookup = (key: string): string | undefined => {
    let node: unknown = { customers: messages }
    for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part]
    return typeof node === 'string' ? node : undefined
  }
  const t = (key: string, named: Record<string, unknown> = {}) =>
    (lookup(key) ?? key).replace(/\{(\w+)\}/g, (_, name: string) => String(named[name] ?? ''))
  const te = (key: string) => lookup(key) !== undefined
  return { t, te }
}
