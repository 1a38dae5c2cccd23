// Daily reports, summaries and morning notes on both backends with a fake clock: drafts
// from the day's field data, late flags, the missing list, comments and notifications.
#include "modules/fieldreports/daily_report_service.h"

#include <gtest/gtest.h>

#include "modules/customers/customer_service.h"
#include "platform/testing/demo_company_test.h"
#include "storage/testing/test_database.h"

namespace tuoke::fieldreports {
namespace {

using platform::Caller;

class ReportServiceTest : public platform::testing::DemoCompanyTest {
 protected:
  void SetUp() override {
    DemoCompanyTest::SetUp();
    if (IsSkipped()) return;
    customers_ = std::make_unique<customers::CustomerService>(*database_, *policies_, clock_);
    reports_ = std::make_unique<ReportService>(
        *database_, *policies_, clock_,
        [this](storage::Connection&, const platform::NotificationInput& input) { sent_.push_back(input); });
  }

  void At(const char* instant) { clock_.Set(*ParseInstant(instant)); }

  int64_t Customer(const Caller& owner, const std::string& name) {
    Json body = {{"name", name}, {"type", "distributor"}, {"acknowledgeDuplicates", true}};
    return *ParseId(Json::parse(customers_->Create(owner, body))["id"].get<std::string>());
  }

  void Exec(const std::string& sql, const storage::Params& params) {
    database_->InTransaction([&](storage::Connection& connection) {
      const storage::Sql statement{"test.exec", sql.c_str()};
      connection.Execute(statement, params);
    });
  }

  // Field data as the field module writes it (contract columns of 0007_field_visits.sql).
  void Visit(int64_t rep, int64_t customer, const std::string& day, const std::string& at) {
    Exec("INSERT INTO visits (rep_id, customer_id, visit_date, checked_in_at, report_due_on, created_at, updated_at) "
         "VALUES (?, ?, ?, ?, ?, ?, ?)",
         {rep, customer, day, at, day, at, at});
  }
  void CheckIn(int64_t rep, std::optional<int64_t> customer, const std::string& at, const std::string& day,
               const std::string& flags) {
    static int counter = 0;
    Exec("INSERT INTO check_ins (client_id, rep_id, customer_id, kind, place, at, business_date, received_at, "
         "device_at, lat, lng, accuracy_m, geofence, flags, created_at) "
         "VALUES (?, ?, ?, 'in', 'customer', ?, ?, ?, ?, 30.1, 120.1, 20, 'inside', ?, ?)",
         {"client-" + std::to_string(++counter), rep, storage::Nullable(customer), at, day, at, at, flags, at});
  }
  void FollowUp(int64_t rep, int64_t customer, const std::string& title, const std::string& due_on,
                const std::string& status, std::optional<std::string> done_at) {
    Exec("INSERT INTO follow_up_items (customer_id, owner_id, title, due_on, status, done_at, created_at, updated_at) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
         {customer, rep, title, due_on, status, storage::Nullable(done_at), "2026-11-01T00:00:00.000Z",
          "2026-11-01T00:00:00.000Z"});
  }

  std::unique_ptr<customers::CustomerService> customers_;
  std::unique_ptr<ReportService> reports_;
  std::vector<platform::NotificationInput> sent_;
};

Date D(const char* text) { return *ParseDate(text); }

TEST_P(ReportServiceTest, TheDraftSumsUpTheDaysFieldWork) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2");
  At("2026-11-20T01:00:00Z");  // 09:00 in Shanghai on Friday the 20th
  int64_t qinghe = Customer(rep1, "杭州青禾建材"), dongfang = Customer(rep1, "宁波东方五金");
  At("2026-11-19T03:00:00Z");
  int64_t old_customer = Customer(rep1, "温州老客户");
  int64_t others = Customer(rep2, "别人的客户");
  Visit(rep1.user_id, qinghe, "2026-11-20", "2026-11-20T02:00:00.000Z");
  Visit(rep1.user_id, dongfang, "2026-11-20", "2026-11-20T05:00:00.000Z");
  Visit(rep1.user_id, old_customer, "2026-11-19", "2026-11-19T05:00:00.000Z");  // another day
  Visit(rep2.user_id, others, "2026-11-20", "2026-11-20T05:00:00.000Z");       // another rep
  CheckIn(rep1.user_id, qinghe, "2026-11-20T02:00:00.000Z", "2026-11-20", "");
  CheckIn(rep1.user_id, dongfang, "2026-11-20T05:00:00.000Z", "2026-11-20", "outside_geofence,poor_accuracy");
  // 23:30 local on the 19th is 15:30 UTC: the 19th's, not the 20th's.
  CheckIn(rep1.user_id, old_customer, "2026-11-19T15:30:00.000Z", "2026-11-19", "absence");
  FollowUp(rep1.user_id, qinghe, "送样品", "2026-11-21", "done", "2026-11-20T06:00:00.000Z");
  FollowUp(rep1.user_id, qinghe, "回复报价", "2026-11-18", "open", std::nullopt);
  FollowUp(rep1.user_id, dongfang, "约见采购经理", "2026-11-21", "open", std::nullopt);
  FollowUp(rep1.user_id, dongfang, "对账", "2026-11-20", "open", std::nullopt);
  FollowUp(rep2.user_id, others, "别人的事", "2026-11-18", "open", std::nullopt);

  At("2026-11-20T12:00:00Z");  // 20:00 local
  Json draft = reports_->Draft(rep1, ReportKind::kDay, D("2026-11-20"));
  EXPECT_EQ(draft["status"], "new");
  EXPECT_EQ(draft["date"], "2026-11-20");
  const Json& counts = draft["facts"]["counts"];
  EXPECT_EQ(counts["visits"], 2);
  EXPECT_EQ(counts["customersVisited"], 2);
  EXPECT_EQ(counts["checkIns"], 2);
  EXPECT_EQ(counts["flaggedCheckIns"], 1);
  EXPECT_EQ(counts["newCustomers"], 2);
  EXPECT_EQ(counts["followUpsDone"], 1);
  EXPECT_EQ(counts["followUpsDue"], 1);
  EXPECT_EQ(counts["followUpsOverdue"], 1);
  EXPECT_EQ(draft["facts"]["flags"].size(), 2u);
  EXPECT_EQ(draft["facts"]["followUps"]["overdue"][0]["title"], "回复报价");
  EXPECT_EQ(draft["summary"], "今日拜访客户 2 家：杭州青禾建材、宁波东方五金；签到 2 次；完成跟进事项 1 项；新增客户 2 家。");
  EXPECT_EQ(draft["problems"], "逾期跟进事项 1 项。");
  EXPECT_EQ(draft["nextPlan"], "跟进：约见采购经理（宁波东方五金）");
  EXPECT_EQ(draft["dueAt"], "2026-11-20T16:00:00.000Z");
  EXPECT_FALSE(draft["lateIfSubmittedNow"].get<bool>());

  // The rep edits; the draft keeps the texts and refreshes the facts.
  reports_->Save(rep1, ReportKind::kDay, D("2026-11-20"),
                 {{"summary", "拜访两家"}, {"sections", {{{"title", "竞品"}, {"body", "东方五金在降价"}}}}});
  Visit(rep1.user_id, old_customer, "2026-11-20", "2026-11-20T09:00:00.000Z");
  draft = reports_->Draft(rep1, ReportKind::kDay, D("2026-11-20"));
  EXPECT_EQ(draft["status"], "draft");
  EXPECT_EQ(draft["summary"], "拜访两家");
  EXPECT_EQ(draft["sections"][0]["title"], "竞品");
  EXPECT_EQ(draft["facts"]["counts"]["visits"], 3);
  // Another rep's draft of the day knows nothing of rep1's work.
  EXPECT_EQ(reports_->Draft(rep2, ReportKind::kDay, D("2026-11-20"))["facts"]["counts"]["visits"], 1);
}

TEST_P(ReportServiceTest, SubmissionIsFlaggedLateAfterTheDueTimeAndNotifiesTheManager) {
  Caller rep1 = SignIn("rep1"), mgr1 = SignIn("mgr1");
  At("2026-11-20T15:59:59Z");  // 23:59:59 local: still on time
  EXPECT_EQ(ErrorCode([&] { reports_->Submit(rep1, ReportKind::kDay, D("2026-11-20"), {{"summary", ""}}); }),
            "validation.failed");
  Json on_time = reports_->Submit(rep1, ReportKind::kDay, D("2026-11-20"), {{"summary", "今天跑了三家"}});
  EXPECT_EQ(on_time["status"], "submitted");
  EXPECT_FALSE(on_time["late"].get<bool>());
  EXPECT_EQ(on_time["managerId"], IdString(mgr1.user_id));
  EXPECT_TRUE(on_time["facts"].is_object());
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].user_id, mgr1.user_id);
  EXPECT_EQ(sent_[0].kind, "field_report.submitted");
  EXPECT_FALSE(sent_[0].data["late"].get<bool>());
  // R-REPORT-4: submitted is final.
  EXPECT_EQ(ErrorCode([&] { reports_->Save(rep1, ReportKind::kDay, D("2026-11-20"), {{"summary", "x"}}); }),
            "reports.already_submitted");
  EXPECT_EQ(ErrorCode([&] { reports_->Submit(rep1, ReportKind::kDay, D("2026-11-20"), Json::object()); }),
            "reports.already_submitted");

  At("2026-11-20T16:00:00Z");  // 00:00 local on the 21st: the 20th is due
  Json late = reports_->Submit(rep1, ReportKind::kDay, D("2026-11-19"), {{"summary", "补交"}});
  EXPECT_TRUE(late["late"].get<bool>());
  EXPECT_TRUE(sent_.back().data["late"].get<bool>());
  EXPECT_NE(sent_.back().title.find("迟交"), std::string::npos);
  // Without a saved draft the drafted texts are sent.
  Json drafted = reports_->Submit(rep1, ReportKind::kDay, D("2026-11-21"), Json::object());
  EXPECT_EQ(drafted["summary"].get<std::string>().rfind("今日拜访客户 0 家", 0), 0u);
  // Future days cannot be reported; unknown fields are refused.
  EXPECT_EQ(ErrorCode([&] { reports_->Save(rep1, ReportKind::kDay, D("2026-11-23"), {{"summary", "x"}}); }),
            "validation.failed");
  EXPECT_EQ(ErrorCode([&] { reports_->Save(rep1, ReportKind::kDay, D("2026-11-18"), {{"mood", "x"}}); }),
            "validation.failed");
  // A due-time policy change applies to the days from its effective date.
  policies_->AddVersion(SignIn("gm"), "visits.daily_report_due_time", "18:00", "2026-11-22", "earlier");
  At("2026-11-22T10:30:00Z");  // 18:30 local on the 22nd
  EXPECT_TRUE(reports_->Submit(rep1, ReportKind::kDay, D("2026-11-22"), {{"summary", "周日"}})["late"].get<bool>());
}

TEST_P(ReportServiceTest, ManagersSeeMissingReportsAndCommentOnTheirTeam) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2"), rep4 = SignIn("rep4");
  Caller mgr1 = SignIn("mgr1"), mgr2 = SignIn("mgr2"), gm = SignIn("gm");
  At("2026-11-20T10:00:00Z");
  reports_->Save(rep2, ReportKind::kDay, D("2026-11-20"), {{"summary", "草稿"}});
  Json submitted = reports_->Submit(rep1, ReportKind::kDay, D("2026-11-20"), {{"summary", "日报"}});
  int64_t id = *ParseId(submitted["id"].get<std::string>());

  auto names = [](const Json& list) {
    std::vector<std::string> result;
    for (const auto& item : list["items"]) result.push_back(item["repName"]);
    return result;
  };
  // R-REPORT-6: mgr1's team is rep1..rep3; rep1 submitted, rep2 has only a draft.
  Json missing = reports_->Missing(mgr1, D("2026-11-20"), std::nullopt, 50, std::nullopt);
  EXPECT_EQ(names(missing), (std::vector<std::string>{"王芳", "刘洋"}));
  EXPECT_FALSE(missing["items"][0]["overdue"].get<bool>());
  EXPECT_TRUE(missing["items"][0]["draftId"].is_string());
  EXPECT_EQ(names(reports_->Missing(mgr2, D("2026-11-20"), std::nullopt, 50, std::nullopt)),
            (std::vector<std::string>{"陈静", "杨磊", "黄婷"}));
  EXPECT_EQ(reports_->Missing(gm, D("2026-11-20"), std::nullopt, 50, std::nullopt)["items"].size(), 5u);
  Json page = reports_->Missing(gm, D("2026-11-20"), std::nullopt, 2, std::nullopt);
  EXPECT_EQ(page["items"].size(), 2u);
  Json rest = reports_->Missing(gm, D("2026-11-20"), std::nullopt, 50, *ParseId(page["nextCursor"].get<std::string>()));
  EXPECT_EQ(rest["items"].size(), 3u);
  EXPECT_EQ(ErrorCode([&] { reports_->Missing(rep1, D("2026-11-20"), std::nullopt, 50, std::nullopt); }),
            "access.denied");
  At("2026-11-20T16:00:00Z");
  EXPECT_TRUE(reports_->Missing(mgr1, D("2026-11-20"), std::nullopt, 50, std::nullopt)["items"][0]["overdue"].get<bool>());

  // Scopes: drafts are private, other teams' reports are not found.
  int64_t draft_id = *ParseId(missing["items"][0]["draftId"].get<std::string>());
  EXPECT_EQ(ErrorCode([&] { reports_->Get(mgr1, ReportKind::kDay, draft_id); }), "reports.not_found");
  EXPECT_EQ(ErrorCode([&] { reports_->Get(mgr2, ReportKind::kDay, id); }), "reports.not_found");
  EXPECT_EQ(ErrorCode([&] { reports_->Get(rep2, ReportKind::kDay, id); }), "reports.not_found");
  EXPECT_EQ(ErrorCode([&] { reports_->Get(mgr1, ReportKind::kWeek, id); }), "reports.not_found");
  ReportFilter filter;
  EXPECT_EQ(reports_->List(mgr1, filter)["items"].size(), 1u);
  EXPECT_EQ(reports_->List(rep2, filter)["items"].size(), 1u);  // their own draft
  EXPECT_EQ(reports_->List(mgr2, filter)["items"].size(), 0u);
  EXPECT_EQ(reports_->List(rep4, filter)["items"].size(), 0u);

  // R-REPORT-5: the manager comments; the rep hears of it; reps and outsiders cannot.
  sent_.clear();
  Json reviewed = reports_->Comment(mgr1, ReportKind::kDay, id, {{"body", "明天重点跟进东方五金"}});
  EXPECT_EQ(reviewed["status"], "reviewed");
  EXPECT_EQ(reviewed["commentCount"], 1);
  EXPECT_EQ(reviewed["comments"][0]["authorName"], "李明");
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].user_id, rep1.user_id);
  EXPECT_EQ(sent_[0].kind, "field_report.commented");
  EXPECT_EQ(ErrorCode([&] { reports_->Comment(rep1, ReportKind::kDay, id, {{"body", "x"}}); }), "access.denied");
  EXPECT_EQ(ErrorCode([&] { reports_->Comment(mgr2, ReportKind::kDay, id, {{"body", "x"}}); }), "reports.not_found");
  EXPECT_EQ(ErrorCode([&] { reports_->Comment(mgr1, ReportKind::kDay, id, {{"body", ""}}); }), "validation.failed");
  EXPECT_EQ(reports_->Get(rep1, ReportKind::kDay, id)["comments"].size(), 1u);
}

TEST_P(ReportServiceTest, WeeklyAndMonthlySummariesRollUpAndFallDueByPolicy) {
  Caller rep1 = SignIn("rep1");
  At("2026-11-16T02:00:00Z");
  int64_t customer = Customer(rep1, "杭州青禾建材");
  Visit(rep1.user_id, customer, "2026-11-16", "2026-11-16T02:00:00.000Z");
  Visit(rep1.user_id, customer, "2026-11-18", "2026-11-18T02:00:00.000Z");
  Visit(rep1.user_id, customer, "2026-11-23", "2026-11-23T02:00:00.000Z");  // next week
  CheckIn(rep1.user_id, customer, "2026-11-18T02:00:00.000Z", "2026-11-18", "absence");
  FollowUp(rep1.user_id, customer, "送样品", "2026-11-17", "done", "2026-11-17T03:00:00.000Z");
  FollowUp(rep1.user_id, customer, "报价", "2026-11-19", "open", std::nullopt);
  At("2026-11-17T12:00:00Z");
  reports_->Submit(rep1, ReportKind::kDay, D("2026-11-16"), {{"summary", "周一"}});  // late (the 16th was due at its end)
  reports_->Submit(rep1, ReportKind::kDay, D("2026-11-17"), {{"summary", "周二"}});

  At("2026-11-21T10:00:00Z");  // Saturday 18:00 local
  EXPECT_EQ(ErrorCode([&] { reports_->Draft(rep1, ReportKind::kWeek, D("2026-11-17")); }), "validation.failed");
  Json week = reports_->Draft(rep1, ReportKind::kWeek, D("2026-11-16"));
  EXPECT_EQ(week["periodEnd"], "2026-11-22");
  const Json& counts = week["facts"]["counts"];
  EXPECT_EQ(counts["visits"], 2);
  EXPECT_EQ(counts["customersVisited"], 1);
  EXPECT_EQ(counts["flaggedCheckIns"], 1);
  EXPECT_EQ(counts["newCustomers"], 1);
  EXPECT_EQ(counts["followUpsDone"], 1);
  EXPECT_EQ(counts["followUpsOverdue"], 1);
  EXPECT_EQ(counts["dailyReportsSubmitted"], 2);
  EXPECT_EQ(counts["dailyReportsLate"], 1);
  EXPECT_EQ(counts["dailyReportsMissing"], 3);  // 18th, 19th, 20th are due; 21st not yet
  EXPECT_EQ(week["facts"]["customers"][0]["visits"], 2);
  // R-REPORT-8: due on Saturday (weekday 6) by the daily due time.
  EXPECT_EQ(week["dueAt"], "2026-11-21T16:00:00.000Z");
  EXPECT_EQ(week["summary"], "本周拜访 2 次，覆盖客户 1 家；新增客户 1 家；完成跟进事项 1 项，逾期 1 项；市场信息 0 条。");
  EXPECT_FALSE(reports_->Submit(rep1, ReportKind::kWeek, D("2026-11-16"), Json::object())["late"].get<bool>());

  Json month = reports_->Draft(rep1, ReportKind::kMonth, D("2026-11-01"));
  EXPECT_EQ(month["facts"]["counts"]["visits"], 3);
  EXPECT_EQ(month["dueAt"], "2026-12-01T16:00:00.000Z");
  EXPECT_EQ(ErrorCode([&] { reports_->Draft(rep1, ReportKind::kMonth, D("2026-11-02")); }), "validation.failed");
  EXPECT_EQ(ErrorCode([&] { reports_->Draft(rep1, ReportKind::kMonth, D("2026-12-01")); }), "validation.failed");
}

TEST_P(ReportServiceTest, QuarterHalfYearAndAnnualSummariesRollUpTheSameFactsWithIntelAndPlan) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2"), mgr1 = SignIn("mgr1"), mgr2 = SignIn("mgr2");
  At("2026-10-05T02:00:00Z");
  int64_t qinghe = Customer(rep1, "杭州青禾建材"), dongfang = Customer(rep1, "宁波东方五金");
  Visit(rep1.user_id, qinghe, "2026-10-08", "2026-10-08T02:00:00.000Z");
  Visit(rep1.user_id, dongfang, "2026-11-12", "2026-11-12T02:00:00.000Z");
  Visit(rep1.user_id, qinghe, "2026-09-30", "2026-09-30T02:00:00.000Z");  // the previous quarter
  // An approved plan for October: one planned visit made on its date, one not.
  Exec("INSERT INTO visit_plans (rep_id, month, status, created_at, updated_at) VALUES (?, '2026-10', 'approved', ?, ?)",
       {rep1.user_id, "2026-09-25T00:00:00.000Z", "2026-09-25T00:00:00.000Z"});
  Exec("INSERT INTO visit_plan_items (plan_id, position, customer_id, visit_date, purposes) "
       "SELECT id, 1, ?, '2026-10-08', 'relationship' FROM visit_plans WHERE rep_id = ?",
       {qinghe, rep1.user_id});
  Exec("INSERT INTO visit_plan_items (plan_id, position, customer_id, visit_date, purposes) "
       "SELECT id, 2, ?, '2026-10-09', 'relationship' FROM visit_plans WHERE rep_id = ?",
       {dongfang, rep1.user_id});
  Exec("INSERT INTO market_reports (reporter_id, kind, competitor, observed_on, description, created_at, updated_at) "
       "VALUES (?, 'competitor_price', '东方雨虹', '2026-10-10', '降价 5%', ?, ?)",
       {rep1.user_id, "2026-10-10T02:00:00.000Z", "2026-10-10T02:00:00.000Z"});
  Exec("INSERT INTO market_reports (reporter_id, kind, competitor, observed_on, description, created_at, updated_at) "
       "VALUES (?, 'competitor_price', '东方雨虹', '2026-10-11', '别人的', ?, ?)",
       {rep2.user_id, "2026-10-11T02:00:00.000Z", "2026-10-11T02:00:00.000Z"});

  At("2026-12-20T02:00:00Z");
  // R-REPORT-11: a summary names its period by the first day; future periods are refused.
  EXPECT_EQ(ErrorCode([&] { reports_->Draft(rep1, ReportKind::kQuarter, D("2026-11-01")); }), "validation.failed");
  EXPECT_EQ(ErrorCode([&] { reports_->Draft(rep1, ReportKind::kHalfYear, D("2026-10-01")); }), "validation.failed");
  EXPECT_EQ(ErrorCode([&] { reports_->Draft(rep1, ReportKind::kYear, D("2027-01-01")); }), "validation.failed");
  Json quarter = reports_->Draft(rep1, ReportKind::kQuarter, D("2026-10-01"));
  EXPECT_EQ(quarter["kind"], "quarter");
  EXPECT_EQ(quarter["periodEnd"], "2026-12-31");
  const Json& counts = quarter["facts"]["counts"];
  EXPECT_EQ(counts["visits"], 2);
  EXPECT_EQ(counts["customersVisited"], 2);
  EXPECT_EQ(counts["intelReports"], 1);
  EXPECT_EQ(quarter["facts"]["intel"], Json::parse(R"([{"kind":"competitor_price","count":1}])"));
  // R-REPORT-12: plan against actual.
  EXPECT_EQ(quarter["facts"]["plan"]["plannedVisits"], 2);
  EXPECT_EQ(quarter["facts"]["plan"]["plannedVisitsDone"], 1);
  EXPECT_EQ(quarter["facts"]["plan"]["completionPercent"], 50);
  EXPECT_EQ(quarter["facts"]["plan"]["unplannedVisits"], 1);
  EXPECT_EQ(quarter["summary"],
            "本季度拜访 2 次，覆盖客户 2 家；新增客户 2 家；完成跟进事项 0 项，逾期 0 项；市场信息 1 条。"
            "计划拜访 2 次，已完成 1 次。");
  // Due by policy days after the period's end, by the daily due time (23:59 local).
  EXPECT_EQ(quarter["dueAt"], "2027-01-05T16:00:00.000Z");
  Json half = reports_->Draft(rep1, ReportKind::kHalfYear, D("2026-07-01"));
  EXPECT_EQ(half["facts"]["counts"]["visits"], 3);
  EXPECT_EQ(half["dueAt"], "2027-01-07T16:00:00.000Z");
  Json year = reports_->Draft(rep1, ReportKind::kYear, D("2026-01-01"));
  EXPECT_EQ(year["periodEnd"], "2026-12-31");
  EXPECT_EQ(year["dueAt"], "2027-01-10T16:00:00.000Z");

  // Edited, submitted, read and commented as weekly and monthly reports are.
  reports_->Save(rep1, ReportKind::kQuarter, D("2026-10-01"), {{"problems", "东方雨虹降价"}});
  sent_.clear();
  Json submitted = reports_->Submit(rep1, ReportKind::kQuarter, D("2026-10-01"), Json::object());
  EXPECT_EQ(submitted["status"], "submitted");
  EXPECT_FALSE(submitted["late"].get<bool>());
  EXPECT_EQ(submitted["problems"], "东方雨虹降价");
  EXPECT_EQ(submitted["facts"]["plan"]["plannedVisitsDone"], 1);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].user_id, mgr1.user_id);
  EXPECT_EQ(sent_[0].kind, "field_report.submitted");
  EXPECT_EQ(sent_[0].data["kind"], "quarter");
  EXPECT_EQ(sent_[0].data["repName"], rep1.name);
  int64_t id = *ParseId(submitted["id"].get<std::string>());
  EXPECT_EQ(reports_->GetSummary(mgr1, id)["kind"], "quarter");
  EXPECT_EQ(ErrorCode([&] { reports_->GetSummary(mgr2, id); }), "reports.not_found");
  EXPECT_EQ(ErrorCode([&] { reports_->Get(mgr1, ReportKind::kDay, id); }), "reports.not_found");
  sent_.clear();
  Json commented = reports_->CommentSummary(mgr1, id, {{"body", "注意价格战"}});
  EXPECT_EQ(commented["status"], "reviewed");
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].user_id, rep1.user_id);
  EXPECT_EQ(sent_[0].data["kind"], "quarter");
  ReportFilter quarters;
  quarters.kind = ReportKind::kQuarter;
  Json listed = reports_->List(mgr1, quarters);
  ASSERT_EQ(listed["items"].size(), 1u);
  EXPECT_EQ(listed["items"][0]["id"], submitted["id"]);
  ReportFilter months;
  months.kind = ReportKind::kMonth;
  EXPECT_EQ(reports_->List(mgr1, months)["items"].size(), 0u);
}

TEST_P(ReportServiceTest, MorningNotesAreLateAfterTheirDueTimeAndExplainAnAbsence) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2"), mgr1 = SignIn("mgr1"), mgr2 = SignIn("mgr2");
  At("2026-11-20T01:30:00Z");  // 09:30 local: on time to the minute
  EXPECT_EQ(ErrorCode([&] { reports_->PutMorningNote(rep1, {{"plan", "去宁波"}, {"backByEndOfDay", false}}); }),
            "validation.failed");
  Json note = reports_->PutMorningNote(rep1, {{"plan", "去宁波"}, {"backByEndOfDay", false}, {"reasonNotBack", "客户晚宴"}});
  EXPECT_FALSE(note["late"].get<bool>());
  EXPECT_EQ(note["date"], "2026-11-20");
  At("2026-11-20T01:31:00Z");
  Json late = reports_->PutMorningNote(rep2, {{"plan", "在办公室"}, {"backByEndOfDay", true}, {"reasonNotBack", "x"}});
  EXPECT_TRUE(late["late"].get<bool>());
  EXPECT_TRUE(late["reasonNotBack"].is_null());
  // Editing later keeps the first time and so the flag.
  Json edited = reports_->PutMorningNote(rep1, {{"plan", "去宁波和温州"}, {"backByEndOfDay", true}});
  EXPECT_FALSE(edited["late"].get<bool>());
  EXPECT_EQ(edited["plan"], "去宁波和温州");
  EXPECT_EQ(reports_->ListMorningNotes(mgr1, D("2026-11-20"), std::nullopt, std::nullopt, 50, std::nullopt)["items"].size(), 2u);
  EXPECT_EQ(reports_->ListMorningNotes(rep1, D("2026-11-20"), std::nullopt, std::nullopt, 50, std::nullopt)["items"].size(), 1u);
  EXPECT_EQ(reports_->ListMorningNotes(mgr2, D("2026-11-20"), std::nullopt, std::nullopt, 50, std::nullopt)["items"].size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReportServiceTest, ::testing::ValuesIn(storage::testing::AllTestBackends()),
                         platform::testing::BackendTestName);

}  // namespace
}  // namespace tuoke::fieldreports
