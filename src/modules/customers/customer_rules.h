// Pure rules of the customer archive: grading (§2.1), the keys that find duplicates
// (§2.2) and the pinyin keys that find a customer by spelling. No database, no clock:
// everything a rule needs arrives as an argument, so each is tested on its own.
// Rule ids (R-CUST-n) refer to src/modules/customers/README.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tuoke::customers {

// ---- grading (§2.1) ---------------------------------------------------------------------

enum class GradingRuleSet : uint8_t { kHorizon, kAbcd };
// "horizon" / "abcd", the values of policy customers.grading_rule_set; nullopt otherwise.
std::optional<GradingRuleSet> ParseGradingRuleSet(std::string_view name);

// The policy values the horizon rule set reads, on the day the grade is computed.
struct HorizonThresholds {
  int key_months = 1;        // customers.horizon_key_months (0 disables "key")
  int important_months = 3;  // customers.horizon_important_months
  int general_months = 6;    // customers.horizon_general_months
};

// What the rules look at; the enum texts are the API's persisted codes.
struct GradingInput {
  std::string status;            // prospect / target / active / peer / lost
  std::string purchase_horizon;  // within_1_month / within_3_months / within_6_months / later / unknown
  std::optional<std::string> importance;      // high / medium / low
  std::optional<std::string> potential;       // high / medium / low
  std::optional<std::string> purchase_power;  // clear / some / doubtful
  bool man_money = false;
  bool man_authority = false;
  bool man_need = false;
};

struct Grade {
  std::string value;   // key / important / general / watch, or A / B / C / D
  std::string reason;  // "important: decision expected within 3 months" (English fallback)
  // R-CUST-34: the reason as a stable message code and its parameters, for the client to
  // translate: "customers.grade_reason.horizon" with grade and horizon, …
  std::string code;
  std::vector<std::pair<std::string, std::string>> params;
  bool operator==(const Grade&) const = default;
};

Grade ComputeGrade(GradingRuleSet rule_set, const GradingInput& input,
                   const HorizonThresholds& thresholds);

// Whether `grade` is a grade of the rule set (for overrides).
bool IsGradeOf(GradingRuleSet rule_set, std::string_view grade);

// ---- duplicate keys (§2.2) --------------------------------------------------------------

// R-CUST-4: the name with full-width forms folded, lower-cased, spaces and punctuation
// dropped and company suffixes (kCompanySuffixes in customer_rules.cc) stripped from the
// end. Two names with the same key are likely the same customer.
std::string NameKey(std::string_view name);
// R-CUST-5: the digits of a phone number without the +86 / 0086 country prefix; nullopt
// when fewer than 5 digits remain (too short to identify anyone).
std::optional<std::string> PhoneKey(std::string_view phone);
// R-CUST-6: the address folded like a name but without stripping suffixes; nullopt when
// nothing is left.
std::optional<std::string> AddressKey(std::string_view address);

// ---- search keys ------------------------------------------------------------------------

struct PinyinKeys {
  std::string full;      // "beijinglingtianshangmao…"
  std::string initials;  // "bjltsm…"
  std::vector<uint32_t> starts;  // offsets in `full` where a syllable or a word begins
};
// R-CUST-11: the name transliterated to toneless pinyin (ICU "Han-Latin; Latin-ASCII"),
// lower-case letters and digits only, with the first letter of every syllable or word
// as initials. Thread-safe.
PinyinKeys PinyinOf(std::string_view text);
// The same through ICU on the whole text, uncached and slower: the reference PinyinOf is
// tested against.
PinyinKeys PinyinOfWholeText(std::string_view text);

// R-CUST-48: a customer code as stored: trimmed, with full-width ASCII (ＫＨ－００１, typed
// with a Chinese input method) and the ideographic space folded to ASCII; nullopt unless
// it is then 1 to kMaxCustomerCodeLength characters of clean text without white space.
inline constexpr size_t kMaxCustomerCodeLength = 64;
std::optional<std::string> CustomerCode(std::string_view text);

// Lower-case, full-width folded text for matching a search term against the pinyin keys.
std::string FoldForSearch(std::string_view text);

// ---- search words (R-CUST-39) -------------------------------------------------------------
// A customer's or a contact's search words: whole tokens a search term is looked up by,
// as a b-tree prefix range instead of a scan of trigram posting lists. Separated by one
// space, no duplicates:
//   - from every syllable or word start of the name's pinyin, the rest of it (`zeyuedian…`),
//   - from every letter of the initials, the rest of them (`zydqmy…`),
//   - from every digit of the phone key, the rest of it (`66184546`),
//     each at most kSearchWordLetters long and at least kSearchWordMinimum;
//   - the name's ideographs in pairs (`泽越 越电 …`), the last of a run alone (`司`).
// A term of letters or digits (3 or more) is a prefix of a word exactly when it starts at
// a syllable, an initial or a digit; a term of one or two ideographs is a pair or the
// prefix of one.
inline constexpr size_t kSearchWordLetters = 16;
inline constexpr size_t kSearchWordMinimum = 3;
//   - R-CUST-48: from every letter or digit of the customer code, when it is ASCII, the rest
//     of its folded form (`kh2024001` of KH-2024-001), so a code is found as phone digits are.
std::string CustomerSearchWords(std::string_view name, const PinyinKeys& pinyin,
                                const std::optional<std::string>& phone_key,
                                const std::optional<std::string>& code = std::nullopt);
// A contact's: the ideograph pairs of the name (R-CUST-39).
std::string ContactSearchWords(std::string_view name);

// How a search term is looked up (R-CUST-11, R-CUST-31, R-CUST-39).
enum class SearchTermKind {
  kLettersOrDigits,  // folded to 3+ ASCII letters or digits: a prefix of a customer's word
  kIdeographs,       // 1 or 2 ideographs: a pair word, or the prefix of one
  kSubstring,        // 3+ characters, not all ASCII: the trigram index, then the text
  kScan,             // anything else (1-2 ASCII characters, mixed short terms): tested row by row
};
struct SearchTerm {
  SearchTermKind kind = SearchTermKind::kScan;
  std::string folded;  // FoldForSearch(term)
  std::string word;    // kLettersOrDigits / kIdeographs: the word or prefix looked up
  bool prefix = false;        // `word` is a prefix (else the whole word)
  bool truncated = false;     // the term is longer than a word: candidates are checked again
  bool caseless = false;      // no character of the term has case: LIKE finds what ILIKE does
};
SearchTerm ClassifySearchTerm(std::string_view term);

}  // namespace tuoke::customers
