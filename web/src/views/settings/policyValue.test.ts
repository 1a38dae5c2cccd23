import { describe, expect, it } from 'vitest'
import { editorLimit, formatPolicyValue, fromEditor, percentToBasisPoints, toEditor, yuanToFen } from './policyValue'

const policy = (type: Parameters<typeof toEditor>[0], min: number | null = null, max: number | null = null) => ({ type, min, max })
const text = { yes: 'on', no: 'off', locale: 'en-US' }

describe('money', () => {
  it('converts yuan to fen without float drift', () => {
    expect(yuanToFen(0.29)).toBe(29)
    expect(yuanToFen(1234.5)).toBe(123450)
    expect(yuanToFen(19.99)).toBe(1999)
  })

  it('round-trips through the editor', () => {
    expect(toEditor('money', 12345)).toBe(123.45)
    expect(fromEditor(policy('money'), 123.45)).toEqual({ ok: true, value: 12345 })
  })

  it('checks limits in fen', () => {
    expect(fromEditor(policy('money', 0, 10000), 100.01)).toEqual({ ok: false, reason: 'range' })
    expect(fromEditor(policy('money', 0, 10000), 100)).toEqual({ ok: true, value: 10000 })
    expect(editorLimit('money', 10000)).toBe(100)
  })

  it('formats with two decimals', () => {
    expect(formatPolicyValue('money', 123450, text)).toBe('¥1,234.50')
  })
})

describe('basis points', () => {
  it('converts percent to basis points', () => {
    expect(percentToBasisPoints(12.5)).toBe(1250)
    expect(percentToBasisPoints(0.1)).toBe(10)
    expect(fromEditor(policy('basis_points', 0, 10000), 100)).toEqual({ ok: true, value: 10000 })
    expect(fromEditor(policy('basis_points', 0, 10000), 100.5)).toEqual({ ok: false, reason: 'range' })
  })

  it('formats as a percentage', () => {
    expect(formatPolicyValue('basis_points', 1250, text)).toBe('12.5%')
    expect(formatPolicyValue('basis_points', 10, text)).toBe('0.1%')
  })
})

describe('other types', () => {
  it('parses integers, booleans, times, enums and JSON', () => {
    expect(fromEditor(policy('integer', 0, 100000), 500)).toEqual({ ok: true, value: 500 })
    expect(fromEditor(policy('integer'), null)).toEqual({ ok: false, reason: 'required' })
    expect(fromEditor(policy('boolean'), true)).toEqual({ ok: true, value: true })
    expect(fromEditor(policy('time'), '09:30')).toEqual({ ok: true, value: '09:30' })
    expect(fromEditor(policy('time'), '24:00')).toEqual({ ok: false, reason: 'time' })
    expect(fromEditor(policy('enum'), 'abcd')).toEqual({ ok: true, value: 'abcd' })
    expect(fromEditor(policy('json'), '{"a":[1,2]}')).toEqual({ ok: true, value: { a: [1, 2] } })
    expect(fromEditor(policy('json'), '{a:1}')).toEqual({ ok: false, reason: 'json' })
  })

  it('formats with units and labels', () => {
    expect(formatPolicyValue('integer', 500, { ...text, unit: 'm' })).toBe('500 m')
    expect(formatPolicyValue('boolean', false, text)).toBe('off')
    expect(formatPolicyValue('json', { a: 1 }, text)).toBe('{"a":1}')
    expect(toEditor('json', { a: 1 })).toBe('{\n  "a": 1\n}')
  })
})
