// Pure rules of the customer archive: grading (§2.1), the keys that find duplicates
// (§2.2) and the pinyin keys that find a customer by spelling. No database, no clock:
// everything a rule needs arrives as an argument, so each is tested on its own.
// Rule ids (R-CUST-n) refer to src/modules/customers/README.md.
#pragma once

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
};
// R-CUST-11: the name transliterated to toneless pinyin (ICU "Han-Latin; Latin-ASCII"),
// lower-case letters and digits only, with the first letter of every syllable or word
// as initials. Thread-safe.
PinyinKeys PinyinOf(std::string_view text);
// The same through ICU on the whole text, uncached and slower: the reference PinyinOf is
// tested against.
PinyinKeys PinyinOfWholeText(std::string_view text);

// Lower-case, full-width folded text for matching a search term against the pinyin keys.
std::string FoldForSearch(std::string_view text);

}  // namespace tuoke::customers
