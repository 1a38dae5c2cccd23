import { describe, expect, it } from 'vitest'
import type { Customer } from '@/api/types'
import { FORM_FIELDS, blankForm, changedFields, codeHasSpace, fieldsOf, formFieldOf, formOf, toFormErrors } from './customerForm'

const saved: Customer = {
  ...fieldsOf({ ...blankForm(), name: '北京凌天商贸有限公司', source: 'cold_visit', creditLimit: '50000' }),
  id: '12',
  grade: { value: 'watch', reason: 'watch', source: 'computed', overriddenByName: null },
  ownerId: '5',
  ownerName: '张伟',
  inPool: false,
  lastFollowUpAt: null,
  createdAt: '2026-11-22T00:00:00.000Z',
  updatedAt: '2026-11-22T00:00:00.000Z',
}

describe('customer form', () => {
  it('sends money as a fen string and empty texts as null', () => {
    const fields = fieldsOf({ ...blankForm(), name: ' 凌天 ', source: 'flyer', creditLimit: '1234.5', industry: '  ' })
    expect(fields.name).toBe('凌天')
    expect(fields.creditLimit).toEqual({ amount: '123450', currency: 'CNY' })
    expect(fields.industry).toBeNull()
    expect(fields.project).toBeNull()
    expect(fields.location).toBeNull()
    expect(fieldsOf({ ...blankForm(), creditLimit: '' }).creditLimit).toBeNull()
  })

  it('groups project and location, and keeps the referrer only for referrals', () => {
    const fields = fieldsOf({ ...blankForm(), projectArea: 1200, lat: 39.9, lng: 116.4, source: 'flyer', referrerName: '老王' })
    expect(fields.project).toEqual({ unit: null, site: null, areaSqm: 1200, expectedCompletion: null })
    expect(fields.location).toEqual({ lat: 39.9, lng: 116.4 })
    expect(fields.referrerName).toBeNull()
    expect(fieldsOf({ ...blankForm(), source: 'referral', referrerName: '老王' }).referrerName).toBe('老王')
  })

  it('round-trips a saved customer and patches only what changed', () => {
    const form = formOf(saved)
    expect(form.creditLimit).toBe('50000.00')
    expect(changedFields(saved, fieldsOf(form))).toEqual({})
    expect(changedFields(saved, fieldsOf({ ...form, phone: '010-1', tags: ['重点'] }))).toEqual({ phone: '010-1', tags: ['重点'] })
  })

  it('sends the customer code trimmed, and an empty one as null', () => {
    expect(fieldsOf({ ...blankForm(), name: '凌天', code: ' KH-001 ' }).code).toBe('KH-001')
    expect(fieldsOf({ ...blankForm(), name: '凌天', code: '  ' }).code).toBeNull()
    expect(formOf({ ...saved, code: 'KH-001' }).code).toBe('KH-001')
  })

  it('patches a changed code, and a cleared one as null', () => {
    const withCode: Customer = { ...saved, code: 'KH-001' }
    expect(changedFields(withCode, fieldsOf(formOf(withCode)))).toEqual({})
    expect(changedFields(withCode, fieldsOf({ ...formOf(withCode), code: '' }))).toEqual({ code: null })
    expect(changedFields(withCode, fieldsOf({ ...formOf(withCode), code: 'ERP-9' }))).toEqual({ code: 'ERP-9' })
    expect(changedFields(saved, fieldsOf({ ...formOf(saved), code: 'KH-002' }))).toEqual({ code: 'KH-002' })
    // An older server without codes: nothing to patch when the field stays empty.
    const older = { ...saved } as Partial<Customer>
    delete older.code
    expect(changedFields(older as Customer, fieldsOf(formOf(older as Customer)))).toEqual({})
  })

  it('refuses spaces inside a code, not around it', () => {
    expect(codeHasSpace(' KH001 ')).toBe(false)
    expect(codeHasSpace('KH 001')).toBe(true)
    expect(codeHasSpace('KH\u3000001')).toBe(true)
    expect(codeHasSpace('')).toBe(false)
  })

  it('maps API field paths onto the form', () => {
    expect(formFieldOf('code')).toBe('code')
    expect(FORM_FIELDS).toContain('code')
    expect(formFieldOf('project.areaSqm')).toBe('projectArea')
    expect(formFieldOf('creditLimit.amount')).toBe('creditLimit')
    expect(formFieldOf('man.need')).toBe('man')
    expect(formFieldOf('tags[2]')).toBe('tags')
    expect(formFieldOf('location.lng')).toBe('lng')
    expect(formFieldOf('email')).toBe('email')
    expect(toFormErrors({ 'creditLimit.amount': 'a', creditLimit: 'b' })).toEqual({ creditLimit: 'a' })
  })
})
