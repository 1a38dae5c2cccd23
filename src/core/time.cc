#include "core/time.h"

#include <cstdio>

namespace tuoke {

namespace chr = std::chrono;

Instant SystemClock::Now() const {
  return chr::time_point_cast<chr::milliseconds>(chr::system_clock::now());
}

std::string FormatInstant(Instant instant) {
  // Hand-rolled: this runs several times per request, and snprintf is slow.
  auto days = chr::floor<chr::days>(instant);
  chr::year_month_day ymd{days};
  chr::hh_mm_ss hms{instant - days};
  std::string text = "0000-00-00T00:00:00.000Z";
  auto put = [&text](size_t pos, unsigned value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10) text[pos + i] = static_cast<char>('0' + value % 10);
  };
  put(0, static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
  put(5, static_cast<unsigned>(ymd.month()), 2);
  put(8, static_cast<unsigned>(ymd.day()), 2);
  put(11, static_cast<unsigned>(hms.hours().count()), 2);
  put(14, static_cast<unsigned>(hms.minutes().count()), 2);
  put(17, static_cast<unsigned>(hms.seconds().count()), 2);
  put(20, static_cast<unsigned>(hms.subseconds().count()), 3);
  return text;
}

namespace {

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

std::optional<Date> ParseDate(std::string_view text) {
  int year, month, day;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (!ReadDigits(text, 0, 4, year) || !ReadDigits(text, 5, 2, month) ||
      !ReadDigits(text, 8, 2, day))
    return std::nullopt;
  chr::year_month_day ymd{chr::year{year}, chr::month{static_cast<unsigned>(month)},
                          chr::day{static_cast<unsigned>(day)}};
  if (!ymd.ok() || year < 1900) return std::nullopt;
  return Date{year, static_cast<unsigned>(month), static_cast<unsigned>(day)};
}

std::string FormatDate(Date date) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", date.year, date.month, date.day);
  return buffer;
}

std::optional<Instant> ParseInstant(std::string_view text) {
  if (text.size() < 20 || text.back() != 'Z') return std::nullopt;
  auto date = ParseDate(text.substr(0, 10));
  if (!date || text[10] != 'T' || text[13] != ':' || text[16] != ':') return std::nullopt;
  int hour, minute, second, millis = 0;
  if (!ReadDigits(text, 11, 2, hour) || !ReadDigits(text, 14, 2, minute) ||
      !ReadDigits(text, 17, 2, second))
    return std::nullopt;
  size_t pos = 19;
  if (text[pos] == '.') {
    size_t digits = text.size() - 1 - (pos + 1);
    if (digits < 1 || digits > 9) return std::nullopt;
    int fraction;
    if (!ReadDigits(text, pos + 1, digits, fraction)) return std::nullopt;
    while (digits > 3) fraction /= 10, --digits;
    while (digits < 3) fraction *= 10, ++digits;
    millis = fraction;
    pos = text.size() - 1;
  }
  if (pos != text.size() - 1 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  chr::sys_days days{chr::year{date->year} / chr::month{date->month} / chr::day{date->day}};
  return Instant{days} + chr::hours{hour} + chr::minutes{minute} + chr::seconds{second} +
         chr::milliseconds{millis};
}

bool IsKnownTimeZone(const std::string& time_zone) {
  // g++ 12's <chrono> lacks tzdb; accept the fixed-offset zones we can compute exactly.
  return time_zone == "Asia/Shanghai" || time_zone == "Asia/Hong_Kong" ||
         time_zone == "Asia/Taipei" || time_zone == "Asia/Singapore" || time_zone == "UTC" ||
         time_zone == "Asia/Tokyo" || time_zone == "Asia/Seoul";
}

namespace {

// Offsets of the zones Tuoke supports. None of them observes daylight saving time
// today, which is why a fixed offset is exact for current and recent dates.
chr::minutes ZoneOffset(const std::string& time_zone) {
  if (time_zone == "UTC") return chr::minutes{0};
  if (time_zone == "Asia/Tokyo" || time_zone == "Asia/Seoul") return chr::hours{9};
  return chr::hours{8};
}

}  // namespace

Date BusinessDate(Instant instant, const std::string& time_zone) {
  auto local = instant + ZoneOffset(time_zone);
  chr::year_month_day ymd{chr::floor<chr::days>(local)};
  return Date{static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
              static_cast<unsigned>(ymd.day())};
}

Instant StartOfBusinessDate(Date date, const std::string& time_zone) {
  chr::sys_days days{chr::year{date.year} / chr::month{date.month} / chr::day{date.day}};
  return Instant{days} - ZoneOffset(time_zone);
}

}  // namespace tuoke
