#include "modules/customers/customer_rules.h"

#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uniset.h>
#include <unicode/uscript.h>

#include <algorithm>
#include <array>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <unordered_map>

#include "core/json_util.h"

namespace tuoke::customers {
namespace {

// R-CUST-4: company suffixes stripped from the end of a name, longest first so that
// 股份有限公司 goes before 有限公司 and 公司. Trade words (商贸, 贸易) are suffixes too:
// 北京凌天商贸有限公司 and 北京凌天贸易公司 are one customer to a rep.
constexpr std::array<std::string_view, 7> kCompanySuffixes = {
    "股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "商贸", "贸易"};

const icu::Normalizer2& NfkcCasefold() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status) || !normalizer)
    throw std::runtime_error(std::string("ICU NFKC_Casefold is unavailable: ") + u_errorName(status));
  return *normalizer;
}

// NFKC with case folding turns full-width ASCII and the ideographic space into their
// half-width forms and lower-cases; then only letters (CJK included) and digits stay.
std::string FoldLettersAndDigits(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString folded =
      NfkcCasefold().normalize(icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size()))), status);
  if (U_FAILURE(status)) return "";
  icu::UnicodeString kept;
  for (int32_t i = 0; i < folded.length();) {
    UChar32 c = folded.char32At(i);
    if (u_isalnum(c)) kept.append(c);
    i += U16_LENGTH(c);
  }
  std::string out;
  kept.toUTF8String(out);
  return out;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

int HorizonMonths(std::string_view horizon) {
  if (horizon == "within_1_month") return 1;
  if (horizon == "within_3_months") return 3;
  if (horizon == "within_6_months") return 6;
  return 0;  // later or unknown: no month bound
}

std::string HorizonText(std::string_view horizon) {
  if (horizon == "within_1_month") return "within 1 month";
  if (horizon == "within_3_months") return "within 3 months";
  if (horizon == "within_6_months") return "within 6 months";
  if (horizon == "later") return "later than 6 months";
  return "at an unknown time";
}

// R-CUST-1 (§2.1, [000 §5 4B 2]): the purchase horizon against the policy thresholds.
Grade HorizonGrade(const GradingInput& input, const HorizonThresholds& thresholds) {
  int months = HorizonMonths(input.purchase_horizon);
  std::string expected = "decision expected " + HorizonText(input.purchase_horizon);
  auto grade = [&](const char* value) {
    return Grade{value, std::string(value) + ": " + expected, "customers.grade_reason.horizon",
                 {{"grade", value}, {"horizon", input.purchase_horizon}}};
  };
  if (months > 0 && thresholds.key_months >= 1 && months <= thresholds.key_months) return grade("key");
  if (months > 0 && months <= thresholds.important_months) return grade("important");
  if (months > 0 && months <= thresholds.general_months) return grade("general");
  return grade("watch");
}

// R-CUST-2 (§2.1, [003 (三) 1]): importance and growth potential, with the purchase
// power class and MAN need of [000 §5 4B] deciding the edges.
Grade AbcdGrade(const GradingInput& input) {
  auto grade = [](const char* value, const char* why, const char* text) {
    return Grade{value, std::string(value) + ": " + text, std::string("customers.grade_reason.") + why,
                 {{"grade", value}}};
  };
  if (input.status == "lost") return grade("D", "lost", "the customer is lost");
  if (input.purchase_power == "doubtful" && !input.man_need)
    return grade("D", "doubtful_no_need", "purchase power doubtful and no need");
  bool high_importance = input.importance == "high";
  bool high_potential = input.potential == "high";
  bool clear_power = input.purchase_power == "clear";
  if (high_importance && high_potential)
    return grade("A", "high_importance_high_potential", "high importance and high potential");
  if (high_importance && clear_power)
    return grade("A", "high_importance_clear_power", "high importance and clear purchase power");
  if (high_importance) return grade("B", "high_importance", "high importance");
  if (high_potential) return grade("B", "high_potential", "high potential");
  if (clear_power) return grade("B", "clear_power", "clear purchase power");
  return grade("C", "nothing_high", "no high importance, potential or clear purchase power yet");
}

// ICU's Han-Latin costs about 0.3 ms per name, behind one lock: most of a 100,000-row
// import (docs/benchmarks.md). Its rules read one character at a time, apart from a
// handful whose reading depends on the next character (重庆 chóngqìng, 沈阳 shěnyáng) and
// the spaces ::Han-Spacedhan puts between an ideograph and an adjacent letter or
// ideograph. So each ideograph is transliterated once and cached, the rest of the text
// goes through ICU in runs, and a text holding one of the contextual characters (read
// from the rules themselves) goes through ICU whole. PinyinTest.CachedEqualsWholeText
// holds the two ways equal.
class PinyinTransliterator {
 public:
  PinyinTransliterator() {
    UErrorCode status = U_ZERO_ERROR;
    transliterator_.reset(
        icu::Transliterator::createInstance("Han-Latin; Latin-ASCII", UTRANS_FORWARD, status));
    std::unique_ptr<icu::Transliterator> han(
        icu::Transliterator::createInstance("Han-Latin", UTRANS_FORWARD, status));
    if (U_FAILURE(status) || !transliterator_ || !han)
      throw std::runtime_error(std::string("ICU Han-Latin is unavailable: ") + u_errorName(status));
    // Every character inside a context brace ({重}' '?庆 > chóng) reads by its neighbours.
    icu::UnicodeString rules;
    han->toRules(rules, false);
    bool in_braces = false;
    for (int32_t i = 0; i < rules.length();) {
      UChar32 c = rules.char32At(i);
      i += U16_LENGTH(c);
      if (c == '{') in_braces = true;
      else if (c == '}') in_braces = false;
      else if (in_braces) contextual_.add(c);
    }
    contextual_.freeze();
    marks_.applyPattern(icu::UnicodeString(u"[:M:]"), status);
    if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU [:M:]: ") + u_errorName(status));
    marks_.freeze();
  }

  // The text as ICU transliterates it whole.
  std::string Whole(icu::UnicodeString text) {
    {
      std::lock_guard lock(mutex_);
      transliterator_->transliterate(text);
    }
    std::string out;
    text.toUTF8String(out);
    return out;
  }

  std::string Cached(const icu::UnicodeString& text) {
    // Combining marks (rare after NFKC) attach across the runs: such a text goes whole.
    if (contextual_.containsSome(text) || marks_.containsSome(text)) return Whole(text);
    std::string out;
    icu::UnicodeString run;
    bool run_ascii = true;
    auto flush = [&] {
      if (run.isEmpty()) return;
      // Neither Han-Latin nor Latin-ASCII changes ASCII letters and digits (Han-Spacedhan
      // may space ASCII punctuation, which the keys drop).
      if (run_ascii) run.toUTF8String(out);
      else out += Whole(run);
      run.remove();
      run_ascii = true;
    };
    bool previous_ideographic = false, previous_letter = false;
    for (int32_t i = 0; i < text.length();) {
      UChar32 c = text.char32At(i);
      i += U16_LENGTH(c);
      UErrorCode status = U_ZERO_ERROR;
      bool ideographic = u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC);
      bool letter = u_isalpha(c);
      // ::Han-Spacedhan: a space between an ideograph and a letter after it, and between a
      // letter and an ideograph after it. (It also spaces punctuation, which the keys drop
      // anyway.)
      bool space = (previous_ideographic && letter) || (previous_letter && ideographic);
      if (ideographic || uscript_getScript(c, &status) == USCRIPT_HAN) {
        flush();
        if (space) out.push_back(' ');
        out += Syllable(c);
      } else {
        if (space) {
          flush();
          out.push_back(' ');
        }
        run.append(c);
        run_ascii = run_ascii && c < 0x80;
      }
      previous_ideographic = ideographic;
      previous_letter = letter;
    }
    flush();
    return out;
  }

 private:
  std::string Syllable(UChar32 c) {
    {
      std::shared_lock lock(cache_mutex_);
      auto found = cache_.find(c);
      if (found != cache_.end()) return found->second;
    }
    std::string syllable = Whole(icu::UnicodeString(c));
    std::unique_lock lock(cache_mutex_);
    return cache_.emplace(c, std::move(syllable)).first->second;
  }

  std::mutex mutex_;  // ICU transliterators keep scratch state: one call at a time
  std::unique_ptr<icu::Transliterator> transliterator_;  // guarded by mutex_
  icu::UnicodeSet contextual_;
  icu::UnicodeSet marks_;
  std::shared_mutex cache_mutex_;
  std::unordered_map<UChar32, std::string> cache_;  // guarded by cache_mutex_; at most the CJK blocks
};

PinyinTransliterator& Transliterator() {
  static PinyinTransliterator transliterator;
  return transliterator;
}

// Han-Latin separates syllables with spaces; every run of letters or digits is a
// syllable or a word, and its first character is an initial.
PinyinKeys KeysOf(const std::string& latin) {
  PinyinKeys keys;
  bool in_word = false;
  for (char c : latin) {
    bool letter_or_digit = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
      letter_or_digit = true;
    }
    if (letter_or_digit) {
      if (!in_word) keys.starts.push_back(static_cast<uint32_t>(keys.full.size()));
      keys.full.push_back(c);
      if (!in_word) keys.initials.push_back(c);
    }
    in_word = letter_or_digit;
  }
  return keys;
}

bool IsIdeograph(UChar32 c) {
  UErrorCode status = U_ZERO_ERROR;
  return u_isalpha(c) && uscript_getScript(c, &status) == USCRIPT_HAN && U_SUCCESS(status);
}

// The code points of folded text.
std::vector<UChar32> CodePoints(std::string_view text) {
  icu::UnicodeString unicode =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  std::vector<UChar32> points;
  for (int32_t i = 0; i < unicode.length(); i += U16_LENGTH(unicode.char32At(i))) points.push_back(unicode.char32At(i));
  return points;
}

void AppendUtf8(std::string& out, UChar32 c) {
  icu::UnicodeString one(c);
  one.toUTF8String(out);
}

// R-CUST-39: the rest of `text` from `start`, when long enough to be looked up.
void AddRest(std::vector<std::string>& words, std::string_view text, size_t start) {
  std::string_view rest = text.substr(start, kSearchWordLetters);
  if (rest.size() >= kSearchWordMinimum) words.emplace_back(rest);
}

// R-CUST-39: ideographs in pairs, the last of a run alone.
void AddIdeographPairs(std::vector<std::string>& words, std::string_view name) {
  std::vector<UChar32> points = CodePoints(FoldLettersAndDigits(name));
  for (size_t i = 0; i < points.size(); ++i) {
    if (!IsIdeograph(points[i])) continue;
    std::string word;
    AppendUtf8(word, points[i]);
    if (i + 1 < points.size() && IsIdeograph(points[i + 1])) AppendUtf8(word, points[i + 1]);
    words.push_back(std::move(word));
  }
}

std::string JoinDistinct(std::vector<std::string>& words) {
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  std::string joined;
  for (const auto& word : words) {
    if (!joined.empty()) joined.push_back(' ');
    joined += word;
  }
  return joined;
}

icu::UnicodeString NormalizedForPinyin(std::string_view text, UErrorCode& status) {
  return NfkcCasefold().normalize(
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size()))), status);
}

}  // namespace

std::optional<GradingRuleSet> ParseGradingRuleSet(std::string_view name) {
  if (name == "horizon") return GradingRuleSet::kHorizon;
  if (name == "abcd") return GradingRuleSet::kAbcd;
  return std::nullopt;
}

Grade ComputeGrade(GradingRuleSet rule_set, const GradingInput& input,
                   const HorizonThresholds& thresholds) {
  switch (rule_set) {
    case GradingRuleSet::kHorizon: return HorizonGrade(input, thresholds);
    case GradingRuleSet::kAbcd: return AbcdGrade(input);
  }
  return HorizonGrade(input, thresholds);
}

bool IsGradeOf(GradingRuleSet rule_set, std::string_view grade) {
  switch (rule_set) {
    case GradingRuleSet::kHorizon:
      return grade == "key" || grade == "important" || grade == "general" || grade == "watch";
    case GradingRuleSet::kAbcd: return grade == "A" || grade == "B" || grade == "C" || grade == "D";
  }
  return false;
}

std::string NameKey(std::string_view name) {
  std::string key = FoldLettersAndDigits(name);
  // Strip repeatedly (有限公司 then 商贸), but never down to nothing: a customer called
  // just 公司 keeps its name as its key.
  bool stripped = true;
  while (stripped) {
    stripped = false;
    for (std::string_view suffix : kCompanySuffixes) {
      if (key.size() > suffix.size() && EndsWith(key, suffix)) {
        key.resize(key.size() - suffix.size());
        stripped = true;
        break;
      }
    }
  }
  return key;
}

std::optional<std::string> PhoneKey(std::string_view phone) {
  std::string folded = FoldLettersAndDigits(phone);
  std::string digits;
  for (char c : folded)
    if (c >= '0' && c <= '9') digits.push_back(c);
  size_t first = phone.find_first_not_of(" \t");
  bool plus_prefix = first != std::string_view::npos && phone[first] == '+';
  if (digits.rfind("0086", 0) == 0) digits.erase(0, 4);
  else if (plus_prefix && digits.rfind("86", 0) == 0) digits.erase(0, 2);
  if (digits.size() < 5) return std::nullopt;
  return digits;
}

std::optional<std::string> AddressKey(std::string_view address) {
  std::string key = FoldLettersAndDigits(address);
  if (key.empty()) return std::nullopt;
  return key;
}

std::string FoldForSearch(std::string_view text) { return FoldLettersAndDigits(text); }

PinyinKeys PinyinOf(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString normalized = NormalizedForPinyin(text, status);
  if (U_FAILURE(status)) return {};
  return KeysOf(Transliterator().Cached(normalized));
}

PinyinKeys PinyinOfWholeText(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString normalized = NormalizedForPinyin(text, status);
  if (U_FAILURE(status)) return {};
  return KeysOf(Transliterator().Whole(normalized));
}

std::optional<std::string> CustomerCode(std::string_view text) {
  std::string folded;
  for (UChar32 c : CodePoints(text)) {
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII
    else if (c == 0x3000) c = ' ';                // the ideographic space
    AppendUtf8(folded, c);
  }
  size_t begin = folded.find_first_not_of(' '), end = folded.find_last_not_of(' ');
  if (begin == std::string::npos) return std::nullopt;
  folded = folded.substr(begin, end - begin + 1);
  if (!IsCleanText(folded) || Utf8Length(folded) > kMaxCustomerCodeLength) return std::nullopt;
  for (UChar32 c : CodePoints(folded))
    if (u_isUWhiteSpace(c) || u_iscntrl(c)) return std::nullopt;
  return folded;
}

std::string CustomerSearchWords(std::string_view name, const PinyinKeys& pinyin,
                                const std::optional<std::string>& phone_key,
                                const std::optional<std::string>& code) {
  std::vector<std::string> words;
  if (code) {
    std::string key = FoldLettersAndDigits(*code);
    if (std::all_of(key.begin(), key.end(), [](unsigned char c) { return c < 0x80; }))
      for (size_t start = 0; start < key.size(); ++start) AddRest(words, key, start);
  }
  for (uint32_t start : pinyin.starts) AddRest(words, pinyin.full, start);
  for (size_t start = 0; start < pinyin.initials.size(); ++start) AddRest(words, pinyin.initials, start);
  if (phone_key)
    for (size_t start = 0; start < phone_key->size(); ++start) AddRest(words, *phone_key, start);
  AddIdeographPairs(words, name);
  return JoinDistinct(words);
}

std::string ContactSearchWords(std::string_view name) {
  std::vector<std::string> words;
  AddIdeographPairs(words, name);
  return JoinDistinct(words);
}

SearchTerm ClassifySearchTerm(std::string_view term) {
  SearchTerm result;
  // R-CUST-53: Chinese text has no case; the name counts of PostgreSQL then compare bytes.
  std::vector<UChar32> raw = CodePoints(term);
  result.caseless = std::all_of(raw.begin(), raw.end(), [](UChar32 c) {
    return u_tolower(c) == c && u_toupper(c) == c && u_foldCase(c, U_FOLD_CASE_DEFAULT) == c;
  });
  result.folded = FoldLettersAndDigits(term);
  const std::string& folded = result.folded;
  if (folded.empty()) return result;
  bool ascii = std::all_of(folded.begin(), folded.end(), [](unsigned char c) { return c < 0x80; });
  if (ascii) {
    if (folded.size() < kSearchWordMinimum) return result;
    result.kind = SearchTermKind::kLettersOrDigits;
    result.word = folded.substr(0, kSearchWordLetters);
    result.prefix = true;
    result.truncated = folded.size() > kSearchWordLetters;
    return result;
  }
  std::vector<UChar32> points = CodePoints(folded);
  if (points.size() <= 2 && std::all_of(points.begin(), points.end(), IsIdeograph)) {
    result.kind = SearchTermKind::kIdeographs;
    result.word = folded;
    result.prefix = points.size() == 1;
    return result;
  }
  if (raw.size() >= 3) result.kind = SearchTermKind::kSubstring;
  return result;
}

}  // namespace tuoke::customers
