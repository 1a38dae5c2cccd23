// (k) Issue #3's status history, follow-up filter and pool page, all at 390×844:
//  - rep1 changes a customer's relationship status in the edit form: the 状态变更 tab lists
//    the change (from → to, who) above "创建时：潜在客户", and the timeline says
//    "客户状态：潜在客户 → 目标客户" instead of the generic "修改了客户状态";
//  - rep1 filters the list by "15 天未跟进" / "30 天未跟进" (idleDays, R-CUST-67: the
//    customer never followed up is listed) and "从未跟进" (neverFollowedUp), picks "自定义…"
//    (two single date pickers, starting from the preset's date, whose popup fits the phone)
//    and opens a view saved with both dates (the old range);
//  - rep4 filters the shared pool by type and city, reads the claim allowance line
//    ("今日已领取 n/5 · 名下客户 m/300"), which counts a claim at once, and finds the claim
//    buttons disabled with the reason when the status says the day's claims are used up.
// Skips itself while the server has no status history; the pool's status line checks skip
// while GET /customers/pool/status answers route.not_found.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { apiSession, customersAvailable } from '../lib/api.mjs'
import { BASE_URL, assertNoPageErrors, byTest, inputOf, login, openBrowser, overlaysClosed, screenshot, settled, uniqueSuffix } from '../lib/browser.mjs'

/** True when `path` is routed (anything but 404 route.not_found) for a signed-in caller. */
async function routed(api, path) {
  try {
    await api('GET', path)
    return true
  } catch (error) {
    return !/HTTP 404 .*route\.not_found/.test(String(error.message))
  }
}

const customers = await customersAvailable()
const rep1Api = customers ? await apiSession('rep1') : null
const rep4Api = customers ? await apiSession('rep4') : null
const rep5Api = customers ? await apiSession('rep5') : null
const suffix = uniqueSuffix()
let skip = customers ? false : 'the server has no customer endpoints yet'
let statusCustomer
if (!skip) {
  statusCustomer = await rep1Api('POST', '/customers', { name: `状态测试${suffix}`, type: 'terminal', acknowledgeDuplicates: true })
  if (!(await routed(rep1Api, `/customers/${statusCustomer.id}/status-history`))) skip = 'the server has no status history yet'
}
const poolStatusSkip = skip || ((await routed(rep4Api, '/customers/pool/status')) ? false : 'the server has no pool status yet')

/** A business date `days` ago in the company's time zone (Asia/Shanghai, as the browser's). */
const daysAgo = (days) => new Date(Date.now() + 8 * 3600_000 - days * 86_400_000).toISOString().slice(0, 10)

// The follow-up filter's customers: never followed up, 20 days ago, today.
const idleStem = `跟进筛选${suffix}`
const idle = {}
// The pool's customers: two agents in 宁波, one terminal in 杭州, released by rep5.
const poolStem = `公海筛选${suffix}`
const pool = {}
let savedView
let phone
let rep4

before(async () => {
  if (skip) return
  idle.never = await rep1Api('POST', '/customers', { name: `${idleStem}甲`, type: 'terminal', acknowledgeDuplicates: true })
  idle.old = await rep1Api('POST', '/customers', { name: `${idleStem}乙`, type: 'terminal', acknowledgeDuplicates: true })
  idle.fresh = await rep1Api('POST', '/customers', { name: `${idleStem}丙`, type: 'terminal', acknowledgeDuplicates: true })
  const at = new Date(Date.now() - 20 * 86_400_000).toISOString()
  await rep1Api('POST', `/customers/${idle.old.id}/follow-ups`, { channel: 'phone', summary: '电话回访', at })
  await rep1Api('POST', `/customers/${idle.fresh.id}/follow-ups`, { channel: 'visit', summary: '上门拜访' })
  // A view saved with the old range picker: both ends.
  savedView = await rep1Api('POST', '/customer-views', {
    name: `跟进区间${suffix}`,
    filters: { q: idleStem, followUpAfter: daysAgo(25), followUpBefore: daysAgo(15) },
  })

  const make = (name, type, province, city) =>
    rep5Api('POST', '/customers', { name: `${poolStem}${name}`, type, province, city, acknowledgeDuplicates: true })
  pool.agentA = await make('甲', 'agent', '浙江', '宁波')
  pool.agentB = await make('乙', 'agent', '浙江', '宁波')
  pool.terminal = await make('丙', 'terminal', '浙江', '杭州')
  for (const customer of Object.values(pool)) await rep5Api('POST', `/customers/${customer.id}/release`, { reason: 'e2e 公海' })
})
after(async () => {
  if (savedView) await rep1Api('DELETE', `/customer-views/${savedView.id}`).catch(() => undefined)
  await phone?.close()
  await rep4?.close()
})

const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)

/** Chooses the option with `text` in the select carrying `testName` (inside `scope`, a CSS selector). */
async function choose(page, testName, text, scope = '') {
  await page.locator(`${scope} [data-test="${testName}"]`.trim()).first().click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

/** Runs `action` and waits for the list answer it causes; returns that answer's query. */
async function listAfter(page, path, action, accept = () => true) {
  const answered = page.waitForResponse((response) => {
    const url = new URL(response.url())
    return url.pathname === `/api/v1${path}` && response.request().method() === 'GET' && accept(url.searchParams)
  })
  await action()
  const response = await answered
  await settled(page)
  return new URL(response.url()).searchParams
}

const rowNames = (page, testName) => page.locator(`[data-test="${testName}"] strong`).allInnerTexts()

test('rep1 on a phone changes the status: the status tab and the timeline show it', { skip }, async () => {
  phone = await openBrowser({ phone: true })
  const { page } = phone
  await login(page, 'rep1')
  await page.goto(`${BASE_URL}/customers/${statusCustomer.id}`)
  await byTest(page, 'customer-title').waitFor()

  // Before any change: only the status at creation.
  await page.locator('#tab-statuses').click()
  await byTest(page, 'status-history-initial').getByText('创建时：潜在客户').waitFor()
  assert.equal(await page.locator('[data-test="status-history-row"]').count(), 0)

  await byTest(page, 'customer-edit').click()
  await choose(page, 'customer-status', '目标客户', '.el-dialog')
  await byTest(page, 'customer-save').click()
  await overlaysClosed(page)
  await byTest(page, 'customer-status').getByText('目标客户').waitFor()

  // The open tab reloads after the edit; a second change (through the API) comes first.
  await page.locator('[data-test="status-history-row"]').first().waitFor()
  await rep1Api('PATCH', `/customers/${statusCustomer.id}`, { status: 'active', notes: `e2e ${suffix}` })
  await page.reload()
  await byTest(page, 'customer-title').waitFor()
  await page.locator('#tab-statuses').click()
  const rows = page.locator('[data-test="status-history-row"]')
  await rows.nth(1).waitFor()
  const texts = await rows.allInnerTexts()
  assert.equal(texts.length, 2, `two changes: ${texts}`)
  assert.match(texts[0], /目标客户 → 业务往来客户/)
  assert.match(texts[1], /潜在客户 → 目标客户/)
  assert.match(texts[1], /\d{4}-\d{2}-\d{2} \d{2}:\d{2} · 张伟/)
  assert.equal((await byTest(page, 'status-history-initial').innerText()).trim(), '创建时：潜在客户')
  assert.ok((await overflow(page)) <= 0, `the status tab is ${await overflow(page)}px wider than the screen`)
  await screenshot(page, 'phone-status-history.png')

  await page.locator('#tab-timeline').click()
  const summaries = page.locator('[data-test="timeline-summary"]')
  await summaries.first().waitFor()
  const timeline = await summaries.allInnerTexts()
  assert.ok(timeline.includes('客户状态：潜在客户 → 目标客户'), `the form's change: ${timeline}`)
  assert.ok(timeline.includes('修改了备注；客户状态：目标客户 → 业务往来客户'), `the API's change with another field: ${timeline}`)
  assert.ok(!timeline.includes('修改了客户状态'), `no generic status entry: ${timeline}`)
  assertNoPageErrors(phone.pageErrors)
})

test('rep1 on a phone filters by days without follow-up, custom dates and an old saved view', { skip }, async () => {
  const { page } = phone
  await page.goto(`${BASE_URL}/customers`)
  await byTest(page, 'customers-list').waitFor()
  await listAfter(page, '/customers', () => inputOf(page, 'customers-search').fill(idleStem), (query) => query.get('q') === idleStem)
  await byTest(page, 'customers-more-filters').click()
  await byTest(page, 'customers-filter-follow-up').waitFor()

  // "15 天未跟进": no follow-up after 15 days ago, the never followed up included.
  await byTest(page, 'customers-filter-follow-up').click()
  const dropdown = page.locator('.el-select-dropdown:visible')
  await dropdown.waitFor()
  const box = await dropdown.boundingBox()
  assert.ok(box && box.x >= 0 && box.x + box.width <= 390.5, `the preset list fits the phone: ${JSON.stringify(box)}`)
  let query = await listAfter(page, '/customers', () =>
    page.locator('.el-select-dropdown__item:visible', { hasText: '15 天未跟进' }).first().click(),
  )
  assert.equal(query.get('idleDays'), '15')
  assert.equal(query.get('followUpBefore'), null)
  assert.equal(query.get('followUpAfter'), null)
  assert.deepEqual((await rowNames(page, 'customer-row')).sort(), [idle.never.name, idle.old.name].sort())
  assert.ok((await overflow(page)) <= 0, `the list is ${await overflow(page)}px wider than the screen`)
  await screenshot(page, 'phone-follow-up-filter.png')

  query = await listAfter(page, '/customers', () => choose(page, 'customers-filter-follow-up', '从未跟进'))
  assert.equal(query.get('neverFollowedUp'), 'true')
  assert.equal(query.get('idleDays'), null)
  assert.deepEqual(await rowNames(page, 'customer-row'), [idle.never.name])

  query = await listAfter(page, '/customers', () => choose(page, 'customers-filter-follow-up', '30 天未跟进'))
  assert.equal(query.get('idleDays'), '30')
  assert.equal(query.get('neverFollowedUp'), null)
  assert.deepEqual(await rowNames(page, 'customer-row'), [idle.never.name])

  // Custom: the dates stay, and two single pickers appear; the "after" one alone.
  // Custom from a preset starts from the preset's date (today's), the list unchanged.
  query = await listAfter(page, '/customers', () => choose(page, 'customers-filter-follow-up', '自定义'))
  assert.equal(query.get('followUpBefore'), daysAgo(30))
  assert.equal(query.get('idleDays'), null)
  const beforePicker = inputOf(page, 'customers-filter-follow-up-before')
  const afterPicker = inputOf(page, 'customers-filter-follow-up-after')
  assert.equal(await beforePicker.inputValue(), daysAgo(30))
  query = await listAfter(page, '/customers', async () => {
    await beforePicker.fill('')
    await beforePicker.press('Enter')
  })
  assert.equal(query.get('followUpBefore'), null)
  await afterPicker.click()
  const panel = page.locator('.el-picker-panel:visible').first()
  await panel.waitFor()
  const panelBox = await panel.boundingBox()
  assert.ok(panelBox && panelBox.x >= 0 && panelBox.x + panelBox.width <= 390.5, `the date popup fits the phone: ${JSON.stringify(panelBox)}`)
  query = await listAfter(page, '/customers', async () => {
    await afterPicker.fill(daysAgo(1))
    await afterPicker.press('Enter')
  })
  assert.equal(query.get('followUpAfter'), daysAgo(1))
  assert.equal(query.get('followUpBefore'), null)
  assert.deepEqual(await rowNames(page, 'customer-row'), [idle.fresh.name])
  await page.keyboard.press('Escape')
  assert.ok((await overflow(page)) <= 0, `the custom dates are ${await overflow(page)}px wider than the screen`)

  // A view saved with both ends (the old range picker) opens as custom with both dates.
  await byTest(page, 'customer-views-button').click()
  query = await listAfter(page, '/customers', () => byTest(page, `customer-view-${savedView.name}`).click(), (q) => q.get('followUpBefore') === daysAgo(15))
  assert.equal(query.get('followUpAfter'), daysAgo(25))
  assert.equal(await beforePicker.inputValue(), daysAgo(15))
  assert.equal(await afterPicker.inputValue(), daysAgo(25))
  assert.deepEqual(await rowNames(page, 'customer-row'), [idle.old.name])
  assertNoPageErrors(phone.pageErrors)
})

test('rep4 on a phone filters the shared pool by type and city', { skip }, async () => {
  rep4 = await openBrowser({ phone: true })
  const { page } = rep4
  await login(page, 'rep4')
  await page.goto(`${BASE_URL}/customers/pool`)
  await byTest(page, 'pool-list').waitFor()
  await listAfter(page, '/customers', () => inputOf(page, 'pool-search').fill(poolStem), (query) => query.get('q') === poolStem)
  assert.equal(await page.locator('[data-test="pool-row"]').count(), 3)

  let query = await listAfter(page, '/customers', () => choose(page, 'pool-filter-type', '代理商'))
  assert.equal(query.get('type'), 'agent')
  assert.equal(query.get('inPool'), 'true')
  assert.deepEqual((await rowNames(page, 'pool-row')).sort(), [pool.agentA.name, pool.agentB.name].sort())
  await choose(page, 'pool-filter-type', '终端')
  query = await listAfter(page, '/customers', () => inputOf(page, 'pool-filter-city').fill('杭州'), (q) => q.get('city') === '杭州')
  assert.equal(query.get('type'), 'terminal')
  assert.deepEqual(await rowNames(page, 'pool-row'), [pool.terminal.name])
  assert.ok((await overflow(page)) <= 0, `the pool is ${await overflow(page)}px wider than the screen`)
  assertNoPageErrors(rep4.pageErrors)
})

test("rep4 reads the pool's claim allowance, which counts a claim and blocks at the limit", { skip: poolStatusSkip }, async () => {
  const { page } = rep4
  const before = await rep4Api('GET', '/customers/pool/status')
  const line = (status) =>
    `今日已领取 ${status.claimedToday}/${status.claimLimitPerDay} · 名下客户 ${status.held}/${status.maxHeld}`
  await page.reload()
  await byTest(page, 'pool-status-line').waitFor()
  assert.equal((await byTest(page, 'pool-status-line').innerText()).trim(), line(before))
  await listAfter(page, '/customers', () => inputOf(page, 'pool-search').fill(poolStem), (query) => query.get('q') === poolStem)
  await screenshot(page, 'phone-pool.png')

  if (before.claimedToday < before.claimLimitPerDay && before.held < before.maxHeld) {
    const card = page.locator('[data-test="pool-row"]', { hasText: pool.agentA.name })
    await card.locator('[data-test="pool-claim"]').click()
    await page.locator('.el-message--success', { hasText: `已认领 ${pool.agentA.name}` }).waitFor()
    const next = { ...before, claimedToday: before.claimedToday + 1, held: before.held + 1 }
    await page.waitForFunction(
      (text) => document.querySelector('[data-test="pool-status-line"]')?.textContent?.trim() === text,
      line(next),
    )
  }

  assertNoPageErrors(rep4.pageErrors)
})

test('the claim buttons follow the allowance: disabled at the limit, the line hidden without the endpoint', { skip }, async () => {
  const { page } = rep4
  // The day's claims used up (as the status says): the buttons are disabled, the line says why.
  await page.route('**/api/v1/customers/pool/status', (route) =>
    route.fulfill({ json: { claimedToday: 5, claimLimitPerDay: 5, held: 12, maxHeld: 300, cooldownDays: 7 } }),
  )
  await page.reload()
  await listAfter(page, '/customers', () => inputOf(page, 'pool-search').fill(poolStem), (query) => query.get('q') === poolStem)
  await byTest(page, 'pool-status-block').getByText('今天的认领次数已用完（每天最多 5 个），明天再来。').waitFor()
  assert.equal((await byTest(page, 'pool-status-line').innerText()).trim(), '今日已领取 5/5 · 名下客户 12/300')
  await page.locator('[data-test="pool-claim"]').first().waitFor()
  const enabled = await page.locator('[data-test="pool-claim"]:not([disabled])').count()
  assert.equal(enabled, 0, 'every claim button is disabled')
  assert.ok((await overflow(page)) <= 0, `the blocked pool is ${await overflow(page)}px wider than the screen`)
  await screenshot(page, 'phone-pool-blocked.png')
  await page.unroute('**/api/v1/customers/pool/status')

  // A server without the endpoint: no line, the buttons as before (the claim itself checks).
  await page.route('**/api/v1/customers/pool/status', (route) =>
    route.fulfill({ status: 404, json: { error: { code: 'route.not_found', message: 'no such endpoint', details: {} } } }),
  )
  const answered = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/v1/customers/pool/status')
  await page.reload()
  await answered
  await listAfter(page, '/customers', () => inputOf(page, 'pool-search').fill(poolStem), (query) => query.get('q') === poolStem)
  assert.equal(await page.locator('[data-test="pool-status"]').count(), 0)
  assert.ok((await page.locator('[data-test="pool-claim"]:not([disabled])').count()) > 0, 'the claim buttons are enabled')
  await page.unroute('**/api/v1/customers/pool/status')
  assertNoPageErrors(rep4.pageErrors)
})
