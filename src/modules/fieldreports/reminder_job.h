// Runs ReminderService::RunDue (R-REMIND-n) on a background thread of `tuoke serve`: once
// at start, then every `interval`. Several server processes may run it: the job lease
// and the reminders_sent claims send each reminder once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "modules/fieldreports/reminder_service.h"

namespace tuoke::fieldreports {

class ReminderJob {
 public:
  // Starts the thread. `reminders` must outlive the job.
  ReminderJob(ReminderService& reminders, std::chrono::milliseconds interval);
  // Wakes the thread and waits for a run in progress to finish.
  ~ReminderJob();
  ReminderJob(const ReminderJob&) = delete;
  ReminderJob& operator=(const ReminderJob&) = delete;

 private:
  void Loop();

  ReminderService& reminders_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;     // last: starts after the members it reads
};

}  // namespace tuoke::fieldreports
