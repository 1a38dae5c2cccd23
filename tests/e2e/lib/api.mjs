// Minimal API client for test set-up (creating records the browser steps then use).
import { BASE_URL, PASSWORD } from './browser.mjs'

/** Signs in through the API; returns a function that calls endpoints as that user. */
export async function apiSession(login, password = PASSWORD) {
  const response = await fetch(`${BASE_URL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login, password }),
  })
  if (!response.ok) throw new Error(`login ${login}: HTTP ${response.status} ${await response.text()}`)
  const me = await response.json()
  const cookie = response.headers.get('set-cookie').split(';')[0]
  return async function call(method, path, body) {
    const answer = await fetch(`${BASE_URL}/api/v1${path}`, {
      method,
      headers: {
        Cookie: cookie,
        'X-CSRF-Token': me.csrfToken,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await answer.text()
    if (!answer.ok) throw new Error(`${method} ${path}: HTTP ${answer.status} ${text}`)
    return text ? JSON.parse(text) : undefined
  }
}

/**
 * True when the server has the customer archive (issue #3): anything but 404
 * `route.not_found` from `GET /customers`. Specs use it to skip customer steps on an older
 * server and to know the rep's menu.
 */
export async function customersAvailable() {
  try {
    const response = await fetch(`${BASE_URL}/api/v1/customers`, { signal: AbortSignal.timeout(5000) })
    if (response.status !== 404) return true
    const body = await response.json().catch(() => ({}))
    return body?.error?.code !== 'route.not_found'
  } catch {
    return true // let the test report the real problem
  }
}

/** True when the server has the visit loop (issue #4): `POST /check-ins` is routed. */
export async function visitsAvailable() {
  try {
    const response = await fetch(`${BASE_URL}/api/v1/check-ins`, { method: 'POST', signal: AbortSignal.timeout(5000) })
    if (response.status !== 404) return true
    const body = await response.json().catch(() => ({}))
    return body?.error?.code !== 'route.not_found'
  } catch {
    return true
  }
}

/**
 * The menu keys of a plain rep: the dashboard, plus customers and the pool once they exist,
 * plus the rep's field screens, approvals and notifications once the visit loop exists.
 */
export async function repMenu() {
  const menu = (await customersAvailable()) ? ['dashboard', 'customers', 'pool'] : ['dashboard']
  if (await visitsAvailable()) {
    menu.push('today', 'followUps', 'dailyReport', 'visitPlans', 'visitApplications', 'routines', 'marketIntel', 'summaries', 'competitors', 'approvals', 'notifications')
  }
  return menu
}
