// The check-in outbox of the signed-in rep, as reactive state for the screens: submit a
// check-in (online → sent at once; offline or a network failure → queued as "pending
// sync"), and flush the queue when the browser is back online, on focus, and on a
// back-off timer.
import { computed, shallowRef, type ShallowRef } from 'vue'
import { postCheckIn, type CheckIn, type CheckInRequest } from '@/api/visits'
import { ApiError } from '@/api/http'
import { OfflineQueue, classifyFailure, type QueueEntry, type Rejection } from './offlineQueue'

export type SubmitOutcome = { state: 'sent'; checkIn: CheckIn } | { state: 'queued'; entry: QueueEntry<CheckInRequest> }

interface CheckInQueueState {
  queue: OfflineQueue<CheckInRequest, CheckIn>
  pending: ShallowRef<readonly QueueEntry<CheckInRequest>[]>
  /** Check-ins synced from the queue during this page's life (newest last). */
  synced: ShallowRef<CheckIn[]>
  rejected: ShallowRef<Rejection<unknown>[]>
  syncing: ShallowRef<boolean>
}

let state: CheckInQueueState | null = null
let stateKey = ''
let timer: ReturnType<typeof setTimeout> | undefined
let listenersInstalled = false

function storage(): Storage | null {
  try {
    return window.localStorage
  } catch {
    return null
  }
}

const memoryStorage = (() => {
  const map = new Map<string, string>()
  return {
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => void map.set(key, value),
    removeItem: (key: string) => void map.delete(key),
  }
})()

/** Sends with the device time of sending, which lets the server tell a wrong clock from a late delivery. */
const send = (body: CheckInRequest) => postCheckIn({ ...body, sentAt: new Date().toISOString() })

function isOffline(): boolean {
  return typeof navigator !== 'undefined' && navigator.onLine === false
}

function schedule(): void {
  clearTimeout(timer)
  if (!state) return
  const next = state.queue.nextAttemptAt()
  if (next === null) return
  timer = setTimeout(() => void flush(false), Math.max(1000, next - Date.now()))
}

async function flush(force: boolean): Promise<void> {
  const current = state
  if (!current || !current.queue.size || isOffline()) return
  current.syncing.value = true
  try {
    const report = await current.queue.flush(force)
    if (report.sent.length) current.synced.value = [...current.synced.value, ...report.sent.map((sent) => sent.result)]
    if (report.rejected.length) current.rejected.value = [...current.rejected.value, ...report.rejected]
  } finally {
    current.syncing.value = false
    schedule()
  }
}

function installListeners(): void {
  if (listenersInstalled || typeof window === 'undefined') return
  listenersInstalled = true
  window.addEventListener('online', () => void flush(true))
  window.addEventListener('focus', () => void flush(false))
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void flush(false)
  })
}

/** The outbox of `userId` (one per user, so a shared phone never sends another's captures). */
export function useCheckInQueue(userId: string) {
  if (!state || stateKey !== userId) {
    const queue = new OfflineQueue<CheckInRequest, CheckIn>({
      storageKey: `tuoke.checkins.${userId}`,
      storage: storage() ?? memoryStorage,
      send,
    })
    const pending = shallowRef(queue.items)
    queue.subscribe(() => {
      pending.value = queue.items
    })
    state = { queue, pending, synced: shallowRef([]), rejected: shallowRef([]), syncing: shallowRef(false) }
    stateKey = userId
    installListeners()
    void flush(true)
  }
  const current = state

  /**
   * Sends a check-in, or queues it when offline or when the network fails. Errors the
   * server answers on the merits (4xx) are thrown to the caller to show.
   */
  async function submit(body: CheckInRequest): Promise<SubmitOutcome> {
    if (isOffline()) {
      const entry = current.queue.enqueue(body)
      schedule()
      return { state: 'queued', entry }
    }
    try {
      return { state: 'sent', checkIn: await send(body) }
    } catch (error) {
      if (error instanceof ApiError && classifyFailure(error) === 'retry' && error.status !== 401 && error.status !== 403) {
        const entry = current.queue.enqueue(body)
        schedule()
        return { state: 'queued', entry }
      }
      throw error
    }
  }

  function dismissRejection(clientId: string): void {
    current.rejected.value = current.rejected.value.filter((rejection) => rejection.clientId !== clientId)
  }

  return {
    pending: current.pending,
    synced: current.synced,
    rejected: current.rejected,
    syncing: current.syncing,
    pendingCount: computed(() => current.pending.value.length),
    submit,
    flush: () => flush(true),
    dismissRejection,
  }
}
