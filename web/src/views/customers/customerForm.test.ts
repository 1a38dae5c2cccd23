import { describe, expect, it } from 'vitest'
import type { Customer } from '@/api/types'
import { blankForm, changedFields, fieldsOf, formFieldOf, formOf, toFormErrors } from './customerForm'

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

  it('maps API field paths onto the form', () => {
    expect(formFieldOf('project.areaSqm')).toBe('projectArea')
    expect(formFieldOf('creditLimit.amount')).toBe('creditLimit')
    expect(formFieldOf('man.need')).toBe('man')
    expect(formFieldOf('tags[2]')).toBe('tags')
    expect(formFieldOf('location.lng')).toBe('lng')
    expect(formFieldOf('email')).toBe('email')
    expect(toFormErrors({ 'creditLimit.amount': 'a', creditLimit: 'b' })).toEqual({ creditLimit: 'a' })
  })
})
