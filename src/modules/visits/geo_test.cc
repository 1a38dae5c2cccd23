#include "modules/visits/geo.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tuoke::visits {
namespace {

TEST(GeoTest, HaversineMatchesKnownDistances) {
  // Shanghai People's Square to Beijing Tiananmen: about 1,067 km.
  GeoPoint shanghai{31.2304, 121.4737}, beijing{39.9042, 116.4074};
  EXPECT_NEAR(HaversineMeters(shanghai, beijing), 1067000, 5000);
  EXPECT_NEAR(HaversineMeters(beijing, shanghai), HaversineMeters(shanghai, beijing), 1e-6);
  EXPECT_DOUBLE_EQ(HaversineMeters(shanghai, shanghai), 0);
  // One thousandth of a degree of latitude is about 111 m anywhere.
  EXPECT_NEAR(HaversineMeters({30.0, 120.0}, {30.001, 120.0}), 111.2, 0.5);
  // Antipodes: half the circumference, no NaN from rounding.
  double half = HaversineMeters({0, 0}, {0, 180});
  EXPECT_FALSE(std::isnan(half));
  EXPECT_NEAR(half, 20015114, 1);  // π × the mean radius
}

TEST(GeoTest, ValidPointsAreFiniteAndInRange) {
  EXPECT_TRUE(IsValidPoint({31.2, 121.4}));
  EXPECT_TRUE(IsValidPoint({-90, -180}));
  EXPECT_FALSE(IsValidPoint({90.01, 0}));
  EXPECT_FALSE(IsValidPoint({0, 180.5}));
  EXPECT_FALSE(IsValidPoint({NAN, 0}));
  EXPECT_FALSE(IsValidPoint({0, INFINITY}));
}

TEST(GeoTest, SpeedFromDistanceAndTime) {
  EXPECT_DOUBLE_EQ(*SpeedKmh(60000, 3600000), 60.0);
  EXPECT_DOUBLE_EQ(*SpeedKmh(1000, 60000), 60.0);
  EXPECT_DOUBLE_EQ(*SpeedKmh(0, 0), 0.0);
  EXPECT_FALSE(SpeedKmh(10, 0).has_value());
  EXPECT_FALSE(SpeedKmh(10, -5).has_value());
}

}  // namespace
}  // namespace tuoke::visits
