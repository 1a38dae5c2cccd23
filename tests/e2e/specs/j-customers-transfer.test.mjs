// (j) Transferring customers (issue #3 item 4): mgr1 selects two of rep3's customers in the
// list (desktop), transfers them to rep2 with the hand-over of open follow-up items; the
// customers and rep3's open item (not the done one) now belong to rep2, rep3 no longer sees
// them, and the timeline says what was handed over. On a 390 px phone mgr1 ticks the cards
// and transfers them back without the hand-over; the dialog fits the screen. The detail
// page's assign dialog hands over too, and its message says how many items moved.
// Skips itself while the server has no bulk transfer (POST /customers/assign → route.not_found).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { apiSession, customersAvailable, visitsAvailable } from '../lib/api.mjs'
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
  uniqueSuffix,
} from '../lib/browser.mjs'

/** True when `POST /customers/assign` is routed (anything but 404 route.not_found). */
async function transferAvailable() {
  try {
    const response = await fetch(`${BASE_URL}/api/v1/customers/assign`, { method: 'POST', signal: AbortSignal.timeout(5000) })
    if (response.status !== 404) return true
    const body = await response.json().catch(() => ({}))
    return !String(body?.error?.code ?? '').startsWith('route.')
  } catch {
    return true // let the test report the real problem
  }
}

const available = (await customersAvailable()) && (await transferAvailable())
const skip = available ? false : 'the server has no bulk transfer yet (POST /api/v1/customers/assign → route.not_found)'
const withItems = available && (await visitsAvailable())

const suffix = uniqueSuffix()
// A run-unique stem: searching for it lists exactly this run's two customers.
const stem = `转移测试${suffix}`
const names = [`${stem}甲`, `${stem}乙`]
const note = `e2e 批量转移 ${suffix}`

/** A day a few days ahead in the company's time zone (Asia/Shanghai): never "in the past". */
const dueOn = () => new Date(Date.now() + 8 * 3600_000 + 3 * 86_400_000).toISOString().slice(0, 10)

let rep2Id
let rep2Name
let rep3Id
let rep3Name
let rep3
let mgrApi
const customers = []
let openItemId
let doneItemId
/** A third customer of rep3's, with an open item, for the detail page's assign. */
let single
let singleItemId
let desktop
let phone

before(async () => {
  if (skip) return
  const gm = await apiSession('gm')
  const users = await gm('GET', '/users?q=rep&limit=100')
  const rep2 = users.items.find((user) => user.username === 'rep2')
  const rep3User = users.items.find((user) => user.username === 'rep3')
  assert.ok(rep2 && rep3User, 'demo users rep2 and rep3 exist')
  ;({ id: rep2Id, name: rep2Name } = rep2)
  ;({ id: rep3Id, name: rep3Name } = rep3User)
  rep3 = await apiSession('rep3')
  mgrApi = await apiSession('mgr1')
  for (const name of names) {
    customers.push(await rep3('POST', '/customers', { name, type: 'terminal', city: '杭州', acknowledgeDuplicates: true }))
  }
  if (withItems) {
    // rep3's promises on the first customer: one open (moves with it), one done (stays).
    const open = await rep3('POST', '/follow-up-items', { customerId: customers[0].id, title: `寄样品 ${suffix}`, dueOn: dueOn() })
    const done = await rep3('POST', '/follow-up-items', { customerId: customers[0].id, title: `报价 ${suffix}`, dueOn: dueOn() })
    await rep3('POST', `/follow-up-items/${done.id}/done`, { note: '已报价' })
    openItemId = open.id
    doneItemId = done.id
  }
  single = await rep3('POST', '/customers', { name: `单个分配${suffix}`, type: 'terminal', acknowledgeDuplicates: true })
  if (withItems) {
    singleItemId = (await rep3('POST', '/follow-up-items', { customerId: single.id, title: `回访 ${suffix}`, dueOn: dueOn() })).id
  }
})
after(async () => {
  await desktop?.close()
  await phone?.close()
})

/** Waits for the list answer of a search for `q` after typing it. */
async function search(page, q) {
  const answered = page.waitForResponse((response) => {
    const url = new URL(response.url())
    return url.pathname === '/api/v1/customers' && url.searchParams.get('q') === q
  })
  await inputOf(page, 'customers-search').fill(q)
  await answered
  await settled(page)
}

/** Chooses a user in a UserSelect by typing their name. */
async function chooseUser(page, testName, name) {
  await byTest(page, testName).click()
  await page.keyboard.type(name)
  await page.locator('.el-select-dropdown__item:visible', { hasText: name }).first().click()
}

/** Whether an API call answers 404 (the helper throws with the status in its message). */
async function notFound(call) {
  try {
    await call()
    return false
  } catch (error) {
    if (/HTTP 404/.test(String(error.message))) return true
    throw error
  }
}

test('mgr1 transfers two of rep3’s customers to rep2, handing over the open follow-up item', { skip }, async () => {
  desktop = await openBrowser()
  const { page } = desktop
  await login(page, 'mgr1')
  await page.goto(`${BASE_URL}/customers`)
  await byTest(page, 'customers-list').waitFor()
  await search(page, stem)

  const transfer = byTest(page, 'customers-transfer')
  assert.equal((await transfer.innerText()).trim(), '批量转移 (0)')
  assert.ok(await transfer.isDisabled(), 'nothing selected: the transfer is disabled')
  const rows = page.locator('[data-test="customers-list"] .el-table__body tr')
  assert.equal(await rows.count(), 2)
  for (const name of names) {
    const row = rows.filter({ hasText: name })
    assert.match(await row.innerText(), new RegExp(rep3Name))
    await row.locator('.el-checkbox').click()
  }
  // Ticking the boxes does not open a customer.
  assert.match(new URL(page.url()).pathname, /\/customers$/)
  await page.waitForFunction(() => document.querySelector('[data-test="customers-transfer"]')?.textContent?.trim() === '批量转移 (2)')
  assert.ok(await transfer.isEnabled())
  await transfer.click()

  const dialog = byTest(page, 'transfer-dialog')
  await dialog.waitFor()
  assert.match(await byTest(page, 'transfer-intro').innerText(), /所选的 2 位客户/)
  assert.equal((await byTest(page, 'transfer-owners').innerText()).trim(), `${rep3Name} ×2`)
  // The hand-over is offered and ticked by default.
  assert.match(await byTest(page, 'transfer-hand-over').getAttribute('class'), /is-checked/)
  assert.ok(await byTest(page, 'transfer-save').isDisabled(), 'no owner chosen yet')
  await chooseUser(page, 'transfer-owner', rep2Name)
  await inputOf(page, 'transfer-note').fill(note)
  const request = page.waitForRequest((req) => req.method() === 'POST' && new URL(req.url()).pathname === '/api/v1/customers/assign')
  await byTest(page, 'transfer-save').click()
  const body = (await request).postDataJSON()
  assert.deepEqual(
    { ...body, ids: [...body.ids].sort() },
    { ids: customers.map((customer) => customer.id).sort(), ownerId: rep2Id, note, handOver: true },
  )
  const expected = withItems ? '已转移 2 位客户，移交 1 项跟进事项' : '已转移 2 位客户'
  await page.locator('.el-message--success', { hasText: expected }).waitFor()
  await overlaysClosed(page)

  // The list reloads with the new owner, and the selection is gone.
  await page.waitForFunction(
    (owner) => {
      const rows = [...document.querySelectorAll('[data-test="customers-list"] .el-table__body tr')]
      return rows.length === 2 && rows.every((row) => row.textContent.includes(owner))
    },
    rep2Name,
  )
  assert.equal((await transfer.innerText()).trim(), '批量转移 (0)')
  assert.ok(await transfer.isDisabled())

  // The server agrees: rep2 owns both, rep3 sees neither.
  for (const customer of customers) {
    const now = await mgrApi('GET', `/customers/${customer.id}`)
    assert.equal(now.ownerId, rep2Id, `${customer.name} belongs to rep2`)
    assert.ok(await notFound(() => rep3('GET', `/customers/${customer.id}`)), `rep3 no longer opens ${customer.name}`)
  }
  const rep3List = await rep3('GET', `/customers?q=${encodeURIComponent(stem)}`)
  assert.deepEqual(rep3List.items, [], 'rep3 no longer lists them')

  if (withItems) {
    // The open item went with the customer; the done one stays rep3's.
    const items = await mgrApi('GET', `/follow-up-items?customerId=${customers[0].id}&status=all`)
    const owners = Object.fromEntries(items.items.map((item) => [item.id, item.ownerId]))
    assert.equal(owners[openItemId], rep2Id, 'the open item now belongs to rep2')
    assert.equal(owners[doneItemId], rep3Id, 'the done item stays with rep3')
    const timeline = await mgrApi('GET', `/customers/${customers[0].id}/timeline?limit=5`)
    const assigned = timeline.items.find((entry) => entry.kind === 'assigned')
    assert.deepEqual(assigned?.data?.handedOver, { followUpItems: 1 })
  }

  // The detail page's timeline says what moved; its assign dialog offers the hand-over too.
  await page.goto(`${BASE_URL}/customers/${customers[0].id}`)
  await byTest(page, 'customer-owner').getByText(rep2Name).waitFor()
  await page.locator('#tab-timeline').click()
  const summary = page.locator('[data-test="timeline-summary"]', { hasText: `分配给 ${rep2Name}` }).first()
  await summary.waitFor()
  assert.equal(
    (await summary.innerText()).trim(),
    `分配给 ${rep2Name}（${note}）${withItems ? '，移交 1 项跟进事项' : ''}`,
  )
  await byTest(page, 'customer-assign').click()
  await byTest(page, 'assign-hand-over').waitFor()
  assert.match(await byTest(page, 'assign-hand-over').getAttribute('class'), /is-checked/)
  await page.keyboard.press('Escape')
  await overlaysClosed(page)
  assertNoPageErrors(desktop.pageErrors)
})

test('the detail page assigns one customer with its open follow-up item', { skip }, async () => {
  assert.ok(desktop, 'the first test signed mgr1 in')
  const { page } = desktop
  await page.goto(`${BASE_URL}/customers/${single.id}`)
  await byTest(page, 'customer-owner').getByText(rep3Name).waitFor()
  await byTest(page, 'customer-assign').click()
  await chooseUser(page, 'assign-owner', rep2Name)
  assert.match(await byTest(page, 'assign-hand-over').getAttribute('class'), /is-checked/)
  const request = page.waitForRequest((req) => req.method() === 'POST' && new URL(req.url()).pathname === `/api/v1/customers/${single.id}/assign`)
  await byTest(page, 'assign-save').click()
  assert.deepEqual((await request).postDataJSON(), { ownerId: rep2Id, handOver: true })
  const expected = withItems ? `已分配给 ${rep2Name}，移交 1 项跟进事项` : `已分配给 ${rep2Name}`
  await page.locator('.el-message--success', { hasText: expected }).waitFor()
  await page.waitForFunction((name) => document.querySelector('[data-test="customer-owner"]')?.textContent === name, rep2Name)
  if (withItems) {
    const items = await mgrApi('GET', `/follow-up-items?customerId=${single.id}&status=open`)
    assert.equal(items.items.find((item) => item.id === singleItemId)?.ownerId, rep2Id)
  }
  await overlaysClosed(page)
  assertNoPageErrors(desktop.pageErrors)
})

test('on a phone mgr1 ticks the cards and transfers them back without the hand-over', { skip }, async () => {
  assert.equal(customers.length, 2, 'the customers were created')
  phone = await openBrowser({ phone: true })
  const { page } = phone
  await login(page, 'mgr1')
  await page.goto(`${BASE_URL}/customers`)
  await byTest(page, 'customers-list').waitFor()
  await search(page, stem)
  const cards = page.locator('[data-test="customer-row"]')
  assert.equal(await cards.count(), 2)
  for (const name of names) await cards.filter({ hasText: name }).locator('[data-test="customer-select"]').click()
  assert.match(new URL(page.url()).pathname, /\/customers$/, 'ticking a card does not open it')
  const transfer = byTest(page, 'customers-transfer')
  await page.waitForFunction(() => document.querySelector('[data-test="customers-transfer"]')?.textContent?.trim() === '批量转移 (2)')
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok((await overflow()) <= 0, `the list is ${await overflow()}px wider than the screen`)

  await transfer.click()
  const dialog = byTest(page, 'transfer-dialog')
  await dialog.waitFor()
  await chooseUser(page, 'transfer-owner', rep3Name)
  // Nothing in the full-screen dialog is wider than the phone.
  const wide = await page.evaluate(() => {
    const box = document.querySelector('[data-test="transfer-dialog"]')
    const limit = window.innerWidth
    const offenders = [...box.querySelectorAll('*')].filter((node) => node.getBoundingClientRect().right > limit + 0.5)
    return { dialog: box.scrollWidth - box.clientWidth, offenders: offenders.map((node) => node.className).slice(0, 5) }
  })
  assert.ok(wide.dialog <= 0 && wide.offenders.length === 0, `the dialog overflows: ${JSON.stringify(wide)}`)
  assert.ok((await overflow()) <= 0, `the page is ${await overflow()}px wider than the screen`)
  await screenshot(page, 'phone-transfer.png')
  await byTest(page, 'transfer-hand-over').click()
  assert.doesNotMatch(await byTest(page, 'transfer-hand-over').getAttribute('class'), /is-checked/)

  const request = page.waitForRequest((req) => req.method() === 'POST' && new URL(req.url()).pathname === '/api/v1/customers/assign')
  await byTest(page, 'transfer-save').click()
  assert.ok(!('handOver' in (await request).postDataJSON()), 'no hand-over asked')
  await page.locator('.el-message--success', { hasText: '已转移 2 位客户' }).waitFor()
  assert.doesNotMatch(await page.locator('.el-message--success').first().innerText(), /移交/)
  await overlaysClosed(page)
  await page.waitForFunction(() => document.querySelector('[data-test="customers-transfer"]')?.textContent?.trim() === '批量转移 (0)')

  for (const customer of customers) assert.equal((await mgrApi('GET', `/customers/${customer.id}`)).ownerId, rep3Id)
  if (withItems) {
    // Not handed over this time: the open item stays with rep2.
    const items = await mgrApi('GET', `/follow-up-items?customerId=${customers[0].id}&status=open`)
    assert.equal(items.items.find((item) => item.id === openItemId)?.ownerId, rep2Id)
  }
  assertNoPageErrors(phone.pageErrors)
})
