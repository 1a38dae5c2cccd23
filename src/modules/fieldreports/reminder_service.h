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

#include "core/time.h"
#include "modules/fieldreports/daily_report_service.h"
#include "platform/policy.h"
#include "storage/database.h"

namespace tuoke::fieldreports {

struct ReminderRun {
  bool ran = false;  // false: another process holds the lease
  int64_t daily_report = 0;
  int64_t follow_up_overdue = 0;
};

class ReminderService {
 public:
  ReminderService(storage::Database& database, platform::PolicyService& policies, const Clock& clock,
                  Notifier notifier)
      : database_(database), policies_(policies), clock_(clock), notifier_(std::move(notifier)) {}

  // R-REMIND-1..4: sends the reminders due at the clock's now.
  ReminderRun RunDue();

 private:
  int64_t RemindDailyReports(Instant now, Date today);
  int64_t RemindOverdueFollowUps(Date today);

  storage::Database& database_;
  platform::PolicyService& policies_;
  const Clock& clock_;
  Notifier notifier_;
};

}  // namespace tuoke::fieldreports
