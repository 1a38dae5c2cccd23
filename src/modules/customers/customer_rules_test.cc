// The pure rules of the customer archive: grading (§2.1), duplicate keys (§2.2), pinyin.
#include <gtest/gtest.h>

#include "modules/customers/customer_rules.h"

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
}

}  // namespace
}  // namespace tuoke::customers
