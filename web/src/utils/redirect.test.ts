import { describe, expect, it } from 'vitest'
import { safeRedirect } from './redirect'

describe('safeRedirect', () => {
  it('keeps app paths', () => {
    expect(safeRedirect('/org/users?unitId=3')).toBe('/org/users?unitId=3')
    expect(safeRedirect(['/settings/audit'])).toBe('/settings/audit')
  })

  it('refuses other origins and junk', () => {
    expect(safeRedirect('//evil.example/x')).toBe('/')
    expect(safeRedirect('/\\evil.example')).toBe('/')
    expect(safeRedirect('https://evil.example')).toBe('/')
    expect(safeRedirect(undefined)).toBe('/')
  })
})
