// Geometry on the earth's surface for check-ins (R-VISIT-32, 34): great-circle distance
// and speed. Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <optional>

namespace tuoke::visits {

struct GeoPoint {
  double latitude = 0;   // degrees, -90..90
  double longitude = 0;  // degrees, -180..180
};

// Whether both coordinates are finite and within range.
bool IsValidPoint(const GeoPoint& point);

// Great-circle distance in metres (haversine on a sphere of the mean earth radius,
// 6,371,008.8 m). Accurate to about 0.5 % — far below GPS noise at check-in distances.
double HaversineMeters(const GeoPoint& from, const GeoPoint& to);

// Speed in km/h needed to travel `meters` in `milliseconds`. A non-positive duration
// with a positive distance is an impossible jump: nullopt, which callers treat as too fast.
std::optional<double> SpeedKmh(double meters, int64_t milliseconds);

}  // namespace tuoke::visits
