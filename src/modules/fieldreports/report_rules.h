// Pure rules of the field reports (README.md of this folder): due instants of daily
// reports, morning notes and period summaries in the company time zone, and the
// boundaries of routine periods (week from Monday, quarters, halves). No I/O: every
// input, policy values included, is passed in.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"

namespace tuoke::fieldreports {

// The periods of §11 routines; persisted codes "daily" … "yearly".
enum class Period : uint8_t { kDay, kWeek, kMonth, kQuarter, kHalfYear, kYear };
std::string_view PeriodCode(Period period);
std::optional<Period> ParsePeriod(std::string_view code);

// A closed range of business dates.
struct DateRange {
  Date first;
  Date last;
  bool Contains(Date date) const { return first <= date && date <= last; }
};

Date AddDays(Date date, int days);
// ISO weekday: 1 = Monday … 7 = Sunday.
int Weekday(Date date);
Date LastDayOfMonth(Date date);
// R-ROUTINE-3: the period containing `date`: a week starts on Monday, quarters on
// January, April, July and October 1st, halves on January and July 1st.
DateRange PeriodContaining(Period period, Date date);
// Days from `from` to `to` (negative when `to` is earlier).
int DaysBetween(Date from, Date to);

// "HH:MM" (a kTime policy) as minutes after midnight; nullopt when malformed.
std::optional<int> ParseClockTime(std::string_view text);
// "YYYY-MM" as the first day of that month; nullopt when malformed.
std::optional<Date> ParseMonth(std::string_view text);

// R-REPORT-2: a report due "by HH:MM" on `day` is on time up to the end of that minute
// in the company time zone; the returned instant is the first late millisecond.
Instant DueInstant(Date day, int minutes_after_midnight, const std::string& time_zone);
inline bool IsLate(Instant submitted_at, Instant due) { return submitted_at >= due; }

// R-REPORT-8: the weekly summary of the week starting `monday` is due on its weekday
// `due_weekday` (1 = Monday … 7 = Sunday).
Date WeeklyDueDate(Date monday, int due_weekday);
// R-REPORT-8: the monthly report is due `days_after_month_end` days after the month's
// last day (0 = on the last day).
Date MonthlyDueDate(Date first_of_month, int days_after_month_end);
// R-REPORT-11: quarterly, half-year and annual summaries are due `days_after_end` days
// after the period's last day (0 = on the last day).
inline Date DueAfterEnd(DateRange range, int days_after_end) {
  return AddDays(range.last, days_after_end);
}

}  // namespace tuoke::fieldreports
