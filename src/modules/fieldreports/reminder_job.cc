#include "modules/fieldreports/reminder_job.h"

#include <spdlog/spdlog.h>

namespace tuoke::fieldreports {

ReminderJob::ReminderJob(ReminderService& reminders, std::chrono::milliseconds interval)
    : reminders_(reminders), interval_(interval), thread_([this] { Loop(); }) {}

ReminderJob::~ReminderJob() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ReminderJob::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      ReminderRun run = reminders_.RunDue();
      if (run.daily_report + run.summary + run.follow_up_overdue > 0)
        spdlog::info("reminders: {} daily report, {} summary, {} overdue follow-up", run.daily_report, run.summary,
                     run.follow_up_overdue);
    } catch (const std::exception& error) {
      // A failed run (database restarting …) is retried at the next interval.
      spdlog::error("reminders failed: {}", error.what());
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace tuoke::fieldreports
