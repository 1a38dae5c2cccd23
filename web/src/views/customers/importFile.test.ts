import { deflateRawSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import {
  batchRows,
  columnIndex,
  decodeText,
  detectDelimiter,
  guessColumns,
  headerMapping,
  isZip,
  mappingProblems,
  parseCsv,
  projectRows,
  readXlsx,
} from './importFile'

/** 北京凌天 in GBK. */
const GBK_BEIJING_LINGTIAN = [0xb1, 0xb1, 0xbe, 0xa9, 0xc1, 0xe8, 0xcc, 0xec]

describe('decodeText', () => {
  const utf8 = new TextEncoder().encode('客户名称,电话\n北京凌天,010\n')

  it('reads valid UTF-8 as UTF-8 and strips a BOM', () => {
    expect(decodeText(utf8)).toEqual({ text: '客户名称,电话\n北京凌天,010\n', encoding: 'utf-8' })
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8])
    expect(decodeText(withBom).text.startsWith('客户名称')).toBe(true)
  })

  it('falls back to GBK for bytes that are not UTF-8 (Excel on Chinese Windows)', () => {
    const decoded = decodeText(new Uint8Array([...GBK_BEIJING_LINGTIAN, 0x2c, 0x31]))
    expect(decoded).toEqual({ text: '北京凌天,1', encoding: 'gbk' })
  })

  it('honours an explicit choice', () => {
    expect(decodeText(new Uint8Array(GBK_BEIJING_LINGTIAN), 'gbk').text).toBe('北京凌天')
    // Forced UTF-8 on GBK bytes gives replacement characters, not GBK.
    const forced = decodeText(new Uint8Array(GBK_BEIJING_LINGTIAN), 'utf-8')
    expect(forced.encoding).toBe('utf-8')
    expect(forced.text).toContain('\ufffd')
    // Plain ASCII is the same in both.
    expect(decodeText(new TextEncoder().encode('name'), 'gbk').text).toBe('name')
  })
})

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, delimiters and line breaks inside quotes, CRLF', () => {
    const text = '名称,备注\r\n"凌天, 北京","他说""好""\r\n第二行"\r\n简单,\r\n'
    expect(parseCsv(text)).toEqual([
      ['名称', '备注'],
      ['凌天, 北京', '他说"好"\r\n第二行'],
      ['简单', ''],
    ])
  })

  it('keeps blank lines inside (row N is line N), drops them at the end, keeps a last line without a newline', () => {
    expect(parseCsv('a,b\n\n,\n1,2')).toEqual([['a', 'b'], [''], ['', ''], ['1', '2']])
    expect(parseCsv('a,b\r\n1,2\r\n\r\n,\r\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ])
  })

  it('detects semicolon and tab delimiters from the header line', () => {
    expect(detectDelimiter('a;b;c\n1,5;2;3')).toBe(';')
    expect(detectDelimiter('名称\t电话\n')).toBe('\t')
    expect(detectDelimiter('名称\n')).toBe(',')
    expect(parseCsv('名称\t电话\n凌天\t010')).toEqual([
      ['名称', '电话'],
      ['凌天', '010'],
    ])
  })
})

describe('guessColumns', () => {
  it('maps the export headers in both languages', () => {
    expect(guessColumns(['客户名称', '类型', '等级', '状态', '省', '市', '区县', '地址', '电话', '负责人', '标签'])).toEqual([
      'name',
      'type',
      null,
      'status',
      'province',
      'city',
      'district',
      'address',
      'phone',
      'owner',
      'tags',
    ])
    expect(guessColumns(['Name', 'Type', 'Phone', 'E-mail', 'Notes'])).toEqual(['name', 'type', 'phone', 'email', 'notes'])
  })

  it('recognises common variants, full-width forms and decorations', () => {
    expect(guessColumns(['公司名称（必填）', '联系电话', '所在城市', '详细地址', '客户来源', 'ＥＭＡＩＬ'])).toEqual([
      'name',
      'phone',
      'city',
      'address',
      'source',
      'email',
    ])
  })

  it('recognises the owner column but not a sales figure (R-CUST-65)', () => {
    expect(guessColumns(['客户名称', '业务员'])).toEqual(['name', 'owner'])
    expect(guessColumns(['公司名称', '所属销售'])).toEqual(['name', 'owner'])
    expect(guessColumns(['客户名称', '销售额'])).toEqual(['name', null])
  })

  it('recognises the customer code column', () => {
    expect(guessColumns(['客户名称', '客户编码', '类型'])).toEqual(['name', 'code', 'type'])
    expect(guessColumns(['Name', 'Code'])).toEqual(['name', 'code'])
    expect(guessColumns(['客户编码（ERP）', '公司名称'])).toEqual(['code', 'name'])
  })

  it('recognises contact columns', () => {
    expect(guessColumns(['客户名称', '联系人', '联系人手机', '职务', '微信', '电话'])).toEqual([
      'name',
      'contact.name',
      'contact.mobile',
      'contact.title',
      'contact.wechat',
      'phone',
    ])
  })

  it('does not read general words inside longer headers as a field', () => {
    expect(guessColumns(['客户等级', '客户编号', '公司全称', '单位名称'])).toEqual([null, 'code', null, 'name'])
    expect(guessColumns(['客户名称', '邮政编码', 'zipcode'])).toEqual(['name', null, null])
    expect(guessColumns(['所在省份', '公司电话号码'])).toEqual(['province', 'phone'])
  })

  it('gives each field to the first column only and leaves unknown headers unmapped', () => {
    expect(guessColumns(['电话', '手机', '成立年份', ''])).toEqual(['phone', null, null, null])
  })

  it('reports a missing name and repeated fields', () => {
    expect(mappingProblems(['phone', null])).toEqual({ missingName: true, repeated: [] })
    expect(mappingProblems(['name', 'phone', 'phone'])).toEqual({ missingName: false, repeated: ['phone'] })
  })
})

describe('file import mapping', () => {
  it('names each column by its header, unmapped ones null', () => {
    expect(headerMapping(['客户名称', ' 电话 ', '无关'], ['name', 'phone', null])).toEqual({ 客户名称: 'name', 电话: 'phone', 无关: null })
  })
  it('gives up on repeated headers', () => {
    expect(headerMapping(['名称', '电话', '电话 '], ['name', 'phone', null])).toBeNull()
    expect(headerMapping(['名称', '', ''], ['name', null, null])).toBeNull()
  })
})

describe('batches', () => {
  it('splits by row count and by size, remembering where each batch starts', () => {
    const rows = Array.from({ length: 7 }, (_, i) => [`客户${i}`])
    expect(batchRows(rows, 3).map((batch) => [batch.start, batch.rows.length])).toEqual([
      [0, 3],
      [3, 3],
      [6, 1],
    ])
    const big = [['x'.repeat(60)], ['y'.repeat(60)], ['z']]
    expect(batchRows(big, 100, 100).map((batch) => batch.start)).toEqual([0, 1])
  })

  it('fills a default type into empty cells or as an extra column', () => {
    expect(projectRows([['凌天', ''], ['乙', '经销商']], ['name', 'type'], { type: 'terminal' }).rows).toEqual([
      ['凌天', 'terminal'],
      ['乙', '经销商'],
    ])
    expect(projectRows([['凌天']], ['name'], { type: 'agent' })).toEqual({ columns: ['name', 'type'], rows: [['凌天', 'agent']] })
    expect(projectRows([['凌天']], ['name'], {})).toEqual({ columns: ['name'], rows: [['凌天']] })
  })

  it('sends only the mapped columns', () => {
    expect(projectRows([['凌天', '无关', '010'], ['短行']], ['name', null, 'phone'])).toEqual({
      columns: ['name', 'phone'],
      rows: [
        ['凌天', '010'],
        ['短行', ''],
      ],
    })
  })
})

// ---- a minimal XLSX writer for the reader's tests ------------------------------------------

function zip(files: Record<string, string>, compress = true): Uint8Array {
  const encoder = new TextEncoder()
  const locals: Uint8Array[] = []
  const centrals: Uint8Array[] = []
  let offset = 0
  for (const [name, content] of Object.entries(files)) {
    const nameBytes = encoder.encode(name)
    const raw = encoder.encode(content)
    const data = compress ? new Uint8Array(deflateRawSync(raw)) : raw
    const local = new Uint8Array(30 + nameBytes.length + data.length)
    const lv = new DataView(local.buffer)
    lv.setUint32(0, 0x04034b50, true)
    lv.setUint16(8, compress ? 8 : 0, true)
    lv.setUint32(18, data.length, true)
    lv.setUint32(22, raw.length, true)
    lv.setUint16(26, nameBytes.length, true)
    local.set(nameBytes, 30)
    local.set(data, 30 + nameBytes.length)
    const central = new Uint8Array(46 + nameBytes.length)
    const cv = new DataView(central.buffer)
    cv.setUint32(0, 0x02014b50, true)
    cv.setUint16(10, compress ? 8 : 0, true)
    cv.setUint32(20, data.length, true)
    cv.setUint32(24, raw.length, true)
    cv.setUint16(28, nameBytes.length, true)
    cv.setUint32(42, offset, true)
    central.set(nameBytes, 46)
    locals.push(local)
    centrals.push(central)
    offset += local.length
  }
  const directorySize = centrals.reduce((sum, part) => sum + part.length, 0)
  const end = new Uint8Array(22)
  const ev = new DataView(end.buffer)
  ev.setUint32(0, 0x06054b50, true)
  ev.setUint16(8, centrals.length, true)
  ev.setUint16(10, centrals.length, true)
  ev.setUint32(12, directorySize, true)
  ev.setUint32(16, offset, true)
  const all = [...locals, ...centrals, end]
  const result = new Uint8Array(all.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of all) {
    result.set(part, at)
    at += part.length
  }
  return result
}

const workbook = (sheetTarget: string) => ({
  'xl/workbook.xml':
    '<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>' +
    '<sheet name="客户" sheetId="1" r:id="rId7"/><sheet name="Other" sheetId="2" r:id="rId8"/></sheets></workbook>',
  'xl/_rels/workbook.xml.rels':
    '<Relationships><Relationship Id="rId8" Target="worksheets/other.xml"/>' +
    `<Relationship Id="rId7" Type="worksheet" Target="${sheetTarget}"/></Relationships>`,
})

describe('readXlsx', () => {
  it('reads shared, inline, numeric and boolean cells of the first sheet, with gaps', async () => {
    const bytes = zip({
      ...workbook('worksheets/customers.xml'),
      'xl/sharedStrings.xml':
        '<sst><si><t>客户名称</t></si><si><t>电话</t></si><si><r><t>北京</t></r><r><t xml:space="preserve">凌天 &amp; 商贸</t></r></si></sst>',
      'xl/worksheets/customers.xml':
        '<worksheet><sheetData>' +
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="D1" t="inlineStr"><is><t>备注</t></is></c></row>' +
        '<row r="2"/>' +
        '<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3"><v>1085551234</v></c><c r="C3" t="b"><v>1</v></c><c r="D3" t="str"><v>&lt;x&gt;</v></c></row>' +
        '<row r="5"><c r="A5" t="inlineStr"><is><t></t></is></c></row><row r="9"/>' +
        '</sheetData></worksheet>',
      'xl/worksheets/other.xml': '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>wrong</t></is></c></row></sheetData></worksheet>',
    })
    expect(isZip(bytes)).toBe(true)
    expect(await readXlsx(bytes)).toEqual([
      ['客户名称', '电话', '', '备注'],
      [],
      ['北京凌天 & 商贸', '1085551234', 'true', '<x>'],
    ])
  })

  it('reads stored (uncompressed) entries and absolute targets', async () => {
    const bytes = zip(
      {
        ...workbook('/xl/worksheets/sheet1.xml'),
        'xl/worksheets/sheet1.xml': '<worksheet><sheetData><row><c t="inlineStr"><is><t>名称</t></is></c><c t="inlineStr"><is><t>&#x51CC;</t></is></c></row></sheetData></worksheet>',
      },
      false,
    )
    expect(await readXlsx(bytes)).toEqual([['名称', '凌']])
  })

  it('rejects files that are not archives', async () => {
    expect(isZip(new TextEncoder().encode('a,b'))).toBe(false)
    await expect(readXlsx(new TextEncoder().encode('a,b'))).rejects.toThrow('not a zip archive')
  })

  it('column letters', () => {
    expect(columnIndex('A1')).toBe(0)
    expect(columnIndex('Z9')).toBe(25)
    expect(columnIndex('AA10')).toBe(26)
  })
})
