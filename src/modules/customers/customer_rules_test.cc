// The pure rules of the customer archive: grading (§2.1), duplicate keys (§2.2), pinyin.
#include <gtest/gtest.h>

#include "modules/customers/customer_rules.h"

#include <random>
#include <string>
#include <vector>

namespace tuoke::customers {
namespace {

GradingInput WithHorizon(const std::string& horizon) {
  GradingInput input;
  input.status = "prospect";
  input.purchase_horizon = horizon;
  return input;
}

TEST(GradingTest, HorizonRuleSetFollowsThePolicyMonths) {
  HorizonThresholds defaults;  // 1 / 3 / 6 months, the §2.1 defaults
  EXPECT_EQ(ComputeGrade(GradingRuleSet::kHorizon, WithHorizon("within_1_month"), defaults),
            (Grade{"key", "key: decision expected within 1 month", "customers.grade_reason.horizon", {{"grade", "key"}, {"horizon", "within_1_month"}}}));
  EXPECT_EQ(ComputeGrade(GradingRuleSet::kHorizon, WithHorizon("within_3_months"), defaults),
            (Grade{"important", "important: decision expected within 3 months", "customers.grade_reason.horizon", {{"grade", "important"}, {"horizon", "within_3_months"}}}));
  EXPECT_EQ(ComputeGrade(GradingRuleSet::kHorizon, WithHorizon("within_6_months"), defaults),
            (Grade{"general", "general: decision expected within 6 months", "customers.grade_reason.horizon", {{"grade", "general"}, {"horizon", "within_6_months"}}}));
  EXPECT_EQ(ComputeGrade(GradingRuleSet::kHorizon, WithHorizon("later"), defaults).value, "watch");
  EXPECT_EQ(ComputeGrade(GradingRuleSet::kHorizon, WithHorizon("unknown"), defaults),
            (Grade{"watch", "watch: decision expected at an unknown time", "customers.grade_reason.horizon", {{"grade", "watch"}, {"horizon", "unknown"}}}));

  // A company without key customers (0 months) grades a 1-month decision as important.
  HorizonThresholds no_key{0, 3, 6};
  EXPECT_EQ(ComputeGrade(GradingRuleSet::kHorizon, WithHorizon("within_1_month"), no_key).value, "important");
  // A company whose general horizon is 3 months watches a 6-month decision.
  HorizonThresholds short_horizon{1, 1, 3};
  EXPECT_EQ(ComputeGrade(GradingRuleSet::kHorizon, WithHorizon("within_3_months"), short_horizon).value, "general");
  EXPECT_EQ(ComputeGrade(GradingRuleSet::kHorizon, WithHorizon("within_6_months"), short_horizon).value, "watch");
}

TEST(GradingTest, AbcdRuleSetWeighsImportancePotentialAndPurchasePower) {
  HorizonThresholds unused;
  GradingInput input = WithHorizon("unknown");
  input.importance = "high";
  input.potential = "high";
  EXPECT_EQ(ComputeGrade(GradingRuleSet::kAbcd, input, unused),
            (Grade{"A", "A: high importance and high potential", "customers.grade_reason.high_importance_high_potential", {{"grade", "A"}}}));
  input.potential = "low";
  input.purchase_power = "clear";
  EXPECT_EQ(ComputeGrade(GradingRuleSet::kAbcd, input, unused).value, "A");
  input.purchase_power = "some";
  EXPECT_EQ(ComputeGrade(GradingRuleSet::kAbcd, input, unused), (Grade{"B", "B: high importance", "customers.grade_reason.high_importance", {{"grade", "B"}}}));
  input.importance = "medium";
  input.potential = "high";
  EXPECT_EQ(ComputeGrade(GradingRuleSet::kAbcd, input, unused), (Grade{"B", "B: high potential", "customers.grade_reason.high_potential", {{"grade", "B"}}}));
  input.potential = "medium";
  EXPECT_EQ(ComputeGrade(GradingRuleSet::kAbcd, input, unused).value, "C");
  input.purchase_power = "doubtful";
  input.man_need = false;
  EXPECT_EQ(ComputeGrade(GradingRuleSet::kAbcd, input, unused),
            (Grade{"D", "D: purchase power doubtful and no need", "customers.grade_reason.doubtful_no_need", {{"grade", "D"}}}));
  input.man_need = true;
  EXPECT_EQ(ComputeGrade(GradingRuleSet::kAbcd, input, unused).value, "C");
  input.status = "lost";
  input.importance = "high";
  EXPECT_EQ(ComputeGrade(GradingRuleSet::kAbcd, input, unused), (Grade{"D", "D: the customer is lost", "customers.grade_reason.lost", {{"grade", "D"}}}));
}

TEST(GradingTest, OverridesMustBelongToTheRuleSet) {
  EXPECT_TRUE(IsGradeOf(GradingRuleSet::kHorizon, "key"));
  EXPECT_FALSE(IsGradeOf(GradingRuleSet::kHorizon, "A"));
  EXPECT_TRUE(IsGradeOf(GradingRuleSet::kAbcd, "D"));
  EXPECT_FALSE(IsGradeOf(GradingRuleSet::kAbcd, "watch"));
  EXPECT_EQ(ParseGradingRuleSet("abcd"), GradingRuleSet::kAbcd);
  EXPECT_EQ(ParseGradingRuleSet("ABCD"), std::nullopt);
}

TEST(DuplicateKeysTest, NamesFoldWidthCaseSpacesPunctuationAndCompanySuffixes) {
  EXPECT_EQ(NameKey("北京凌天商贸有限公司"), "北京凌天");
  EXPECT_EQ(NameKey("北京凌天贸易公司"), "北京凌天");
  EXPECT_EQ(NameKey("北京 凌天（集团）股份有限公司"), "北京凌天");
  EXPECT_EQ(NameKey("北京凌天有限责任公司"), "北京凌天");
  // Full-width letters and the ideographic space fold to half-width lower case.
  EXPECT_EQ(NameKey("ＡＢＣ　科技有限公司"), "abc科技");
  EXPECT_EQ(NameKey("abc 科技"), "abc科技");
  // Suffixes only at the end: 公司 inside a name stays.
  EXPECT_EQ(NameKey("公司园艺店"), "公司园艺店");
  // Never stripped to nothing.
  EXPECT_EQ(NameKey("公司"), "公司");
  EXPECT_EQ(NameKey("- · -"), "");
}

TEST(DuplicateKeysTest, PhonesKeepDigitsWithoutTheCountryPrefix) {
  EXPECT_EQ(PhoneKey("010-8555 1234"), "01085551234");
  EXPECT_EQ(PhoneKey("+86 139 0000 1111"), "13900001111");
  EXPECT_EQ(PhoneKey("0086-13900001111"), "13900001111");
  EXPECT_EQ(PhoneKey("１３９００００１１１１"), "13900001111");
  EXPECT_EQ(PhoneKey("13900001111"), "13900001111");
  // 86 without + is an area code's digits, not a prefix.
  EXPECT_EQ(PhoneKey("8613900001111"), "8613900001111");
  EXPECT_EQ(PhoneKey("12-3"), std::nullopt);
}

TEST(DuplicateKeysTest, AddressesFoldButKeepTheirWords) {
  EXPECT_EQ(AddressKey("朝阳区 建国路８８号"), "朝阳区建国路88号");
  EXPECT_EQ(AddressKey("朝阳区建国路88号"), AddressKey("朝阳区　建国路 88 号"));
  EXPECT_EQ(AddressKey("  ,  "), std::nullopt);
}

TEST(PinyinTest, FullSpellingAndInitials) {
  auto keys = PinyinOf("北京凌天");
  EXPECT_EQ(keys.full, "beijinglingtian");
  EXPECT_EQ(keys.initials, "bjlt");
  EXPECT_EQ(PinyinOf("北京凌天商贸有限公司").initials, "bjltsmyxgs");
  auto mixed = PinyinOf("ＡＢＣ科技 88");
  EXPECT_EQ(mixed.full, "abckeji88");
  EXPECT_EQ(mixed.initials, "akj8");
  EXPECT_EQ(FoldForSearch("ＢＪＬＴ"), "bjlt");
  // Readings that depend on the next character stay ICU's.
  EXPECT_EQ(PinyinOf("重庆东兴科技").full, "chongqingdongxingkeji");
  EXPECT_EQ(PinyinOf("沈阳").full, "shenyang");
}

// PinyinOf caches each ideograph's reading; it must give what ICU gives for the whole
// text, spaces between syllables (and so the initials) included, for any mix of
// ideographs, contextual readings, letters, digits, full-width forms and symbols.
TEST(PinyinTest, CachedEqualsWholeText) {
  std::vector<std::string> pieces = {"北", "京", "凌", "天", "重", "庆", "沈", "阳", "藏", "文", "秘", "鲁", "长",
                                     "行", "乐", "〇", "一", "⺀", "々", "a", "B", "z", "7", "０", "Ａ", " ",
                                     "　", "-", "（", "）", "ü", "Å", "か", "カ", "𠀀", "①", "Ⅷ", "_", "\u0301", ")", "(", "，", "丶"};
  std::vector<std::string> texts = {"",           "重庆",         "重 庆",      "abc科技", "科技abc", "科1a技",
                                    "〇一二公司", "科⺀",         "a⺀",        "导入027469有限公司",
                                    "ＡＢＣ科技 88", "Ångström科技", "北京-科技"};
  std::mt19937 random(20261122);
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    int length = 1 + static_cast<int>(random() % 10);
    for (int j = 0; j < length; ++j) text += pieces[random() % pieces.size()];
    texts.push_back(text);
  }
  for (const auto& text : texts) {
    auto cached = PinyinOf(text);
    auto whole = PinyinOfWholeText(text);
    ASSERT_EQ(cached.full, whole.full) << text;
    ASSERT_EQ(cached.initials, whole.initials) << text;
  }
}

// R-CUST-39: the words a customer and a contact are found by.
TEST(SearchWordsTest, PinyinFromSyllablesInitialsAndDigitsFromAnyPlaceIdeographsInPairs) {
  std::string words = CustomerSearchWords("北京凌天商贸", PinyinOf("北京凌天商贸"), std::string("01085551234"));
  auto has = [&](const std::string& word) {
    return (" " + words + " ").find(" " + word + " ") != std::string::npos;
  };
  EXPECT_TRUE(has("beijinglingtians"));  // cut at kSearchWordLetters (16)
  EXPECT_TRUE(has("jinglingtianshan"));
  EXPECT_TRUE(has("shangmao"));
  EXPECT_TRUE(has("mao"));
  EXPECT_FALSE(has("eijinglingtiansh"));  // not from inside a syllable
  EXPECT_TRUE(has("bjltsm"));
  EXPECT_TRUE(has("tsm"));
  EXPECT_FALSE(has("sm"));                // shorter than a term that is looked up
  EXPECT_TRUE(has("01085551234"));
  EXPECT_TRUE(has("234"));
  EXPECT_FALSE(has("34"));
  for (const char* pair : {"北京", "京凌", "凌天", "天商", "商贸", "贸"}) EXPECT_TRUE(has(pair)) << pair;
  EXPECT_FALSE(has("北"));                // found as the prefix of 北京
  // Sorted, distinct, one space apart: the words of a row are reproducible.
  EXPECT_EQ(words.find("  "), std::string::npos);
  EXPECT_EQ(CustomerSearchWords("", PinyinOf(""), std::nullopt), "");
  // Full-width forms and case fold like a search term.
  EXPECT_EQ(ContactSearchWords("王经理"), "王经 理 经理");  // sorted by bytes
  EXPECT_EQ(ContactSearchWords("ＡＢ王"), "王");
  EXPECT_EQ(ContactSearchWords("Tom"), "");
}

// R-CUST-48: codes are stored trimmed, full-width ASCII folded; spaces inside are refused.
TEST(CustomerCodeTest, CodesAreTrimmedAndFoldedToHalfWidth) {
  EXPECT_EQ(CustomerCode("  KH-2024-001 "), "KH-2024-001");
  EXPECT_EQ(CustomerCode("ＫＨ－２０２４－００１"), "KH-2024-001");
  EXPECT_EQ(CustomerCode("\u3000华东/001\u3000"), "华东/001");
  EXPECT_EQ(CustomerCode("kh001"), "kh001");  // case is kept: codes are compared as written
  EXPECT_EQ(CustomerCode(""), std::nullopt);
  EXPECT_EQ(CustomerCode(" \u3000 "), std::nullopt);
  EXPECT_EQ(CustomerCode("KH 001"), std::nullopt);
  EXPECT_EQ(CustomerCode("KH\u3000001"), std::nullopt);
  EXPECT_EQ(CustomerCode("KH\t001"), std::nullopt);
  EXPECT_EQ(CustomerCode(std::string(64, 'A')), std::string(64, 'A'));
  EXPECT_EQ(CustomerCode(std::string(65, 'A')), std::nullopt);
}

// R-CUST-48: an ASCII code gives the rests of its letters and digits, as a phone does.
TEST(SearchWordsTest, CodesAreFoundFromAnyLetterOrDigit) {
  std::string words = CustomerSearchWords("凌天", PinyinOf("凌天"), std::nullopt, std::string("KH-2024-001"));
  auto has = [&](const std::string& word) { return (" " + words + " ").find(" " + word + " ") != std::string::npos; };
  EXPECT_TRUE(has("kh2024001"));
  EXPECT_TRUE(has("2024001"));
  EXPECT_TRUE(has("001"));
  EXPECT_FALSE(has("01"));
  EXPECT_EQ(CustomerSearchWords("凌天", PinyinOf("凌天"), std::nullopt, std::string("华东001")),
            CustomerSearchWords("凌天", PinyinOf("凌天"), std::nullopt));
}

TEST(SearchWordsTest, TermsAreClassifiedByWhatCanLookThemUp) {
  SearchTerm initials = ClassifySearchTerm("ＢＪＬＴ");
  EXPECT_EQ(initials.kind, SearchTermKind::kLettersOrDigits);
  EXPECT_EQ(initials.word, "bjlt");
  EXPECT_TRUE(initials.prefix);
  EXPECT_FALSE(initials.truncated);
  SearchTerm long_term = ClassifySearchTerm("beijinglingtianshangmao");
  EXPECT_EQ(long_term.word, "beijinglingtians");
  EXPECT_TRUE(long_term.truncated);
  EXPECT_EQ(ClassifySearchTerm("8555-12").word, "855512");
  SearchTerm pair = ClassifySearchTerm("凌天");
  EXPECT_EQ(pair.kind, SearchTermKind::kIdeographs);
  EXPECT_FALSE(pair.prefix);
  SearchTerm one = ClassifySearchTerm("凌");
  EXPECT_EQ(one.kind, SearchTermKind::kIdeographs);
  EXPECT_TRUE(one.prefix);
  EXPECT_EQ(ClassifySearchTerm("凌天商").kind, SearchTermKind::kSubstring);
  EXPECT_EQ(ClassifySearchTerm("A栋1").kind, SearchTermKind::kSubstring);
  EXPECT_EQ(ClassifySearchTerm("bj").kind, SearchTermKind::kScan);
  EXPECT_EQ(ClassifySearchTerm("A栋").kind, SearchTermKind::kScan);
  EXPECT_EQ(ClassifySearchTerm("--").kind, SearchTermKind::kScan);
  // R-CUST-53: whether LIKE finds what ILIKE does.
  EXPECT_TRUE(ClassifySearchTerm("有限公司").caseless);
  EXPECT_TRUE(ClassifySearchTerm("王经理 138").caseless);
  EXPECT_TRUE(ClassifySearchTerm("8号楼（东）").caseless);
  EXPECT_FALSE(ClassifySearchTerm("A栋1").caseless);
  EXPECT_FALSE(ClassifySearchTerm("ａ栋1").caseless);  // full-width letters have case
  EXPECT_FALSE(ClassifySearchTerm("Straße").caseless);
  EXPECT_FALSE(ClassifySearchTerm("Ωμέγα公司").caseless);
}

}  // namespace
}  // namespace tuoke::customers
