// Runs VisitService::FlagLateReports (R-VISIT-46) on a background thread of `tuoke
// serve`: once at start, then every `interval`. Several server processes may run it:
// the single guarded UPDATE marks (and so notifies) each late report once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "modules/visits/visit_service.h"

namespace tuoke::visits {

class VisitReportJob {
 public:
  // Starts the thread. `visits` must outlive the job.
  VisitReportJob(VisitService& visits, std::chrono::milliseconds interval);
  // Wakes the thread and waits for a run in progress to finish.
  ~VisitReportJob();
  VisitReportJob(const VisitReportJob&) = delete;
  VisitReportJob& operator=(const VisitReportJob&) = delete;

 private:
  void Loop();

  VisitService& visits_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;     // last: starts after the members it reads
};

}  // namespace tuoke::visits
