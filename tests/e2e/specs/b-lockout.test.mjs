// (b) Five wrong passwords lock the account; even the right one then fails until unlocked.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import {
  BASE_URL,
  byTest,
  gotoLogin,
  inputOf,
  login,
  logout,
  openBrowser,
  settled,
  submitLogin,
  visibleDropdownItem,
} from '../lib/browser.mjs'

const LOCKED = /已锁定/

let session
before(async () => {
  session = await openBrowser()
})
after(async () => {
  await session?.close()
})

/** Submits and returns the error text shown for this attempt. */
async function failedAttempt(page, password) {
  const error = byTest(page, 'login-error')
  const previous = (await error.count()) ? await error.innerText() : null
  await submitLogin(page, 'rep1', password)
  // The alert is replaced on each answer; wait until the submit button is idle again.
  await page.waitForFunction(() => !document.querySelector('[data-test="login-submit"].is-loading'))
  await error.waitFor()
  return { text: await error.innerText(), previous }
}

test('rep1 is locked after five wrong passwords, then unlocked by the GM', async () => {
  const { page } = session
  await gotoLogin(page)

  const messages = []
  for (let attempt = 1; attempt <= 6; attempt++) {
    const { text } = await failedAttempt(page, `wrong-password-${attempt}`)
    messages.push(text)
    if (LOCKED.test(text)) break
  }
  assert.ok(messages.length >= 5, `locked only after 5 failures, got: ${JSON.stringify(messages)}`)
  assert.match(messages[0], /账号或密码错误/)
  assert.match(messages[0], /还可尝试 4 次|账号或密码错误。$/, 'first failure tells how many attempts remain')
  assert.match(messages.at(-1), LOCKED, `the 5th or 6th attempt shows the lock: ${JSON.stringify(messages)}`)
  assert.match(messages.at(-1), /\d{4}-\d{2}-\d{2} \d{2}:\d{2}|稍后再试/, 'the lock message says until when')

  // The right password does not open a locked account.
  await submitLogin(page, 'rep1', 'tuoke2026')
  await page.waitForFunction(() => !document.querySelector('[data-test="login-submit"].is-loading'))
  assert.match(await byTest(page, 'login-error').innerText(), LOCKED)
  assert.match(page.url(), /\/login/)

  // The GM unlocks rep1 from the users screen.
  await login(page, 'gm')
  await page.goto(`${BASE_URL}/org/users`)
  await inputOf(page, 'users-search').fill('张伟')
  const row = page.locator('.el-table__row', { has: byTest(page, 'user-row-rep1') })
  await row.locator('[data-test="user-locked"]').waitFor()
  await byTest(page, 'user-more-rep1').click()
  await visibleDropdownItem(page, 'user-action-unlock').click()
  await row.locator('[data-test="user-locked"]').waitFor({ state: 'detached' })
  await settled(page)
  await logout(page)

  await login(page, 'rep1')
  assert.equal(new URL(page.url()).pathname, '/')
})
