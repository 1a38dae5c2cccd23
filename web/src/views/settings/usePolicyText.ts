import { useI18n } from 'vue-i18n'
import type { Policy, PolicyValue } from '@/api/types'
import { formatPolicyValue } from './policyValue'

/** Localized labels and value formatting for policies. */
export function usePolicyText() {
  const { t, te, locale } = useI18n()

  const label = (policy: Pick<Policy, 'key' | 'labelZh' | 'labelEn'>) =>
    (locale.value === 'en-US' ? policy.labelEn || policy.labelZh : policy.labelZh || policy.labelEn) || policy.key

  const groupLabel = (group: string) => (te(`policies.groups.${group}`) ? t(`policies.groups.${group}`) : group)

  const unitLabel = (unit: string | null) => (unit ? (te(`policies.units.${unit}`) ? t(`policies.units.${unit}`) : unit) : '')

  const optionLabel = (option: string) => (te(`policies.options.${option}`) ? t(`policies.options.${option}`) : option)

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
