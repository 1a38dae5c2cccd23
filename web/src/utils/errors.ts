import { ElMessage } from 'element-plus'
import { ApiError, NETWORK_ERROR_CODE } from '@/api/http'
import { i18n } from '@/locales'
import { translateFieldMessage } from './fieldMessages'

const GENERIC_CODES: Record<string, string> = {
  [NETWORK_ERROR_CODE]: 'common.errors.network',
  internal: 'common.errors.internal',
  'access.denied': 'common.errors.accessDenied',
  'auth.csrf_failed': 'common.errors.csrf',
  'auth.password_change_required': 'common.errors.passwordChangeRequired',
}

/** The localized text of a specific error code (`apiErrors.users.username_taken`), if any. */
function localizedCode(code: string): string | null {
  const { t, te } = i18n.global
  const key = `apiErrors.${code}`
  return te(key) ? t(key) : null
}

/** A field message of the server (English) in the current locale; unknown ones as they are. */
export function fieldMessageText(message: string): string {
  const { t, te } = i18n.global
  return translateFieldMessage(message, (key, named) => t(key, named), (key) => te(key))
}

function localizedFields(fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([field, message]) => [field, fieldMessageText(message)]))
}

/**
 * A message for a person. Generic and known specific codes are localized; for
 * `validation.failed`, fields shown on the caller's form (`formFields`) are left to the
 * form, and messages about other fields are spelled out.
 */
export function describeError(error: unknown, formFields: readonly string[] = []): string {
  const { t } = i18n.global
  if (!(error instanceof ApiError)) {
    return t('common.errors.generic', { message: error instanceof Error ? error.message : String(error) })
  }
  const generic = GENERIC_CODES[error.code]
  if (generic) return t(generic)
  if (error.code === 'validation.failed') {
    const elsewhere = Object.entries(error.fieldErrors).filter(([field]) => !formFields.includes(field))
    if (elsewhere.length === 0) return t('common.errors.validation')
    return elsewhere.map(([, message]) => fieldMessageText(message)).join('; ')
  }
  const specific = localizedCode(error.code)
  if (specific) return specific
  if (error.status === 404 && error.code.endsWith('.not_found')) return t('common.errors.notFound')
  const text = error.message || error.code
  return error.requestId && error.status >= 500 ? `${text} (${t('common.errors.requestId', { id: error.requestId })})` : text
}

/** Shows an error as a toast. 401s are handled globally (redirect to the login page). */
export function notifyError(error: unknown, formFields: readonly string[] = []): void {
  if (error instanceof ApiError && error.status === 401) return
  ElMessage.error({ message: describeError(error, formFields), grouping: true, showClose: true })
}

/**
 * `details.fields` of an error (validation or a conflict such as `users.username_taken`),
 * as field → message, in the current locale: a conflict takes the text of its code when the
 * code is known, and the server's field messages are translated (utils/fieldMessages.ts).
 */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {}
  const fields = error.fieldErrors
  if (error.code === 'validation.failed') return localizedFields(fields)
  const specific = localizedCode(error.code)
  return specific ? Object.fromEntries(Object.keys(fields).map((field) => [field, specific])) : localizedFields(fields)
}

/**
 * Standard handling of a failed form submission: field messages go under the fields, and a
 * toast explains the rest. Returns the field messages to bind to `el-form-item :error`.
 */
export function formErrors(error: unknown, formFields: readonly string[]): Record<string, string> {
  const fields = fieldErrorsOf(error)
  const shown = Object.fromEntries(Object.entries(fields).filter(([field]) => formFields.includes(field)))
  notifyError(error, Object.keys(shown))
  return shown
}
