// The whole story of issue #4 on both backends with a fake clock, through the real
// services of every engineer: monthly plan → manager's approval → visit application →
// approval → registration by the assistant → check-in inside the radius → report within
// 2 days → manager's review → follow-up done; and its failures: a check-in the
// application does not cover (absence), a report on day 3 (late).
#include <gtest/gtest.h>

#include "modules/customers/customer_service.h"
#include "modules/visits/field_routes.h"
#include "modules/visits/plans_routes.h"
#include "platform/approval.h"
#include "platform/notification.h"
#include "platform/testing/demo_company_test.h"
#include "storage/testing/test_database.h"

namespace tuoke::visits {
namespace {

using namespace std::chrono_literals;
using platform::Caller;

class NoNetwork final : public platform::WebhookSender {
 public:
  platform::WebhookResponse Post(const platform::WebhookRequest&) override { return {200, "", "{}"}; }
};

class VisitStoryTest : public platform::testing::DemoCompanyTest {
 protected:
  void SetUp() override {
    DemoCompanyTest::SetUp();
    if (IsSkipped()) return;
    customers_ = std::make_unique<customers::CustomerService>(*database_, *policies_, clock_);
    notifications_ = std::make_unique<platform::NotificationService>(*database_, *policies_, clock_, sender_);
    approvals_ = std::make_unique<platform::ApprovalService>(*database_, *policies_, *notifications_, clock_);
    plans_ = std::make_unique<PlanServices>(*database_, *policies_, *approvals_, clock_);
    // Wired as App wires it (src/app/app.cc).
    field_ = std::make_unique<FieldServices>(FieldContext{
        *database_, *policies_, *customers_, clock_,
        &VisitApplicationService::CoveringApplicationQuery,
        [this](storage::Connection& tx, const FieldNotice& notice) {
          notifications_->Notify(tx, {notice.user_id, notice.kind, notice.title, notice.link, notice.data});
        },
        nullptr});
  }
  std::string NewCustomer(const Caller& owner, const std::string& name) {
    Json body = {{"name", name}, {"type", "distributor"}, {"acknowledgeDuplicates", true},
                 {"location", {{"lat", 30.2741}, {"lng", 120.1551}}}};
    return Json::parse(customers_->Create(owner, body))["id"].get<std::string>();
  }
  void Decide(const Caller& who, const Json& thing, const std::string& action) {
    approvals_->Decide(who, *ParseId(thing["approvalId"].get<std::string>()), action, {{"comment", "同意"}});
  }
  Json CheckIn(const Caller& rep, const std::string& customer) {
    return Json::parse(field_->check_ins
                           .Record(rep, {{"clientId", "story-check-in-" + std::to_string(++client_counter_)},
                                         {"kind", "in"},
                                         {"customerId", customer},
                                         {"lat", 30.2745},
                                         {"lng", 120.1551},
                                         {"accuracyM", 12},
                                         {"capturedAt", FormatInstant(clock_.Now() - 1s)}})
                           .json);
  }
  std::vector<std::string> NoticeKinds(const Caller& user) {
    std::vector<std::string> kinds;
    Json inbox = notifications_->List(user, false, 50, std::nullopt);  // kept: the loop reads into it
    for (const auto& item : inbox["items"]) kinds.push_back(item["kind"]);
    return kinds;
  }

  NoNetwork sender_;
  std::unique_ptr<customers::CustomerService> customers_;
  std::unique_ptr<platform::NotificationService> notifications_;
  std::unique_ptr<platform::ApprovalService> approvals_;
  std::unique_ptr<PlanServices> plans_;
  std::unique_ptr<FieldServices> field_;
  int client_counter_ = 0;
};

TEST_P(VisitStoryTest, PlanApplicationCheckInReportReviewAndFollowUp) {
  Caller rep1 = SignIn("rep1"), mgr1 = SignIn("mgr1"), assistant = SignIn("assistant");
  std::string customer = NewCustomer(rep1, "杭州青禾建材");
  std::string unplanned = NewCustomer(rep1, "宁波远航商贸");

  // 1. The December plan, approved by the manager (Sunday 2026-11-22).
  Json plan = plans_->plans.Create(
      rep1, {{"month", "2026-12"},
             {"items", {{{"customerId", customer}, {"date", "2026-12-01"}, {"purposes", {"relationship"}}}}}});
  Json submitted_plan = plans_->plans.Submit(rep1, *ParseId(plan["id"].get<std::string>()));
  Decide(mgr1, submitted_plan, "approve");
  EXPECT_EQ(plans_->plans.Get(rep1, *ParseId(plan["id"].get<std::string>()))["status"], "approved");

  // 2. The application for Tuesday 2026-12-01, filed Monday morning, approved and registered.
  clock_.Set(*ParseInstant("2026-11-30T02:00:00Z"));
  Json application = plans_->applications.Create(
      rep1, {{"visitDate", "2026-12-01"}, {"customerIds", {customer}}, {"purposes", {"relationship"}}});
  Json submitted_application =
      plans_->applications.Submit(rep1, *ParseId(application["id"].get<std::string>()));
  Decide(mgr1, submitted_application, "approve");
  // Approved but not yet registered: a check-in now would still be absence.
  Decide(assistant, submitted_application, "register");

  // 3. The visit: the rep's day lists the planned customer (R-VISIT-59: in the approved
  // plan and the registered application); checked in inside the radius, no flags.
  clock_.Set(*ParseInstant("2026-12-01T01:30:00Z"));  // 09:30 in Shanghai
  Json planned = Json::parse(field_->visits.MyDay(rep1, std::nullopt))["planned"];
  ASSERT_EQ(planned.size(), 1u) << planned.dump();
  EXPECT_EQ(planned[0]["customerId"], customer);
  EXPECT_EQ(planned[0]["customerName"], "杭州青禾建材");
  EXPECT_TRUE(planned[0]["inPlan"].get<bool>());
  EXPECT_EQ(planned[0]["applicationId"], application["id"]);
  EXPECT_EQ(planned[0]["applicationStatus"], "registered");
  EXPECT_EQ(planned[0]["purposes"], Json::array({"relationship"}));
  EXPECT_EQ(planned[0]["location"]["lat"], 30.2741);
  EXPECT_TRUE(planned[0]["visitId"].is_null());
  EXPECT_EQ(Json::parse(field_->visits.MyDay(rep1, ParseDate("2026-12-02")))["planned"], Json::array());
  EXPECT_EQ(Json::parse(field_->visits.MyDay(SignIn("rep2"), std::nullopt))["planned"], Json::array());
  Json check_in = CheckIn(rep1, customer);
  EXPECT_EQ(check_in["flags"], Json::array()) << check_in.dump();
  EXPECT_EQ(check_in["geofence"], "inside");
  int64_t visit_id = *ParseId(check_in["visitId"].get<std::string>());
  EXPECT_EQ(Json::parse(field_->visits.MyDay(rep1, std::nullopt))["planned"][0]["visitId"], check_in["visitId"]);
  // A customer the application does not name: absence (§3.3 [第7条 注]).
  clock_.Advance(2h);
  Json unplanned_check_in = CheckIn(rep1, unplanned);
  EXPECT_EQ(unplanned_check_in["flags"], Json::array({"absence"}));

  // 4. The report on day 2, with a promise; the manager reviews it.
  clock_.Set(*ParseInstant("2026-12-03T03:00:00Z"));
  Json report = Json::parse(field_->visits.SubmitReport(
      rep1, visit_id,
      {{"purposes", {"relationship"}},
       {"results", "同意下月订货"},
       {"promises", {{{"title", "发送报价单"}, {"dueOn", "2026-12-04"}}}}}));
  EXPECT_EQ(report["reportStatus"], "submitted");
  EXPECT_FALSE(report["reportLate"].get<bool>());
  field_->visits.Review(mgr1, visit_id, {{"comment", "尽快报价"}});
  auto kinds = NoticeKinds(rep1);
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "visit.report_reviewed"), kinds.end());

  // 5. The follow-up is done the next day, on time.
  clock_.Set(*ParseInstant("2026-12-04T02:00:00Z"));
  FollowUpFilter due_today;
  due_today.status = "due_today";
  Json items = Json::parse(field_->follow_ups.List(rep1, due_today))["items"];
  ASSERT_EQ(items.size(), 1u);
  Json done = Json::parse(field_->follow_ups.Done(rep1, *ParseId(items[0]["id"].get<std::string>()), Json::object()));
  EXPECT_EQ(done["status"], "done");

  // 6. The unplanned visit's report was never written: late on day 3, manager notified.
  clock_.Set(*ParseInstant("2026-12-04T02:00:00Z"));  // 2026-12-04 is day 3 after 12-01
  LateReportRun run = field_->visits.FlagLateReports();
  EXPECT_EQ(run.marked, 1);
  kinds = NoticeKinds(mgr1);
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "visit.report_late"), kinds.end());
  Json team_day = Json::parse(field_->visits.TeamDay(mgr1, ParseDate("2026-12-01"), std::nullopt));
  EXPECT_EQ(team_day["summary"]["checkIns"], 2);
  EXPECT_EQ(team_day["summary"]["flagCounts"]["absence"], 1);
  EXPECT_EQ(team_day["summary"]["reportsLate"], 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, VisitStoryTest, ::testing::ValuesIn(storage::testing::AllTestBackends()),
                         platform::testing::BackendTestName);

}  // namespace
}  // namespace tuoke::visits
