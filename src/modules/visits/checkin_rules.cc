#include "modules/visits/checkin_rules.h"

#include <algorithm>
#include <cmath>

namespace tuoke::visits {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::hours;

}  // namespace

CheckInJudgement JudgeCheckIn(const CheckInFacts& facts, const CheckInPolicy& policy) {
  CheckInJudgement out;
  auto& flags = out.flags;
  const minutes tolerance{policy.max_clock_skew_minutes};

  // R-VISIT-31: time. With sentAt (the offline queue sets it when it flushes) the device
  // clock is judged at sending, where it must agree with the server, and a capture long
  // before sending is an offline capture whose time is corrected by the measured clock
  // offset. Without sentAt the capture time itself is compared: in the future beyond the
  // tolerance is a wrong clock, in the past beyond it a delayed (offline) capture.
  if (facts.sent_at) {
    auto offset = facts.received_at - *facts.sent_at;  // server minus device
    if (std::chrono::abs(offset) > tolerance) flags.push_back(kFlagClockSkew);
    if (facts.captured_at > *facts.sent_at) {
      flags.push_back(kFlagClockSkew);  // captured after it was sent: impossible
      out.at = facts.received_at;
    } else if (*facts.sent_at - facts.captured_at > tolerance) {
      out.delayed = true;
      out.at = facts.captured_at + offset;
    } else {
      out.at = facts.received_at;
    }
  } else if (facts.captured_at > facts.received_at + tolerance) {
    flags.push_back(kFlagClockSkew);
    out.at = facts.received_at;
  } else if (facts.received_at - facts.captured_at > tolerance) {
    out.delayed = true;
    out.at = facts.captured_at;
  } else {
    out.at = facts.received_at;
  }
  // Never in the future of the server, whatever the device says.
  out.at = std::min(out.at, facts.received_at);
  if (out.delayed) {
    flags.push_back(kFlagDelayed);
    if (facts.received_at - out.at > hours{policy.offline_max_age_hours}) flags.push_back(kFlagStale);
  }
  // Duplicates from the two clock checks above collapse to one flag.
  flags.erase(std::unique(flags.begin(), flags.end()), flags.end());

  // R-VISIT-32: the geofence, for check-ins at a customer.
  if (facts.place == CheckInPlace::kCustomer) {
    if (facts.customer_location) {
      double meters = HaversineMeters(facts.point, *facts.customer_location);
      out.distance_m = static_cast<int64_t>(std::llround(meters));
      bool inside = meters <= static_cast<double>(policy.geofence_radius_m);
      out.geofence = inside ? "inside" : "outside";
      if (!inside) flags.push_back(kFlagOutsideGeofence);
    } else {
      out.geofence = "unknown";
      flags.push_back(kFlagNoCustomerLocation);
    }
  } else {
    out.geofence = "none";
  }

  // R-VISIT-33: a field check-in without a covering application.
  if (facts.application_covers && !*facts.application_covers && policy.application_required)
    flags.push_back(policy.unapproved_visit_is_absence ? kFlagAbsence : kFlagNoApplication);

  // R-VISIT-37: accuracy worse than the policy.
  if (facts.accuracy_m > policy.max_accuracy_m) flags.push_back(kFlagPoorAccuracy);

  // R-VISIT-38: speed from the previous check-in. Both positions are only known within
  // their accuracy radii, so the distance that must have been travelled is the gap
  // minus both radii; GPS jitter between two check-ins in one building is not travel.
  if (facts.previous) {
    double gap = HaversineMeters(facts.previous->point, facts.point);
    double travelled = std::max(0.0, gap - static_cast<double>(facts.previous->accuracy_m + facts.accuracy_m));
    auto elapsed = std::chrono::duration_cast<milliseconds>(out.at - facts.previous->at).count();
    auto speed = SpeedKmh(travelled, elapsed);
    if (speed) out.speed_kmh = static_cast<int64_t>(std::llround(*speed));
    if (!speed || *speed > static_cast<double>(policy.max_speed_kmh)) flags.push_back(kFlagTooFast);
  }
  return out;
}

std::string JoinFlags(const std::vector<std::string>& flags) {
  std::string out;
  for (const auto& flag : flags) {
    if (!out.empty()) out += ',';
    out += flag;
  }
  return out;
}

std::vector<std::string> SplitFlags(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace tuoke::visits
