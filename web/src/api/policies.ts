import { http, seg } from './http'
import type { BusinessDate, ItemsOf, Policy, PolicyValue, PolicyVersion } from './types'

export interface CreatePolicyVersionRequest {
  value: PolicyValue
  effectiveFrom: BusinessDate
  note?: string
}

/** GET /policies: values in force on `date` (default today). */
export const listPolicies = (date?: BusinessDate | null) => http.get<ItemsOf<Policy>>('/policies', { date })

/** GET /policies/{key} */
export const getPolicy = (key: string, date?: BusinessDate | null) => http.get<Policy>(`/policies/${seg(key)}`, { date })

/** GET /policies/{key}/versions: newest first. */
export const listPolicyVersions = (key: string) => http.get<ItemsOf<PolicyVersion>>(`/policies/${seg(key)}/versions`)

/** POST /policies/{key}/versions: answers the policy as of `effectiveFrom`. */
export const createPolicyVersion = (key: string, body: CreatePolicyVersionRequest) =>
  http.post<Policy>(`/policies/${seg(key)}/versions`, body)
