// (h) Customer detail, on a phone: rep1 uploads a business-card photo (thumbnail, download,
// delete), renames a customer to the name of another one and is asked to confirm the likely
// duplicate (PATCH → 409 customers.possible_duplicate), and reads the timeline in Chinese
// (summaries translated from their codes, not the server's English).
// Skips itself on a server without the customer archive or without attachments.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { apiSession, customersAvailable } from '../lib/api.mjs'
import { BASE_URL, assertNoPageErrors, byTest, inputOf, login, openBrowser, overlaysClosed, screenshot, uniqueSuffix } from '../lib/browser.mjs'

const available = await customersAvailable()
let skip = available ? false : 'the server has no customer endpoints yet'

const suffix = uniqueSuffix()
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tuoke-e2e-detail-'))
// A 2×2 PNG: the server accepts images by their bytes, not their name.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8DA0PCfAUIBACFyBP1TVaZ3AAAAAElFTkSuQmCC',
  'base64',
)

let rep
let first
let second

before(async () => {
  if (skip) return
  const api = await apiSession('rep1')
  first = await api('POST', '/customers', { name: `详情测试${suffix}`, type: 'terminal', acknowledgeDuplicates: true })
  second = await api('POST', '/customers', { name: `另一家${suffix}`, type: 'agent', acknowledgeDuplicates: true })
  const probe = await fetch(`${BASE_URL}/api/v1/customers/${first.id}/attachments`)
  const body = await probe.json().catch(() => ({}))
  if (probe.status === 404 && body?.error?.code === 'route.not_found') skip = 'the server has no attachments (nor the duplicate check on edit) yet'
})
after(async () => {
  await rep?.close()
  fs.rmSync(tmp, { recursive: true, force: true })
})

test('rep1 on a phone: attachment upload, thumbnail, download and delete', async (t) => {
  if (skip) return t.skip(skip)
  rep = await openBrowser({ phone: true })
  const { page } = rep
  await login(page, 'rep1')
  await page.goto(`${BASE_URL}/customers/${first.id}`)
  await byTest(page, 'customer-title').waitFor()
  await page.locator('#tab-attachments').click()
  await byTest(page, 'attachment-upload-bar').waitFor()

  const file = path.join(tmp, '名片.png')
  fs.writeFileSync(file, PNG)
  await page.locator('[data-test="attachment-upload-bar"] input[type=file]').setInputFiles(file)
  const row = page.locator('[data-test="attachment-row"]', { hasText: '名片.png' })
  await row.waitFor()
  assert.match(await row.innerText(), /名片/)
  // The thumbnail is the image itself, shown inline.
  await row.locator('[data-test="attachment-thumb"] img').waitFor()
  const thumb = await row.locator('[data-test="attachment-thumb"] img').evaluate((img) => ({ src: img.src, width: img.naturalWidth }))
  assert.match(thumb.src, /disposition=inline/)
  assert.equal(thumb.width, 2)
  // The download link answers the same bytes.
  const href = await row.locator('[data-test="attachment-download"]').getAttribute('href')
  const bytes = await page.evaluate(async (url) => Array.from(new Uint8Array(await (await fetch(url)).arrayBuffer())), href)
  assert.deepEqual(Buffer.from(bytes), PNG)
  await screenshot(page, 'phone-attachments.png')
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 0, `the attachments tab is ${overflow}px wider than the screen`)

  await row.locator('[data-test="attachment-delete"]').click()
  await page.locator('.el-message-box__btns .el-button--danger').click()
  await row.waitFor({ state: 'detached' })
  assertNoPageErrors(rep.pageErrors)
})

test('rep1 renames a customer to another one’s name and confirms the duplicate', async (t) => {
  if (skip) return t.skip(skip)
  const { page } = rep
  await page.goto(`${BASE_URL}/customers/${second.id}`)
  await byTest(page, 'customer-title').waitFor()
  await byTest(page, 'customer-edit').click()
  const newName = `详情测试${suffix}有限公司`
  await inputOf(page, 'customer-name').fill(newName)
  // As on create, the form warns while typing…
  await byTest(page, 'duplicate-warning').getByText(first.name).waitFor()
  await byTest(page, 'customer-save').click()
  // …and the server's 409 asks for confirmation, naming the match.
  const confirm = byTest(page, 'duplicate-confirm-save')
  await confirm.waitFor()
  assert.match(await page.locator('[data-test="duplicate-confirm"] [data-test="duplicate-matches"]').innerText(), new RegExp(first.name))
  await confirm.click()
  await overlaysClosed(page)
  await byTest(page, 'customer-title').getByText(newName).waitFor()

  // The timeline reads in Chinese: the edit entry names the changed field.
  await page.locator('#tab-timeline').click()
  const summaries = page.locator('[data-test="timeline-summary"]')
  await summaries.first().waitFor()
  const texts = await summaries.allInnerTexts()
  assert.ok(texts.includes('修改了客户名称'), `translated edit entry: ${texts}`)
  assert.ok(texts.includes(`创建客户 另一家${suffix}`), `translated create entry: ${texts}`)
  assert.ok(!texts.some((text) => /^(edited|created) /.test(text)), `no English server texts: ${texts}`)
  assertNoPageErrors(rep.pageErrors)
})
