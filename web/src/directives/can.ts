import type { Directive } from 'vue'
import { useSessionStore } from '@/stores/session'

/**
 * `v-can="'org.manage'"` (or an array: any of them) removes the element from view when
 * the signed-in user lacks the permission. A UX hint only: the server enforces access.
 */
export const vCan: Directive<HTMLElement, string | string[]> = {
  mounted: apply,
  updated: apply,
}

function apply(element: HTMLElement, binding: { value: string | string[] }): void {
  const session = useSessionStore()
  const wanted = Array.isArray(binding.value) ? binding.value : [binding.value]
  const allowed = wanted.some((permission) => session.can(permission))
  element.style.display = allowed ? '' : 'none'
}
