// Reads the cells of an XLSX file's first worksheet with node's zlib only (no parser
// dependency): enough to check what an export contains.
import zlib from 'node:zlib'

/** ZIP entries by name → Buffer (stored or deflated). */
export function unzip(buffer) {
  let end = -1
  for (let i = buffer.length - 22; i >= 0; i--) {
    if (buffer.readUInt32LE(i) === 0x06054b50) {
      end = i
      break
    }
  }
  if (end < 0) throw new Error('not a zip file')
  const count = buffer.readUInt16LE(end + 10)
  let offset = buffer.readUInt32LE(end + 16)
  const files = new Map()
  for (let n = 0; n < count; n++) {
    if (buffer.readUInt32LE(offset) !== 0x02014b50) throw new Error('broken zip directory')
    const method = buffer.readUInt16LE(offset + 10)
    const size = buffer.readUInt32LE(offset + 20)
    const nameLength = buffer.readUInt16LE(offset + 28)
    const extraLength = buffer.readUInt16LE(offset + 30)
    const commentLength = buffer.readUInt16LE(offset + 32)
    const local = buffer.readUInt32LE(offset + 42)
    const name = buffer.toString('utf8', offset + 46, offset + 46 + nameLength)
    const start = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28)
    const data = buffer.subarray(start, start + size)
    files.set(name, method === 8 ? zlib.inflateRawSync(data) : Buffer.from(data))
    offset += 46 + nameLength + extraLength + commentLength
  }
  return files
}

const decode = (text) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, code) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, '&')
const texts = (xml) => [...xml.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)].map((match) => decode(match[1])).join('')

/** The 0-based column of a cell reference such as "C2"; null without one. */
const columnOf = (attributes) => {
  const letters = / r="([A-Z]+)\d+"/.exec(attributes)?.[1]
  if (!letters) return null
  return [...letters].reduce((column, letter) => column * 26 + letter.charCodeAt(0) - 64, 0) - 1
}

/**
 * Rows of cell texts of sheet1 (shared and inline strings, numbers as written). Cells are
 * placed by their reference: a writer leaves empty cells out, so a row's cells are not
 * contiguous; the gaps are ''.
 */
export function readXlsxRows(buffer) {
  const files = unzip(buffer)
  const sheet = files.get('xl/worksheets/sheet1.xml')?.toString('utf8')
  if (!sheet) throw new Error(`no sheet1 in ${[...files.keys()].join(', ')}`)
  const sharedXml = files.get('xl/sharedStrings.xml')?.toString('utf8') ?? ''
  const shared = [...sharedXml.matchAll(/<si>([\s\S]*?)<\/si>/g)].map((match) => texts(match[1]))
  return [...sheet.matchAll(/<row\b[^>]*?(?:\/>|>([\s\S]*?)<\/row>)/g)].map((row) => {
    const cells = []
    for (const cell of (row[1] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const type = / t="([^"]*)"/.exec(cell[1])?.[1]
      const body = cell[2] ?? ''
      const value = /<v>([\s\S]*?)<\/v>/.exec(body)?.[1]
      let text = value === undefined ? '' : decode(value)
      if (type === 's') text = shared[Number(value)] ?? ''
      else if (type === 'inlineStr') text = texts(body)
      const column = columnOf(cell[1]) ?? cells.length
      while (cells.length < column) cells.push('')
      cells[column] = text
    }
    return cells
  })
}
