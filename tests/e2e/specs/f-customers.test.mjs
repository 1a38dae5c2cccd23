// (f) Customer archive: on a phone, rep1 creates a customer, is warned of a duplicate while
// starting another one, adds a contact and finds the customer by pinyin initials; mgr1 (desktop)
// assigns it to rep2; rep1 then no longer finds it, and its URL shows the not-found page.
// Skips itself while the server has no customer endpoints (GET /customers → route.not_found).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { apiSession, customersAvailable } from '../lib/api.mjs'
import {
  BASE_URL,
  assertNoPageErrors,
  byTest,
  inputOf,
  login,
  openBrowser,
  overlaysClosed,
  screenshot,
  settled,
  uniquePhone,
  uniqueSuffix,
} from '../lib/browser.mjs'

const available = await customersAvailable()
const skip = available ? false : 'the server has no customer endpoints yet (GET /api/v1/customers → route.not_found)'

// On a fresh database the customer is 北京凌天商贸有限公司 itself; on reruns (when that name is
// taken) a suffixed 北京凌天商贸有限公司… whose pinyin initials still start with `bjlt`. The phone
// is unique per run, so typing it finds this run's customer whatever the name.
const suffix = uniqueSuffix()
const BASE_NAME = '北京凌天商贸有限公司'
let customerName = BASE_NAME
const customerPhone = uniquePhone()
const contactName = `王经理${suffix.slice(0, 3)}`

let rep1
let mgr1
let customerId
let rep1Name
let rep2Name

before(async () => {
  if (skip) return
  const gm = await apiSession('gm')
  const users = await gm('GET', '/users?q=rep')
  rep1Name = users.items.find((user) => user.username === 'rep1')?.name
  rep2Name = users.items.find((user) => user.username === 'rep2')?.name
  assert.ok(rep1Name && rep2Name, 'demo users rep1 and rep2 exist')
  const rep = await apiSession('rep1')
  const taken = await rep('POST', '/customers/duplicate-check', { name: BASE_NAME })
  if (taken.matches.length) customerName = `${BASE_NAME}${suffix}`
  rep1 = await openBrowser({ phone: true })
})
after(async () => {
  await rep1?.close()
  await mgr1?.close()
})

/** Waits for the list answer of a search for `q` after typing it. */
async function search(page, testName, q) {
  const answered = page.waitForResponse((response) => {
    const url = new URL(response.url())
    return url.pathname === '/api/v1/customers' && url.searchParams.get('q') === q
  })
  await inputOf(page, testName).fill(q)
  await answered
  await settled(page)
}

test('rep1 on a phone: create, duplicate warning, contact, pinyin search', { skip }, async () => {
  const { page } = rep1
  await login(page, 'rep1')
  await page.goto(`${BASE_URL}/customers`)
  await byTest(page, 'customers-list').waitFor()

  // Create the customer; earlier runs may have left similar names, so confirm if asked.
  await byTest(page, 'customer-create').click()
  await inputOf(page, 'customer-name').fill(customerName)
  await inputOf(page, 'customer-phone').fill(customerPhone)
  await inputOf(page, 'customer-province').fill('北京')
  await inputOf(page, 'customer-city').fill('北京')
  await inputOf(page, 'customer-address').fill(`朝阳区建国路 88 号 ${suffix}`)
  await byTest(page, 'customer-source').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '陌生拜访' }).first().click()
  await inputOf(page, 'customer-credit-limit').fill('50000')
  await screenshot(page, 'phone-customer-form.png')
  await byTest(page, 'customer-save').click()
  const confirm = byTest(page, 'duplicate-confirm-save')
  const created = page.waitForURL(/\/customers\/\d+$/)
  const outcome = await Promise.race([created.then(() => 'created'), confirm.waitFor().then(() => 'confirm')])
  if (outcome === 'confirm') {
    await confirm.click()
    await created
  }
  customerId = new URL(page.url()).pathname.split('/').pop()
  await byTest(page, 'customer-title').getByText(customerName).waitFor()
  assert.equal(await byTest(page, 'customer-owner').innerText(), rep1Name)
  await overlaysClosed(page)

  // Starting another "北京凌天商贸" with the same phone: the form names the existing one and its owner.
  await page.goto(`${BASE_URL}/customers`)
  await byTest(page, 'customer-create').click()
  await inputOf(page, 'customer-name').fill('北京凌天商贸')
  await inputOf(page, 'customer-phone').fill(customerPhone)
  const warning = byTest(page, 'duplicate-warning')
  await warning.getByText(customerName).waitFor()
  const warningText = await warning.innerText()
  assert.ok(warningText.includes(`负责人：${rep1Name}`), `the warning names the owner: ${warningText}`)
  await screenshot(page, 'phone-duplicate-warning.png')
  await page.keyboard.press('Escape')
  await overlaysClosed(page)

  // Add a contact (decision maker) on the detail page.
  await page.goto(`${BASE_URL}/customers/${customerId}`)
  await page.locator('#tab-contacts').click()
  await byTest(page, 'contact-add').click()
  await inputOf(page, 'contact-name').fill(contactName)
  await inputOf(page, 'contact-title').fill('采购经理')
  await inputOf(page, 'contact-mobile').fill(uniquePhone())
  await byTest(page, 'contact-role').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '决策者' }).first().click()
  await byTest(page, 'contact-save').click()
  const contact = page.locator('[data-test="contact-row"]', { hasText: contactName })
  await contact.waitFor()
  assert.match(await contact.innerText(), /决策者/)
  await overlaysClosed(page)

  // Pinyin initials find it.
  await page.goto(`${BASE_URL}/customers`)
  await byTest(page, 'customers-list').waitFor()
  await search(page, 'customers-search', 'bjlt')
  await byTest(page, 'customers-list').getByText(customerName).waitFor()
  await screenshot(page, 'phone-customers.png')

  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`)
  assertNoPageErrors(rep1.pageErrors)
})

test('mgr1 assigns the customer to rep2; rep1 loses sight of it', { skip }, async () => {
  assert.ok(customerId, 'the first test created the customer')
  mgr1 = await openBrowser()
  const { page } = mgr1
  await login(page, 'mgr1')
  await page.goto(`${BASE_URL}/customers/${customerId}`)
  await byTest(page, 'customer-title').getByText(customerName).waitFor()
  await byTest(page, 'customer-assign').click()
  await byTest(page, 'assign-owner').click()
  await page.keyboard.type(rep2Name)
  await page.locator('.el-select-dropdown__item:visible', { hasText: rep2Name }).first().click()
  await inputOf(page, 'assign-note').fill('e2e')
  await byTest(page, 'assign-save').click()
  await overlaysClosed(page)
  await page.waitForFunction(
    (name) => document.querySelector('[data-test="customer-owner"]')?.textContent === name,
    rep2Name,
  )
  await screenshot(page, 'customer-detail.png')
  assertNoPageErrors(mgr1.pageErrors)

  // rep1: the search no longer lists it, and its URL answers "not found".
  const rep = rep1.page
  await rep.goto(`${BASE_URL}/customers`)
  await byTest(rep, 'customers-list').waitFor()
  await search(rep, 'customers-search', 'bjlt')
  const names = await rep.locator('[data-test="customer-row"] .tk-card-name').allInnerTexts()
  assert.ok(!names.includes(customerName), `rep1 no longer sees the customer in the list: ${names}`)
  await rep.goto(`${BASE_URL}/customers/${customerId}`)
  await byTest(rep, 'error-404').waitFor()
  assertNoPageErrors(rep1.pageErrors)
})
