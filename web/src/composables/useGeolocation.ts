// One position fix from the browser for a check-in: high accuracy, no cached fix, and
// a bounded wait. The accuracy radius is shown to the rep and sent to the server, which
// flags poor fixes against the policy (visits.checkin_max_accuracy_m).
import { ref } from 'vue'

export interface Fix {
  lat: number
  lng: number
  accuracyM: number
  /** Device time of the fix. */
  at: string
}

export type GeoErrorCode = 'unsupported' | 'denied' | 'unavailable' | 'timeout'

export class GeoError extends Error {
  constructor(readonly code: GeoErrorCode) {
    super(code)
    this.name = 'GeoError'
  }
}

export function useGeolocation(timeoutMs = 15_000) {
  const fix = ref<Fix | null>(null)
  const locating = ref(false)
  const error = ref<GeoErrorCode | null>(null)

  function locate(): Promise<Fix> {
    locating.value = true
    error.value = null
    return new Promise<Fix>((resolve, reject) => {
      if (typeof navigator === 'undefined' || !navigator.geolocation) {
        locating.value = false
        error.value = 'unsupported'
        reject(new GeoError('unsupported'))
        return
      }
      navigator.geolocation.getCurrentPosition(
        (position) => {
          const next: Fix = {
            lat: position.coords.latitude,
            lng: position.coords.longitude,
            accuracyM: Math.round(position.coords.accuracy),
            at: new Date(position.timestamp || Date.now()).toISOString(),
          }
          fix.value = next
          locating.value = false
          resolve(next)
        },
        (failure) => {
          const code: GeoErrorCode =
            failure.code === failure.PERMISSION_DENIED ? 'denied' : failure.code === failure.TIMEOUT ? 'timeout' : 'unavailable'
          locating.value = false
          error.value = code
          reject(new GeoError(code))
        },
        { enableHighAccuracy: true, maximumAge: 0, timeout: timeoutMs },
      )
    })
  }

  return { fix, locating, error, locate }
}
