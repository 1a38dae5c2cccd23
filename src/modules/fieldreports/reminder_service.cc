#include "modules/fieldreports/reminder_service.h"

#include "modules/fieldreports/report_rules.h"
#include "platform/audit.h"
#include "platform/job_lease.h"

namespace tuoke::fieldreports {
namespace {

using namespace std::chrono_literals;

constexpr const char* kJob = "fieldreports.reminders";
// Longer than any run; a process that dies mid-run hands over after it.
constexpr auto kLease = 5min;
// Reminders are sent in transactions of this many, so a company of thousands of reps
// never holds one long write transaction.
constexpr int64_t kBatch = 200;

// R-REMIND-3: the claim; 0 rows when this reminder went out already.
const storage::Sql kClaim{
    "reminders.claim",
    "INSERT INTO reminders_sent (reminder_key, user_id, sent_at) VALUES (?, ?, ?) "
    "ON CONFLICT (reminder_key) DO NOTHING"};

// R-REMIND-1, 5: active reps without a submitted report of a kind and period, not reminded
// of it yet (key "<prefix>:<rep>:<period start>").
const storage::Sql kRepsToRemind{
    "reminders.reps_without_report",
    "SELECT u.id, u.name FROM users u JOIN user_roles ur ON ur.user_id = u.id AND ur.role = 'rep' "
    "LEFT JOIN field_reports r ON r.rep_id = u.id AND r.kind = ? AND r.period_start = ? "
    "LEFT JOIN reminders_sent s ON s.reminder_key = CAST(? AS TEXT) || CAST(u.id AS TEXT) || ':' || CAST(? AS TEXT) "
    "WHERE u.active = 1 AND (r.id IS NULL OR r.status = 'draft') AND s.reminder_key IS NULL "
    "ORDER BY u.id LIMIT ?"};
// R-REMIND-2: open follow-up items (field module, read only) due before today and not
// before the look-back, whose owner is active, not reminded yet.
const storage::Sql kOverdueFollowUps{
    "reminders.overdue_follow_ups",
    "SELECT f.id, f.owner_id, f.title, f.due_on, f.customer_id, c.name FROM follow_up_items f "
    "JOIN users u ON u.id = f.owner_id LEFT JOIN customers c ON c.id = f.customer_id "
    "LEFT JOIN reminders_sent s ON s.reminder_key = 'followup_overdue:' || CAST(f.id AS TEXT) "
    "WHERE f.status = 'open' AND f.due_on < ? AND f.due_on >= ? AND u.active = 1 AND s.reminder_key IS NULL "
    "ORDER BY f.id LIMIT ?"};

std::string SummaryLabel(ReportKind kind) {
  switch (kind) {
    case ReportKind::kWeek: return "周总结";
    case ReportKind::kMonth: return "月报";
    case ReportKind::kQuarter: return "季度总结";
    case ReportKind::kHalfYear: return "半年总结";
    case ReportKind::kYear: return "年度总结";
    case ReportKind::kDay: break;
  }
  return "日报";
}

}  // namespace

ReminderRun ReminderService::RunDue() {
  ReminderRun run;
  Instant now = clock_.Now();
  bool leased = false;
  database_.InTransaction([&](storage::Connection& connection) {
    leased = platform::TakeJobLease(connection, kJob, now, kLease);
  });
  if (!leased) return run;
  run.ran = true;
  Date today = BusinessDate(now, policies_.TimeZone());
  try {
    run.daily_report = RemindDailyReports(now, today);
    run.summary = RemindSummaries(now, today);
    run.follow_up_overdue = RemindOverdueFollowUps(today);
  } catch (...) {
    database_.InTransaction([&](storage::Connection& connection) {
      platform::ReleaseJobLease(connection, kJob, now);
    });
    throw;
  }
  database_.InTransaction([&](storage::Connection& connection) {
    platform::ReleaseJobLease(connection, kJob, now);
  });
  return run;
}

int64_t ReminderService::RemindDailyReports(Instant now, Date today) {
  // R-REMIND-1 (§3.4 [第7条 4]): reminders.daily_report_minutes_before the policy due
  // time; 0 turns the reminder off.
  int64_t minutes_before = policies_.IntOn("reminders.daily_report_minutes_before", today);
  if (minutes_before <= 0) return 0;
  std::string due_time = policies_.StringOn("visits.daily_report_due_time", today);
  auto minutes = ParseClockTime(due_time).value_or(23 * 60 + 59);
  Instant due = DueInstant(today, minutes, policies_.TimeZone());
  if (now < due - std::chrono::minutes(minutes_before) || IsLate(now, due)) return 0;
  std::string day = FormatDate(today);
  std::string title = "日报将于今天 " + due_time + " 截止，请及时提交";
  return RemindReps(now, "day", day, "daily_report", [&](int64_t rep_id) {
    return platform::NotificationInput{rep_id, "field_report.due_soon", title, "/reports/daily?date=" + day,
                                       {{"date", day}, {"dueTime", due_time}, {"dueAt", FormatInstant(due)}}};
  });
}

int64_t ReminderService::RemindSummaries(Instant now, Date today) {
  // R-REMIND-5 (§10 reporting cadence): reminders.summary_hours_before the due instant of
  // a weekly … annual summary (R-REPORT-8, 11); 0 turns it off. The current period and the
  // previous one are looked at: a monthly report is due after its month has ended.
  int64_t hours_before = policies_.IntOn("reminders.summary_hours_before", today);
  if (hours_before <= 0) return 0;
  int64_t sent = 0;
  for (ReportKind kind : {ReportKind::kWeek, ReportKind::kMonth, ReportKind::kQuarter, ReportKind::kHalfYear,
                          ReportKind::kYear}) {
    auto current = reports_.DueOfPeriod(kind, today);
    for (const auto& [range, due] : {current, reports_.DueOfPeriod(kind, AddDays(current.first.first, -1))}) {
      if (now < due - std::chrono::hours(hours_before) || IsLate(now, due)) continue;
      std::string code(ReportKindCode(kind)), start = FormatDate(range.first);
      std::string title = SummaryLabel(kind) + "（" + start + " 起）即将截止，请及时提交";
      sent += RemindReps(now, code, start, "summary_" + code, [&](int64_t rep_id) {
        return platform::NotificationInput{rep_id, "field_report.summary_due_soon", title, "/reports/summaries",
                                           {{"kind", code}, {"periodStart", start}, {"dueAt", FormatInstant(due)}}};
      });
    }
  }
  return sent;
}

int64_t ReminderService::RemindReps(Instant now, const std::string& kind, const std::string& start,
                                    const std::string& key_prefix,
                                    const std::function<platform::NotificationInput(int64_t rep_id)>& notice) {
  int64_t sent = 0;
  for (;;) {
    int64_t batch = 0;
    database_.InTransaction([&](storage::Connection& connection) {
      batch = 0;
      for (const auto& row : connection.Query(kRepsToRemind, {kind, start, key_prefix + ":", start, kBatch}).rows) {
        ++batch;
        int64_t rep_id = row.Int(0);
        std::string key = key_prefix + ":" + std::to_string(rep_id) + ":" + start;
        // R-REMIND-3: the claim; another process or run got here first when it inserts nothing.
        if (connection.Execute(kClaim, {key, rep_id, FormatInstant(now)}) != 1) continue;
        if (!notifier_) continue;
        notifier_(connection, notice(rep_id));
        ++sent;
      }
    });
    if (batch < kBatch) break;
  }
  return sent;
}

int64_t ReminderService::RemindOverdueFollowUps(Date today) {
  // R-REMIND-2 (§3.5 [第10条 1]): once per item, the day after its due date; items overdue
  // longer than the look-back (e.g. before the reminders were turned on) are left alone.
  if (!policies_.ValueOn("reminders.followup_overdue", today).get<bool>()) return 0;
  int64_t lookback = policies_.IntOn("reminders.followup_overdue_lookback_days", today);
  std::string earliest = FormatDate(AddDays(today, -static_cast<int>(lookback)));
  std::string now = FormatInstant(clock_.Now());
  int64_t sent = 0;
  for (;;) {
    int64_t batch = 0;
    database_.InTransaction([&](storage::Connection& connection) {
      batch = 0;
      for (const auto& row : connection.Query(kOverdueFollowUps, {FormatDate(today), earliest, kBatch}).rows) {
        ++batch;
        int64_t item_id = row.Int(0), owner_id = row.Int(1);
        std::string key = "followup_overdue:" + std::to_string(item_id);
        if (connection.Execute(kClaim, {key, owner_id, now}) != 1) continue;
        if (!notifier_) continue;
        auto customer = row.OptionalText(5);
        std::string title = "跟进事项已逾期：" + row.Text(2) + (customer ? "（" + *customer + "）" : "");
        notifier_(connection, {owner_id, "followup.overdue", title, "/field/follow-ups",
                               {{"followUpId", IdString(item_id)},
                                {"title", row.Text(2)},
                                {"dueOn", row.Text(3)},
                                {"customerId", row.OptionalInt(4) ? Json(IdString(*row.OptionalInt(4))) : Json()},
                                {"customerName", customer ? Json(*customer) : Json()}}});
        ++sent;
      }
    });
    if (batch < kBatch) break;
  }
  return sent;
}

}  // namespace tuoke::fieldreports
