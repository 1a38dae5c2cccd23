// (g) The visit loop (issue #4): a rep's application is approved by the manager in the
// inbox and registered by the assistant; the rep, on a 390×844 phone with a faked GPS
// position next to the customer, checks in (inside the radius), writes the visit report
// and the daily report; an offline check-in is queued as "pending sync", synced when the
// phone is back online and marked delayed; the manager sees the flags in the team day
// view and comments on the daily report on the desktop.
// Skips itself while the server has no visit API (`POST /check-ins` → route.not_found).
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { apiSession, visitsAvailable } from '../lib/api.mjs'
import {
  BASE_URL,
  DESKTOP,
  PHONE,
  assertNoPageErrors,
  byTest,
  login,
  screenshot,
  settled,
  uniquePhone,
  uniqueSuffix,
} from '../lib/browser.mjs'

const DOCS_SCREENSHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'screenshots')

// Two customers of rep1 in Shanghai, 1.9 km apart; the phone stands ~15 m from the first.
const SHOP_A = { lat: 31.2304, lng: 121.4737 }
const SHOP_B = { lat: 31.2404, lng: 121.4887 }
const NEAR_A = { latitude: 31.23052, longitude: 121.47378, accuracy: 12 }
const NEAR_B = { latitude: 31.24045, longitude: 121.48876, accuracy: 20 }

const available = await visitsAvailable()
const skip = available ? false : 'the server has no visit API yet'

/** A browser with its own context (geolocation needs the context). */
async function open({ phone = false, geolocation = null } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  const context = await browser.newContext({
    viewport: phone ? PHONE : DESKTOP,
    isMobile: phone,
    hasTouch: phone,
    deviceScaleFactor: phone ? 2 : 1,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...(geolocation ? { geolocation, permissions: ['geolocation'] } : {}),
  })
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  const pageErrors = []
  page.on('pageerror', (error) => pageErrors.push(error))
  return { browser, context, page, pageErrors, close: () => browser.close() }
}

/** Today in the company time zone (the demo company is in Asia/Shanghai). */
const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)

async function docsShot(page, name) {
  fs.mkdirSync(DOCS_SCREENSHOTS, { recursive: true })
  // No toast over the header in the README's picture.
  await page.waitForFunction(() => !document.querySelector('.el-message'), null, { timeout: 10_000 }).catch(() => undefined)
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: path.join(DOCS_SCREENSHOTS, name), fullPage: false })
}

/** The textarea of a data-test'ed Element Plus textarea, wherever the attribute landed. */
const textareaOf = (page, name) => page.locator(`textarea[data-test="${name}"], [data-test="${name}"] textarea`).first()

const state = {}

before(async () => {
  if (skip) return
  state.rep = await apiSession('rep1')
  state.rep2 = await apiSession('rep2')
  state.mgr = await apiSession('mgr1')
  state.assistant = await apiSession('assistant')
  state.admin = await apiSession('admin')
  const suffix = uniqueSuffix()

  const customer = (name, location) => ({
    name,
    type: 'distributor',
    province: '上海',
    city: '上海',
    district: '黄浦区',
    address: '南京东路 100 号',
    location,
    phone: uniquePhone(),
    acknowledgeDuplicates: true,
  })
  state.shopA = await state.rep('POST', '/customers', customer(`上海恒泰建材${suffix}`, SHOP_A))
  state.shopB = await state.rep('POST', '/customers', customer(`上海永盛五金${suffix}`, SHOP_B))

  // A capture more than a minute before it is sent counts as delayed (R-VISIT-31).
  await state.admin('POST', '/policies/visits.checkin_max_clock_skew_minutes/versions', {
    value: 1,
    effectiveFrom: today(),
    note: 'e2e: offline check-in',
  })

  const application = await state.rep('POST', '/visit-applications', {
    visitDate: today(),
    customerIds: [state.shopA.id, state.shopB.id],
    purposes: ['relationship', 'new_product'],
    notes: `e2e ${suffix}`,
    comesToOfficeFirst: true,
    expenses: [{ category: 'gift', description: '样品礼盒', amount: { amount: '20000', currency: 'CNY' } }],
  })
  state.application = await state.rep('POST', `/visit-applications/${application.id}/submit`)

  // A second rep checks in far from a customer without any application: absence and
  // outside the radius, for the manager's day view.
  const far = await state.rep2('POST', '/customers', customer(`上海锦程装饰${suffix}`, { lat: 31.2, lng: 121.4 }))
  await state.rep2('POST', '/check-ins', {
    clientId: `e2e-${suffix}-far`,
    kind: 'in',
    customerId: far.id,
    lat: 31.26,
    lng: 121.45,
    accuracyM: 30,
    capturedAt: new Date().toISOString(),
  })
})

test('mgr1 approves the visit application in the inbox; the assistant registers it', { skip }, async () => {
  const { page, pageErrors, close } = await open()
  try {
    await login(page, 'mgr1')
    await byTest(page, 'notification-bell').waitFor()
    await page.goto(`${BASE_URL}/approvals`)
    await settled(page)
    // The newest request of the inbox is the application submitted above.
    await page.locator('[data-test="approval-row"]').first().click()
    await byTest(page, 'approval-steps').waitFor()
    await textareaOf(page, 'approval-comment').fill('同意，礼品按标准执行')
    await byTest(page, 'approval-approve').click()
    await page.waitForFunction(() => document.querySelector('[data-test="approval-state"]')?.textContent?.includes('已批准'))
    await screenshot(page, 'approval-detail.png')
    assertNoPageErrors(pageErrors)
  } finally {
    await close()
  }
  const inbox = await state.assistant('GET', '/approvals?box=inbox')
  const request = inbox.items.find((item) => item.kind === 'visit_application' && item.entityId === state.application.id)
  assert.ok(request, 'the registration waits in the assistant inbox')
  const registered = await state.assistant('POST', `/approvals/${request.id}/register`, { comment: '已报备' })
  assert.equal(registered.state, 'registered')
})

test('rep1 on a phone checks in next to the customer and writes the visit report', { skip }, async () => {
  const session = await open({ phone: true, geolocation: NEAR_A })
  state.phone = session
  const { page, pageErrors } = session
  await login(page, 'rep1')
  await page.goto(`${BASE_URL}/field/today`)
  const card = page.locator('[data-test="planned-customer"]', { hasText: state.shopA.name })
  await card.waitFor()
  await card.locator('[data-test="checkin-button"]').click()
  await byTest(page, 'checkin-accuracy').waitFor()
  assert.match(await byTest(page, 'checkin-accuracy').innerText(), /±12 m/)
  await byTest(page, 'checkin-confirm').click()
  await byTest(page, 'verdict-inside').waitFor()
  assert.match(await byTest(page, 'verdict-distance').innerText(), /\d+ m/)
  await screenshot(page, 'phone-checkin-verdict.png')
  await byTest(page, 'checkin-close').click()

  await card.locator('[data-test="checkout-button"]').waitFor()
  await card.locator('[data-test="visit-report-button"]').click()
  await byTest(page, 'visit-report').waitFor()
  await page.locator('[data-test="report-purposes"] .el-checkbox', { hasText: '客情维护' }).click()
  await textareaOf(page, 'report-results').fill('老板同意下月追加 200 箱，需先寄新品样品。')
  await byTest(page, 'promise-add').click()
  await page.locator('input[data-test="promise-title"], [data-test="promise-title"] input').last().fill('周五前寄新品样品')
  const due = page.locator('[data-test="promise-row"]').last().locator('.el-date-editor input')
  await due.fill(today())
  await due.press('Enter')
  await byTest(page, 'report-submit').click()
  await page.waitForURL(/\/field\/today/)
  await page.locator('[data-test="checkin-row"]').first().waitFor()
  await settled(page)
  await docsShot(page, 'phone-today.png')
  await screenshot(page, 'phone-today.png')

  const followUps = await state.rep('GET', `/follow-up-items?customerId=${state.shopA.id}`)
  assert.ok(followUps.items.some((item) => item.title === '周五前寄新品样品'), 'the promise became a follow-up item')
  assertNoPageErrors(pageErrors)
})

test('rep1 submits the daily report', { skip }, async () => {
  const { page, pageErrors } = state.phone
  await page.goto(`${BASE_URL}/reports/daily`)
  const summary = textareaOf(page, 'daily-summary')
  await summary.waitFor()
  await settled(page)
  await summary.fill(`${await summary.inputValue()}\n拜访${state.shopA.name}，客户同意追加订单。`.trim())
  await textareaOf(page, 'daily-tomorrow').fill('拜访上海永盛五金，送样品。')
  await byTest(page, 'daily-submit').click()
  await page.waitForFunction(() => document.querySelector('[data-test="daily-status"]')?.textContent?.includes('已提交'))
  assertNoPageErrors(pageErrors)
})

test('an offline check-in waits as pending sync and is sent, delayed, when back online', { skip }, async () => {
  const { page, context, pageErrors } = state.phone
  await page.goto(`${BASE_URL}/field/today`)
  const card = page.locator('[data-test="planned-customer"]', { hasText: state.shopB.name })
  await card.waitFor()
  await context.setGeolocation(NEAR_B)
  await context.setOffline(true)
  await card.locator('[data-test="checkin-button"]').click()
  await byTest(page, 'checkin-accuracy').waitFor()
  await byTest(page, 'checkin-confirm').click()
  await byTest(page, 'checkin-queued').waitFor()
  await byTest(page, 'checkin-close').click()
  await byTest(page, 'pending-sync').waitFor()
  assert.equal(await page.locator('[data-test="pending-entry"]').count(), 1)
  await card.locator('[data-test="pending-tag"]').waitFor()
  // Stay offline past the one-minute clock tolerance set above.
  await page.waitForTimeout(65_000)
  await context.setOffline(false)
  await page.waitForFunction(() => !document.querySelector('[data-test="pending-sync"]'), null, { timeout: 30_000 })
  await page.locator('[data-test="checkin-row"]', { hasText: state.shopB.name }).locator('[data-test="delayed-tag"]').waitFor()

  const checkIns = await state.rep('GET', `/check-ins?date=${today()}`)
  const synced = checkIns.items.filter((item) => item.customerId === state.shopB.id)
  assert.equal(synced.length, 1, 'one check-in, however often it was sent')
  assert.equal(synced[0].delayed, true)
  assert.ok(synced[0].flags.includes('delayed'))
  assertNoPageErrors(pageErrors)
  await state.phone.close()
})

test('mgr1 sees the flags in the team day view and comments on the daily report', { skip }, async () => {
  const { page, pageErrors, close } = await open()
  try {
    await login(page, 'mgr1')
    await page.goto(`${BASE_URL}/field/team-day`)
    const rep = page.locator('[data-test="team-day-rep"]', { hasText: '张伟' })
    await rep.locator('[data-test="team-day-checkin"]').first().waitFor()
    await page.locator('[data-test="team-day-rep"]', { hasText: '王芳' }).locator('[data-test="rep-flag-absence"]').waitFor()
    await rep.locator('[data-test="rep-flag-delayed"]').waitFor()
    await settled(page)
    await docsShot(page, 'team-day.png')
    await screenshot(page, 'team-day.png')

    await page.goto(`${BASE_URL}/reports/review`)
    const report = page.locator('[data-test="daily-review-report"]', { hasText: '张伟' })
    await report.waitFor()
    await report.locator('[data-test="daily-comment-input"] input, input[data-test="daily-comment-input"]').first().fill('客户跟进及时，注意回款。')
    await report.locator('[data-test="daily-comment-submit"]').click()
    await report.locator('[data-test="daily-review-comment"]', { hasText: '注意回款' }).waitFor()
    assertNoPageErrors(pageErrors)
  } finally {
    await close()
  }
  const reports = await state.rep('GET', `/daily-reports?date=${today()}`)
  const mine = reports.items[0]
  const full = await state.rep('GET', `/daily-reports/${mine.id}`)
  assert.ok(full.comments.some((comment) => comment.body === '客户跟进及时，注意回款。'))
})

after(async () => {
  await state.phone?.close().catch(() => undefined)
})
