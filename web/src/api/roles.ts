import { http, seg } from './http'
import type { ItemsOf, Permission, Role, RoleGrants, Scope } from './types'

/** GET /permissions */
export const listPermissions = () => http.get<ItemsOf<Permission>>('/permissions')

/** GET /roles */
export const listRoles = () => http.get<ItemsOf<RoleGrants>>('/roles')

/** PUT /roles/{role}/permissions: replaces the role's grants; absent = not granted. */
export const setRolePermissions = (role: Role, grants: Record<string, Scope>) =>
  http.put<RoleGrants>(`/roles/${seg(role)}/permissions`, { grants })
