import { onBeforeUnmount, ref, type Ref } from 'vue'

/** Phones and narrow windows: the layout switches to a drawer menu and full-screen dialogs. */
export const MOBILE_QUERY = '(max-width: 768px)'

let shared: Ref<boolean> | null = null
let users = 0
let mediaQuery: MediaQueryList | null = null
const update = (event: MediaQueryListEvent) => {
  if (shared) shared.value = event.matches
}

/** Reactive "is this a phone-sized screen". One listener shared by all components. */
export function useIsMobile(): Ref<boolean> {
  if (!shared) {
    mediaQuery = window.matchMedia(MOBILE_QUERY)
    shared = ref(mediaQuery.matches)
  }
  if (users++ === 0) mediaQuery?.addEventListener('change', update)
  onBeforeUnmount(() => {
    if (--users === 0) mediaQuery?.removeEventListener('change', update)
  })
  return shared
}
