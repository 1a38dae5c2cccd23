// R-VISIT-31..39 as pure functions: time, geofence, absence and plausibility flags.
#include "modules/visits/checkin_rules.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace tuoke::visits {
namespace {

using namespace std::chrono_literals;

Instant At(const char* text) { return *ParseInstant(text); }

bool HasFlag(const CheckInJudgement& judgement, const std::string& flag) {
  return std::find(judgement.flags.begin(), judgement.flags.end(), flag) != judgement.flags.end();
}

// A live check-in 100 m north of the customer, on time, precise, covered.
CheckInFacts Live() {
  CheckInFacts facts;
  facts.point = {30.0009, 120.0};
  facts.accuracy_m = 20;
  facts.received_at = At("2026-11-23T01:00:00Z");
  facts.captured_at = At("2026-11-23T00:59:58Z");
  facts.customer_location = GeoPoint{30.0, 120.0};
  facts.application_covers = true;
  return facts;
}

TEST(CheckInRulesTest, LiveCheckInInsideTheGeofenceHasNoFlags) {
  auto judgement = JudgeCheckIn(Live(), CheckInPolicy{});
  EXPECT_TRUE(judgement.flags.empty()) << JoinFlags(judgement.flags);
  EXPECT_EQ(judgement.geofence, "inside");
  EXPECT_EQ(judgement.distance_m, 100);
  EXPECT_EQ(judgement.at, At("2026-11-23T01:00:00Z"));  // the server's time
  EXPECT_FALSE(judgement.delayed);
}

TEST(CheckInRulesTest, GeofenceRadiusComesFromThePolicy) {
  CheckInFacts facts = Live();
  facts.point = {30.006, 120.0};  // about 667 m
  CheckInPolicy policy;
  auto judgement = JudgeCheckIn(facts, policy);
  EXPECT_EQ(judgement.geofence, "outside");
  EXPECT_TRUE(HasFlag(judgement, kFlagOutsideGeofence));
  policy.geofence_radius_m = 700;
  EXPECT_EQ(JudgeCheckIn(facts, policy).geofence, "inside");
}

TEST(CheckInRulesTest, CustomerWithoutPinIsFlaggedNotJudged) {
  CheckInFacts facts = Live();
  facts.customer_location.reset();
  auto judgement = JudgeCheckIn(facts, CheckInPolicy{});
  EXPECT_EQ(judgement.geofence, "unknown");
  EXPECT_FALSE(judgement.distance_m);
  EXPECT_EQ(judgement.flags, std::vector<std::string>{kFlagNoCustomerLocation});
}

TEST(CheckInRulesTest, NoApplicationIsAbsenceOrOnlyAFlagByPolicy) {
  CheckInFacts facts = Live();
  facts.application_covers = false;
  CheckInPolicy policy;
  EXPECT_EQ(JudgeCheckIn(facts, policy).flags, std::vector<std::string>{kFlagAbsence});
  policy.unapproved_visit_is_absence = false;
  EXPECT_EQ(JudgeCheckIn(facts, policy).flags, std::vector<std::string>{kFlagNoApplication});
  policy.application_required = false;
  EXPECT_TRUE(JudgeCheckIn(facts, policy).flags.empty());
}

TEST(CheckInRulesTest, PoorAccuracyIsFlagged) {
  CheckInFacts facts = Live();
  facts.accuracy_m = 201;
  EXPECT_EQ(JudgeCheckIn(facts, CheckInPolicy{}).flags, std::vector<std::string>{kFlagPoorAccuracy});
  facts.accuracy_m = 200;
  EXPECT_TRUE(JudgeCheckIn(facts, CheckInPolicy{}).flags.empty());
}

TEST(CheckInRulesTest, SpeedBetweenCheckInsDiscountsGpsUncertainty) {
  CheckInFacts facts = Live();
  // 30 km north in 10 minutes: 180 km/h.
  facts.previous = PreviousCheckIn{At("2026-11-23T00:50:00Z"), {29.7302, 120.0}, 20};
  auto judgement = JudgeCheckIn(facts, CheckInPolicy{});
  EXPECT_TRUE(HasFlag(judgement, kFlagTooFast));
  EXPECT_NEAR(static_cast<double>(*judgement.speed_kmh), 180, 2);
  // 30 km in 20 minutes: 90 km/h, plausible.
  facts.previous->at = At("2026-11-23T00:40:00Z");
  EXPECT_FALSE(HasFlag(JudgeCheckIn(facts, CheckInPolicy{}), kFlagTooFast));
  // 300 m apart one second later, but both fixes are ±200 m: not travel.
  facts.previous = PreviousCheckIn{At("2026-11-23T00:59:59Z"), {30.0036, 120.0}, 200};
  facts.accuracy_m = 150;
  EXPECT_FALSE(HasFlag(JudgeCheckIn(facts, CheckInPolicy{}), kFlagTooFast));
}

TEST(CheckInRulesTest, DeviceClockAheadIsClockSkew) {
  CheckInFacts facts = Live();
  facts.captured_at = facts.received_at + 11min;
  auto judgement = JudgeCheckIn(facts, CheckInPolicy{});
  EXPECT_EQ(judgement.flags, std::vector<std::string>{kFlagClockSkew});
  EXPECT_EQ(judgement.at, facts.received_at);
  facts.captured_at = facts.received_at + 9min;
  EXPECT_TRUE(JudgeCheckIn(facts, CheckInPolicy{}).flags.empty());
}

TEST(CheckInRulesTest, OfflineCaptureIsDelayedAndKeepsItsTime) {
  CheckInFacts facts = Live();
  facts.captured_at = At("2026-11-23T00:10:00Z");  // 50 minutes before it reached us
  auto judgement = JudgeCheckIn(facts, CheckInPolicy{});
  EXPECT_TRUE(judgement.delayed);
  EXPECT_EQ(judgement.flags, std::vector<std::string>{kFlagDelayed});
  EXPECT_EQ(judgement.at, facts.captured_at);
}

TEST(CheckInRulesTest, SentAtCorrectsTheDeviceClockOfAnOfflineCapture) {
  CheckInFacts facts = Live();
  // The device clock runs 5 minutes fast (within tolerance); captured an hour ago by it.
  facts.sent_at = facts.received_at + 5min;
  facts.captured_at = facts.received_at + 5min - 60min;
  auto judgement = JudgeCheckIn(facts, CheckInPolicy{});
  EXPECT_TRUE(judgement.delayed);
  EXPECT_EQ(judgement.flags, std::vector<std::string>{kFlagDelayed});
  EXPECT_EQ(judgement.at, facts.received_at - 60min);
  // 20 minutes fast: skewed as well as delayed.
  facts.sent_at = facts.received_at + 20min;
  facts.captured_at = facts.received_at + 20min - 60min;
  judgement = JudgeCheckIn(facts, CheckInPolicy{});
  EXPECT_EQ(judgement.flags, (std::vector<std::string>{kFlagClockSkew, kFlagDelayed}));
  EXPECT_EQ(judgement.at, facts.received_at - 60min);
}

TEST(CheckInRulesTest, VeryOldOfflineCaptureIsStale) {
  CheckInFacts facts = Live();
  facts.captured_at = facts.received_at - 73h;
  auto judgement = JudgeCheckIn(facts, CheckInPolicy{});
  EXPECT_EQ(judgement.flags, (std::vector<std::string>{kFlagDelayed, kFlagStale}));
}

TEST(CheckInRulesTest, OfficeCheckInsHaveNoGeofence) {
  CheckInFacts facts = Live();
  facts.place = CheckInPlace::kOffice;
  facts.customer_location.reset();
  facts.application_covers.reset();
  auto judgement = JudgeCheckIn(facts, CheckInPolicy{});
  EXPECT_EQ(judgement.geofence, "none");
  EXPECT_TRUE(judgement.flags.empty());
}

TEST(CheckInRulesTest, FlagsRoundTripThroughText) {
  EXPECT_EQ(SplitFlags("a,b"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(SplitFlags("").empty());
  EXPECT_EQ(JoinFlags({"a", "b"}), "a,b");
}

}  // namespace
}  // namespace tuoke::visits
