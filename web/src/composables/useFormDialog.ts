import { computed } from 'vue'
import { useIsMobile } from './useIsMobile'

/** Dialog sizing shared by the app's forms: a fixed width on desktop, full screen on phones. */
export function useDialogSize(desktopWidth = '560px') {
  const isMobile = useIsMobile()
  return {
    isMobile,
    dialogWidth: computed(() => (isMobile.value ? '100%' : desktopWidth)),
    fullscreen: computed(() => isMobile.value),
    labelPosition: computed<'top' | 'right'>(() => (isMobile.value ? 'top' : 'right')),
    drawerSize: computed(() => (isMobile.value ? '100%' : desktopWidth)),
  }
}
