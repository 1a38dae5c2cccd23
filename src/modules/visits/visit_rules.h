// Pure rules of monthly visit plans, applications and visit norms (README.md of this
// folder, R-VISIT-1..29): no database, no clock, no HTTP, so they are unit-tested alone.
// Every number comes in as an argument read from a policy by the caller.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_util.h"
#include "core/time.h"

namespace tuoke::visits {

// §3.1 [003 第4条 / 2.1]: purposes of a visit, as stable codes.
const std::set<std::string>& PurposeCodes();

// §3.1 [003 2.3]: where a customer lies relative to the company's seat.
enum class RegionRelation : uint8_t { kSameCity, kSameProvince, kOtherRegion };
std::string_view RegionRelationCode(RegionRelation relation);

// R-VISIT-2: the relation from the customer's province and city (empty = unknown) and the
// company's home province and city (policies visits.home_province / visits.home_city).
RegionRelation RelationToHome(std::string_view province, std::string_view city,
                              std::string_view home_province, std::string_view home_city);

// The visit-frequency policies in force, read once per request by the caller.
struct FrequencyPolicy {
  int same_city_months = 1;       // visits.frequency_same_city_months
  int same_province_months = 3;   // visits.frequency_same_province_months
  int other_region_months = 6;    // visits.frequency_other_region_months
  std::string home_province;      // visits.home_province
  std::string home_city;          // visits.home_city
  Json callback_table = Json::object();  // callbacks.frequency_by_grade
  Json grade_rows = Json::object();      // visits.grade_frequency_rows

  int IntervalMonths(RegionRelation relation) const;
  // R-VISIT-3: on-site visits per month the grade asks for (0 when none).
  int VisitsPerMonth(std::string_view grade) const;
};

// A month "YYYY-MM".
struct Month {
  int year = 1970;
  unsigned month = 1;
  auto operator<=>(const Month&) const = default;
  Date First() const { return {year, month, 1}; }
  Date Last() const;
  Month Next() const;
};
std::optional<Month> ParseMonth(std::string_view text);
std::string FormatMonth(Month month);
Month MonthOf(Date date);

// Calendar helpers (proleptic Gregorian).
Date ShiftDays(Date date, int days);
// Same day of month `months` later, clamped to the month's last day (Jan 31 + 1 = Feb 28).
Date AddMonths(Date date, int months);
int DaysBetween(Date from, Date to);  // to - from

// R-VISIT-4: when a customer is next due for a visit, counted from `base` (the last visit,
// or without one the later of the last follow-up and the creation, R-VISIT-24): the earlier
// of the region interval (base + N months) and, for a grade with n > 0 visits a month,
// base + (days of the month after base) / n days, rounded down.
Date NextDueOn(Date base, int interval_months, int visits_per_month);

// R-VISIT-6: visits a plan for `month` must hold for one customer: the grade's visits
// per month, and at least 1 when the region interval falls due by the month's last day.
int RequiredVisitsInMonth(Month month, Date base, int interval_months, int visits_per_month);

// R-VISIT-7: how a plan covers one customer.
enum class CoverageState : uint8_t { kOk, kShort, kMissing };
std::string_view CoverageStateCode(CoverageState state);
CoverageState CoverageOf(int required, int planned);

// R-VISIT-9: a plan for `month` is due by the end of the business day
// visits.plan_submit_days_before_month_end days before the previous month's last day.
Instant PlanSubmitDeadline(Month month, int days_before_month_end, const std::string& time_zone);

// R-VISIT-16: an application for a visit on `visit_date` is due, when the rep comes to the
// office first that morning, by the end of the visit day (filed before leaving); otherwise
// on the day before at visits.application_deadline_time_day_before ("HH:MM").
Instant ApplicationDeadline(Date visit_date, bool comes_to_office_first, std::string_view time_of_day,
                            const std::string& time_zone);

// Parses "HH:MM" into minutes after midnight; nullopt when malformed.
std::optional<int> ParseTimeOfDay(std::string_view text);

// Basis points of part / whole (10000 = 100 %), rounded down; nullopt when whole is 0.
std::optional<int64_t> RatioBp(int64_t part, int64_t whole);

// Joins / splits comma lists of codes.
std::string JoinCodes(const std::vector<std::string>& codes);
std::vector<std::string> SplitCodes(std::string_view text);

}  // namespace tuoke::visits
