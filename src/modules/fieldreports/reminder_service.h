// Reminders (issue #4 item 11; rules R-REMIND-n in README.md of this folder): in-app
// notifications before a rep's daily report is due and when a follow-up item becomes
// overdue. Run by the ReminderJob of `tuoke serve` and by `tuoke jobs run reminders`.
//
// Safe from several processes at once: a job lease (job_leases, as the pool reclaim)
// lets one process run at a time, and every reminder first claims its row in
// reminders_sent (unique key), in the transaction that inserts the notification, so a
// reminder is sent once whichever process or run gets there first.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/time.h"
#include "modules/fieldreports/daily_report_service.h"
#include "platform/policy.h"
#include "storage/database.h"

namespace tuoke::fieldreports {

struct ReminderRun {
  bool ran = false;  // false: another process holds the lease
  int64_t daily_report = 0;
  int64_t summary = 0;
  int64_t follow_up_overdue = 0;
};

class ReminderService {
 public:
  ReminderService(storage::Database& database, platform::PolicyService& policies, const Clock& clock,
                  Notifier notifier)
      : database_(database),
        policies_(policies),
        clock_(clock),
        notifier_(std::move(notifier)),
        reports_(database, policies, clock, nullptr) {}

  // R-REMIND-1..4: sends the reminders due at the clock's now.
  ReminderRun RunDue();

 private:
  int64_t RemindDailyReports(Instant now, Date today);
  int64_t RemindOverdueFollowUps(Date today);
  int64_t RemindSummaries(Instant now, Date today);
  // Notifies the active reps without a submitted report of `kind` starting `start` who
  // were not reminded of it yet (key `<prefix>:<rep>:<start>`).
  int64_t RemindReps(Instant now, const std::string& kind, const std::string& start, const std::string& key_prefix,
                     const std::function<platform::NotificationInput(int64_t rep_id)>& notice);

  storage::Database& database_;
  platform::PolicyService& policies_;
  const Clock& clock_;
  Notifier notifier_;
  ReportService reports_;  // due instants of the summaries (no notifier: it never writes)
};

}  // namespace tuoke::fieldreports
