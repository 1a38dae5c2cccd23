#include "modules/customers/pool_reclaim_job.h"

#include <spdlog/spdlog.h>

namespace tuoke::customers {

PoolReclaimJob::PoolReclaimJob(CustomerService& customers, const Clock& clock,
                               std::chrono::milliseconds interval)
    : customers_(customers), clock_(clock), interval_(interval), thread_([this] { Loop(); }) {}

PoolReclaimJob::~PoolReclaimJob() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PoolReclaimJob::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      ReclaimResult result = customers_.ReclaimIdleCustomers(clock_.Now());
      if (result.reclaimed > 0) spdlog::info("pool reclaim: {} customers returned to the pool", result.reclaimed);
    } catch (const std::exception& error) {
      // A failed run (database restarting …) is retried at the next interval.
      spdlog::error("pool reclaim failed: {}", error.what());
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace tuoke::customers
