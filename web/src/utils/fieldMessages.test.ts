import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zh from '@/locales/zh-CN/validation.json'
import en from '@/locales/en-US/validation.json'
import zhCustomers from '@/locales/zh-CN/customers.json'
import { matchFieldMessage, translateFieldMessage, type FieldMessageOptions } from './fieldMessages'
import { MESSAGE_PRODUCING_FUNCTIONS, extractServerMessages, messageExpressions, evaluate, templateOf } from './serverMessageSources'

/** The real vue-i18n (its message syntax, escapes included) over the validation namespace. */
function translator(locale: 'zh-CN' | 'en-US') {
  const i18n = createI18n({
    legacy: false,
    locale,
    fallbackLocale: 'zh-CN',
    messages: { 'zh-CN': { validation: zh }, 'en-US': { validation: en } },
    missingWarn: false,
    fallbackWarn: false,
  })
  const { t, te } = i18n.global
  return (message: string, options?: FieldMessageOptions) =>
    translateFieldMessage(message, (key, named) => t(key, named), (key) => te(key), options)
}
const cn = translator('zh-CN')
const us = translator('en-US')

const QUARTERS = '(quarters start on January, April, July and October 1st, halves on January and July 1st)'

describe('server field messages in Chinese', () => {
  it('translates fixed messages', () => {
    expect(cn('is required')).toBe('必填')
    expect(cn('is not a phone number')).toBe('不是有效的手机号或电话号码')
    expect(cn('is 5–12 digits')).toBe('须为 5–12 位数字')
    expect(cn('is out of range')).toBe('超出允许的范围')
    expect(cn('must be a date YYYY-MM-DD')).toBe('须为日期，格式为 YYYY-MM-DD')
    expect(cn('unknown field')).toBe('不支持的字段')
  })

  it('translates messages with numbers, names and lists', () => {
    expect(cn('must be at most 200 characters')).toBe('最多 200 个字符')
    expect(cn('must be at least 8 characters')).toBe('至少 8 个字符')
    expect(cn('must be between -90 and 90')).toBe('须在 -90 到 90 之间')
    expect(cn('must be at least -5')).toBe('不能小于 -5')
    expect(cn('must be one of: terminal, agent, distributor')).toBe('须为以下之一：terminal、agent、distributor')
    expect(cn('must be one of open, due_today, overdue')).toBe('须为以下之一：open、due_today、overdue')
    expect(cn('must be auto, csv or xlsx')).toBe('须为 auto、csv 或 xlsx')
    expect(cn('must be a list of at most 10 tags')).toBe('最多 10 个标签')
    expect(cn('must be a list of 1 to 60 texts')).toBe('须包含 1–60 项')
    expect(cn('must be a list of at most 10 {title, body} sections')).toBe('最多 10 个段落')
    expect(cn(`must be the first day of a quarter ${QUARTERS}`)).toBe('须为该季度的第一天（季度从 1、4、7、10 月 1 日开始，半年从 1、7 月 1 日开始）')
    expect(cn('repeats the customer code of row 12 without a contact')).toBe('与第 12 行的客户编码相同，但没有填写联系人')
    expect(cn('repeats the customer of row 3 without a contact')).toBe('与第 3 行的客户名称相同，但没有填写联系人')
    expect(cn('is the code of 华联超市, which is in the shared pool: claim it first')).toBe('是客户「华联超市」的编码，该客户在公海中，请先认领')
    expect(cn('must be the company currency CNY')).toBe('币种须为公司币种 CNY')
    expect(cn('must be {"amount": fen as a string, "currency": "CNY"}')).toContain('currency 为 CNY')
    expect(cn('is larger than 2048 KB')).toBe('超过 2048 KB')
  })

  it('names the options by their labels when the caller knows them', () => {
    const valueLabel = (value: string) => (zhCustomers.type as Record<string, string>)[value] ?? null
    expect(cn('must be one of: terminal, agent, peer', { valueLabel })).toBe(
      `须为以下之一：${zhCustomers.type.terminal}、${zhCustomers.type.agent}、${zhCustomers.type.peer}`,
    )
    // Unknown codes stay as they are.
    expect(cn('must be one of: terminal, robot', { valueLabel })).toBe(`须为以下之一：${zhCustomers.type.terminal}、robot`)
  })

  it('keeps the server words in English, special characters included', () => {
    for (const message of [
      'is required',
      'must be at most 200 characters',
      'must be one of: terminal, agent, distributor',
      'must be {"amount": fen as a string, "currency": "CNY"}',
      'must be {contentType: image/jpeg|image/png, data: base64} within 2048 KB',
      'must be a list of at most 10 {title, body} sections',
      "2–32 letters, digits, '.', '_' or '-', starting with a letter",
      'each must be "*", a kind such as approval.pending, or a prefix such as approval.*',
      `must be the first day of a half_year ${QUARTERS}`,
    ]) {
      expect(us(message)).toBe(message)
    }
  })

  it('shows messages without a translation as the server sent them', () => {
    expect(matchFieldMessage('must be purple')).toBeNull()
    expect(cn('must be purple')).toBe('must be purple')
    expect(us('must be purple')).toBe('must be purple')
    expect(cn('')).toBe('')
  })

  it('has the same keys in both languages', () => {
    const keys = (tree: object, prefix = ''): string[] =>
      Object.entries(tree).flatMap(([key, value]) => (typeof value === 'object' && value ? keys(value as object, `${prefix}${key}.`) : [`${prefix}${key}`]))
    expect(keys(en).sort()).toEqual(keys(zh).sort())
  })
})

describe('reading messages out of C++', () => {
  const read = (source: string) => messageExpressions(source).flatMap((expression) => evaluate(expression.tokens).map(templateOf))

  it('reads the call forms, concatenation and both branches of a condition', () => {
    const source = String.raw`
      // reader.Fail("x", "a comment is no message");
      /* ThrowValidation("x", "nor is this"); */
      const char* sql = R"sql(SELECT 'it''s' FROM t WHERE a = "b")sql";
      if (x) reader.Fail(field, "is required");
      nested->Fail("amount", "must be at most " + std::to_string(n) + " characters");
      ThrowValidation(kind == Kind::kDay ? "date" : "start", "is in the future");
      errors_.Add(field, min <= 1 ? "must not be empty" : "must be at least " + std::to_string(min) + " characters");
      money_errors.Add(field + ".currency", "must be the company currency " + currency);
      row.errors["contact.name"] =
          std::string("repeats the ") + what + " of row " + std::to_string(first + 2) + " without a contact";
      throw Error(ErrorKind::kValidation, "validation.failed", "bad cursor",
                  {{"fields", {{"cursor", "is not a cursor from this list"}}}});
      reader.Fail(field + "." + name, message.get<std::string>());
      out.row_error = "must be an array of cells";
      long big = 1'000'000; char quote = '"';
      ThrowValidation("x", "say \"hi\"");
      list.Add(item, "not a field message");
    `
    expect(read(source).filter((template) => template !== '{}')).toEqual([
      'is required',
      'must be at most {} characters',
      'is in the future',
      'must not be empty',
      'must be at least {} characters',
      'must be the company currency {}',
      'repeats the {} of row {} without a contact',
      'is not a cursor from this list',
      'must be an array of cells',
      'say "hi"',
    ])
  })
})

// ---- every message the server can send has a translation --------------------------------

/** The C++ sources of the server, test code left out. */
function serverSources(): Record<string, string> {
  const root = fileURLToPath(new URL('../../../src', import.meta.url))
  const files: Record<string, string> = {}
  const walk = (directory: string) => {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name)
      if (statSync(path).isDirectory()) {
        if (name !== 'testing') walk(path)
      } else if (/\.(cc|h)$/.test(name) && !/_test\.cc$/.test(name)) {
        files[relative(root, path)] = readFileSync(path, 'utf8')
      }
    }
  }
  walk(root)
  return files
}

/**
 * Values tried for the run-time parts of a message ("must be at most {} characters"): the
 * first combination that a pattern rule takes shows the message is covered. They include the
 * words the server puts into the two messages with word parts (see the dictionary checks below).
 */
const HOLE_SAMPLES = ['12', 'customer code', 'quarter', 'CNY', 'terminal, agent', '2026-11'] as const

function instances(parts: (string | null)[]): string[] {
  let results = ['']
  for (const part of parts) {
    results = part === null ? results.flatMap((prefix) => HOLE_SAMPLES.map((sample) => prefix + sample)) : results.map((prefix) => prefix + part)
  }
  return results
}

describe('the server messages are all translated', () => {
  const sources = serverSources()
  const messages = extractServerMessages(sources)

  it('finds the messages (the extraction still works)', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(50)
    expect(messages.length).toBeGreaterThan(150)
    const templates = messages.map((message) => message.template)
    for (const known of ['is required', 'is not a phone number', 'is 5–12 digits', 'must be at most {} characters', 'must be one of: {}', 'must contain a letter and a digit']) {
      expect(templates).toContain(known)
    }
    // The functions whose results are passed on as field messages are still there.
    const all = Object.values(sources).join('\n')
    for (const name of MESSAGE_PRODUCING_FUNCTIONS) expect(all).toMatch(new RegExp(`std::string ${name}\\(`))
  })

  it('has a rule for every message, and the English reads as the server wrote it', () => {
    const missing: string[] = []
    for (const message of messages) {
      const covered = instances(message.parts).find((text) => {
        const match = matchFieldMessage(text)
        return match && (message.parts.every((part) => part !== null) || Object.keys(match.params).length > 0)
      })
      if (!covered) {
        missing.push(`${message.template}  (${message.where})`)
        continue
      }
      expect(us(covered), message.where).toBe(covered)
      expect(cn(covered), message.where).not.toBe(covered)
    }
    expect(missing, 'server messages without a rule in utils/fieldMessages.ts').toEqual([])
  })

  it('knows the words the server puts into messages', () => {
    // "repeats the " + what + " of row …": the `what` of each repeats(...) call in customer_io.cc.
    const io = sources[join('modules', 'customers', 'customer_io.cc')] ?? ''
    const whats = [...io.matchAll(/\brepeats\([^,()]+,\s*"([^"]+)"\)/g)].map((match) => match[1]!)
    expect(whats.length).toBeGreaterThan(0)
    for (const what of whats) expect(cn(`repeats the ${what} of row 2 without a contact`)).not.toContain(what)
    // "must be the first day of a " + ReportKindCode(kind) + …: the codes ReportKindCode returns.
    const reports = sources[join('modules', 'fieldreports', 'daily_report_service.cc')] ?? ''
    const body = /ReportKindCode\(ReportKind kind\) \{([\s\S]*?)\n\}/.exec(reports)?.[1] ?? ''
    const kinds = [...body.matchAll(/return "(\w+)";/g)].map((match) => match[1]!)
    expect(kinds).toContain('quarter')
    for (const kind of kinds) expect(cn(`must be the first day of a ${kind} ${QUARTERS}`)).not.toContain(kind)
  })
})
