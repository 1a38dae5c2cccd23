// (c) On a phone, a sales manager opens the menu drawer and sees their team's users.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { BASE_URL, assertNoPageErrors, byTest, drawerSettled, login, openBrowser, screenshot, settled } from '../lib/browser.mjs'

let session
before(async () => {
  session = await openBrowser({ phone: true })
})
after(async () => {
  await session?.close()
})

test('mgr1 on a 390 px phone: drawer menu, then the team list', async () => {
  const { page } = session
  await login(page, 'mgr1')

  // The side menu is hidden behind the hamburger button.
  assert.equal(await page.locator('.tk-aside').count(), 0)
  await byTest(page, 'menu-toggle').click()
  const usersItem = page.locator('.el-drawer [data-test="menu-users"]')
  await usersItem.waitFor()
  await drawerSettled(page)
  await screenshot(page, 'phone-menu.png')

  await usersItem.click()
  await page.waitForURL(`${BASE_URL}/org/users`)
  await settled(page)
  const list = byTest(page, 'users-list')
  for (const name of ['张伟', '王芳', '刘洋']) {
    await list.getByText(name, { exact: true }).waitFor()
  }
  const text = await list.innerText()
  for (const other of ['陈静', '杨磊', '黄婷']) assert.ok(!text.includes(other), `${other} is outside mgr1's team`)

  // Nothing overflows the phone's width.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`)
  await screenshot(page, 'phone-users.png')
  assertNoPageErrors(session.pageErrors)
})
