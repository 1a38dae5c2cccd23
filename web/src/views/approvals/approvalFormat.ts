// Tag colours of approval and step states.
export function approvalStateType(state: string): 'success' | 'warning' | 'danger' | 'info' | 'primary' {
  switch (state) {
    case 'approved':
    case 'registered':
      return 'success'
    case 'pending':
      return 'warning'
    case 'rejected':
      return 'danger'
    case 'returned':
      return 'primary'
    default:
      return 'info'
  }
}

export function stepStateType(state: string): 'success' | 'warning' | 'danger' | 'info' | 'primary' {
  return state === 'waiting' || state === 'skipped' ? 'info' : approvalStateType(state)
}
