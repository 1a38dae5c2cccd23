// Reads the field messages the C++ server can send out of its sources (test support for
// fieldMessages.test.ts; nothing in the app imports this file).
//
// The server puts a message under `details.fields.<field>` through these call forms, and
// only these are read (the message is always the second argument or the assigned value):
//
//   ThrowValidation(field, MESSAGE)                        core/error.h
//   <reader>.Fail(field, MESSAGE), <reader>->Fail(...)     JsonReader::Fail (any receiver)
//   <name ending in "errors">.Add(field, MESSAGE)          FieldErrors::Add (errors, errors_, money_errors)
//   <name ending in "errors">[key] = MESSAGE;              the import report's row.errors, cell_errors
//   row_error = MESSAGE;                                   an import row that is no array
//   Conflict(code, MESSAGE, field)                         org.cc: a conflict names its field
//   {"fields", {{field, MESSAGE}, ...}}                    an Error built with its details by hand
//   return MESSAGE;  inside CheckPasswordStrength, ValidatePolicyValue and OwnerCellRefusal, whose results are
//                    passed on as field messages (`errors.Add("password", weak)` etc.)
//
// A MESSAGE is read as a C++ expression: string literals (adjacent ones joined), `+`
// concatenation, parentheses, `std::string(...)`, and `cond ? A : B` (both branches are
// messages). Anything else (a variable, std::to_string(n), match->name) is a hole, written
// `{}` in the template: "must be at most " + std::to_string(n) + " characters" gives
// "must be at most {} characters". A message that is only a hole (a forwarded message such
// as `message.get<std::string>()`, or the parameter in a declaration) is not a message of
// its own and is skipped; the empty literal ("" = no problem) is skipped as well.
//
// So a message built at run time is one template, matched by a pattern rule, and its literal
// fragments ("must be at most ", " characters") are never taken for messages of their own.
// What fills a hole is not read here: where it is a word the reader should understand (the
// report kind of "must be the first day of a {}", the "customer code" of "repeats the {} of
// row {}"), fieldMessages.test.ts looks those words up in the sources by name.

export interface ServerMessage {
  /** The message with `{}` for each run-time part, e.g. "must be at most {} characters". */
  template: string
  /** Literal text and holes, in order. */
  parts: (string | null)[]
  /** `file:line` of the first place it was found. */
  where: string
}

interface Token {
  kind: 'string' | 'ident' | 'number' | 'char' | 'punct'
  text: string
  /** The decoded value of a string literal. */
  value?: string
  line: number
}

/** Functions whose `return`ed strings are field messages (see above). */
export const MESSAGE_PRODUCING_FUNCTIONS = ['CheckPasswordStrength', 'ValidatePolicyValue', 'OwnerCellRefusal'] as const

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', '"': '"', "'": "'", '?': '?' }

/** C++ tokens without comments; string literals (raw ones too) decoded. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  let line = 1
  const n = source.length
  const advance = (to: number) => {
    for (let k = i; k < to; k++) if (source[k] === '\n') line++
    i = to
  }
  while (i < n) {
    const c = source[i]!
    if (c === '\n' || c === ' ' || c === '\t' || c === '\r') {
      advance(i + 1)
      continue
    }
    if (source.startsWith('//', i)) {
      const end = source.indexOf('\n', i)
      advance(end < 0 ? n : end)
      continue
    }
    if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2)
      advance(end < 0 ? n : end + 2)
      continue
    }
    const raw = /^(?:u8|[uUL])?R"([^()\\\s]{0,16})\(/.exec(source.slice(i, i + 24))
    if (raw) {
      const close = `)${raw[1]}"`
      const start = i + raw[0].length
      const end = source.indexOf(close, start)
      const stop = end < 0 ? n : end
      tokens.push({ kind: 'string', text: source.slice(i, stop + close.length), value: source.slice(start, stop), line })
      advance(Math.min(n, stop + close.length))
      continue
    }
    const prefixed = /^(?:u8|[uUL])"/.exec(source.slice(i, i + 3))
    if (c === '"' || prefixed) {
      const begin = i
      let k = prefixed ? i + prefixed[0].length : i + 1
      let value = ''
      while (k < n && source[k] !== '"') {
        if (source[k] === '\\' && k + 1 < n) {
          const next = source[k + 1]!
          value += ESCAPES[next] ?? `\\${next}`
          k += 2
        } else {
          value += source[k]
          k++
        }
      }
      tokens.push({ kind: 'string', text: source.slice(begin, k + 1), value, line })
      advance(Math.min(n, k + 1))
      continue
    }
    if (c === "'") {
      let k = i + 1
      while (k < n && source[k] !== "'") k += source[k] === '\\' ? 2 : 1
      tokens.push({ kind: 'char', text: source.slice(i, k + 1), line })
      advance(Math.min(n, k + 1))
      continue
    }
    const word = /^[A-Za-z_]\w*/.exec(source.slice(i, i + 256))
    if (word) {
      tokens.push({ kind: 'ident', text: word[0], line })
      advance(i + word[0].length)
      continue
    }
    // Numbers, with C++14 digit separators (1'000) and suffixes.
    const number = /^\.?\d(?:[\w.]|'(?=\w))*/.exec(source.slice(i, i + 64))
    if (number) {
      tokens.push({ kind: 'number', text: number[0], line })
      advance(i + number[0].length)
      continue
    }
    const two = source.slice(i, i + 2)
    const text = two === '::' || two === '->' || two === '==' || two === '!=' || two === '<=' || two === '>=' ? two : c
    tokens.push({ kind: 'punct', text, line })
    advance(i + text.length)
  }
  return tokens
}

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' }

/** The index of the bracket closing the one at `open`. */
function closing(tokens: Token[], open: number): number {
  let depth = 0
  for (let k = open; k < tokens.length; k++) {
    const text = tokens[k]!.kind === 'punct' ? tokens[k]!.text : ''
    if (text in OPEN) depth++
    else if (text === ')' || text === ']' || text === '}') {
      depth--
      if (depth === 0) return k
    }
  }
  return tokens.length
}

/** Splits tokens[from, to) at top-level occurrences of `separator`. */
function splitTop(tokens: Token[], from: number, to: number, separator: string): Token[][] {
  const pieces: Token[][] = []
  let current: Token[] = []
  for (let k = from; k < to; k++) {
    const token = tokens[k]!
    if (token.kind === 'punct' && token.text in OPEN) {
      const end = Math.min(closing(tokens, k), to - 1)
      current.push(...tokens.slice(k, end + 1))
      k = end
      continue
    }
    if (token.kind === 'punct' && token.text === separator) {
      pieces.push(current)
      current = []
      continue
    }
    current.push(token)
  }
  pieces.push(current)
  return pieces
}

type Parts = (string | null)[]

/** The alternatives an expression evaluates to, as literal text and holes (null). */
export function evaluate(expression: Token[]): Parts[] {
  if (expression.length === 0) return [[null]]
  // cond ? A : B — the first top-level `?` and the `:` that pairs with it.
  let depth = 0
  let question = -1
  let pending = 0
  for (let k = 0; k < expression.length; k++) {
    const token = expression[k]!
    if (token.kind !== 'punct') continue
    if (token.text in OPEN) depth++
    else if (token.text === ')' || token.text === ']' || token.text === '}') depth--
    else if (depth === 0 && token.text === '?') {
      if (question < 0) question = k
      else pending++
    } else if (depth === 0 && token.text === ':' && question >= 0) {
      if (pending > 0) {
        pending--
        continue
      }
      return [...evaluate(expression.slice(question + 1, k)), ...evaluate(expression.slice(k + 1))]
    }
  }
  const terms = splitTop(expression, 0, expression.length, '+')
  let results: Parts[] = [[]]
  for (const term of terms) {
    const options = evaluateTerm(term)
    results = results.flatMap((prefix) => options.map((option) => [...prefix, ...option]))
  }
  return results.map(normalize)
}

function evaluateTerm(term: Token[]): Parts[] {
  if (term.length > 0 && term.every((token) => token.kind === 'string')) return [[term.map((token) => token.value ?? '').join('')]]
  const first = term[0]
  if (first?.kind === 'punct' && first.text === '(' && closing(term, 0) === term.length - 1) return evaluate(term.slice(1, -1))
  // std::string("...") and std::string_view("...")
  const texts = term.map((token) => token.text)
  if (texts[0] === 'std' && texts[1] === '::' && (texts[2] === 'string' || texts[2] === 'string_view') && texts[3] === '(' && closing(term, 3) === term.length - 1) {
    return evaluate(term.slice(4, -1))
  }
  return [[null]]
}

/** Joins adjacent literals and adjacent holes; drops empty literals. */
function normalize(parts: Parts): Parts {
  const out: Parts = []
  for (const part of parts) {
    if (part === '') continue
    const last = out.length ? out[out.length - 1] : undefined
    if (part === null && last === null) continue
    if (part !== null && typeof last === 'string') out[out.length - 1] = last + part
    else out.push(part)
  }
  return out
}

export function templateOf(parts: Parts): string {
  return parts.map((part) => (part === null ? '{}' : part)).join('')
}

/** The argument token lists of the call whose `(` is at `open`. */
function callArguments(tokens: Token[], open: number): Token[][] {
  return splitTop(tokens, open + 1, closing(tokens, open), ',')
}

/** Tokens from `from` up to the next top-level `;`. */
function untilSemicolon(tokens: Token[], from: number): Token[] {
  let k = from
  while (k < tokens.length && !(tokens[k]!.kind === 'punct' && tokens[k]!.text === ';')) {
    k = tokens[k]!.kind === 'punct' && tokens[k]!.text in OPEN ? closing(tokens, k) + 1 : k + 1
  }
  return tokens.slice(from, k)
}

/** Every message expression in one source file, with the line it starts on. */
export function messageExpressions(source: string): { tokens: Token[]; line: number }[] {
  const tokens = tokenize(source)
  const found: { tokens: Token[]; line: number }[] = []
  const add = (expression: Token[] | undefined, line: number) => {
    if (expression) found.push({ tokens: expression, line: expression[0]?.line ?? line })
  }
  const text = (k: number) => tokens[k]?.text
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k]!
    if (token.kind === 'ident') {
      const receiver = text(k - 1) === '.' || text(k - 1) === '->'
      if (text(k + 1) === '(') {
        if (token.text === 'ThrowValidation' || (token.text === 'Fail' && receiver)) add(callArguments(tokens, k + 1)[1], token.line)
        else if (token.text === 'Conflict') add(callArguments(tokens, k + 1)[1], token.line)
        else if (token.text === 'Add' && receiver && /errors_?$/i.test(text(k - 2) ?? '')) add(callArguments(tokens, k + 1)[1], token.line)
      }
      if (/errors_?$/i.test(token.text) && text(k + 1) === '[') {
        const end = closing(tokens, k + 1)
        if (text(end + 1) === '=') add(untilSemicolon(tokens, end + 2), token.line)
      }
      if (/^row_error_?$/.test(token.text) && text(k + 1) === '=') add(untilSemicolon(tokens, k + 2), token.line)
      if ((MESSAGE_PRODUCING_FUNCTIONS as readonly string[]).includes(token.text) && text(k + 1) === '(') {
        // The definition: name(...) { ... } (a declaration ends in `;`, a call in `)`/`;`).
        const close = closing(tokens, k + 1)
        let body = close + 1
        while (body < tokens.length && tokens[body]!.kind === 'ident') body++ // const, noexcept
        if (text(body) === '{') {
          const end = closing(tokens, body)
          for (let r = body; r < end; r++) if (text(r) === 'return' && tokens[r]!.kind === 'ident') add(untilSemicolon(tokens, r + 1), tokens[r]!.line)
        }
      }
    }
    // {"fields", {{field, MESSAGE}, {field, MESSAGE}}}
    if (token.kind === 'string' && token.value === 'fields' && text(k - 1) === '{' && text(k + 1) === ',' && text(k + 2) === '{') {
      const end = closing(tokens, k + 2)
      for (const pair of splitTop(tokens, k + 3, end, ',')) {
        if (pair[0]?.text !== '{') continue
        const inner = splitTop(pair, 1, closing(pair, 0), ',')
        add(inner[1], token.line)
      }
    }
  }
  return found
}

/** The messages of the given files (path → source), deduplicated by template. */
export function extractServerMessages(files: Record<string, string>): ServerMessage[] {
  const byTemplate = new Map<string, ServerMessage>()
  for (const [path, source] of Object.entries(files)) {
    for (const expression of messageExpressions(source)) {
      for (const parts of evaluate(expression.tokens)) {
        if (parts.length === 0 || parts.every((part) => part === null)) continue
        const template = templateOf(parts)
        if (!byTemplate.has(template)) byTemplate.set(template, { template, parts, where: `${path}:${expression.line}` })
      }
    }
  }
  return [...byTemplate.values()].sort((a, b) => a.template.localeCompare(b.template))
}
