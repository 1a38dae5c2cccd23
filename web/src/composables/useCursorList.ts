import { ref, shallowRef } from 'vue'
import type { ListPage } from '@/api/types'
import { notifyError } from '@/utils/errors'

/**
 * A cursor-paginated list ("load more"). `fetchPage(cursor)` asks for one page; `reload()`
 * starts over (e.g. after a filter change) and ignores answers of superseded requests.
 */
export function useCursorList<T>(fetchPage: (cursor: string | null) => Promise<ListPage<T>>) {
  const items = shallowRef<T[]>([])
  const nextCursor = ref<string | null>(null)
  const loading = ref(false)
  const loadingMore = ref(false)
  const loaded = ref(false)
  const failed = ref(false)
  let generation = 0

  async function reload(): Promise<void> {
    const current = ++generation
    loading.value = true
    failed.value = false
    try {
      const page = await fetchPage(null)
      if (current !== generation) return
      items.value = page.items
      nextCursor.value = page.nextCursor
      loaded.value = true
    } catch (error) {
      if (current !== generation) return
      failed.value = true
      notifyError(error)
    } finally {
      if (current === generation) loading.value = false
    }
  }

  async function loadMore(): Promise<void> {
    if (!nextCursor.value || loadingMore.value) return
    const current = generation
    loadingMore.value = true
    try {
      const page = await fetchPage(nextCursor.value)
      if (current !== generation) return
      items.value = [...items.value, ...page.items]
      nextCursor.value = page.nextCursor
    } catch (error) {
      notifyError(error)
    } finally {
      loadingMore.value = false
    }
  }

  /** Replaces one item in place (after an edit), matched by `same`. */
  function replace(item: T, same: (a: T, b: T) => boolean): void {
    items.value = items.value.map((existing) => (same(existing, item) ? item : existing))
  }

  function prepend(item: T): void {
    items.value = [item, ...items.value]
  }

  return { items, nextCursor, loading, loadingMore, loaded, failed, reload, loadMore, replace, prepend }
}
