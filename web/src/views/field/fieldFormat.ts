// Pure helpers of the field screens: distances and accuracy, money lines in yuan ↔ fen,
// photo sizing, ids, and the dates a month grid needs.
import type { Money } from '@/api/types'
import { fenToYuan, yuanToFen } from '@/views/customers/customerFormat'

export { fenToYuan, yuanToFen }

/** Metres for reading: `85 m`, `1.2 km`, `12 km`. */
export function formatDistance(metres: number | null | undefined): string {
  if (metres === null || metres === undefined || !Number.isFinite(metres)) return '—'
  if (metres < 1000) return `${Math.round(metres)} m`
  const km = metres / 1000
  return `${km < 10 ? km.toFixed(1) : Math.round(km)} km`
}

/** The accuracy radius of a fix: `±12 m`. */
export function formatAccuracy(metres: number | null | undefined): string {
  if (metres === null || metres === undefined || !Number.isFinite(metres)) return '—'
  return `±${formatDistance(metres)}`
}

/** `31.23040, 121.47370` (5 decimals ≈ 1 m). */
export function formatCoordinates(lat: number | null | undefined, lng: number | null | undefined): string {
  if (lat === null || lat === undefined || lng === null || lng === undefined) return '—'
  return `${lat.toFixed(5)}, ${lng.toFixed(5)}`
}

/** Great-circle distance in metres (for the client's own hint; the server decides). */
export function haversineM(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = (degrees: number) => (degrees * Math.PI) / 180
  const dLat = rad(b.lat - a.lat)
  const dLng = rad(b.lng - a.lng)
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2
  return 2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(h)))
}

/** A cost line as typed in yuan → the API's fen money; undefined when the amount is not valid. */
export function moneyFromYuan(yuan: string | number | null | undefined): Money | null | undefined {
  const fen = yuanToFen(yuan)
  if (fen === undefined) return undefined
  if (fen === null) return null
  return { amount: fen, currency: 'CNY' }
}

/** Sum of fen strings, exact (BigInt), as a fen string. */
export function sumFen(amounts: Array<string | null | undefined>): string {
  let total = 0n
  for (const amount of amounts) if (amount && /^-?\d+$/.test(amount)) total += BigInt(amount)
  return total.toString()
}

/** Width and height that fit within `max` on the long side, keeping the aspect ratio. */
export function fitWithin(width: number, height: number, max: number): { width: number; height: number } {
  if (width <= 0 || height <= 0) return { width: 0, height: 0 }
  const scale = Math.min(1, max / Math.max(width, height))
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

/** A random v4 UUID: crypto.randomUUID where available (secure contexts), else from getRandomValues. */
export function newClientId(): string {
  const cryptoObject = globalThis.crypto
  if (cryptoObject && typeof cryptoObject.randomUUID === 'function') return cryptoObject.randomUUID()
  const bytes = new Uint8Array(16)
  if (cryptoObject?.getRandomValues) cryptoObject.getRandomValues(bytes)
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256)
  bytes[6] = (bytes[6]! & 0x0f) | 0x40
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** `YYYY-MM` of a business date. */
export const monthOf = (date: string) => date.slice(0, 7)

/** `YYYY-MM` → the next month. */
export function nextMonth(month: string): string {
  const [year, mon] = month.split('-').map(Number) as [number, number]
  return mon === 12 ? `${year + 1}-01` : `${year}-${String(mon + 1).padStart(2, '0')}`
}

/** Every business date of a month `YYYY-MM`. */
export function daysOfMonth(month: string): string[] {
  const [year, mon] = month.split('-').map(Number) as [number, number]
  const count = new Date(Date.UTC(year, mon, 0)).getUTCDate()
  return Array.from({ length: count }, (_, index) => `${month}-${String(index + 1).padStart(2, '0')}`)
}

/** Weekday 1 (Monday) … 7 (Sunday) of a business date. */
export function isoWeekday(date: string): number {
  const [year, mon, day] = date.split('-').map(Number) as [number, number, number]
  const weekday = new Date(Date.UTC(year, mon - 1, day)).getUTCDay()
  return weekday === 0 ? 7 : weekday
}

/** Monday of the week of a business date. */
export function mondayOf(date: string): string {
  const [year, mon, day] = date.split('-').map(Number) as [number, number, number]
  const at = new Date(Date.UTC(year, mon - 1, day - (isoWeekday(date) - 1)))
  return at.toISOString().slice(0, 10)
}

/** Element Plus tag type of a check-in flag: absence and outside radius are the serious ones. */
export function flagTagType(flag: string): 'danger' | 'warning' | 'info' {
  if (flag === 'absence' || flag === 'no_application' || flag === 'outside_geofence') return 'danger'
  if (flag === 'delayed' || flag === 'no_customer_location') return 'info'
  return 'warning'
}
