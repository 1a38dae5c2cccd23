// Runs CustomerService::RefreshWordStatistics (R-CUST-56), ReclaimIdleCustomers (R-CUST-10),
// RegradeForPolicy (R-CUST-47) and
// CustomerAttachmentService::PurgeDeleted (R-CUST-51) on a background thread of `tuoke
// serve`: once at start, then every `interval`; and SweepUnnamed (R-CUST-60) at start, then
// once a day (a walk of every stored file). Several server processes may run it; the job
// leases let one of them do each job at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "core/time.h"
#include "modules/customers/customer_attachments.h"
#include "modules/customers/customer_service.h"

namespace tuoke::customers {

class PoolReclaimJob {
 public:
  // Starts the thread. The services and `clock` must outlive the job.
  PoolReclaimJob(CustomerService& customers, CustomerAttachmentService& attachments, const Clock& clock,
                 std::chrono::milliseconds interval);
  // Wakes the thread and waits for a run in progress to finish.
  ~PoolReclaimJob();
  PoolReclaimJob(const PoolReclaimJob&) = delete;
  PoolReclaimJob& operator=(const PoolReclaimJob&) = delete;

 private:
  void Loop();

  CustomerService& customers_;
  CustomerAttachmentService& attachments_;
  const Clock& clock_;
  const std::chrono::milliseconds interval_;
  std::optional<Instant> swept_;  // the last sweep that ran; the loop's thread only
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;     // last: starts after the members it reads
};

}  // namespace tuoke::customers
