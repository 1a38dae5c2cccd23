// Reading an import file in the browser (docs/api-customers.md "Import": the client parses
// the file and sends rows): CSV in UTF-8 or GBK (what Excel in China saves), XLSX (the
// first sheet), the guess of which column is which field, and the split into requests
// that respect the server's row and body limits. Pure functions, tested in importFile.test.ts.

/** The create-body fields the import accepts, in the order the mapping step lists them. */
export const IMPORT_FIELDS = [
  'name',
  // R-CUST-48: the customer's code in other systems; a row whose code a stored customer holds
  // creates nothing and only adds its contact to that customer (status `existing`).
  'code',
  'type',
  'status',
  'source',
  'industry',
  'province',
  'city',
  'district',
  'address',
  'phone',
  'fax',
  'email',
  'website',
  'purchasePower',
  'purchaseHorizon',
  'importance',
  'potential',
  'tags',
  'notes',
  // R-CUST-65: the row's owner by login name or name (the wizard's owner when empty).
  'owner',
  // R-CUST-37: the row's contact; a later row with the same customer name adds its contact there.
  'contact.name',
  'contact.title',
  'contact.mobile',
  'contact.phone',
  'contact.email',
  'contact.wechat',
  'contact.qq',
  'contact.notes',
] as const
export type ImportField = (typeof IMPORT_FIELDS)[number]

export type EncodingChoice = 'auto' | 'utf-8' | 'gbk'

/** Server bounds per request (kMaxImportRows and the platform body limit of 1 MiB, with room for the envelope). */
export const MAX_ROWS_PER_REQUEST = 5000
export const MAX_BYTES_PER_REQUEST = 900 * 1024

export interface DecodedText {
  text: string
  /** The encoding actually used. */
  encoding: 'utf-8' | 'gbk'
}

/**
 * Bytes → text. `auto`: a UTF-8 BOM or valid UTF-8 is UTF-8; anything else is read as GBK
 * (GB18030, its superset), which is how Excel on a Chinese Windows saves "CSV".
 */
export function decodeText(bytes: Uint8Array, choice: EncodingChoice = 'auto'): DecodedText {
  const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
  if (choice === 'utf-8' || (choice === 'auto' && hasBom)) {
    return { text: new TextDecoder('utf-8').decode(bytes), encoding: 'utf-8' } // strips the BOM
  }
  if (choice === 'auto') {
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' }
    } catch {
      // not UTF-8: fall through to GBK
    }
  }
  return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'gbk' }
}

/** The delimiter of a CSV file: the one of comma, semicolon and tab most frequent in the first line. */
export function detectDelimiter(text: string): string {
  const firstLine = text.slice(0, text.search(/\r?\n|$/))
  let best = ','
  let bestCount = 0
  for (const candidate of [',', ';', '\t']) {
    const count = firstLine.split(candidate).length - 1
    if (count > bestCount) {
      best = candidate
      bestCount = count
    }
  }
  return best
}

const isBlank = (row: readonly string[]) => row.every((cell) => cell === '')

/** Drops the blank rows at the end of a table (as the server does, so row numbers agree). */
function trimTrailingBlankRows(rows: string[][]): string[][] {
  while (rows.length && isBlank(rows[rows.length - 1]!)) rows.pop()
  return rows
}

/**
 * RFC 4180 text → rows of cells (quoted fields may hold delimiters, doubled quotes and line
 * breaks; CRLF or LF). Blank lines inside the table stay (the server reads the file the
 * same way, so row N is line N of the spreadsheet); blank lines at the end are dropped.
 */
export function parseCsv(text: string, delimiter = detectDelimiter(text)): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  let i = 0
  if (text.charCodeAt(0) === 0xfeff) i = 1
  const endRow = () => {
    row.push(cell)
    rows.push(row)
    row = []
    cell = ''
  }
  for (; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"'
          i++
        } else {
          quoted = false
        }
      } else {
        cell += ch
      }
    } else if (ch === '"' && cell === '') {
      quoted = true
    } else if (ch === delimiter) {
      row.push(cell)
      cell = ''
    } else if (ch === '\n') {
      endRow()
    } else if (ch === '\r') {
      if (text[i + 1] === '\n') i++
      endRow()
    } else {
      cell += ch
    }
  }
  if (cell !== '' || row.length) endRow()
  return trimTrailingBlankRows(rows)
}

// ---- XLSX ----------------------------------------------------------------------------------

/** The entries of a ZIP archive (central directory), inflated on demand. */
async function readZip(bytes: Uint8Array): Promise<Map<string, () => Promise<Uint8Array>>> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let end = -1
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i
      break
    }
  }
  if (end < 0) throw new Error('not a zip archive')
  const count = view.getUint16(end + 10, true)
  let offset = view.getUint32(end + 16, true)
  const entries = new Map<string, () => Promise<Uint8Array>>()
  const names = new TextDecoder('utf-8')
  for (let n = 0; n < count; n++) {
    if (view.getUint32(offset, true) !== 0x02014b50) throw new Error('broken zip directory')
    const method = view.getUint16(offset + 10, true)
    const compressedSize = view.getUint32(offset + 20, true)
    const nameLength = view.getUint16(offset + 28, true)
    const extraLength = view.getUint16(offset + 30, true)
    const commentLength = view.getUint16(offset + 32, true)
    const localOffset = view.getUint32(offset + 42, true)
    const name = names.decode(bytes.subarray(offset + 46, offset + 46 + nameLength))
    entries.set(name, async () => {
      const localNameLength = view.getUint16(localOffset + 26, true)
      const localExtraLength = view.getUint16(localOffset + 28, true)
      const start = localOffset + 30 + localNameLength + localExtraLength
      const data = bytes.subarray(start, start + compressedSize)
      if (method === 0) return data
      if (method !== 8) throw new Error(`unsupported zip method ${method}`)
      const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate-raw'))
      return new Uint8Array(await new Response(stream).arrayBuffer())
    })
    offset += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

export function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16))
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10))
    return XML_ENTITIES[entity] ?? whole
  })
}

/** The text of every <t> in a fragment (a shared string or inline string, rich text included). */
function textOf(fragment: string): string {
  let text = ''
  for (const match of fragment.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)) text += decodeXml(match[1]!)
  return text
}

/** `B12` → 1 (zero-based column index). */
export function columnIndex(reference: string): number {
  let index = 0
  for (const ch of reference) {
    const code = ch.charCodeAt(0)
    if (code < 65 || code > 90) break
    index = index * 26 + (code - 64)
  }
  return index - 1
}

const attribute = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1]

/**
 * The rows of the first worksheet of an XLSX workbook, as text. Rows keep their sheet
 * positions (Excel leaves empty rows out of the file), so row N is the sheet's row N, as on
 * the server; blank rows at the end are dropped. Booleans read `true` / `false`.
 */
export async function readXlsx(bytes: Uint8Array): Promise<string[][]> {
  const zip = await readZip(bytes)
  const utf8 = new TextDecoder('utf-8')
  const read = async (name: string) => {
    const entry = zip.get(name)
    return entry ? utf8.decode(await entry()) : null
  }
  // The first sheet of the workbook, through its relationship (not always sheet1.xml).
  let sheetPath = 'xl/worksheets/sheet1.xml'
  const workbook = await read('xl/workbook.xml')
  const rels = await read('xl/_rels/workbook.xml.rels')
  const firstSheet = workbook ? /<sheet\s[^>]*>/.exec(workbook)?.[0] : undefined
  const relId = firstSheet ? attribute(firstSheet, 'r:id') : undefined
  if (rels && relId) {
    for (const rel of rels.matchAll(/<Relationship\s[^>]*>/g)) {
      if (attribute(rel[0], 'Id') !== relId) continue
      const target = attribute(rel[0], 'Target') ?? ''
      sheetPath = target.startsWith('/') ? target.slice(1) : `xl/${target}`
    }
  }
  const sheet = await read(sheetPath)
  if (sheet === null) throw new Error('the workbook has no worksheet')
  const sharedXml = await read('xl/sharedStrings.xml')
  const shared = sharedXml ? [...sharedXml.matchAll(/<si>([\s\S]*?)<\/si>/g)].map((match) => textOf(match[1]!)) : []

  const rows: string[][] = []
  for (const rowMatch of sheet.matchAll(/<row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/row>)/g)) {
    const number = Number(attribute(` ${rowMatch[1]}`, 'r'))
    while (Number.isInteger(number) && number > 1 && rows.length < number - 1) rows.push([])
    const cells: string[] = []
    let next = 0
    for (const cellMatch of (rowMatch[2] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attrs = ` ${cellMatch[1]}`
      const body = cellMatch[2] ?? ''
      const reference = attribute(attrs, 'r')
      const index = reference ? columnIndex(reference) : next
      next = index + 1
      const type = attribute(attrs, 't')
      const raw = /<v>([\s\S]*?)<\/v>/.exec(body)?.[1]
      let value = ''
      if (type === 's') value = raw !== undefined ? (shared[Number(raw)] ?? '') : ''
      else if (type === 'inlineStr') value = textOf(body)
      else if (type === 'b') value = raw === '1' ? 'true' : raw === '0' ? 'false' : ''
      else if (type !== 'e' && raw !== undefined) value = decodeXml(raw)
      while (cells.length < index) cells.push('')
      cells[index] = value
    }
    rows.push(cells)
  }
  return trimTrailingBlankRows(rows)
}

/** True for an XLSX (ZIP) file by its first bytes, whatever its name says. */
export const isZip = (bytes: Uint8Array) => bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04

// ---- column mapping ----------------------------------------------------------------------

/**
 * Header names people use for each field (lower case, without spaces): the export's own
 * zh and en headers first, then common variants of Chinese CRM spreadsheets.
 */
const SYNONYMS: Record<ImportField, string[]> = {
  name: ['客户名称', 'name', '名称', '客户', '客户名', '公司', '公司名称', '单位名称', '企业名称', 'company', 'customer', 'customername', 'companyname'],
  code: ['客户编码', 'code', '编码', '客户编号', '客户代码', '客户号', 'customercode', 'erp编码', 'erpcode'],
  type: ['类型', 'type', '客户类型', '客户类别', '类别', 'customertype'],
  status: ['状态', 'status', '客户状态', '关系状态'],
  source: ['来源', 'source', '客户来源', '渠道'],
  industry: ['行业', 'industry', '所属行业'],
  province: ['省', 'province', '省份', '所在省', '省/直辖市'],
  city: ['市', 'city', '城市', '所在城市', '地市'],
  district: ['区县', 'district', '区', '县', '区/县'],
  address: ['地址', 'address', '详细地址', '公司地址', '通讯地址', '联系地址'],
  phone: ['电话', 'phone', '联系电话', '公司电话', '座机', '手机', '手机号', '电话号码', 'tel', 'telephone', 'mobile'],
  fax: ['传真', 'fax'],
  email: ['邮箱', 'email', 'e-mail', '电子邮箱', '电子邮件', '邮件'],
  website: ['网址', 'website', '网站', '主页', 'url', 'web'],
  purchasePower: ['购买力', 'purchasepower'],
  purchaseHorizon: ['采购时间', 'purchasehorizon', '决策时间', '预计采购时间'],
  importance: ['重要性', 'importance', '重要程度'],
  potential: ['潜力', 'potential', '发展潜力'],
  tags: ['标签', 'tags', 'tag'],
  notes: ['备注', 'notes', 'note', '说明', 'remark', 'remarks', 'comments'],
  owner: ['负责人', 'owner', '业务员', '销售', '销售员', '归属人', '客户经理', '跟进人', '所属销售', '所属业务员', '负责销售', 'salesrep', 'sales'],
  'contact.name': ['联系人', 'contact', '联系人姓名', '姓名', 'contactname', '联系人名称'],
  'contact.title': ['联系人职务', 'contacttitle', '职务', '职位', 'title', 'position'],
  'contact.mobile': ['联系人手机', 'contactmobile', '手机号码', '联系人手机号'],
  'contact.phone': ['联系人电话', 'contactphone', '联系人座机'],
  'contact.email': ['联系人邮箱', 'contactemail', '联系人电子邮箱'],
  'contact.wechat': ['联系人微信', 'contactwechat', '微信', '微信号', 'wechat'],
  'contact.qq': ['联系人qq', 'contactqq', 'qq', 'qq号'],
  'contact.notes': ['联系人备注', 'contactnotes'],
}

const normalizeHeader = (header: string) =>
  header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_*:：()（）]/g, '')

/**
 * Words too general to recognise a field inside a longer header (`客户等级` is not the name,
 * `邮政编码` and `zipcode` are not the customer code).
 */
const EXACT_ONLY = new Set(['客户', '公司', '名称', '类型', '状态', '类别', '区', '县', '省', '市', 'tag', 'web', 'url', 'tel', 'note', '编码', 'code', '销售', 'sales'])

/**
 * The field each column most likely holds, from its header: an exact synonym first, then the
 * longest specific synonym the header contains (`客户名称（必填）`, `所在省份`). A field is given
 * to one column only (the first); unknown headers map to null (not imported).
 */
export function guessColumns(headers: readonly string[]): (ImportField | null)[] {
  const taken = new Set<ImportField>()
  const result: (ImportField | null)[] = headers.map(() => null)
  const normalized = headers.map(normalizeHeader)
  normalized.forEach((header, index) => {
    if (!header) return
    const field = IMPORT_FIELDS.find((candidate) => !taken.has(candidate) && SYNONYMS[candidate].some((synonym) => normalizeHeader(synonym) === header))
    if (field) {
      result[index] = field
      taken.add(field)
    }
  })
  normalized.forEach((header, index) => {
    if (result[index] || !header) return
    let best: { field: ImportField; length: number } | null = null
    for (const field of IMPORT_FIELDS) {
      if (taken.has(field)) continue
      for (const synonym of SYNONYMS[field].map(normalizeHeader)) {
        if (synonym.length < 2 || EXACT_ONLY.has(synonym) || !header.includes(synonym)) continue
        if (!best || synonym.length > best.length) best = { field, length: synonym.length }
      }
    }
    if (best) {
      result[index] = best.field
      taken.add(best.field)
    }
  })
  return result
}

/** Problems of a mapping before anything is sent: the name is required, and each field once. */
export function mappingProblems(columns: readonly (ImportField | null)[]): { missingName: boolean; repeated: ImportField[] } {
  const counts = new Map<ImportField, number>()
  for (const column of columns) if (column) counts.set(column, (counts.get(column) ?? 0) + 1)
  return {
    missingName: !counts.has('name'),
    repeated: [...counts].filter(([, n]) => n > 1).map(([field]) => field),
  }
}

// ---- requests ------------------------------------------------------------------------------

/**
 * The mapping of POST /customers/import-file (header → field), or null when the headers
 * cannot name the columns unambiguously (two columns with the same header): the server
 * maps by header text, so such files go through the row import instead.
 */
export function headerMapping(headers: readonly string[], columns: readonly (ImportField | null)[]): Record<string, ImportField | null> | null {
  const mapping: Record<string, ImportField | null> = {}
  for (const [index, raw] of headers.entries()) {
    const header = raw.trim()
    if (Object.prototype.hasOwnProperty.call(mapping, header)) return null
    mapping[header] = columns[index] ?? null
  }
  return mapping
}

/**
 * Splits data rows into consecutive batches of at most `maxRows` rows and about `maxBytes`
 * of JSON each, so each batch fits one import request. Returns the index of each batch's
 * first row along with it (row numbers of the report are offset by it).
 */
export function batchRows(
  rows: readonly string[][],
  maxRows = MAX_ROWS_PER_REQUEST,
  maxBytes = MAX_BYTES_PER_REQUEST,
): Array<{ start: number; rows: string[][] }> {
  const encoder = new TextEncoder()
  const batches: Array<{ start: number; rows: string[][] }> = []
  let current: string[][] = []
  let start = 0
  let bytes = 0
  rows.forEach((row, index) => {
    const size = encoder.encode(JSON.stringify(row)).length + 1
    if (current.length && (current.length >= maxRows || bytes + size > maxBytes)) {
      batches.push({ start, rows: current })
      current = []
      start = index
      bytes = 0
    }
    current.push(row)
    bytes += size
  })
  if (current.length) batches.push({ start, rows: current })
  return batches
}

/**
 * Cells of the columns to import only, so unmapped (possibly large) columns are not sent.
 * `defaults` fill a field for rows whose cell is empty or that have no column for it (the
 * create body requires `type`, which many spreadsheets do not have).
 */
export function projectRows(
  rows: readonly string[][],
  columns: readonly (ImportField | null)[],
  defaults: Partial<Record<ImportField, string>> = {},
): { columns: ImportField[]; rows: string[][] } {
  const keep = columns.flatMap((field, index) => (field ? [index] : []))
  const mapped = keep.map((index) => columns[index]!)
  const extra = (Object.keys(defaults) as ImportField[]).filter((field) => defaults[field] && !mapped.includes(field))
  return {
    columns: [...mapped, ...extra],
    rows: rows.map((row) => [
      ...keep.map((index, position) => {
        const cell = row[index] ?? ''
        const fallback = defaults[mapped[position]!]
        return cell.trim() === '' && fallback ? fallback : cell
      }),
      ...extra.map((field) => defaults[field]!),
    ]),
  }
}
