import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { listUnits } from '@/api/units'
import type { Unit } from '@/api/types'
import { buildUnitTree } from '@/utils/tree'

/** The organisation's units, shared by the unit tree, filters and pickers. */
export const useUnitsStore = defineStore('units', () => {
  const units = ref<Unit[]>([])
  const loaded = ref(false)
  const loading = ref(false)
  let pending: Promise<void> | null = null

  const tree = computed(() => buildUnitTree(units.value))

  /** Loads once; `force` reloads (after a change). Concurrent callers share one request. */
  function load(force = false): Promise<void> {
    if (loaded.value && !force) return Promise.resolve()
    if (pending) return pending
    loading.value = true
    pending = listUnits()
      .then((page) => {
        units.value = page.items
        loaded.value = true
      })
      .finally(() => {
        loading.value = false
        pending = null
      })
    return pending
  }

  function upsert(unit: Unit): void {
    const index = units.value.findIndex((item) => item.id === unit.id)
    if (index >= 0) units.value.splice(index, 1, unit)
    else units.value.push(unit)
  }

  /** Forgets everything (sign-out: the next user may see a different part of the tree). */
  function reset(): void {
    units.value = []
    loaded.value = false
  }

  return { units, loaded, loading, tree, load, upsert, reset }
})
