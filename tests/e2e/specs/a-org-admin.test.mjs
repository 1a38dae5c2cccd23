// (a) The GM builds a team, hires a rep into it, and the rep signs in with a minimal menu.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { repMenu } from '../lib/api.mjs'
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
  screenshot,
  settled,
  uniquePhone,
  uniqueSuffix,
} from '../lib/browser.mjs'

let session
before(async () => {
  session = await openBrowser()
})
after(async () => {
  await session?.close()
})

test('GM creates a team and a rep; the rep sees only the rep menu', async () => {
  const { page } = session
  const suffix = uniqueSuffix()
  const teamName = `测试组${suffix}`
  const username = `e2e_${suffix}`
  const repName = `测试员${suffix}`
  const repPassword = `Field${suffix}9`

  await login(page, 'gm')
  assert.equal(await byTest(page, 'header-user-name').textContent(), '王总')
  const gmMenu = await menuKeys(page)
  assert.deepEqual(gmMenu.slice(0, 1), ['dashboard'])
  for (const key of ['units', 'users', 'policies', 'audit']) assert.ok(gmMenu.includes(key), `GM menu has ${key}`)

  // A new team under the sales department.
  await byTest(page, 'menu-units').click()
  await page.waitForURL(`${BASE_URL}/org/units`)
  await byTest(page, 'unit-add-child-销售部').click()
  await inputOf(page, 'unit-name').fill(teamName)
  await byTest(page, 'unit-kind-team').click()
  await byTest(page, 'unit-save').click()
  await byTest(page, `unit-${teamName}`).waitFor()
  assert.match(await byTest(page, `unit-${teamName}`).innerText(), /小组/)

  // A rep in that team, with a password set by the GM.
  await byTest(page, 'menu-users').click()
  await page.waitForURL(`${BASE_URL}/org/users`)
  await settled(page)
  await byTest(page, 'user-create').click()
  await inputOf(page, 'user-username').fill(username)
  await inputOf(page, 'user-name').fill(repName)
  await inputOf(page, 'user-phone').fill(uniquePhone())
  await chooseUnit(page, 'user-unit', teamName)
  await inputOf(page, 'user-password').fill(repPassword)
  await byTest(page, 'user-save').click()
  const row = byTest(page, `user-row-${username}`)
  await row.waitFor()
  assert.match(await row.innerText(), new RegExp(repName))
  await overlaysClosed(page)
  await screenshot(page, 'users.png')

  await logout(page)

  // The rep signs in: a password set at creation does not have to be changed.
  await login(page, username, repPassword)
  assert.equal(new URL(page.url()).pathname, '/')
  assert.deepEqual(await menuKeys(page), await repMenu())
  assert.match(await byTest(page, 'welcome-name').innerText(), new RegExp(repName))
  assert.match(await byTest(page, 'welcome-card').innerText(), new RegExp(teamName))
  assertNoPageErrors(session.pageErrors)
})
