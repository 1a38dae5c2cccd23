/// <reference types="vitest/config" />
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

/** `element-plus/es/components/<name>/style/css` for every component in components.d.ts. */
function elementPlusStyleEntries(): string[] {
  const declarations = fileURLToPath(new URL('./src/components.d.ts', import.meta.url))
  if (!existsSync(declarations)) return []
  const names = [...readFileSync(declarations, 'utf8').matchAll(/\bEl([A-Z]\w*):/g)].map((match) =>
    match[1]!.replace(/[A-Z]/g, (letter, offset: number) => (offset ? '-' : '') + letter.toLowerCase()),
  )
  // v-loading is a directive, so it is not in the declarations.
  return ['base', 'loading', ...new Set(names)].map((name) => `element-plus/es/components/${name}/style/css`)
}

// The API server (`tuoke serve`) listens on 8080 by default; override with TUOKE_API.
const apiTarget = process.env.TUOKE_API ?? 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [
    vue(),
    // Element Plus components are resolved on demand (with their CSS) from templates.
    // The generated declaration file is committed so `vue-tsc` works on a fresh clone.
    Components({
      dts: 'src/components.d.ts',
      dirs: [],
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  // Pre-bundle Element Plus and the per-component styles the resolver imports, so the dev
  // server does not discover them page by page and reload the browser each time.
  optimizeDeps: {
    include: ['vue', 'vue-router', 'pinia', 'vue-i18n', 'element-plus/es', ...elementPlusStyleEntries()],
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/healthz': { target: apiTarget, changeOrigin: false },
    },
  },
  build: {
    target: 'es2022',
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
})
