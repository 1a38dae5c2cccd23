#!/usr/bin/env node
// Runs the browser tests with node:test against a running Tuoke server.
//   TUOKE_URL=http://127.0.0.1:18080 node run.mjs [spec files…]
// Exits non-zero when the server is unreachable or any test fails.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { BASE_URL } from './lib/browser.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

if (!fs.existsSync(chromiumPath)) {
  console.error(`e2e: chromium not found at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`)
  process.exit(2)
}

try {
  const response = await fetch(`${BASE_URL}/healthz`, { signal: AbortSignal.timeout(5000) })
  if (!response.ok) throw new Error(`HTTP ${response.status}`)
} catch (error) {
  console.error(`e2e: no Tuoke server at ${BASE_URL} (${error.message}); start one and set TUOKE_URL`)
  process.exit(2)
}

const specs = process.argv.slice(2).length
  ? process.argv.slice(2)
  : fs
      .readdirSync(path.join(here, 'specs'))
      .filter((name) => name.endsWith('.test.mjs'))
      .sort()
      .map((name) => path.join('specs', name))

console.log(`e2e: ${specs.length} spec file(s) against ${BASE_URL}`)
// One file at a time: the specs share one server and one demo database.
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...specs], {
  cwd: here,
  stdio: 'inherit',
  env: process.env,
})
process.exit(result.status ?? 1)
