// The customer form's state and its conversion to and from the API's Customer shape.
import type {
  CreditStatus,
  Customer,
  CustomerFields,
  CustomerSource,
  CustomerStatus,
  CustomerType,
  Level,
  PurchaseHorizon,
  PurchasePower,
} from '@/api/types'
import { fenToYuan, yuanToFen } from './customerFormat'

export interface CustomerForm {
  name: string
  code: string
  type: CustomerType
  industry: string
  province: string
  city: string
  district: string
  address: string
  lat: number | null
  lng: number | null
  phone: string
  fax: string
  email: string
  website: string
  projectUnit: string
  projectSite: string
  projectArea: number | null
  projectCompletion: string | null
  status: CustomerStatus
  source: CustomerSource | null
  referrerCustomerId: string | null
  referrerName: string
  man: { money: boolean; authority: boolean; need: boolean; easyToApproach: boolean }
  purchasePower: PurchasePower | null
  purchaseHorizon: PurchaseHorizon
  importance: Level | null
  potential: Level | null
  creditStatus: CreditStatus
  paymentMethod: string
  creditLimit: string
  collateral: string
  scaleNotes: string
  tags: string[]
  notes: string
}

/** Props of the form's fields, for server messages keyed by API field paths. */
export const FORM_FIELDS = [
  'name', 'code', 'type', 'industry', 'province', 'city', 'district', 'address', 'lat', 'lng', 'phone', 'fax', 'email',
  'website', 'projectUnit', 'projectSite', 'projectArea', 'projectCompletion', 'status', 'source',
  'referrerCustomerId', 'referrerName', 'man', 'purchasePower', 'purchaseHorizon', 'importance', 'potential',
  'creditStatus', 'paymentMethod', 'creditLimit', 'collateral', 'scaleNotes', 'tags', 'notes',
] as const

const API_TO_FORM: Record<string, string> = {
  'project.unit': 'projectUnit',
  'project.site': 'projectSite',
  'project.areaSqm': 'projectArea',
  'project.expectedCompletion': 'projectCompletion',
  project: 'projectUnit',
  'location.lat': 'lat',
  'location.lng': 'lng',
  location: 'lat',
  'creditLimit.amount': 'creditLimit',
  'creditLimit.currency': 'creditLimit',
}

/** An API field path (`project.areaSqm`, `man.need`, `tags[1]`) → the form prop showing it. */
export function formFieldOf(apiField: string): string {
  if (API_TO_FORM[apiField]) return API_TO_FORM[apiField]
  const base = apiField.replace(/\[\d+\]$/, '')
  if (API_TO_FORM[base]) return API_TO_FORM[base]
  if (base.startsWith('man.')) return 'man'
  return base
}

/** Server field messages re-keyed to the form's props (first message wins). */
export function toFormErrors(fields: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {}
  for (const [field, message] of Object.entries(fields)) {
    const prop = formFieldOf(field)
    if (!(prop in result)) result[prop] = message
  }
  return result
}

export function blankForm(): CustomerForm {
  return {
    name: '',
    code: '',
    type: 'terminal',
    industry: '',
    province: '',
    city: '',
    district: '',
    address: '',
    lat: null,
    lng: null,
    phone: '',
    fax: '',
    email: '',
    website: '',
    projectUnit: '',
    projectSite: '',
    projectArea: null,
    projectCompletion: null,
    status: 'prospect',
    source: null,
    referrerCustomerId: null,
    referrerName: '',
    man: { money: false, authority: false, need: false, easyToApproach: false },
    purchasePower: null,
    purchaseHorizon: 'unknown',
    importance: null,
    potential: null,
    creditStatus: 'unknown',
    paymentMethod: '',
    creditLimit: '',
    collateral: '',
    scaleNotes: '',
    tags: [],
    notes: '',
  }
}

export function formOf(customer: Customer): CustomerForm {
  return {
    name: customer.name,
    code: customer.code ?? '',
    type: customer.type,
    industry: customer.industry ?? '',
    province: customer.province ?? '',
    city: customer.city ?? '',
    district: customer.district ?? '',
    address: customer.address ?? '',
    lat: customer.location?.lat ?? null,
    lng: customer.location?.lng ?? null,
    phone: customer.phone ?? '',
    fax: customer.fax ?? '',
    email: customer.email ?? '',
    website: customer.website ?? '',
    projectUnit: customer.project?.unit ?? '',
    projectSite: customer.project?.site ?? '',
    projectArea: customer.project?.areaSqm ?? null,
    projectCompletion: customer.project?.expectedCompletion ?? null,
    status: customer.status,
    source: customer.source,
    referrerCustomerId: customer.referrerCustomerId,
    referrerName: customer.referrerName ?? '',
    man: { ...blankForm().man, ...(customer.man ?? {}) },
    purchasePower: customer.purchasePower,
    purchaseHorizon: customer.purchaseHorizon ?? 'unknown',
    importance: customer.importance,
    potential: customer.potential,
    creditStatus: customer.creditStatus ?? 'unknown',
    paymentMethod: customer.paymentMethod ?? '',
    creditLimit: customer.creditLimit ? fenToYuan(customer.creditLimit.amount) : '',
    collateral: customer.collateral ?? '',
    scaleNotes: customer.scaleNotes ?? '',
    tags: [...(customer.tags ?? [])],
    notes: customer.notes ?? '',
  }
}

const text = (value: string) => value.trim() || null

/**
 * A code the server would refuse for a space inside it (around it, spaces are trimmed; the
 * full-width space folds to a space as full-width ＫＨ００１ folds to KH001).
 */
export const codeHasSpace = (value: string) => /\s/.test(value.trim())

/** The form as the API's writable fields. The credit limit and source must already be valid. */
export function fieldsOf(form: CustomerForm): CustomerFields {
  const project =
    form.projectUnit.trim() || form.projectSite.trim() || form.projectArea !== null || form.projectCompletion
      ? {
          unit: text(form.projectUnit),
          site: text(form.projectSite),
          areaSqm: form.projectArea,
          expectedCompletion: form.projectCompletion || null,
        }
      : null
  const fen = yuanToFen(form.creditLimit)
  return {
    name: form.name.trim(),
    // Empty: null, which clears a stored code on update (the server trims and folds full-width forms).
    code: text(form.code),
    type: form.type,
    industry: text(form.industry),
    province: text(form.province),
    city: text(form.city),
    district: text(form.district),
    address: text(form.address),
    location: form.lat !== null && form.lng !== null ? { lat: form.lat, lng: form.lng } : null,
    phone: text(form.phone),
    fax: text(form.fax),
    email: text(form.email),
    website: text(form.website),
    project,
    status: form.status,
    source: form.source ?? 'other',
    referrerCustomerId: form.source === 'referral' ? form.referrerCustomerId : null,
    referrerName: form.source === 'referral' ? text(form.referrerName) : null,
    man: { ...form.man },
    purchasePower: form.purchasePower,
    purchaseHorizon: form.purchaseHorizon,
    importance: form.importance,
    potential: form.potential,
    creditStatus: form.creditStatus,
    paymentMethod: text(form.paymentMethod),
    creditLimit: fen ? { amount: fen, currency: 'CNY' } : null,
    collateral: text(form.collateral),
    scaleNotes: text(form.scaleNotes),
    tags: form.tags.map((tag) => tag.trim()).filter(Boolean),
    notes: text(form.notes),
  }
}

/** The fields that differ from the saved customer (for PATCH). */
export function changedFields(customer: Customer, next: CustomerFields): Partial<CustomerFields> {
  const before = fieldsOf(formOf(customer))
  const changes: Record<string, unknown> = {}
  for (const key of Object.keys(next) as Array<keyof CustomerFields>) {
    if (JSON.stringify(next[key]) !== JSON.stringify(before[key])) changes[key] = next[key]
  }
  return changes as Partial<CustomerFields>
}
