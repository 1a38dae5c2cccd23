// The unread notification count of the header bell: polled every 60 s while the page is
// visible, refreshed when the window regains focus and after the inbox changes.
import { onBeforeUnmount, onMounted, ref } from 'vue'
import { unreadCount } from '@/api/notifications'

const POLL_MS = 60_000
const count = ref(0)
let users = 0
let timer: ReturnType<typeof setInterval> | undefined

export async function refreshUnread(): Promise<void> {
  try {
    count.value = (await unreadCount()).count
  } catch {
    // The bell is a hint: a failed poll keeps the last count (401s redirect globally).
  }
}

function onVisible(): void {
  if (document.visibilityState === 'visible') void refreshUnread()
}
function onFocus(): void {
  void refreshUnread()
}

export function useUnreadCount() {
  onMounted(() => {
    if (users++ === 0) {
      void refreshUnread()
      timer = setInterval(() => {
        if (document.visibilityState === 'visible') void refreshUnread()
      }, POLL_MS)
      window.addEventListener('focus', onFocus)
      document.addEventListener('visibilitychange', onVisible)
    }
  })
  onBeforeUnmount(() => {
    if (--users === 0) {
      clearInterval(timer)
      window.removeEventListener('focus', onFocus)
      document.removeEventListener('visibilitychange', onVisible)
    }
  })
  return { count, refresh: refreshUnread }
}
