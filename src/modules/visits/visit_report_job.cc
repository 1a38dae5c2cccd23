#include "modules/visits/visit_report_job.h"

#include <spdlog/spdlog.h>

namespace tuoke::visits {

VisitReportJob::VisitReportJob(VisitService& visits, std::chrono::milliseconds interval)
    : visits_(visits), interval_(interval), thread_([this] { Loop(); }) {}

VisitReportJob::~VisitReportJob() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void VisitReportJob::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      LateReportRun run = visits_.FlagLateReports();
      if (run.marked > 0) spdlog::info("visit reports: {} marked late, {} notices", run.marked, run.notified);
    } catch (const std::exception& error) {
      // A failed run (database restarting …) is retried at the next interval.
      spdlog::error("late visit reports failed: {}", error.what());
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace tuoke::visits
