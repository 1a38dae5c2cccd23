// A persistent outbox for check-ins captured without a network (§3.4, issue #4 item 4).
//
// A field rep often checks in where the phone has no signal. The capture (position,
// accuracy, device time, photo) is what counts, so it is kept in localStorage and sent
// when the browser is back online, in capture order, with its original `capturedAt`; the
// server marks it delayed. Every entry carries the clientId the server deduplicates on, so
// a resend after a lost answer never creates a second check-in.
//
// What to do with a failed send depends on why it failed: a network error, 5xx, 408/429 or
// a lost session (401/403: the rep signs in again) keeps the entry for a later retry with
// back-off; any other 4xx (the server refused the content, e.g. validation) will fail the
// same way forever, so the entry is dropped and reported, never retried in a loop.
import { ApiError } from '@/api/http'

export interface StorageLike {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

export interface QueueEntry<TBody> {
  clientId: string
  body: TBody
  /** When the entry was queued (ms since epoch, device clock). */
  queuedAt: number
  attempts: number
  /** Earliest next attempt (ms); 0 = at once. */
  nextAttemptAt: number
  lastError: string | null
}

export interface Rejection<TBody> {
  clientId: string
  body: TBody
  code: string
  message: string
  status: number
}

export interface FlushReport<TResult> {
  sent: Array<{ clientId: string; result: TResult }>
  rejected: Array<Rejection<unknown>>
  /** Entries still queued after the flush. */
  remaining: number
}

export type FailureKind = 'retry' | 'drop'

/** Retry what may succeed later; drop what the server refused on its merits. */
export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof ApiError) {
    if (error.status === 0 || error.status >= 500) return 'retry'
    if (error.status === 401 || error.status === 403 || error.status === 408 || error.status === 429) return 'retry'
    return 'drop'
  }
  // A TypeError from fetch or anything unexpected: keep the capture.
  return 'retry'
}

/** Exponential back-off: 2 s, 4 s, 8 s … capped at 5 minutes. */
export function backoffMs(attempts: number, baseMs = 2000, capMs = 5 * 60_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempts - 1))
}

export interface OfflineQueueOptions<TBody, TResult> {
  storageKey: string
  storage: StorageLike
  send: (body: TBody) => Promise<TResult>
  now?: () => number
}

export class OfflineQueue<TBody extends { clientId: string }, TResult = unknown> {
  private entries: QueueEntry<TBody>[]
  private flushing: Promise<FlushReport<TResult>> | null = null
  private listeners = new Set<() => void>()
  private readonly now: () => number

  constructor(private readonly options: OfflineQueueOptions<TBody, TResult>) {
    this.now = options.now ?? Date.now
    this.entries = this.load()
  }

  /** The queued entries, oldest first. */
  get items(): readonly QueueEntry<TBody>[] {
    return this.entries
  }

  get size(): number {
    return this.entries.length
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Queues a capture; a second enqueue of the same clientId is ignored. */
  enqueue(body: TBody): QueueEntry<TBody> {
    const existing = this.entries.find((entry) => entry.clientId === body.clientId)
    if (existing) return existing
    const entry: QueueEntry<TBody> = {
      clientId: body.clientId,
      body,
      queuedAt: this.now(),
      attempts: 0,
      nextAttemptAt: 0,
      lastError: null,
    }
    this.entries = [...this.entries, entry]
    this.save()
    return entry
  }

  /** Earliest time at which a queued entry wants another attempt (null when empty). */
  nextAttemptAt(): number | null {
    if (!this.entries.length) return null
    return Math.min(...this.entries.map((entry) => entry.nextAttemptAt))
  }

  /**
   * Sends queued entries in order. Stops at the first retryable failure so later captures
   * never overtake an earlier one (the server checks speed between consecutive check-ins).
   * `force` ignores the back-off (the browser just came back online).
   */
  flush(force = false): Promise<FlushReport<TResult>> {
    if (!this.flushing) {
      this.flushing = this.run(force).finally(() => {
        this.flushing = null
      })
    }
    return this.flushing
  }

  private async run(force: boolean): Promise<FlushReport<TResult>> {
    const report: FlushReport<TResult> = { sent: [], rejected: [], remaining: 0 }
    // Re-read: another tab may have sent or added entries.
    this.entries = this.load()
    while (this.entries.length) {
      const entry = this.entries[0]!
      if (!force && entry.nextAttemptAt > this.now()) break
      try {
        const result = await this.options.send(entry.body)
        this.remove(entry.clientId)
        report.sent.push({ clientId: entry.clientId, result })
      } catch (error) {
        if (classifyFailure(error) === 'drop') {
          this.remove(entry.clientId)
          const apiError = error as ApiError
          report.rejected.push({
            clientId: entry.clientId,
            body: entry.body,
            code: apiError.code,
            message: apiError.message,
            status: apiError.status,
          })
          continue
        }
        const attempts = entry.attempts + 1
        this.update(entry.clientId, {
          attempts,
          nextAttemptAt: this.now() + backoffMs(attempts),
          lastError: error instanceof ApiError ? error.code : String(error),
        })
        break
      }
    }
    report.remaining = this.entries.length
    return report
  }

  private remove(clientId: string): void {
    this.entries = this.entries.filter((entry) => entry.clientId !== clientId)
    this.save()
  }

  private update(clientId: string, patch: Partial<QueueEntry<TBody>>): void {
    this.entries = this.entries.map((entry) => (entry.clientId === clientId ? { ...entry, ...patch } : entry))
    this.save()
  }

  private load(): QueueEntry<TBody>[] {
    try {
      const text = this.options.storage.getItem(this.options.storageKey)
      if (!text) return []
      const parsed: unknown = JSON.parse(text)
      return Array.isArray(parsed) ? (parsed as QueueEntry<TBody>[]).filter((entry) => typeof entry?.clientId === 'string') : []
    } catch {
      return []
    }
  }

  private save(): void {
    try {
      if (this.entries.length) this.options.storage.setItem(this.options.storageKey, JSON.stringify(this.entries))
      else this.options.storage.removeItem(this.options.storageKey)
    } catch {
      // Storage full (photos): keep the entries in memory for this page's life.
    }
    for (const listener of this.listeners) listener()
  }
}
