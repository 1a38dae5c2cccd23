import { ElMessage } from 'element-plus'
import { ApiError, NETWORK_ERROR_CODE } from '@/api/http'
import { i18n } from '@/locales'

const KNOWN_CODES: Record<string, string> = {
  [NETWORK_ERROR_CODE]: 'common.errors.network',
  internal: 'common.errors.internal',
  'access.denied': 'common.errors.accessDenied',
  'validation.failed': 'common.errors.validation',
  'auth.csrf_failed': 'common.errors.csrf',
  'auth.password_change_required': 'common.errors.passwordChangeRequired',
}

/** A message for a person: localized for generic codes, the server's text otherwise. */
export function describeError(error: unknown): string {
  const { t } = i18n.global
  if (error instanceof ApiError) {
    const key = KNOWN_CODES[error.code] ?? (error.code.endsWith('.not_found') && error.status === 404 ? 'common.errors.notFound' : null)
    const text = key ? t(key) : error.message
    return error.requestId && error.status >= 500 ? `${text} (${t('common.errors.requestId', { id: error.requestId })})` : text
  }
  if (error instanceof Error) return t('common.errors.generic', { message: error.message })
  return t('common.errors.generic', { message: String(error) })
}

/** Shows an error as a toast. 401s are handled globally (redirect to login). */
export function notifyError(error: unknown): void {
  if (error instanceof ApiError && error.status === 401) return
  ElMessage.error({ message: describeError(error), grouping: true, showClose: true })
}

/** `details.fields` of a validation error, or an empty map. */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  return error instanceof ApiError && error.code === 'validation.failed' ? error.fieldErrors : {}
}
