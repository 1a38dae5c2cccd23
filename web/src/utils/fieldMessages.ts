// Field messages of the server (`details.fields.<field>` of `validation.failed` and of some
// conflicts) in the reader's language.
//
// The server writes its field messages in English ("is required", "must be at most 200
// characters", "must be one of: terminal, agent, …"). Each known message is matched here,
// exactly or by a pattern whose run-time parts (numbers, lists, names) become named
// parameters, and rendered from `validation.message.<key>` of the current locale
// (locales/<lang>/validation.json). The en-US texts repeat the server's words, so an English
// reader sees what the server said; a message nobody has translated yet is shown as the
// server sent it, so no information is lost.
//
// fieldMessages.test.ts reads the C++ sources and fails when the server can send a message
// that no rule here matches: add the rule (and both locale texts) with the server change.

/** vue-i18n's `t` with named parameters, and `te` for the current locale. */
export type Translate = (key: string, named: Record<string, unknown>) => string
export type HasMessage = (key: string) => boolean

export interface FieldMessageOptions {
  /**
   * The label of an option the server names (`must be one of: terminal, agent`), e.g. the
   * customer type `terminal` → 终端; null keeps the code.
   */
  valueLabel?: (value: string) => string | null
}

/**
 * How a captured part is rendered: as it is (`plain`), as a list "a, b, c" joined in the
 * reader's way with labels (`list`), as one option with its label (`label`), or looked up in
 * `validation.<dictionary>` (`dict:<dictionary>`, e.g. the noun of "a list of at most 10 tags").
 */
type ParamKind = 'plain' | 'list' | 'label' | `dict:${string}`

interface PatternRule {
  key: string
  pattern: RegExp
  /** The name and kind of each capture group, in order. */
  params: readonly (readonly [string, ParamKind])[]
}

/** Messages without run-time parts: server text → key of `validation.message`. */
const EXACT: Readonly<Record<string, string>> = {
  'is required': 'required',
  'must not be empty': 'mustNotBeEmpty',
  'must not be blank': 'mustNotBeBlank',
  'must not be null': 'mustNotBeNull',
  'is empty': 'isEmpty',
  'is invalid': 'isInvalid',
  'unknown field': 'unknownField',
  'is required to submit': 'requiredToSubmit',
  'is required (null clears the delegation)': 'requiredClearsDelegation',
  'is required (week, month, quarter, half_year or year)': 'requiredPeriod',
  'is required (YYYY-MM), or quarter (YYYY-Qn)': 'requiredMonthOrQuarter',
  'is required for a check-in at a customer': 'requiredAtCustomer',
  'is required for a competitor report': 'requiredForCompetitorReport',
  'is required when not back by the end of the day': 'requiredNotBack',
  'or unitId or role is required': 'userOrUnitOrRole',
  'is given alone, or unitId and/or role instead': 'userAlone',
  'give profileId, customerId or both': 'profileOrCustomer',
  "give the competitor's price or terms (theirTerms)": 'priceOrTerms',
  'at least one purpose is required': 'purposeRequired',
  'must name at least one purpose': 'namePurpose',
  'at least one role is required': 'roleRequired',
  'a comment is required to reject or return': 'commentToReject',
  'must be a string': 'string',
  'must be text': 'text',
  'must be text, as in the list query string': 'textAsInQuery',
  'must be a short text': 'shortText',
  'is too long or not text': 'tooLongOrNotText',
  'contains control characters or invalid UTF-8': 'controlCharacters',
  'must be an integer': 'integer',
  'must be a number': 'number',
  'is out of range': 'outOfRange',
  'must be an id': 'id',
  'must be ids': 'ids',
  'must hold ids only': 'idsOnly',
  'must not repeat an id': 'repeatedId',
  'must be true or false': 'trueOrFalse',
  'must be an object': 'object',
  'must be a date YYYY-MM-DD': 'date',
  'must be a month YYYY-MM': 'month',
  'must be a quarter YYYY-Qn (n = 1..4)': 'quarter',
  'must be a time HH:MM': 'time',
  'must be an instant such as 2026-11-20T02:00:00.000Z': 'instant',
  'is not a phone number': 'phone',
  'is not an email address': 'email',
  'is 5–12 digits': 'qq',
  'must be an http or https URL': 'url',
  "2–32 letters, digits, '.', '_' or '-', starting with a letter": 'username',
  'must contain a letter and a digit': 'letterAndDigit',
  'contains an unknown value': 'unknownValue',
  'is not a known value': 'notKnownValue',
  'is not a known kind': 'notKnownKind',
  'is not a list filter': 'notListFilter',
  'is not a plan status': 'notPlanStatus',
  'is not an application status': 'notApplicationStatus',
  'must be one of the listed options': 'listedOption',
  'must be probation or regular': 'employmentStatus',
  'must be zh-CN, en or null (the policy notifications.webhook_language)': 'zhCnOrEn',
  'is not a cursor from this list': 'cursorFrom',
  'is not a cursor of this list': 'cursorOf',
  'is wrong': 'wrong',
  'must differ from the current password': 'differsFromCurrent',
  'must be a non-empty list of rows': 'nonEmptyRows',
  'too many rows': 'tooManyRows',
  'is too large': 'tooLarge',
  'is in the future': 'future',
  'cannot be in the future': 'futureTime',
  'cannot be in the past': 'past',
  'must not be in the past': 'notPast',
  'must not be before from': 'beforeFrom',
  'cannot be before the hiring date': 'beforeHire',
  'cannot be before the visit': 'beforeVisit',
  'must be a Monday': 'monday',
  'must be the first day of a month': 'firstOfMonth',
  'must start on January, April, July or October 1st': 'quarterStart',
  'must be this month or the next': 'thisOrNextMonth',
  'must be a whole number of fen, as a string': 'fenString',
  'must be {"amount": fen as a string, "currency"}': 'moneyShape',
  'must be {amount, currency} or null': 'moneyOrNull',
  'must be a base64 data URL of a JPEG or PNG': 'photoDataUrl',
  'must be a data URL or {contentType, data}': 'photoShape',
  'data is not base64': 'notBase64',
  'content is not a JPEG or PNG image': 'notJpegOrPng',
  'the file is empty': 'fileEmpty',
  'the file needs a header row and at least one row': 'fileNeedsRows',
  'must be a JSON object of header to field': 'headerMappingJson',
  'must be an object of header to field': 'headerMapping',
  'must be an array of cells': 'arrayOfCells',
  'has more cells than there are columns': 'moreCells',
  'must include name': 'includeName',
  'is the code of a customer outside your scope': 'codeOutsideScope',
  'is the code of another customer': 'codeOfAnother',
  'must be an active user': 'activeUser',
  'must be a whole number of days from 1 to 3650': 'idleDays',
  "is the shared pool: imported customers get an owner; leave the cell empty for the import's owner": 'ownerIsPool',
  'names several users: write the login name': 'ownerAmbiguous',
  "is no user's login name or name": 'ownerUnknown',
  'is not an active user': 'notActiveUser',
  'is another user: importing for others needs the right to assign customers': 'ownerNeedsAssign',
  'is outside the users you may give customers to': 'ownerOutOfScope',
  'names one owner too many for one file': 'ownerTooMany',
  'must be an active user in your scope': 'activeUserInScope',
  'already owns this customer': 'alreadyOwner',
  'must be another existing customer': 'anotherCustomer',
  'no such customer': 'noSuchCustomer',
  'must differ from survivorId': 'differsFromSurvivor',
  'is not a customer you can visit': 'customerNotVisitable',
  'is a visit to another customer': 'visitOfAnotherCustomer',
  'is not the customer of the visit': 'notCustomerOfVisit',
  'only for a check-out': 'onlyCheckOut',
  'only for place customer': 'onlyAtCustomer',
  'narrow the list to a unit': 'narrowToUnit',
  'must be an object of list parameters': 'listParameters',
  'must be an object {title, body}': 'titleBody',
  'each must be "*", a kind such as approval.pending, or a prefix such as approval.*': 'eventPattern',
  'only DingTalk robots sign their requests': 'dingTalkSecret',
  'a sibling unit has this name': 'siblingName',
  'a team cannot contain units': 'teamHasNoUnits',
  'the parent unit is inactive': 'parentInactive',
  'the unit is inactive': 'unitInactive',
  'no such unit': 'noSuchUnit',
  'only the root unit is a company': 'onlyRootCompany',
  'the company unit cannot move': 'companyCannotMove',
  'cannot move a unit below itself': 'belowItself',
  'the company unit cannot be deactivated': 'companyCannotDeactivate',
  'move its active members out first': 'moveMembersFirst',
  'deactivate its sub-units first': 'deactivateSubUnitsFirst',
  'a user cannot manage themselves': 'selfManager',
  'outside your team': 'outsideTeam',
  'the user is already in this unit': 'alreadyInUnit',
  "the user's unit is inactive; move the user first": 'userUnitInactive',
  'this username is taken': 'usernameTaken',
  'another user has this phone number': 'phoneTaken',
  'username or phone is taken': 'usernameOrPhoneTaken',
  'you cannot change your own roles': 'ownRoles',
  'cannot delegate to yourself': 'delegateSelf',
  'must be an object of permission → scope': 'permissionScopes',
  'unknown permission': 'unknownPermission',
  'this permission has no data scope: use all': 'noDataScope',
  'the admin role must keep roles.manage': 'adminKeepsRoles',
  "must have the default's shape": 'defaultShape',
  'unsupported type': 'unsupportedType',
}

const PATTERNS: readonly PatternRule[] = [
  { key: 'minChars', pattern: /^must be at least (\d+) characters$/, params: [['n', 'plain']] },
  { key: 'maxChars', pattern: /^must be at most (\d+) characters$/, params: [['n', 'plain']] },
  { key: 'maxCharsOfText', pattern: /^must be at most (\d+) characters of text$/, params: [['n', 'plain']] },
  { key: 'textOfLength', pattern: /^must be a (text|name|file name) of 1 to (\d+) characters$/, params: [['what', 'dict:textWhat'], ['n', 'plain']] },
  { key: 'tagLength', pattern: /^each tag is 1–(\d+) characters of text$/, params: [['n', 'plain']] },
  { key: 'codeFormat', pattern: /^must be 1–(\d+) characters without spaces$/, params: [['n', 'plain']] },
  { key: 'min', pattern: /^must be at least (-?\d+)$/, params: [['n', 'plain']] },
  { key: 'max', pattern: /^must be at most (-?\d+)$/, params: [['n', 'plain']] },
  { key: 'between', pattern: /^must be between (-?\d+) and (-?\d+)$/, params: [['min', 'plain'], ['max', 'plain']] },
  { key: 'wholeNumberUpTo', pattern: /^must be a whole number from 0 to (\d+)$/, params: [['max', 'plain']] },
  { key: 'listOfOneTo', pattern: /^must be a list of 1 to (\d+) (ids|event kinds|column names|texts)$/, params: [['n', 'plain'], ['noun', 'dict:noun']] },
  { key: 'listOfAtMost', pattern: /^must be a list of at most (\d+) (items|lines|names|tags|objections|promises|\{title, body\} sections)$/, params: [['n', 'plain'], ['noun', 'dict:noun']] },
  { key: 'customersOneTo', pattern: /^must list 1 to (\d+) customers$/, params: [['n', 'plain']] },
  { key: 'rowsPerRequest', pattern: /^at most (\d+) rows per request$/, params: [['n', 'plain']] },
  { key: 'rowsPerFile', pattern: /^at most (\d+) rows per file$/, params: [['n', 'plain']] },
  { key: 'largerThanKb', pattern: /^is larger than (\d+) KB$/, params: [['n', 'plain']] },
  { key: 'delegationMaxDays', pattern: /^a delegation lasts at most (\d+) days$/, params: [['n', 'plain']] },
  { key: 'oneOf', pattern: /^must be one of: (.+)$/, params: [['options', 'list']] },
  { key: 'oneOfNoColon', pattern: /^must be one of (.+)$/, params: [['options', 'list']] },
  { key: 'eitherOf', pattern: /^must be ([\w-]+(?:, [\w-]+)*) or ([\w-]+)$/, params: [['options', 'list'], ['last', 'label']] },
  { key: 'firstOfPeriod', pattern: /^must be the first day of a (\w+) \(quarters start on January, April, July and October 1st, halves on January and July 1st\)$/, params: [['kind', 'dict:reportKind']] },
  { key: 'dayOfMonth', pattern: /^must be a day of (\d{4}-\d{2})$/, params: [['month', 'plain']] },
  { key: 'companyCurrency', pattern: /^must be the company currency (\S+)$/, params: [['currency', 'plain']] },
  { key: 'moneyShapeCurrency', pattern: /^must be \{"amount": fen as a string, "currency": "([^"]+)"\}$/, params: [['currency', 'plain']] },
  { key: 'photoWithin', pattern: /^must be \{contentType: image\/jpeg\|image\/png, data: base64\} within (\d+) KB$/, params: [['n', 'plain']] },
  { key: 'contentMismatch', pattern: /^content does not match (\S+)$/, params: [['type', 'plain']] },
  { key: 'unknownColumn', pattern: /^unknown column (.+)$/, params: [['column', 'plain']] },
  { key: 'twoColumns', pattern: /^two columns map to (.+)$/, params: [['field', 'plain']] },
  { key: 'repeatsWithoutContact', pattern: /^repeats the (customer code|customer) of row (\d+) without a contact$/, params: [['what', 'dict:repeatWhat'], ['row', 'plain']] },
  { key: 'codeInPool', pattern: /^is the code of (.+), which is in the shared pool: claim it first$/, params: [['name', 'plain']] },
  { key: 'codeNotWritable', pattern: /^is the code of (.+), which is outside your write scope$/, params: [['name', 'plain']] },
  { key: 'customerIdNotVisitable', pattern: /^customer (\d+) is not one you can visit$/, params: [['id', 'plain']] },
  { key: 'missingEntry', pattern: /^missing entry (.+)$/, params: [['entry', 'plain']] },
  { key: 'unknownEntry', pattern: /^unknown entry (.+)$/, params: [['entry', 'plain']] },
  { key: 'entryKind', pattern: /^entry (.+) has the wrong kind$/, params: [['entry', 'plain']] },
]

export interface MatchedFieldMessage {
  key: string
  /** Captured parts by parameter name (as the server wrote them). */
  params: Record<string, string>
  kinds: Record<string, ParamKind>
}

/** The rule a server message falls under, or null for a message without a translation. */
export function matchFieldMessage(message: string): MatchedFieldMessage | null {
  const exact = EXACT[message]
  if (exact) return { key: exact, params: {}, kinds: {} }
  for (const rule of PATTERNS) {
    const match = rule.pattern.exec(message)
    if (!match) continue
    const params: Record<string, string> = {}
    const kinds: Record<string, ParamKind> = {}
    rule.params.forEach(([name, kind], index) => {
      params[name] = match[index + 1] ?? ''
      kinds[name] = kind
    })
    return { key: rule.key, params, kinds }
  }
  return null
}

/** A dictionary key of a server word: "event kinds" → event_kinds, "{title, body} sections" → title_body_sections. */
function dictionaryKey(value: string): string {
  return value.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '')
}

/** A server message in the current locale; unknown messages are returned as they are. */
export function translateFieldMessage(message: string, t: Translate, te: HasMessage, options: FieldMessageOptions = {}): string {
  const matched = matchFieldMessage(message)
  if (!matched) return message
  const key = `validation.message.${matched.key}`
  if (!te(key)) return message
  const label = (value: string) => options.valueLabel?.(value) ?? value
  const named: Record<string, string> = {}
  for (const [name, value] of Object.entries(matched.params)) {
    const kind = matched.kinds[name] ?? 'plain'
    if (kind === 'list') {
      const separator = te('validation.listSeparator') ? t('validation.listSeparator', {}) : ', '
      named[name] = value.split(', ').map(label).join(separator)
    } else if (kind === 'label') {
      named[name] = label(value)
    } else if (kind.startsWith('dict:')) {
      const entry = `validation.${kind.slice(5)}.${dictionaryKey(value)}`
      named[name] = te(entry) ? t(entry, {}) : value
    } else {
      named[name] = value
    }
  }
  return t(key, named)
}

/** Every message of a field → message map, translated. */
export function translateFieldMessages(
  fields: Record<string, string>,
  t: Translate,
  te: HasMessage,
  options: (field: string) => FieldMessageOptions = () => ({}),
): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([field, message]) => [field, translateFieldMessage(message, t, te, options(field))]))
}
