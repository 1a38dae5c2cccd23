// Display helpers. Dates from the API are UTC timestamps (shown in the browser's
// time zone) or business dates `YYYY-MM-DD` (shown as they are).

const pad = (value: number) => String(value).padStart(2, '0')

/** `2026-11-22T03:04:05.123Z` → `2026-11-22 11:04` (local time). */
export function formatDateTime(value: string | null | undefined, withSeconds = false): string {
  if (!value) return ''
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) return value
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}${withSeconds ? `:${pad(date.getSeconds())}` : ''}`
  return `${day} ${time}`
}

/** A business date or a timestamp → `YYYY-MM-DD`. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return ''
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value
  return formatDateTime(value).slice(0, 10)
}

/** A local date as `YYYY-MM-DD`. */
export function toBusinessDate(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}

/** Today as a business date in the browser's time zone. */
export function today(): string {
  return toBusinessDate(new Date())
}
