// (e) The GM moves a rep to another team and resets their password; the rep must then
// choose a new password before anything else.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { apiSession, repMenu } from '../lib/api.mjs'
import {
  BASE_URL,
  assertNoPageErrors,
  byTest,
  chooseUnit,
  inputOf,
  login,
  logout,
  menuKeys,
  openBrowser,
  overlaysClosed,
  submitLogin,
  uniquePhone,
  uniqueSuffix,
  visibleDropdownItem,
} from '../lib/browser.mjs'

let session
let rep
const suffix = uniqueSuffix()
const firstPassword = `First${suffix}1`
const resetPassword = `Reset${suffix}2`
const ownPassword = `Own${suffix}3`

before(async () => {
  session = await openBrowser()
  const gm = await apiSession('gm')
  const units = await gm('GET', '/org/units')
  const team = units.items.find((unit) => unit.name === '华东一组')
  assert.ok(team, 'demo team 华东一组 exists')
  rep = await gm('POST', '/users', {
    username: `reset_${suffix}`,
    name: `改密${suffix}`,
    phone: uniquePhone(),
    roles: ['rep'],
    unitId: team.id,
    employmentStatus: 'probation',
    password: firstPassword,
  })
  assert.equal(rep.mustChangePassword, false, 'a password set at creation need not be changed')
})
after(async () => {
  await session?.close()
})

test('move, reset password, forced change at next sign-in', async () => {
  const { page } = session
  await login(page, 'gm')
  await page.goto(`${BASE_URL}/org/users`)
  await inputOf(page, 'users-search').fill(rep.username)
  const row = page.locator('.el-table__row', { has: byTest(page, `user-row-${rep.username}`) })
  await row.waitFor()

  // Move to 华南组; the dialog lists the unit history.
  await byTest(page, `user-more-${rep.username}`).click()
  await visibleDropdownItem(page, 'user-action-move').click()
  await byTest(page, 'unit-history').getByText('华东一组').waitFor()
  await chooseUnit(page, 'move-unit', '华南组')
  await inputOf(page, 'move-note').fill('e2e')
  await byTest(page, 'move-save').click()
  await row.getByText('华南组').waitFor()
  await overlaysClosed(page)

  // Reset the password.
  await byTest(page, `user-more-${rep.username}`).click()
  await visibleDropdownItem(page, 'user-action-reset').click()
  await inputOf(page, 'reset-password').fill(resetPassword)
  await inputOf(page, 'reset-password-confirm').fill(resetPassword)
  await byTest(page, 'reset-save').click()
  await row.getByText('待改密码').waitFor()
  await overlaysClosed(page)
  await logout(page)

  // The rep signs in with the reset password and lands on the change-password page.
  await submitLogin(page, rep.username, resetPassword)
  await page.waitForURL(`${BASE_URL}/change-password`)
  await byTest(page, 'must-change-password').waitFor()
  // Other pages are out of reach until the password is changed.
  await page.goto(`${BASE_URL}/`)
  await page.waitForURL(`${BASE_URL}/change-password`)

  await inputOf(page, 'password-current').fill(resetPassword)
  await inputOf(page, 'password-new').fill(ownPassword)
  await inputOf(page, 'password-confirm').fill(ownPassword)
  await byTest(page, 'password-submit').click()
  await page.waitForURL(`${BASE_URL}/`)
  await byTest(page, 'welcome-card').waitFor()
  assert.match(await byTest(page, 'welcome-card').innerText(), /华南组/)
  assert.deepEqual(await menuKeys(page), await repMenu())

  await logout(page)
  await login(page, rep.username, ownPassword)
  assert.equal(new URL(page.url()).pathname, '/')
  assertNoPageErrors(session.pageErrors)
})
