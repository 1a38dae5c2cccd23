#include "modules/visits/geo.h"

#include <cmath>
#include <numbers>

namespace tuoke::visits {
namespace {

constexpr double kEarthRadiusMeters = 6371008.8;

double Radians(double degrees) { return degrees * std::numbers::pi / 180.0; }

}  // namespace

bool IsValidPoint(const GeoPoint& point) {
  return std::isfinite(point.latitude) && std::isfinite(point.longitude) && point.latitude >= -90 &&
         point.latitude <= 90 && point.longitude >= -180 && point.longitude <= 180;
}

double HaversineMeters(const GeoPoint& from, const GeoPoint& to) {
  double delta_latitude = Radians(to.latitude - from.latitude);
  double delta_longitude = Radians(to.longitude - from.longitude);
  double a = std::sin(delta_latitude / 2) * std::sin(delta_latitude / 2) +
             std::cos(Radians(from.latitude)) * std::cos(Radians(to.latitude)) *
                 std::sin(delta_longitude / 2) * std::sin(delta_longitude / 2);
  // Clamped: rounding can push `a` a hair above 1 for antipodal points.
  return 2 * kEarthRadiusMeters * std::asin(std::sqrt(std::min(1.0, a)));
}

std::optional<double> SpeedKmh(double meters, int64_t milliseconds) {
  if (milliseconds <= 0) {
    if (meters <= 0) return 0.0;
    return std::nullopt;
  }
  return (meters / 1000.0) / (static_cast<double>(milliseconds) / 3600000.0);
}

}  // namespace tuoke::visits
