import { useI18n } from 'vue-i18n'
import type { Policy, PolicyValue } from '@/api/types'
import { formatPolicyValue } from './policyValue'

/** Localized labels and value formatting for policies. */
export function usePolicyText() {
  const { t, te, tm, rt, locale } = useI18n()

  /** Looks a raw code up in a locale map; codes may hold characters i18n paths reserve (`km/h`). */
  const fromMap = (path: string, code: string): string | null => {
    const map = tm(path) as Record<string, unknown>
    const message = map[code]
    return message === undefined ? null : rt(message as Parameters<typeof rt>[0])
  }

  const label = (policy: Pick<Policy, 'key' | 'labelZh' | 'labelEn'>) =>
    (locale.value === 'en-US' ? policy.labelEn || policy.labelZh : policy.labelZh || policy.labelEn) || policy.key

  const groupLabel = (group: string) => (te(`policies.groups.${group}`) ? t(`policies.groups.${group}`) : group)

  const unitLabel = (unit: string | null) => (unit ? (fromMap('policies.units', unit) ?? unit) : '')

  const optionLabel = (option: string) => fromMap('policies.options', option) ?? option

  const format = (policy: Pick<Policy, 'type' | 'unit'>, value: PolicyValue) => {
    const text = formatPolicyValue(policy.type, value, {
      yes: t('policies.on'),
      no: t('policies.off'),
      unit: unitLabel(policy.unit),
      locale: locale.value,
    })
    return policy.type === 'enum' && typeof value === 'string' ? optionLabel(value) : text
  }

  return { label, groupLabel, unitLabel, optionLabel, format }
}
