// Reminders on both backends with a fake clock: the daily report reminder inside the
// policy window only and once per rep and day, overdue follow-ups once per item, the
// policies that turn them off, and two services (two processes) sending each reminder once.
#include "modules/fieldreports/reminder_service.h"

#include <gtest/gtest.h>

#include "modules/customers/customer_service.h"
#include "platform/testing/demo_company_test.h"
#include "storage/testing/test_database.h"

namespace tuoke::fieldreports {
namespace {

using platform::Caller;

class ReminderServiceTest : public platform::testing::DemoCompanyTest {
 protected:
  void SetUp() override {
    DemoCompanyTest::SetUp();
    if (IsSkipped()) return;
    customers_ = std::make_unique<customers::CustomerService>(*database_, *policies_, clock_);
    Notifier record = [this](storage::Connection&, const platform::NotificationInput& input) { sent_.push_back(input); };
    reports_ = std::make_unique<ReportService>(*database_, *policies_, clock_, nullptr);
    reminders_ = std::make_unique<ReminderService>(*database_, *policies_, clock_, record);
    other_process_ = std::make_unique<ReminderService>(*database_, *policies_, clock_, record);
  }
  void At(const char* instant) { clock_.Set(*ParseInstant(instant)); }
  void Exec(const std::string& sql, const storage::Params& params) {
    database_->InTransaction([&](storage::Connection& connection) {
      const storage::Sql statement{"test.exec", sql.c_str()};
      connection.Execute(statement, params);
    });
  }
  int64_t FollowUp(int64_t owner, int64_t customer, const std::string& title, const std::string& due_on) {
    Exec("INSERT INTO follow_up_items (customer_id, owner_id, title, due_on, status, created_at, updated_at) "
         "VALUES (?, ?, ?, ?, 'open', ?, ?)",
         {customer, owner, title, due_on, "2026-11-01T00:00:00.000Z", "2026-11-01T00:00:00.000Z"});
    auto connection = database_->Acquire();
    const storage::Sql last{"test.last_follow_up", "SELECT MAX(id) FROM follow_up_items"};
    return connection->QueryOne(last, {})->Int(0);
  }
  std::vector<platform::NotificationInput> Sent(const std::string& kind) {
    std::vector<platform::NotificationInput> out;
    for (const auto& input : sent_)
      if (input.kind == kind) out.push_back(input);
    return out;
  }

  std::unique_ptr<customers::CustomerService> customers_;
  std::unique_ptr<ReportService> reports_;
  std::unique_ptr<ReminderService> reminders_, other_process_;
  std::vector<platform::NotificationInput> sent_;
};

TEST_P(ReminderServiceTest, RepsAreRemindedOnceBeforeTheDailyReportIsDue) {
  Caller rep1 = SignIn("rep1"), gm = SignIn("gm");
  // Defaults: due 23:59, reminded 60 minutes before: from 22:59 local (14:59 UTC).
  At("2026-11-20T14:58:00Z");
  EXPECT_TRUE(reminders_->RunDue().ran);
  EXPECT_TRUE(Sent("field_report.due_soon").empty());
  // rep1 has submitted; the five other demo reps have not.
  At("2026-11-20T12:00:00Z");
  reports_->Submit(rep1, ReportKind::kDay, *ParseDate("2026-11-20"), {{"summary", "今天"}});
  At("2026-11-20T15:00:00Z");
  ReminderRun run = reminders_->RunDue();
  EXPECT_EQ(run.daily_report, 5);
  auto reminded = Sent("field_report.due_soon");
  ASSERT_EQ(reminded.size(), 5u);
  for (const auto& input : reminded) EXPECT_NE(input.user_id, rep1.user_id);
  EXPECT_EQ(reminded[0].data["date"], "2026-11-20");
  EXPECT_EQ(reminded[0].data["dueTime"], "23:59");
  EXPECT_EQ(reminded[0].title, "日报将于今天 23:59 截止，请及时提交");
  // R-REMIND-3: once per rep and day, whichever process runs next.
  EXPECT_EQ(other_process_->RunDue().daily_report, 0);
  EXPECT_EQ(reminders_->RunDue().daily_report, 0);
  EXPECT_EQ(Sent("field_report.due_soon").size(), 5u);
  // After the due time nobody is reminded (the missing list takes over); the next day anew.
  At("2026-11-20T16:00:00Z");
  EXPECT_EQ(reminders_->RunDue().daily_report, 0);
  At("2026-11-21T15:30:00Z");
  EXPECT_EQ(reminders_->RunDue().daily_report, 6);
  // R-REMIND-1: the policy turns it off.
  policies_->AddVersion(gm, "reminders.daily_report_minutes_before", Json(0), "2026-11-22", "off");
  At("2026-11-22T15:30:00Z");
  EXPECT_EQ(reminders_->RunDue().daily_report, 0);
}

TEST_P(ReminderServiceTest, SummariesAreRemindedTheDayBeforeTheyAreDue) {
  Caller rep1 = SignIn("rep1"), gm = SignIn("gm");
  // Defaults: the weekly summary of the week from Monday 16 November is due on Saturday the
  // 21st by 23:59 local (16:00 UTC); reminded from 24 hours before.
  At("2026-11-20T15:59:00Z");
  EXPECT_TRUE(Sent("field_report.summary_due_soon").empty() && reminders_->RunDue().summary == 0);
  At("2026-11-20T16:00:00Z");
  reports_->Submit(rep1, ReportKind::kWeek, *ParseDate("2026-11-16"), {{"summary", "本周"}});
  EXPECT_EQ(reminders_->RunDue().summary, 5);
  auto reminded = Sent("field_report.summary_due_soon");
  ASSERT_EQ(reminded.size(), 5u);
  for (const auto& input : reminded) EXPECT_NE(input.user_id, rep1.user_id);
  EXPECT_EQ(reminded[0].data["kind"], "week");
  EXPECT_EQ(reminded[0].data["periodStart"], "2026-11-16");
  EXPECT_EQ(reminded[0].title, "周总结（2026-11-16 起）即将截止，请及时提交");
  EXPECT_EQ(other_process_->RunDue().summary, 0);
  // The monthly report of November is due on 1 December: reminded from 30 November 16:00 UTC.
  At("2026-11-30T16:30:00Z");
  EXPECT_EQ(reminders_->RunDue().summary, 6);
  EXPECT_EQ(Sent("field_report.summary_due_soon").back().data["kind"], "month");
  EXPECT_EQ(Sent("field_report.summary_due_soon").back().data["periodStart"], "2026-11-01");
  policies_->AddVersion(gm, "reminders.summary_hours_before", Json(0), "2026-12-04", "off");
  At("2026-12-04T16:30:00Z");  // the next weekly summary's window, turned off
  EXPECT_EQ(reminders_->RunDue().summary, 0);
}

TEST_P(ReminderServiceTest, OverdueFollowUpsAreRemindedOncePerItem) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2"), gm = SignIn("gm");
  At("2026-11-18T02:00:00Z");
  Json body = {{"name", "杭州青禾建材"}, {"type", "distributor"}, {"acknowledgeDuplicates", true}};
  int64_t customer = *ParseId(Json::parse(customers_->Create(rep1, body))["id"].get<std::string>());
  int64_t due_yesterday = FollowUp(rep1.user_id, customer, "送样品", "2026-11-19");
  FollowUp(rep1.user_id, customer, "回复报价", "2026-11-20");                  // due today: not overdue yet
  FollowUp(rep2.user_id, customer, "很久以前的事", "2026-10-01");               // beyond the look-back
  int64_t done = FollowUp(rep2.user_id, customer, "已完成", "2026-11-18");
  Exec("UPDATE follow_up_items SET status = 'done', done_at = ? WHERE id = ?", {"2026-11-18T03:00:00.000Z", done});

  At("2026-11-20T01:00:00Z");  // 09:00 local on the 20th
  ReminderRun run = reminders_->RunDue();
  EXPECT_EQ(run.follow_up_overdue, 1);
  auto overdue = Sent("followup.overdue");
  ASSERT_EQ(overdue.size(), 1u);
  EXPECT_EQ(overdue[0].user_id, rep1.user_id);
  EXPECT_EQ(overdue[0].data["followUpId"], IdString(due_yesterday));
  EXPECT_EQ(overdue[0].data["customerName"], "杭州青禾建材");
  EXPECT_EQ(overdue[0].title, "跟进事项已逾期：送样品（杭州青禾建材）");
  EXPECT_EQ(other_process_->RunDue().follow_up_overdue, 0);
  At("2026-11-21T01:00:00Z");
  EXPECT_EQ(reminders_->RunDue().follow_up_overdue, 1);  // the 20th's item, once
  EXPECT_EQ(reminders_->RunDue().follow_up_overdue, 0);
  policies_->AddVersion(gm, "reminders.followup_overdue", Json(false), "2026-11-22", "off");
  FollowUp(rep1.user_id, customer, "再跟进", "2026-11-21");
  At("2026-11-22T01:00:00Z");
  EXPECT_EQ(reminders_->RunDue().follow_up_overdue, 0);
}

TEST_P(ReminderServiceTest, AProcessHoldingTheLeaseKeepsOthersOut) {
  At("2026-11-20T15:00:00Z");
  // Another process took the lease a minute ago and is still running.
  Exec("INSERT INTO job_leases (job, holder, expires_at) VALUES ('fieldreports.reminders', 'elsewhere', ?)",
       {"2026-11-20T15:04:00.000Z"});
  EXPECT_FALSE(reminders_->RunDue().ran);
  EXPECT_TRUE(sent_.empty());
  At("2026-11-20T15:05:00Z");  // its lease ran out
  ReminderRun run = reminders_->RunDue();
  EXPECT_TRUE(run.ran);
  EXPECT_EQ(run.daily_report, 6);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReminderServiceTest, ::testing::ValuesIn(storage::testing::AllTestBackends()),
                         platform::testing::BackendTestName);

}  // namespace
}  // namespace tuoke::fieldreports
