import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/api/http'
import { describeError, fieldErrorsOf, formErrors } from './errors'

// The app's i18n needs a browser (storage, <html lang>); these tests use the same messages
// in a plain vue-i18n instance, and a stub for the toast.
vi.mock('@/locales', async () => {
  const { createI18n } = await import('vue-i18n')
  const load = async (locale: string) => ({
    validation: (await import(`@/locales/${locale}/validation.json`)).default,
    common: (await import(`@/locales/${locale}/common.json`)).default,
    apiErrors: (await import(`@/locales/${locale}/apiErrors.json`)).default,
  })
  const i18n = createI18n({
    legacy: false,
    locale: 'zh-CN',
    fallbackLocale: 'zh-CN',
    messages: { 'zh-CN': await load('zh-CN'), 'en-US': await load('en-US') },
    missingWarn: false,
    fallbackWarn: false,
  })
  return { i18n }
})
vi.mock('element-plus', () => ({ ElMessage: { error: vi.fn() } }))

const { i18n } = await import('@/locales')
const { ElMessage } = await import('element-plus')

function validation(fields: Record<string, string>): ApiError {
  return new ApiError(422, { code: 'validation.failed', message: 'invalid input', details: { fields } })
}

describe('field errors of the server in the reader’s language', () => {
  beforeEach(() => {
    i18n.global.locale.value = 'zh-CN'
    vi.mocked(ElMessage.error).mockClear()
  })

  it('translates the messages under the fields', () => {
    const error = validation({ phone: 'is not a phone number', qq: 'is 5–12 digits', name: 'must be at most 200 characters', mood: 'is grumpy' })
    expect(fieldErrorsOf(error)).toEqual({
      phone: '不是有效的手机号或电话号码',
      qq: '须为 5–12 位数字',
      name: '最多 200 个字符',
      mood: 'is grumpy',
    })
  })

  it('keeps the server words in English', () => {
    i18n.global.locale.value = 'en-US'
    const error = validation({ type: 'must be one of: terminal, agent', name: 'is required' })
    expect(fieldErrorsOf(error)).toEqual({ type: 'must be one of: terminal, agent', name: 'is required' })
  })

  it('translates the fields a form does not show in the toast', () => {
    const error = validation({ name: 'is required', ownerId: 'must be an active user in your scope' })
    expect(describeError(error, ['name'])).toBe('须为您数据范围内已启用的用户')
    expect(formErrors(error, ['name'])).toEqual({ name: '必填' })
    expect(vi.mocked(ElMessage.error).mock.calls[0]?.[0]).toMatchObject({ message: '须为您数据范围内已启用的用户' })
  })

  it('names a conflict by its code, or translates its field message', () => {
    const taken = new ApiError(409, { code: 'users.username_taken', message: 'x', details: { fields: { username: 'this username is taken' } } })
    expect(fieldErrorsOf(taken)).toEqual({ username: '该用户名已被占用' })
    const denied = new ApiError(403, { code: 'access.denied', message: 'x', details: { fields: { roles: 'you cannot change your own roles' } } })
    expect(fieldErrorsOf(denied)).toEqual({ roles: '不能修改自己的角色' })
  })
})
