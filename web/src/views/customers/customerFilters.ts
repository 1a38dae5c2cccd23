// The customer list's filters as the screen holds them, and their two other shapes: the
// query of GET /customers (and of the exports), and the text filters of a saved view.
import type { CustomerQuery, CustomerSort, CustomerViewFilters } from '@/api/customers'
import { CUSTOMER_SORTS } from '@/api/customers'
import type { CustomerStatus, CustomerType } from '@/api/types'

/** Text filters are '' when unset; chosen ones null. */
export interface ListFilters {
  q: string
  grade: string | null
  status: CustomerStatus | null
  type: CustomerType | null
  province: string
  city: string
  ownerId: string | null
  unitId: string | null
  tag: string
  inPool: 'true' | 'false' | null
  followUpAfter: string | null
  followUpBefore: string | null
  /** R-CUST-67: a preset's days ("30"), relative to the day the list is read. */
  idleDays: string | null
  neverFollowedUp: 'true' | null
}

export const VIEW_FILTER_KEYS = [
  'q',
  'grade',
  'status',
  'type',
  'province',
  'city',
  'ownerId',
  'unitId',
  'tag',
  'inPool',
  'followUpAfter',
  'followUpBefore',
  'idleDays',
  'neverFollowedUp',
] as const satisfies readonly (keyof ListFilters)[]

export function blankFilters(): ListFilters {
  return {
    q: '',
    grade: null,
    status: null,
    type: null,
    province: '',
    city: '',
    ownerId: null,
    unitId: null,
    tag: '',
    inPool: null,
    followUpAfter: null,
    followUpBefore: null,
    idleDays: null,
    neverFollowedUp: null,
  }
}

/** The filters a saved view stores: trimmed text, unset ones left out. */
export function toViewFilters(filters: ListFilters): CustomerViewFilters {
  const result: CustomerViewFilters = {}
  for (const key of VIEW_FILTER_KEYS) {
    const value = filters[key]
    const text = typeof value === 'string' ? value.trim() : ''
    if (text) result[key] = text
  }
  return result
}

/** A saved view's filters on the screen (unknown keys and values ignored). */
export function fromViewFilters(view: CustomerViewFilters): ListFilters {
  const filters = blankFilters()
  const text = (key: keyof CustomerViewFilters) => (typeof view[key] === 'string' ? view[key]!.trim() : '')
  filters.q = text('q')
  filters.province = text('province')
  filters.city = text('city')
  filters.tag = text('tag')
  filters.grade = text('grade') || null
  filters.status = (text('status') || null) as CustomerStatus | null
  filters.type = (text('type') || null) as CustomerType | null
  filters.ownerId = text('ownerId') || null
  filters.unitId = text('unitId') || null
  const inPool = text('inPool')
  filters.inPool = inPool === 'true' || inPool === 'false' ? inPool : null
  filters.followUpAfter = text('followUpAfter') || null
  filters.followUpBefore = text('followUpBefore') || null
  filters.idleDays = /^\d+$/.test(text('idleDays')) ? text('idleDays') : null
  filters.neverFollowedUp = text('neverFollowedUp') === 'true' ? 'true' : null
  return filters
}

/** The view's sort when the list knows it, else the default. */
export function sortOf(sort: string | null | undefined): CustomerSort {
  return (CUSTOMER_SORTS as readonly string[]).includes(sort ?? '') ? (sort as CustomerSort) : '-updatedAt'
}

/** GET /customers (and export) parameters; the default sort is left out. */
export function toQuery(filters: ListFilters, sort: CustomerSort): Omit<CustomerQuery, 'limit' | 'cursor'> {
  return {
    q: filters.q.trim() || undefined,
    grade: filters.grade,
    status: filters.status,
    type: filters.type,
    province: filters.province.trim() || null,
    city: filters.city.trim() || null,
    ownerId: filters.ownerId,
    unitId: filters.unitId,
    tag: filters.tag.trim() || null,
    inPool: filters.inPool === null ? null : filters.inPool === 'true',
    followUpAfter: filters.followUpAfter,
    followUpBefore: filters.followUpBefore,
    idleDays: filters.idleDays ? Number(filters.idleDays) : null,
    neverFollowedUp: filters.neverFollowedUp === 'true' ? true : null,
    sort: sort === '-updatedAt' ? null : sort,
  }
}

export const isFiltered = (filters: ListFilters) => Object.keys(toViewFilters(filters)).length > 0

/** True when the screen shows exactly what the view stores. */
export function matchesView(filters: ListFilters, sort: CustomerSort, view: { filters: CustomerViewFilters; sort: string }): boolean {
  const a = toViewFilters(filters)
  const b = toViewFilters(fromViewFilters(view.filters))
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof CustomerViewFilters>
  return sortOf(view.sort) === sort && [...keys].every((key) => a[key] === b[key])
}
