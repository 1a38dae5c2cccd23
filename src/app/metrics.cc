#include "app/metrics.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "storage/sqlite/sqlite_memory.h"

namespace tuoke::app {

void Metrics::RecordRequest(const std::string& method, const std::string& route, int status,
                            double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{method, route, status}];
  Histogram& histogram = latency_[route];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++histogram.counts[i];
  ++histogram.count;
  histogram.sum += seconds;
}

uint64_t ResidentMemoryBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

std::string Metrics::Render() const {
  std::ostringstream out;
  out << "# HELP tuoke_http_requests_total HTTP requests by route and status.\n"
         "# TYPE tuoke_http_requests_total counter\n";
  std::lock_guard lock(mutex_);
  for (const auto& [key, count] : requests_) {
    const auto& [method, route, status] = key;
    out << "tuoke_http_requests_total{method=\"" << method << "\",route=\"" << route
        << "\",status=\"" << status << "\"} " << count << "\n";
  }
  out << "# HELP tuoke_http_request_duration_seconds Request latency by route.\n"
         "# TYPE tuoke_http_request_duration_seconds histogram\n";
  for (const auto& [route, histogram] : latency_) {
    for (size_t i = 0; i < kBuckets.size(); ++i)
      out << "tuoke_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\""
          << kBuckets[i] << "\"} " << histogram.counts[i] << "\n";
    out << "tuoke_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} "
        << histogram.count << "\n";
    out << "tuoke_http_request_duration_seconds_sum{route=\"" << route << "\"} " << histogram.sum
        << "\n";
    out << "tuoke_http_request_duration_seconds_count{route=\"" << route << "\"} "
        << histogram.count << "\n";
  }
  out << "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
         "# TYPE process_resident_memory_bytes gauge\n"
      << "process_resident_memory_bytes " << ResidentMemoryBytes() << "\n"
      << "# HELP tuoke_sqlite_memory_bytes Heap held by SQLite (page caches, statements; 0 on PostgreSQL).\n"
         "# TYPE tuoke_sqlite_memory_bytes gauge\n"
      << "tuoke_sqlite_memory_bytes " << storage::SqliteMemoryUsed() << "\n";
  return out.str();
}

}  // namespace tuoke::app
