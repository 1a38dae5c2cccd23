// The pure rules of the field reports: due instants across time zones and day
// boundaries, period boundaries of routines and summaries.
#include "modules/fieldreports/report_rules.h"

#include <gtest/gtest.h>

namespace tuoke::fieldreports {
namespace {

Date D(const char* text) { return *ParseDate(text); }
std::string I(Instant instant) { return FormatInstant(instant); }

TEST(FieldReportRules, ClockTimesAndMonthsParseStrictly) {
  EXPECT_EQ(ParseClockTime("23:59"), 23 * 60 + 59);
  EXPECT_EQ(ParseClockTime("00:00"), 0);
  EXPECT_EQ(ParseClockTime("09:30"), 570);
  for (const char* bad : {"24:00", "9:30", "09:60", "0930", "", "ab:cd"}) EXPECT_FALSE(ParseClockTime(bad)) << bad;
  EXPECT_EQ(ParseMonth("2026-02"), D("2026-02-01"));
  for (const char* bad : {"2026-13", "2026-2", "202602", "2026-02-01"}) EXPECT_FALSE(ParseMonth(bad)) << bad;
}

TEST(FieldReportRules, DueInstantIsTheEndOfTheMinuteInTheCompanyZone) {
  // R-REPORT-2: "by 23:59" in Shanghai (UTC+8) is on time until 16:00:00 UTC that day.
  Instant due = DueInstant(D("2026-11-21"), 23 * 60 + 59, "Asia/Shanghai");
  EXPECT_EQ(I(due), "2026-11-21T16:00:00.000Z");
  EXPECT_FALSE(IsLate(*ParseInstant("2026-11-21T15:59:59.999Z"), due));
  EXPECT_TRUE(IsLate(*ParseInstant("2026-11-21T16:00:00.000Z"), due));
  // The same local deadline falls on another UTC instant in Tokyo and in UTC.
  EXPECT_EQ(I(DueInstant(D("2026-11-21"), 23 * 60 + 59, "Asia/Tokyo")), "2026-11-21T15:00:00.000Z");
  EXPECT_EQ(I(DueInstant(D("2026-11-21"), 23 * 60 + 59, "UTC")), "2026-11-22T00:00:00.000Z");
  // A morning deadline in Shanghai is the previous UTC evening's day boundary crossed:
  // 09:30 local on the 1st of January is 01:30 UTC the same day, and 00:10 local is the
  // previous UTC day.
  EXPECT_EQ(I(DueInstant(D("2027-01-01"), 9 * 60 + 30, "Asia/Shanghai")), "2027-01-01T01:31:00.000Z");
  EXPECT_EQ(I(DueInstant(D("2027-01-01"), 10, "Asia/Shanghai")), "2026-12-31T16:11:00.000Z");
}

TEST(FieldReportRules, WeeksStartOnMondayAcrossMonthAndYearEnds) {
  EXPECT_EQ(Weekday(D("2026-11-23")), 1);  // a Monday
  EXPECT_EQ(Weekday(D("2026-11-22")), 7);  // a Sunday
  DateRange week = PeriodContaining(Period::kWeek, D("2026-11-22"));
  EXPECT_EQ(week.first, D("2026-11-16"));
  EXPECT_EQ(week.last, D("2026-11-22"));
  // The week of New Year 2027 starts in December.
  week = PeriodContaining(Period::kWeek, D("2027-01-01"));
  EXPECT_EQ(week.first, D("2026-12-28"));
  EXPECT_EQ(week.last, D("2027-01-03"));
  EXPECT_EQ(PeriodContaining(Period::kWeek, D("2026-12-28")).first, D("2026-12-28"));
}

TEST(FieldReportRules, MonthsQuartersHalvesAndYears) {
  DateRange month = PeriodContaining(Period::kMonth, D("2028-02-15"));
  EXPECT_EQ(month.first, D("2028-02-01"));
  EXPECT_EQ(month.last, D("2028-02-29"));  // leap year
  EXPECT_EQ(PeriodContaining(Period::kMonth, D("2027-02-28")).last, D("2027-02-28"));
  DateRange quarter = PeriodContaining(Period::kQuarter, D("2026-11-22"));
  EXPECT_EQ(quarter.first, D("2026-10-01"));
  EXPECT_EQ(quarter.last, D("2026-12-31"));
  EXPECT_EQ(PeriodContaining(Period::kQuarter, D("2026-03-31")).first, D("2026-01-01"));
  EXPECT_EQ(PeriodContaining(Period::kQuarter, D("2026-04-01")).last, D("2026-06-30"));
  DateRange half = PeriodContaining(Period::kHalfYear, D("2026-06-30"));
  EXPECT_EQ(half.first, D("2026-01-01"));
  EXPECT_EQ(half.last, D("2026-06-30"));
  EXPECT_EQ(PeriodContaining(Period::kHalfYear, D("2026-07-01")).first, D("2026-07-01"));
  DateRange year = PeriodContaining(Period::kYear, D("2026-11-22"));
  EXPECT_EQ(year.first, D("2026-01-01"));
  EXPECT_EQ(year.last, D("2026-12-31"));
  DateRange day = PeriodContaining(Period::kDay, D("2026-11-22"));
  EXPECT_EQ(day.first, day.last);
}

TEST(FieldReportRules, SummaryDueDates) {
  // R-REPORT-8: weekday 6 of the week of Monday 2026-11-16 is Saturday the 21st.
  EXPECT_EQ(WeeklyDueDate(D("2026-11-16"), 6), D("2026-11-21"));
  EXPECT_EQ(WeeklyDueDate(D("2026-12-28"), 7), D("2027-01-03"));
  EXPECT_EQ(MonthlyDueDate(D("2026-12-01"), 1), D("2027-01-01"));
  EXPECT_EQ(MonthlyDueDate(D("2028-02-01"), 0), D("2028-02-29"));
}

TEST(FieldReportRules, PeriodCodesRoundTrip) {
  for (Period period : {Period::kDay, Period::kWeek, Period::kMonth, Period::kQuarter, Period::kHalfYear,
                        Period::kYear})
    EXPECT_EQ(ParsePeriod(PeriodCode(period)), period);
  EXPECT_FALSE(ParsePeriod("fortnightly"));
  EXPECT_EQ(AddDays(D("2026-12-31"), 1), D("2027-01-01"));
  EXPECT_EQ(DaysBetween(D("2026-12-30"), D("2027-01-02")), 3);
}

}  // namespace
}  // namespace tuoke::fieldreports
