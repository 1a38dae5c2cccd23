import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as authApi from '@/api/auth'
import { ApiError } from '@/api/http'
import type { Me, MenuItem, Scope, User } from '@/api/types'
import { useUnitsStore } from './units'

/** The signed-in user as the server describes them (`Me`). */
export const useSessionStore = defineStore('session', () => {
  const me = ref<Me | null>(null)
  /** True once the session probe (`GET /auth/me`) has answered. */
  const probed = ref(false)

  const user = computed<User | null>(() => me.value?.user ?? null)
  const menu = computed<MenuItem[]>(() => me.value?.menu ?? [])
  const permissions = computed<Record<string, Scope>>(() => me.value?.permissions ?? {})
  const csrfToken = computed(() => me.value?.csrfToken ?? null)
  const isSignedIn = computed(() => me.value !== null)
  const mustChangePassword = computed(() => me.value?.user.mustChangePassword ?? false)

  /** UX hint only: the server decides. */
  function can(permission: string): boolean {
    return permission in permissions.value
  }

  function scopeOf(permission: string): Scope | null {
    return permissions.value[permission] ?? null
  }

  function hasMenu(key: string): boolean {
    return menu.value.some((item) => item.key === key)
  }

  /**
   * Loads the session once. A 401 means "not signed in". Any other failure (server down)
   * is treated as signed out for now and retried at the next navigation, so the login
   * page, not a blank screen, explains the problem.
   */
  async function probe(): Promise<void> {
    if (probed.value) return
    try {
      me.value = await authApi.getMe({ skipAuthRedirect: true })
      probed.value = true
    } catch (error) {
      me.value = null
      probed.value = error instanceof ApiError && error.status === 401
    }
  }

  async function refresh(): Promise<void> {
    me.value = await authApi.getMe()
  }

  async function login(loginName: string, password: string): Promise<Me> {
    const result = await authApi.login({ login: loginName, password })
    useUnitsStore().reset()
    me.value = result
    probed.value = true
    return result
  }

  async function logout(): Promise<void> {
    try {
      await authApi.logout()
    } finally {
      clear()
    }
  }

  /** Drops the session and every cached record of the previous user. */
  function clear(): void {
    me.value = null
    probed.value = true
    useUnitsStore().reset()
  }

  return {
    me,
    probed,
    user,
    menu,
    permissions,
    csrfToken,
    isSignedIn,
    mustChangePassword,
    can,
    scopeOf,
    hasMenu,
    probe,
    refresh,
    login,
    logout,
    clear,
  }
})
