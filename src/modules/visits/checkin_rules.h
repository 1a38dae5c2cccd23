// The judgement of one check-in (R-VISIT-31..39): where it was against the customer's
// pinned location, whether it was captured offline, and what looks implausible. Pure:
// the service gathers the inputs (policies of the day, the previous check-in, the
// application check) and stores what comes out. Nothing here rejects a check-in: a
// doubtful one is recorded with flags for the manager (§3.4, "never silently accepted").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "modules/visits/geo.h"

namespace tuoke::visits {

enum class CheckInPlace : uint8_t { kCustomer, kOffice, kOther };

// Stable flag codes (persisted, shown by the client through i18n).
inline constexpr const char* kFlagOutsideGeofence = "outside_geofence";
inline constexpr const char* kFlagNoCustomerLocation = "no_customer_location";
inline constexpr const char* kFlagAbsence = "absence";
inline constexpr const char* kFlagNoApplication = "no_application";
inline constexpr const char* kFlagTooFast = "too_fast";
inline constexpr const char* kFlagPoorAccuracy = "poor_accuracy";
inline constexpr const char* kFlagClockSkew = "clock_skew";
inline constexpr const char* kFlagDelayed = "delayed";
inline constexpr const char* kFlagStale = "stale_capture";

// The policy values in force on the check-in's business date.
struct CheckInPolicy {
  int64_t geofence_radius_m = 500;        // visits.geofence_radius_m
  int64_t max_accuracy_m = 200;           // visits.checkin_max_accuracy_m
  int64_t max_speed_kmh = 120;            // visits.checkin_max_speed_kmh
  int64_t max_clock_skew_minutes = 10;    // visits.checkin_max_clock_skew_minutes
  int64_t offline_max_age_hours = 72;     // visits.checkin_offline_max_age_hours
  bool application_required = true;       // visits.application_required
  bool unapproved_visit_is_absence = true;  // visits.unapproved_visit_is_absence
};

struct PreviousCheckIn {
  Instant at;
  GeoPoint point;
  int64_t accuracy_m = 0;
};

struct CheckInFacts {
  CheckInPlace place = CheckInPlace::kCustomer;
  bool check_out = false;
  GeoPoint point;
  int64_t accuracy_m = 0;
  Instant received_at;                   // server clock
  Instant captured_at;                   // device clock at capture
  std::optional<Instant> sent_at;        // device clock when sent, if the client says
  std::optional<GeoPoint> customer_location;  // the customer's pin, when it has one
  std::optional<PreviousCheckIn> previous;    // the rep's latest check-in before this one
  // Whether an approved (and registered when required) application covers the day and
  // the customer; nullopt when no check applies (office check-ins, check-outs).
  std::optional<bool> application_covers;
};

struct CheckInJudgement {
  Instant at;  // when the check-in is taken to have happened
  bool delayed = false;
  std::optional<int64_t> distance_m;
  std::string geofence;  // "inside" | "outside" | "unknown" (customer has no pin) | "none"
  std::optional<int64_t> speed_kmh;
  std::vector<std::string> flags;  // in a stable order
};

// R-VISIT-31: time; R-VISIT-32: geofence; R-VISIT-33: absence; R-VISIT-37..39: plausibility.
CheckInJudgement JudgeCheckIn(const CheckInFacts& facts, const CheckInPolicy& policy);

// "a,b" ⇄ {"a","b"}; empty text is no flags.
std::string JoinFlags(const std::vector<std::string>& flags);
std::vector<std::string> SplitFlags(const std::string& text);

}  // namespace tuoke::visits
