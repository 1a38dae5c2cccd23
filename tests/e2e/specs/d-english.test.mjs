// (d) The language switch turns the UI into English and is remembered; screenshots of the
// main screens for the docs.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  BASE_URL,
  assertNoPageErrors,
  byTest,
  gotoLogin,
  login,
  openBrowser,
  screenshot,
  settled,
} from '../lib/browser.mjs'

let session
before(async () => {
  session = await openBrowser()
})
after(async () => {
  await session?.close()
})

test('switching to English relabels the app and survives a reload', async () => {
  const { page } = session
  await gotoLogin(page)
  assert.match(await page.locator('h1').first().innerText(), /登录拓客/)
  await screenshot(page, 'login.png')

  await login(page, 'gm')
  assert.equal(await byTest(page, 'menu-users').innerText(), '用户管理')

  await byTest(page, 'lang-switch').click()
  await page.waitForFunction(() => document.documentElement.lang === 'en-US')
  assert.equal((await byTest(page, 'menu-users').innerText()).trim(), 'Users')
  assert.equal((await byTest(page, 'menu-policies').innerText()).trim(), 'Policies')
  assert.match(await byTest(page, 'header-user-roles').innerText(), /General manager/)

  await page.reload()
  await byTest(page, 'welcome-card').waitFor()
  assert.match(await byTest(page, 'welcome-name').innerText(), /^Good (morning|afternoon|evening), 王总/)

  // Policies: English headings and labels from the API's labelEn.
  await byTest(page, 'menu-policies').click()
  await page.waitForURL(`${BASE_URL}/settings/policies`)
  await byTest(page, 'policies-list').locator('.el-card').first().waitFor()
  await settled(page)
  assert.match(await page.locator('.tk-page-header h1').innerText(), /Company policies/)
  assert.match(await byTest(page, 'policies-list').innerText(), /Effective from/)
  await screenshot(page, 'policies.png')

  // R-CUST-47: changing a grading rule says that the stored customers will be graded again;
  // other policies say nothing of the kind.
  await byTest(page, 'policy-edit-customers.grading_rule_set').click()
  await byTest(page, 'policy-form').waitFor()
  assert.match(await byTest(page, 'policy-consequence').innerText(), /graded again under the new rule/)
  await byTest(page, 'policy-cancel').click()
  await byTest(page, 'policy-form').waitFor({ state: 'hidden' })
  await byTest(page, 'policy-edit-customers.pool_reclaim_days').click()
  await byTest(page, 'policy-form').waitFor()
  assert.equal(await byTest(page, 'policy-consequence').count(), 0)
  await byTest(page, 'policy-cancel').click()
  await byTest(page, 'policy-form').waitFor({ state: 'hidden' })

  // Audit: the GM's actions are listed; a row expands to a field diff.
  await byTest(page, 'menu-audit').click()
  await page.waitForURL(`${BASE_URL}/settings/audit`)
  await settled(page)
  const rows = byTest(page, 'audit-list').locator('.el-table__row')
  await rows.first().waitFor()
  assert.match(await page.locator('.tk-page-header h1').innerText(), /Audit log/)
  const expandable = byTest(page, 'audit-list').locator('.el-table__expand-icon')
  await expandable.first().click()
  await byTest(page, 'audit-diff').first().waitFor()
  await screenshot(page, 'audit.png')

  // Back to Chinese for whoever uses this browser profile next.
  await byTest(page, 'lang-switch').click()
  assert.equal((await byTest(page, 'menu-audit').innerText()).trim(), '审计日志')
  assertNoPageErrors(session.pageErrors)
})
