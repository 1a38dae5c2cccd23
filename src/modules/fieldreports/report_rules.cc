#include "modules/fieldreports/report_rules.h"

#include <chrono>

namespace tuoke::fieldreports {

namespace chr = std::chrono;

namespace {

chr::sys_days Days(Date date) {
  return chr::sys_days{chr::year{date.year} / chr::month{date.month} / chr::day{date.day}};
}

Date FromDays(chr::sys_days days) {
  chr::year_month_day ymd{days};
  return Date{static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
              static_cast<unsigned>(ymd.day())};
}

bool ReadDigits(std::string_view text, size_t pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

}  // namespace

std::string_view PeriodCode(Period period) {
  switch (period) {
    case Period::kDay: return "daily";
    case Period::kWeek: return "weekly";
    case Period::kMonth: return "monthly";
    case Period::kQuarter: return "quarterly";
    case Period::kHalfYear: return "half_yearly";
    case Period::kYear: return "yearly";
  }
  return "daily";
}

std::optional<Period> ParsePeriod(std::string_view code) {
  for (Period period : {Period::kDay, Period::kWeek, Period::kMonth, Period::kQuarter, Period::kHalfYear,
                        Period::kYear})
    if (PeriodCode(period) == code) return period;
  return std::nullopt;
}

Date AddDays(Date date, int days) { return FromDays(Days(date) + chr::days{days}); }

int Weekday(Date date) { return static_cast<int>(chr::weekday{Days(date)}.iso_encoding()); }

Date LastDayOfMonth(Date date) {
  chr::year_month_day_last last{chr::year{date.year} / chr::month{date.month} / chr::last};
  return Date{date.year, date.month, static_cast<unsigned>(last.day())};
}

int DaysBetween(Date from, Date to) { return static_cast<int>((Days(to) - Days(from)).count()); }

DateRange PeriodContaining(Period period, Date date) {
  switch (period) {
    case Period::kDay: return {date, date};
    case Period::kWeek: {
      Date monday = AddDays(date, 1 - Weekday(date));
      return {monday, AddDays(monday, 6)};
    }
    case Period::kMonth: return {Date{date.year, date.month, 1}, LastDayOfMonth(date)};
    case Period::kQuarter: {
      unsigned first_month = (date.month - 1) / 3 * 3 + 1;
      return {Date{date.year, first_month, 1}, LastDayOfMonth(Date{date.year, first_month + 2, 1})};
    }
    case Period::kHalfYear:
      if (date.month <= 6) return {Date{date.year, 1, 1}, Date{date.year, 6, 30}};
      return {Date{date.year, 7, 1}, Date{date.year, 12, 31}};
    case Period::kYear: return {Date{date.year, 1, 1}, Date{date.year, 12, 31}};
  }
  return {date, date};
}

std::optional<int> ParseClockTime(std::string_view text) {
  int hours, minutes;
  if (text.size() != 5 || text[2] != ':' || !ReadDigits(text, 0, 2, hours) || !ReadDigits(text, 3, 2, minutes))
    return std::nullopt;
  if (hours > 23 || minutes > 59) return std::nullopt;
  return hours * 60 + minutes;
}

std::optional<Date> ParseMonth(std::string_view text) {
  if (text.size() != 7) return std::nullopt;
  return ParseDate(std::string(text) + "-01");
}

Instant DueInstant(Date day, int minutes_after_midnight, const std::string& time_zone) {
  // The zones Tuoke supports have fixed offsets (core/time.cc), so local minutes add up.
  return StartOfBusinessDate(day, time_zone) + chr::minutes{minutes_after_midnight + 1};
}

Date WeeklyDueDate(Date monday, int due_weekday) { return AddDays(monday, due_weekday - 1); }

Date MonthlyDueDate(Date first_of_month, int days_after_month_end) {
  return AddDays(LastDayOfMonth(first_of_month), days_after_month_end);
}

}  // namespace tuoke::fieldreports
