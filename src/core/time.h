// Time vocabulary. Storage holds UTC instants as RFC 3339 text with milliseconds
// ("2026-11-22T03:04:05.123Z", sortable as text on both backends) and business
// dates as "YYYY-MM-DD" in the company time zone.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tuoke {

using Instant = std::chrono::sys_time<std::chrono::milliseconds>;

// The clock every service reads. Tests replace it to travel in time.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Instant Now() const override;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Instant now) : now_(now) {}
  Instant Now() const override { return now_; }
  void Set(Instant now) { now_ = now; }
  void Advance(std::chrono::milliseconds by) { now_ += by; }

 private:
  Instant now_;
};

std::string FormatInstant(Instant instant);
// Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z" (UTC only). Empty optional on anything else.
std::optional<Instant> ParseInstant(std::string_view text);

struct Date {
  int year = 1970;
  unsigned month = 1;
  unsigned day = 1;
  auto operator<=>(const Date&) const = default;
};

// Strict "YYYY-MM-DD" with a real calendar date.
std::optional<Date> ParseDate(std::string_view text);
std::string FormatDate(Date date);

// The business date of an instant in a time zone (IANA name such as "Asia/Shanghai").
// Unknown zones fall back to UTC+8, the default company zone, and are rejected by
// policy validation before they get here.
Date BusinessDate(Instant instant, const std::string& time_zone);
// The UTC instant at which a business date begins in the zone.
Instant StartOfBusinessDate(Date date, const std::string& time_zone);
bool IsKnownTimeZone(const std::string& time_zone);

}  // namespace tuoke
