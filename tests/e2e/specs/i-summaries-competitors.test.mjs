// (i) At 390 px, rep1 writes and submits the quarter's summary (drafted with plan vs actual
// and market reports) and reads the competitor profile side by side with ours; mgr1 on a
// desktop comments on the summary (§10 reporting cadence, §13).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { BASE_URL, assertNoPageErrors, byTest, login, logout, openBrowser, screenshot, settled } from '../lib/browser.mjs'

let phone
let desktop
before(async () => {
  phone = await openBrowser({ phone: true })
  desktop = await openBrowser()
})
after(async () => {
  await phone?.close()
  await desktop?.close()
})

async function noOverflow(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`)
}

test('rep1 submits the quarterly summary and reads the competitor profile on a phone', async () => {
  const { page } = phone
  await login(page, 'rep1')
  await page.goto(`${BASE_URL}/reports/summaries`)
  await byTest(page, 'summary-facts').waitFor()
  await settled(page)
  await noOverflow(page)
  await screenshot(page, 'phone-quarterly-summary.png')
  // On reruns against the same data the summary is already submitted (the text is read-only).
  const text = page.locator('textarea[data-test="summary-text"], [data-test="summary-text"] textarea').first()
  if (await text.isEditable()) {
    await text.fill('本季度重点客户全部拜访，立邦降价需要应对。')
    await byTest(page, 'summary-submit').click()
    await page.waitForFunction(() => document.querySelector('[data-test="summary-status"]')?.textContent?.includes('已提交'))
  }

  await page.goto(`${BASE_URL}/reports/competitors`)
  await page.locator('[data-test="competitor-row"]', { hasText: '立邦' }).first().click()
  await byTest(page, 'competitor-detail').waitFor()
  await byTest(page, 'offer-row').waitFor()
  const detail = await byTest(page, 'competitor-detail').innerText()
  for (const text of ['净味墙面漆 18L', '¥458.00', '¥475.00', '80 桶/月']) assert.ok(detail.includes(text), `${text} shown`)
  await settled(page)
  await noOverflow(page)
  await screenshot(page, 'phone-competitor.png')
  await logout(page)
  assertNoPageErrors(phone.pageErrors)
})

test('mgr1 comments on the team member’s quarterly summary', async () => {
  const { page } = desktop
  await login(page, 'mgr1')
  await page.goto(`${BASE_URL}/reports/summaries`)
  await page.locator('.el-radio-button', { hasText: '团队' }).click()
  await page.locator('[data-test="summary-row"]', { hasText: '张伟' }).first().click()
  await byTest(page, 'summary-comment').waitFor()
  const comment = `价格应对方案下周一前报给我（${Date.now() % 100000}）`
  await page.locator('[data-test="summary-comment"] textarea, textarea[data-test="summary-comment"]').first().fill(comment)
  await byTest(page, 'summary-comment-send').click()
  await page.locator('.el-drawer').getByText(comment).waitFor()
  await screenshot(page, 'summary-review.png')
  assertNoPageErrors(desktop.pageErrors)
})
