// The pure rules of plans, applications and norms (R-VISIT-2..9, 16), no database.
#include "modules/visits/visit_rules.h"

#include <gtest/gtest.h>

namespace tuoke::visits {
namespace {

Date D(const char* text) { return *ParseDate(text); }

FrequencyPolicy DefaultPolicy() {
  FrequencyPolicy policy;  // 1 / 3 / 6 months, as the catalogue defaults
  policy.home_province = "浙江省";
  policy.home_city = "杭州市";
  policy.callback_table = Json::parse(R"({
    "A1": {"repCalls": 2, "repCallPeriodDays": 7,  "repVisitsPerMonth": 4, "managerVisitsPerMonth": 1},
    "A2": {"repCalls": 1, "repCallPeriodDays": 7,  "repVisitsPerMonth": 3, "managerVisitsPerMonth": 1},
    "B1": {"repCalls": 1, "repCallPeriodDays": 7,  "repVisitsPerMonth": 2, "managerVisitsPerMonth": 1},
    "B2": {"repCalls": 1, "repCallPeriodDays": 14, "repVisitsPerMonth": 1, "managerVisitsPerMonth": 1},
    "C":  {"repCalls": 1, "repCallPeriodDays": 14, "repVisitsPerMonth": 0, "managerVisitsPerMonth": 0}})");
  policy.grade_rows = Json::parse(
      R"({"A": "A2", "B": "B2", "C": "C", "D": "C", "key": "A2", "important": "B2", "general": "C", "watch": "C"})");
  return policy;
}

TEST(VisitRules, RegionRelationComparesWithoutAdministrativeSuffixes) {
  EXPECT_EQ(RelationToHome("浙江", "杭州", "浙江省", "杭州市"), RegionRelation::kSameCity);
  EXPECT_EQ(RelationToHome("浙江省", "宁波市", "浙江省", "杭州市"), RegionRelation::kSameProvince);
  EXPECT_EQ(RelationToHome("浙江省", "", "浙江省", "杭州市"), RegionRelation::kSameProvince);
  EXPECT_EQ(RelationToHome("广东省", "广州市", "浙江省", "杭州市"), RegionRelation::kOtherRegion);
  // A municipality is province and city at once.
  EXPECT_EQ(RelationToHome("北京市", "", "北京", "北京"), RegionRelation::kSameCity);
  // R-VISIT-2: unknown on either side is the strictest norm.
  EXPECT_EQ(RelationToHome("", "", "浙江省", "杭州市"), RegionRelation::kSameCity);
  EXPECT_EQ(RelationToHome("广东省", "广州市", "", ""), RegionRelation::kSameCity);
}

TEST(VisitRules, GradeFrequencyReadsTheCallbackTableThroughTheGradeRows) {
  FrequencyPolicy policy = DefaultPolicy();
  EXPECT_EQ(policy.VisitsPerMonth("A1"), 4);  // a row of the table itself
  EXPECT_EQ(policy.VisitsPerMonth("A"), 3);   // A → A2
  EXPECT_EQ(policy.VisitsPerMonth("B"), 1);   // B → B2
  EXPECT_EQ(policy.VisitsPerMonth("key"), 3);
  EXPECT_EQ(policy.VisitsPerMonth("general"), 0);
  EXPECT_EQ(policy.VisitsPerMonth("nonsense"), 0);
  policy.grade_rows["B"] = "B1";
  EXPECT_EQ(policy.VisitsPerMonth("B"), 2);
  EXPECT_EQ(policy.IntervalMonths(RegionRelation::kSameProvince), 3);
  EXPECT_EQ(policy.IntervalMonths(RegionRelation::kOtherRegion), 6);
}

TEST(VisitRules, CalendarArithmeticClampsToTheMonthsEnd) {
  EXPECT_EQ(AddMonths(D("2026-01-31"), 1), D("2026-02-28"));
  EXPECT_EQ(AddMonths(D("2024-01-31"), 1), D("2024-02-29"));
  EXPECT_EQ(AddMonths(D("2026-11-30"), 3), D("2027-02-28"));
  EXPECT_EQ(AddMonths(D("2026-08-15"), 6), D("2027-02-15"));
  EXPECT_EQ(ShiftDays(D("2026-12-31"), 1), D("2027-01-01"));
  EXPECT_EQ(DaysBetween(D("2026-11-20"), D("2026-12-02")), 12);
  EXPECT_EQ(ParseMonth("2026-12")->Next(), (Month{2027, 1}));
  EXPECT_EQ(ParseMonth("2026-02")->Last(), D("2026-02-28"));
  EXPECT_FALSE(ParseMonth("2026-13"));
  EXPECT_FALSE(ParseMonth("2026-1"));
  EXPECT_EQ(FormatMonth(Month{2026, 3}), "2026-03");
}

TEST(VisitRules, NextDueIsTheEarlierOfRegionAndGrade) {
  // Same city, grade C: one month after the last visit.
  EXPECT_EQ(NextDueOn(D("2026-10-05"), 1, 0), D("2026-11-05"));
  // Other region (6 months) but A2 (3 a month): every 10 days in a 30-day month.
  EXPECT_EQ(NextDueOn(D("2026-11-01"), 6, 3), D("2026-11-11"));
  // A1 (4 a month) from a day in February (28 days): every 7 days.
  EXPECT_EQ(NextDueOn(D("2026-02-03"), 1, 4), D("2026-02-10"));
  // B2 (1 a month) in a 31-day month, same province: the grade wins after 31 days.
  EXPECT_EQ(NextDueOn(D("2026-10-01"), 3, 1), D("2026-11-01"));
}

TEST(VisitRules, RequiredVisitsInAMonthAndCoverage) {
  Month december{2026, 12};
  // Last visit Nov 2, monthly: due Dec 2, so once in December.
  EXPECT_EQ(RequiredVisitsInMonth(december, D("2026-11-02"), 1, 0), 1);
  // Quarterly from Oct 5: due Jan 5, nothing in December.
  EXPECT_EQ(RequiredVisitsInMonth(december, D("2026-10-05"), 3, 0), 0);
  // ... but an A1 customer needs 4 whatever the region says.
  EXPECT_EQ(RequiredVisitsInMonth(december, D("2026-10-05"), 3, 4), 4);
  // Due on the month's last day still counts.
  EXPECT_EQ(RequiredVisitsInMonth(december, D("2026-09-30"), 3, 0), 1);
  EXPECT_EQ(CoverageOf(0, 0), CoverageState::kOk);
  EXPECT_EQ(CoverageOf(2, 3), CoverageState::kOk);
  EXPECT_EQ(CoverageOf(4, 1), CoverageState::kShort);
  EXPECT_EQ(CoverageOf(1, 0), CoverageState::kMissing);
  EXPECT_EQ(CoverageStateCode(CoverageState::kShort), "short");
}

TEST(VisitRules, PlanDeadlineIsTheEndOfTheBusinessDayBeforeTheMonth) {
  // December's plan, 0 days before month end: by the end of Nov 30 in Shanghai (16:00 UTC).
  EXPECT_EQ(FormatInstant(PlanSubmitDeadline(Month{2026, 12}, 0, "Asia/Shanghai")), "2026-11-30T16:00:00.000Z");
  // Three days before: by the end of Nov 27.
  EXPECT_EQ(FormatInstant(PlanSubmitDeadline(Month{2026, 12}, 3, "Asia/Shanghai")), "2026-11-27T16:00:00.000Z");
  // Across the year: January's plan is due by the end of Dec 31; Tokyo is UTC+9.
  EXPECT_EQ(FormatInstant(PlanSubmitDeadline(Month{2027, 1}, 0, "Asia/Tokyo")), "2026-12-31T15:00:00.000Z");
  // March's plan after a leap February.
  EXPECT_EQ(FormatInstant(PlanSubmitDeadline(Month{2024, 3}, 0, "UTC")), "2024-03-01T00:00:00.000Z");
}

TEST(VisitRules, ApplicationDeadlineDependsOnComingToTheOfficeFirst) {
  // Not coming in: the day before at 18:00 Shanghai time = 10:00 UTC.
  EXPECT_EQ(FormatInstant(ApplicationDeadline(D("2026-12-01"), false, "18:00", "Asia/Shanghai")),
            "2026-11-30T10:00:00.000Z");
  // Across the year end.
  EXPECT_EQ(FormatInstant(ApplicationDeadline(D("2027-01-01"), false, "18:00", "Asia/Shanghai")),
            "2026-12-31T10:00:00.000Z");
  // Early cut-off before midnight UTC in Tokyo: 08:30 local on the day before.
  EXPECT_EQ(FormatInstant(ApplicationDeadline(D("2026-03-01"), false, "08:30", "Asia/Tokyo")),
            "2026-02-27T23:30:00.000Z");
  // Coming to the office first: filed on the visit day at the latest.
  EXPECT_EQ(FormatInstant(ApplicationDeadline(D("2026-12-01"), true, "18:00", "Asia/Shanghai")),
            "2026-12-01T16:00:00.000Z");
  EXPECT_EQ(ParseTimeOfDay("23:59"), 23 * 60 + 59);
  EXPECT_FALSE(ParseTimeOfDay("24:00"));
  EXPECT_FALSE(ParseTimeOfDay("9:00"));
}

TEST(VisitRules, CodesAndRatios) {
  EXPECT_EQ(JoinCodes({"relationship", "coverage"}), "relationship,coverage");
  EXPECT_EQ(SplitCodes("relationship,coverage"), (std::vector<std::string>{"relationship", "coverage"}));
  EXPECT_TRUE(SplitCodes("").empty());
  EXPECT_EQ(RatioBp(1, 3), 3333);
  EXPECT_FALSE(RatioBp(1, 0));
  EXPECT_TRUE(PurposeCodes().count("competitor_intel"));
}

}  // namespace
}  // namespace tuoke::visits
