#include "modules/visits/visit_rules.h"

#include <algorithm>
#include <charconv>
#include <chrono>

namespace tuoke::visits {
namespace {

namespace chr = std::chrono;

chr::sys_days ToDays(Date date) {
  return chr::sys_days{chr::year{date.year} / chr::month{date.month} / chr::day{date.day}};
}

Date FromDays(chr::sys_days days) {
  chr::year_month_day ymd{days};
  return Date{static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
              static_cast<unsigned>(ymd.day())};
}

// Region names are written with or without their administrative suffix (浙江省 / 浙江,
// 杭州市 / 杭州); compare without it.
std::string_view WithoutSuffix(std::string_view name) {
  static const std::string_view kSuffixes[] = {"维吾尔自治区", "壮族自治区", "回族自治区", "自治区",
                                                "特别行政区", "省", "市"};
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  for (auto suffix : kSuffixes)
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix)
      return name.substr(0, name.size() - suffix.size());
  return name;
}

}  // namespace

const std::set<std::string>& PurposeCodes() {
  // market research; competitor intelligence; relationship (ties, core customers, volume,
  // payments); a new customer; a new product; our product's coverage.
  static const std::set<std::string> codes = {"market_research", "competitor_intel", "relationship",
                                              "new_customer",    "new_product",      "coverage"};
  return codes;
}

std::string_view RegionRelationCode(RegionRelation relation) {
  switch (relation) {
    case RegionRelation::kSameCity: return "same_city";
    case RegionRelation::kSameProvince: return "same_province";
    case RegionRelation::kOtherRegion: return "other_region";
  }
  return "same_city";
}

RegionRelation RelationToHome(std::string_view province, std::string_view city,
                              std::string_view home_province, std::string_view home_city) {
  province = WithoutSuffix(province);
  city = WithoutSuffix(city);
  home_province = WithoutSuffix(home_province);
  home_city = WithoutSuffix(home_city);
  // R-VISIT-2: a company that has not said where it is, or a customer without a region,
  // gets the strictest norm, so nobody is forgotten for lack of an address.
  if (home_province.empty() && home_city.empty()) return RegionRelation::kSameCity;
  if (province.empty() && city.empty()) return RegionRelation::kSameCity;
  if (!province.empty() && !home_province.empty() && province != home_province)
    return RegionRelation::kOtherRegion;
  if (!city.empty() && city == home_city) return RegionRelation::kSameCity;
  // Municipalities (北京市 …) are province and city at once.
  if (city.empty() && province == home_city) return RegionRelation::kSameCity;
  return RegionRelation::kSameProvince;
}

int FrequencyPolicy::IntervalMonths(RegionRelation relation) const {
  switch (relation) {
    case RegionRelation::kSameCity: return same_city_months;
    case RegionRelation::kSameProvince: return same_province_months;
    case RegionRelation::kOtherRegion: return other_region_months;
  }
  return same_city_months;
}

int FrequencyPolicy::VisitsPerMonth(std::string_view grade) const {
  // R-VISIT-3: a grade that is a row of §8's table (A1 …) is read directly; any other
  // grade through visits.grade_frequency_rows; unknown grades ask for no visits.
  std::string key(grade);
  if (!callback_table.contains(key)) {
    if (!grade_rows.contains(key) || !grade_rows[key].is_string()) return 0;
    key = grade_rows[key].get<std::string>();
  }
  if (!callback_table.contains(key)) return 0;
  const Json& row = callback_table[key];
  if (!row.is_object() || !row.contains("repVisitsPerMonth") || !row["repVisitsPerMonth"].is_number())
    return 0;
  return std::max(0, row["repVisitsPerMonth"].get<int>());
}

Date Month::Last() const {
  chr::year_month_day_last last{chr::year{year} / chr::month{month} / chr::last};
  return Date{year, month, static_cast<unsigned>(last.day())};
}

Month Month::Next() const { return month == 12 ? Month{year + 1, 1} : Month{year, month + 1}; }

std::optional<Month> ParseMonth(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  auto date = ParseDate(std::string(text) + "-01");
  if (!date) return std::nullopt;
  return Month{date->year, date->month};
}

std::string FormatMonth(Month month) { return FormatDate(month.First()).substr(0, 7); }

Month MonthOf(Date date) { return Month{date.year, date.month}; }

Date ShiftDays(Date date, int days) { return FromDays(ToDays(date) + chr::days{days}); }

Date AddMonths(Date date, int months) {
  chr::year_month ym = chr::year{date.year} / chr::month{date.month};
  ym += chr::months{months};
  chr::year_month_day_last last{ym / chr::last};
  unsigned day = std::min(date.day, static_cast<unsigned>(last.day()));
  return Date{static_cast<int>(ym.year()), static_cast<unsigned>(ym.month()), day};
}

int DaysBetween(Date from, Date to) {
  return static_cast<int>((ToDays(to) - ToDays(from)).count());
}

Date NextDueOn(Date base, int interval_months, int visits_per_month) {
  Date due = AddMonths(base, std::max(1, interval_months));
  if (visits_per_month > 0) {
    int month_days = DaysBetween(base, AddMonths(base, 1));
    Date by_grade = ShiftDays(base, std::max(1, month_days / visits_per_month));
    due = std::min(due, by_grade);
  }
  return due;
}

int RequiredVisitsInMonth(Month month, Date base, int interval_months, int visits_per_month) {
  int by_region = AddMonths(base, std::max(1, interval_months)) <= month.Last() ? 1 : 0;
  return std::max(by_region, std::max(0, visits_per_month));
}

std::string_view CoverageStateCode(CoverageState state) {
  switch (state) {
    case CoverageState::kOk: return "ok";
    case CoverageState::kShort: return "short";
    case CoverageState::kMissing: return "missing";
  }
  return "ok";
}

CoverageState CoverageOf(int required, int planned) {
  if (planned >= required) return CoverageState::kOk;
  return planned == 0 ? CoverageState::kMissing : CoverageState::kShort;
}

Instant PlanSubmitDeadline(Month month, int days_before_month_end, const std::string& time_zone) {
  // The end of the business day (previous month's last day - N) is the start of the next.
  Date last_allowed_day = ShiftDays(month.First(), -1 - std::max(0, days_before_month_end));
  return StartOfBusinessDate(ShiftDays(last_allowed_day, 1), time_zone);
}

std::optional<int> ParseTimeOfDay(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  int hour = 0, minute = 0;
  auto h = std::from_chars(text.data(), text.data() + 2, hour);
  auto m = std::from_chars(text.data() + 3, text.data() + 5, minute);
  if (h.ec != std::errc() || h.ptr != text.data() + 2 || m.ec != std::errc() ||
      m.ptr != text.data() + 5 || hour > 23 || minute > 59 || hour < 0 || minute < 0)
    return std::nullopt;
  return hour * 60 + minute;
}

Instant ApplicationDeadline(Date visit_date, bool comes_to_office_first, std::string_view time_of_day,
                            const std::string& time_zone) {
  if (comes_to_office_first) return StartOfBusinessDate(ShiftDays(visit_date, 1), time_zone);
  // An unreadable policy time cannot happen (policy validation); midnight is the safe side.
  int minutes = ParseTimeOfDay(time_of_day).value_or(0);
  return StartOfBusinessDate(ShiftDays(visit_date, -1), time_zone) + chr::minutes{minutes};
}

std::optional<int64_t> RatioBp(int64_t part, int64_t whole) {
  if (whole <= 0) return std::nullopt;
  return part * 10000 / whole;
}

std::string JoinCodes(const std::vector<std::string>& codes) {
  std::string out;
  for (const auto& code : codes) {
    if (!out.empty()) out += ',';
    out += code;
  }
  return out;
}

std::vector<std::string> SplitCodes(std::string_view text) {
  std::vector<std::string> codes;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) codes.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return codes;
}

}  // namespace tuoke::visits
