import { describe, expect, it } from 'vitest'
import { attachmentUrl, customerFilterQuery, dispositionFileName } from './customers'

describe('customer downloads', () => {
  it('takes the UTF-8 file name of Content-Disposition, then the plain one', () => {
    const header =
      "attachment; filename=\"customers-2026-11-22.xlsx\"; filename*=UTF-8''%E5%AE%A2%E6%88%B7%E5%AF%BC%E5%87%BA-2026-11-22.xlsx"
    expect(dispositionFileName(header, 'x')).toBe('客户导出-2026-11-22.xlsx')
    expect(dispositionFileName('attachment; filename="customers.csv"', 'x')).toBe('customers.csv')
    expect(dispositionFileName('attachment; filename=plain.csv', 'x')).toBe('plain.csv')
    expect(dispositionFileName("attachment; filename*=UTF-8''%E0%A4%A", 'fallback.csv')).toBe('fallback.csv')
    expect(dispositionFileName(null, 'fallback.csv')).toBe('fallback.csv')
  })

  it('sends the list filters without paging to the export', () => {
    const query = customerFilterQuery({ q: 'bjlt', inPool: false, sort: 'name', ...({ limit: 5, cursor: 'c' } as object) })
    expect(query).toMatchObject({ q: 'bjlt', inPool: false, sort: 'name' })
    expect(query).not.toHaveProperty('limit')
    expect(query).not.toHaveProperty('cursor')
  })

  it('shows attachments in place or downloads them', () => {
    const attachment = { id: '9', downloadUrl: '/api/v1/customer-attachments/9/content' }
    expect(attachmentUrl(attachment)).toBe('/api/v1/customer-attachments/9/content')
    expect(attachmentUrl(attachment, true)).toBe('/api/v1/customer-attachments/9/content?disposition=inline')
    expect(attachmentUrl({ id: '9', downloadUrl: '' }, true)).toBe('/api/v1/customer-attachments/9/content?disposition=inline')
  })
})
