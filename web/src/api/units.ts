import { http, seg } from './http'
import type { Id, ItemsOf, Unit, UnitKind } from './types'

export interface CreateUnitRequest {
  parentId: Id
  name: string
  kind: UnitKind
  managerId?: Id | null
}

export interface UpdateUnitRequest {
  name?: string
  parentId?: Id
  managerId?: Id | null
  active?: boolean
}

/** GET /org/units: flat list; build the tree from parentId. */
export const listUnits = () => http.get<ItemsOf<Unit>>('/org/units')

/** POST /org/units */
export const createUnit = (body: CreateUnitRequest) => http.post<Unit>('/org/units', body)

/** PATCH /org/units/{id} */
export const updateUnit = (id: Id, body: UpdateUnitRequest) => http.patch<Unit>(`/org/units/${seg(id)}`, body)
