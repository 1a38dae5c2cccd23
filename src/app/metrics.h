// Prometheus metrics: request counts and latency per route, process memory.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace tuoke::app {

class Metrics {
 public:
  void RecordRequest(const std::string& method, const std::string& route, int status,
                     double seconds);
  // Prometheus text exposition format 0.0.4.
  std::string Render() const;

 private:
  static constexpr std::array<double, 10> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,  0.1,    0.25,  1.0,  5.0};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;  // guarded by mutex_
  std::map<std::string, Histogram> latency_;                               // guarded by mutex_
};

// Resident set size of this process in bytes (from /proc/self/statm).
uint64_t ResidentMemoryBytes();

}  // namespace tuoke::app
