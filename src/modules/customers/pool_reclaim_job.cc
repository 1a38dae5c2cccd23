#include "modules/customers/pool_reclaim_job.h"

#include <spdlog/spdlog.h>

namespace tuoke::customers {

namespace {
// Batches of CustomerService::RegradeForPolicy between two looks at the stop flag.
constexpr int kRegradeBatchesPerStep = 20;
// R-CUST-60: how often the stored files are swept.
constexpr auto kSweepEvery = std::chrono::hours(24);
}  // namespace

PoolReclaimJob::PoolReclaimJob(CustomerService& customers, CustomerAttachmentService& attachments,
                               const Clock& clock, std::chrono::milliseconds interval)
    : customers_(customers), attachments_(attachments), clock_(clock), interval_(interval),
      thread_([this] { Loop(); }) {}

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
    // R-CUST-56: the statistics the searches estimate by, read here rather than by a search.
    try {
      customers_.RefreshWordStatistics();
    } catch (const std::exception& error) {
      spdlog::error("reading the search words' statistics failed: {}", error.what());
    }
    try {
      ReclaimResult result = customers_.ReclaimIdleCustomers(clock_.Now());
      if (result.reclaimed > 0) spdlog::info("pool reclaim: {} customers returned to the pool", result.reclaimed);
    } catch (const std::exception& error) {
      // A failed run (database restarting …) is retried at the next interval.
      spdlog::error("pool reclaim failed: {}", error.what());
    }
    // R-CUST-47: a grading policy change grades the archive again, some batches at a time
    // so that stopping the server never waits for a whole pass.
    try {
      for (bool more = true; more;) {
        RegradeResult result = customers_.RegradeForPolicy(clock_.Now(), kRegradeBatchesPerStep);
        if (result.changed > 0)
          spdlog::info("grading policy: {} of {} customers graded again changed", result.changed, result.examined);
        std::lock_guard stop(mutex_);
        more = result.more && !stopping_;
      }
    } catch (const std::exception& error) {
      spdlog::error("regrading failed: {}", error.what());
    }
    // R-CUST-51: the bytes of attachments deleted longer ago than the retention.
    try {
      for (bool more = true; more;) {
        AttachmentPurge result = attachments_.PurgeDeleted(clock_.Now());
        if (result.attachments > 0)
          spdlog::info("attachment purge: {} deleted attachments past their retention, {} files removed",
                       result.attachments, result.blobs);
        if (result.failed > 0)
          spdlog::error("attachment purge: the files of {} contents left, retried at the next run: {}",
                        result.failed, result.first_error);
        std::lock_guard stop(mutex_);
        more = result.more && !stopping_;
      }
    } catch (const std::exception& error) {
      spdlog::error("attachment purge failed: {}", error.what());
    }
    // R-CUST-60: the stored bytes that no row names.
    try {
      Instant now = clock_.Now();
      if (!swept_ || now - *swept_ >= kSweepEvery) {
        BlobSweep result = attachments_.SweepUnnamed(now);
        if (result.ran) swept_ = now;
        if (result.removed + result.unfinished + result.restored > 0)
          spdlog::info("blob sweep: {} contents that no row names removed ({} bytes), {} unfinished writes removed, "
                       "{} files set aside put back",
                       result.removed, result.bytes_removed, result.unfinished, result.restored);
        if (result.failed > 0)
          spdlog::error("blob sweep: {} left, retried at the next sweep: {}", result.failed, result.first_error);
      }
    } catch (const std::exception& error) {
      spdlog::error("blob sweep failed: {}", error.what());
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace tuoke::customers
