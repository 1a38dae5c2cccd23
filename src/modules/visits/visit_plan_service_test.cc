// Plans, applications and norms (R-VISIT-1..29) against both backends with the demo
// company, the approvals engine and a fake clock (2026-11-22 10:00 in Shanghai).
#include "modules/visits/visit_plan_service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "modules/customers/customer_service.h"
#include "modules/visits/visit_application_service.h"
#include "modules/visits/visit_norms.h"
#include "platform/approval.h"
#include "platform/notification.h"
#include "platform/testing/demo_company_test.h"

namespace tuoke::visits {
namespace {

using namespace std::chrono_literals;
using platform::Caller;

class NoWebhooks final : public platform::WebhookSender {
 public:
  platform::WebhookResponse Post(const platform::WebhookRequest&) override { return {200, "", ""}; }
};

class VisitPlanServiceTest : public platform::testing::DemoCompanyTest {
 protected:
  void SetUp() override {
    DemoCompanyTest::SetUp();
    if (IsSkipped()) return;
    customers_ = std::make_unique<customers::CustomerService>(*database_, *policies_, clock_);
    notifications_ = std::make_unique<platform::NotificationService>(*database_, *policies_, clock_, sender_);
    approvals_ = std::make_unique<platform::ApprovalService>(*database_, *policies_, *notifications_, clock_);
    plans_ = std::make_unique<VisitPlanService>(*database_, *policies_, *approvals_, clock_);
    applications_ = std::make_unique<VisitApplicationService>(*database_, *policies_, *approvals_, clock_);
    norms_ = std::make_unique<VisitNormsService>(*database_, *policies_, clock_);
  }

  std::string Customer(const Caller& owner, const std::string& name) {
    Json body = {{"name", name}, {"type", "distributor"}, {"acknowledgeDuplicates", true}};
    return Json::parse(customers_->Create(owner, body))["id"].get<std::string>();
  }
  static int64_t Id(const Json& value) { return *ParseId(value.get<std::string>()); }
  Json Decide(const Caller& who, const Json& thing, const std::string& action, const std::string& comment = "") {
    return approvals_->Decide(who, Id(thing["approvalId"]), action, {{"comment", comment}});
  }
  // A visit row as the field engineer's check-in writes it (their table, read-only for us).
  void Visit(int64_t rep_id, const std::string& customer_id, const std::string& date) {
    static const storage::Sql kInsert{
        "test.insert_visit",
        "INSERT INTO visits (rep_id, customer_id, visit_date, checked_in_at, report_due_on, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"};
    auto connection = database_->Acquire();
    std::string at = date + "T02:00:00.000Z";
    connection->Execute(kInsert, {rep_id, *ParseId(customer_id), date, at, date, at, at});
  }
  bool Covered(int64_t rep_id, const std::string& date, std::optional<std::string> customer = std::nullopt) {
    auto connection = database_->Acquire();
    std::optional<int64_t> customer_id;
    if (customer) customer_id = *ParseId(*customer);
    return applications_->HasCoveringApplication(*connection, rep_id, date, customer_id);
  }

  NoWebhooks sender_;
  std::unique_ptr<customers::CustomerService> customers_;
  std::unique_ptr<platform::NotificationService> notifications_;
  std::unique_ptr<platform::ApprovalService> approvals_;
  std::unique_ptr<VisitPlanService> plans_;
  std::unique_ptr<VisitApplicationService> applications_;
  std::unique_ptr<VisitNormsService> norms_;
};

TEST_P(VisitPlanServiceTest, PlanIsSubmittedAndApprovedByTheManager) {
  Caller rep1 = SignIn("rep1"), mgr1 = SignIn("mgr1");
  std::string planned = Customer(rep1, "杭州青禾建材"), forgotten = Customer(rep1, "宁波远航商贸");
  Json plan = plans_->Create(rep1, {{"month", "2026-12"},
                                    {"items", {{{"customerId", planned}, {"date", "2026-12-03"}, {"purposes", {"relationship"}}}}},
                                    {"targets", {{"salesTargetFen", "5000000"}, {"adminTargets", "回收货款"}}}});
  EXPECT_EQ(plan["status"], "draft");
  EXPECT_EQ(plan["targets"]["salesTargetFen"], "5000000");
  EXPECT_EQ(plan["deadlineAt"], "2026-11-30T16:00:00.000Z");
  // R-VISIT-6..8: both customers are due in December (monthly, counted from creation);
  // the one left out comes first.
  Json coverage = plans_->Coverage(rep1, Id(plan["id"]));
  ASSERT_EQ(coverage["items"].size(), 2u);
  EXPECT_EQ(coverage["items"][0]["customerId"], forgotten);
  EXPECT_EQ(coverage["items"][0]["state"], "missing");
  EXPECT_EQ(coverage["items"][1]["state"], "ok");
  EXPECT_EQ(coverage["summary"]["missing"], 1);
  EXPECT_EQ(coverage["summary"]["covered"], 1);
  EXPECT_EQ(plan["coverageSummary"], coverage["summary"]);

  Json submitted = plans_->Submit(rep1, Id(plan["id"]));
  EXPECT_EQ(submitted["status"], "pending");
  EXPECT_FALSE(submitted["late"].get<bool>());
  EXPECT_EQ(ErrorCode([&] { plans_->Update(rep1, Id(plan["id"]), {{"note", "x"}}); }), "visits.plan_not_editable");
  Json request = approvals_->Get(mgr1, Id(submitted["approvalId"]));
  EXPECT_EQ(request["kind"], "visit_plan");
  Decide(mgr1, submitted, "approve", "同意");
  Json approved = plans_->Get(rep1, Id(plan["id"]));
  EXPECT_EQ(approved["status"], "approved");
  EXPECT_EQ(approved["decisionComment"], "同意");
  // One plan per rep and month.
  EXPECT_EQ(ErrorCode([&] { plans_->Create(rep1, {{"month", "2026-12"}}); }), "visits.plan_exists");
}

TEST_P(VisitPlanServiceTest, ScopesHidePlansOfOtherReps) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2"), mgr1 = SignIn("mgr1"), mgr2 = SignIn("mgr2");
  Caller gm = SignIn("gm"), assistant = SignIn("assistant"), finance = SignIn("finance");
  Json plan = plans_->Create(rep1, {{"month", "2026-12"}});
  int64_t id = Id(plan["id"]);
  for (const Caller* outsider : {&rep2, &mgr2}) {
    EXPECT_EQ(ErrorCode([&] { plans_->Get(*outsider, id); }), "visits.plan_not_found");
    EXPECT_EQ(ErrorCode([&] { plans_->Coverage(*outsider, id); }), "visits.plan_not_found");
    EXPECT_TRUE(plans_->List(*outsider, {})["items"].empty());
  }
  for (const Caller* insider : {&mgr1, &gm, &assistant}) EXPECT_EQ(plans_->List(*insider, {})["items"].size(), 1u);
  EXPECT_EQ(ErrorCode([&] { plans_->List(finance, {}); }), "access.denied");
  // The manager reads but does not edit the rep's plan.
  EXPECT_EQ(ErrorCode([&] { plans_->Update(mgr1, id, {{"note", "x"}}); }), "access.denied");
  // Items name customers the rep may visit, on days of the plan's month.
  std::string other = Customer(rep2, "王芳的客户");
  std::string own = Customer(rep1, "张伟的客户");
  Json details;
  EXPECT_EQ(ErrorCode([&] {
              plans_->Update(rep1, id, {{"items", {{{"customerId", other}, {"date", "2026-12-01"}, {"purposes", {"coverage"}}},
                                                   {{"customerId", own}, {"date", "2027-01-01"}, {"purposes", {"coverage"}}}}}});
            },
                      &details),
            "validation.failed");
  EXPECT_TRUE(details["fields"].contains("items[0].customerId")) << details;
  EXPECT_TRUE(details["fields"].contains("items[1].date")) << details;
  // The body is read first: a bad code is reported before customers and days are checked.
  EXPECT_EQ(ErrorCode([&] {
              plans_->Update(rep1, id, {{"items", {{{"customerId", own}, {"date", "2026-12-02"}, {"purposes", {"bogus"}}}}}});
            },
                      &details),
            "validation.failed");
  EXPECT_TRUE(details["fields"].contains("items[0].purposes")) << details;
  EXPECT_EQ(ErrorCode([&] { plans_->Create(rep2, {{"month", "2027-03"}}); }), "validation.failed");
}

TEST_P(VisitPlanServiceTest, ReturnedPlanIsRevisedAndResubmitted) {
  Caller rep1 = SignIn("rep1"), mgr1 = SignIn("mgr1");
  std::string customer = Customer(rep1, "杭州青禾建材");
  Json item = {{"customerId", customer}, {"date", "2026-12-03"}, {"purposes", {"relationship"}}};
  Json plan = plans_->Submit(rep1, Id(plans_->Create(rep1, {{"month", "2026-12"}, {"items", {item}}})["id"]));
  EXPECT_EQ(ErrorCode([&] { Decide(mgr1, plan, "return"); }), "validation.failed");  // a comment is needed
  Decide(mgr1, plan, "return", "每周至少一次");
  Json returned = plans_->Get(rep1, Id(plan["id"]));
  EXPECT_EQ(returned["status"], "returned");
  EXPECT_EQ(returned["decisionComment"], "每周至少一次");
  Json item2 = item;
  item2["date"] = "2026-12-10";
  Json revised = plans_->Update(rep1, Id(plan["id"]), {{"items", {item, item2}}});
  EXPECT_EQ(revised["items"].size(), 2u);
  Json again = plans_->Submit(rep1, Id(plan["id"]));
  EXPECT_EQ(again["status"], "pending");
  Decide(mgr1, again, "approve");
  EXPECT_EQ(plans_->Get(rep1, Id(plan["id"]))["status"], "approved");
}

TEST_P(VisitPlanServiceTest, PlanSubmittedAfterTheDeadlineIsFlaggedLate) {
  Caller rep1 = SignIn("rep1");
  std::string customer = Customer(rep1, "杭州青禾建材");
  // December 1, 09:00 in Shanghai: December's plan was due by the end of November 30.
  clock_.Set(*ParseInstant("2026-12-01T01:00:00Z"));
  Json plan = plans_->Create(
      rep1, {{"month", "2026-12"},
             {"items", {{{"customerId", customer}, {"date", "2026-12-03"}, {"purposes", {"relationship"}}}}}});
  Json submitted = plans_->Submit(rep1, Id(plan["id"]));
  EXPECT_TRUE(submitted["late"].get<bool>());
  EXPECT_EQ(ErrorCode([&] { plans_->Submit(rep1, Id(plans_->Create(rep1, {{"month", "2027-01"}})["id"])); }),
            "visits.plan_empty");
}

TEST_P(VisitPlanServiceTest, ApplicationIsApprovedThenRegisteredBeforeItCovers) {
  Caller rep1 = SignIn("rep1"), mgr1 = SignIn("mgr1"), assistant = SignIn("assistant");
  std::string customer = Customer(rep1, "杭州青禾建材"), other = Customer(rep1, "宁波远航商贸");
  Json application = applications_->Create(
      rep1, {{"visitDate", "2026-11-24"},
             {"customerIds", {customer}},
             {"purposes", {"relationship", "new_product"}},
             {"expenses",
              {{{"category", "gift"}, {"description", "样品礼盒"}, {"amount", {{"amount", "20000"}, {"currency", "CNY"}}}},
               {{"category", "meal"}, {"description", "午餐"}, {"amount", {{"amount", "15050"}, {"currency", "CNY"}}}}}}});
  EXPECT_EQ(application["expectedTotal"]["amount"], "35050");
  EXPECT_EQ(application["deadlineAt"], "2026-11-23T10:00:00.000Z");
  Json submitted = applications_->Submit(rep1, Id(application["id"]));
  EXPECT_FALSE(submitted["late"].get<bool>());
  EXPECT_TRUE(submitted["needsRegistration"].get<bool>());
  int64_t rep_id = rep1.user_id;
  EXPECT_FALSE(Covered(rep_id, "2026-11-24"));
  Decide(mgr1, submitted, "approve");
  EXPECT_EQ(applications_->Get(rep1, Id(application["id"]))["status"], "approved");
  // R-VISIT-20: approved is not enough while registration is required.
  EXPECT_FALSE(Covered(rep_id, "2026-11-24", customer));
  Decide(assistant, submitted, "register");
  EXPECT_EQ(applications_->Get(rep1, Id(application["id"]))["status"], "registered");
  EXPECT_TRUE(Covered(rep_id, "2026-11-24"));
  EXPECT_TRUE(Covered(rep_id, "2026-11-24", customer));
  EXPECT_FALSE(Covered(rep_id, "2026-11-24", other));
  EXPECT_FALSE(Covered(rep_id, "2026-11-25", customer));
  EXPECT_FALSE(Covered(SignIn("rep2").user_id, "2026-11-24"));
  EXPECT_EQ(ErrorCode([&] { applications_->Get(SignIn("rep2"), Id(application["id"])); }),
            "visits.application_not_found");
}

TEST_P(VisitPlanServiceTest, ApplicationFiledAfterTheDeadlineIsFlagged) {
  Caller rep1 = SignIn("rep1");
  std::string customer = Customer(rep1, "杭州青禾建材");
  // 19:00 in Shanghai on the 22nd, for a visit on the 23rd: past the 18:00 cut-off.
  clock_.Set(*ParseInstant("2026-11-22T11:00:00Z"));
  Json body = {{"visitDate", "2026-11-23"}, {"customerIds", {customer}}, {"purposes", {"relationship"}}};
  Json late = applications_->Submit(rep1, Id(applications_->Create(rep1, body)["id"]));
  EXPECT_TRUE(late["late"].get<bool>());
  // Coming to the office first that morning, it may be filed on the day itself.
  body["comesToOfficeFirst"] = true;
  Json in_time = applications_->Submit(rep1, Id(applications_->Create(rep1, body)["id"]));
  EXPECT_FALSE(in_time["late"].get<bool>());
  body["visitDate"] = "2026-11-21";
  EXPECT_EQ(ErrorCode([&] { applications_->Create(rep1, body); }), "validation.failed");
}

TEST_P(VisitPlanServiceTest, ManagersApplicationGoesToTheGeneralManager) {
  Caller mgr1 = SignIn("mgr1"), gm = SignIn("gm"), rep1 = SignIn("rep1");
  std::string customer = Customer(rep1, "杭州青禾建材");
  Json application = applications_->Submit(
      mgr1, Id(applications_->Create(mgr1, {{"visitDate", "2026-11-25"},
                                            {"customerIds", {customer}},
                                            {"purposes", {"relationship"}}})["id"]));
  Json inbox = approvals_->List(gm, platform::ApprovalBox::kInbox, 50, std::nullopt);
  ASSERT_EQ(inbox["items"].size(), 1u);
  EXPECT_EQ(inbox["items"][0]["id"], application["approvalId"]);
  EXPECT_TRUE(approvals_->List(mgr1, platform::ApprovalBox::kInbox, 50, std::nullopt)["items"].empty());
  Decide(gm, application, "approve");
  EXPECT_EQ(applications_->Get(mgr1, Id(application["id"]))["status"], "approved");
}

TEST_P(VisitPlanServiceTest, NormsListDueAndOverdueCustomersMostOverdueFirst) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2"), mgr1 = SignIn("mgr1"), mgr2 = SignIn("mgr2");
  Instant now = clock_.Now();
  clock_.Set(*ParseInstant("2026-09-01T02:00:00Z"));
  std::string never = Customer(rep1, "九月客户");  // counted from Sep 1: due Oct 1
  std::string visited = Customer(rep1, "十月拜访客户");
  clock_.Set(*ParseInstant("2026-11-01T02:00:00Z"));
  std::string recent = Customer(rep1, "十一月客户");  // due Dec 1: beyond the 7-day window
  clock_.Set(now);
  Visit(rep1.user_id, visited, "2026-10-20");  // due Nov 20
  Json norms = norms_->List(mgr1, {});
  ASSERT_EQ(norms["items"].size(), 2u) << norms;
  EXPECT_EQ(norms["items"][0]["customerId"], never);
  EXPECT_EQ(norms["items"][0]["state"], "overdue");
  EXPECT_EQ(norms["items"][0]["overdueDays"], 52);
  EXPECT_EQ(norms["items"][0]["lastVisitOn"], nullptr);
  EXPECT_EQ(norms["items"][1]["customerId"], visited);
  EXPECT_EQ(norms["items"][1]["lastVisitOn"], "2026-10-20");
  EXPECT_EQ(norms["items"][1]["dueOn"], "2026-11-20");
  EXPECT_EQ(norms["summary"]["overdue"], 2);
  // Paging with the cursor.
  NormsFilter first_page;
  first_page.limit = 1;
  Json page = norms_->List(rep1, first_page);
  ASSERT_EQ(page["items"].size(), 1u);
  first_page.cursor = page["nextCursor"].get<std::string>();
  Json second = norms_->List(rep1, first_page);
  ASSERT_EQ(second["items"].size(), 1u);
  EXPECT_EQ(second["items"][0]["customerId"], visited);
  EXPECT_TRUE(second["nextCursor"].is_null());
  // A week later the November customer is due too.
  clock_.Advance(std::chrono::hours(24 * 3));
  Json later = norms_->List(rep1, {});
  EXPECT_EQ(later["items"].size(), 3u);
  EXPECT_EQ(later["items"][2]["customerId"], recent);
  EXPECT_EQ(later["items"][2]["state"], "due");
  // Scope: nothing for other teams.
  EXPECT_TRUE(norms_->List(rep2, {})["items"].empty());
  EXPECT_TRUE(norms_->List(mgr2, {})["items"].empty());
}

TEST_P(VisitPlanServiceTest, ProgressComparesPlannedWithActualVisits) {
  Caller rep1 = SignIn("rep1"), mgr1 = SignIn("mgr1"), mgr2 = SignIn("mgr2");
  std::string a = Customer(rep1, "甲客户"), b = Customer(rep1, "乙客户");
  // A late plan for the current month: one visit done on plan, one still to come.
  Json plan = plans_->Create(rep1, {{"month", "2026-11"},
                                    {"items",
                                     {{{"customerId", a}, {"date", "2026-11-10"}, {"purposes", {"relationship"}}},
                                      {{"customerId", b}, {"date", "2026-11-25"}, {"purposes", {"coverage"}}}}}});
  Visit(rep1.user_id, a, "2026-11-10");
  Visit(rep1.user_id, b, "2026-11-05");  // not on the plan's day
  Json progress = plans_->Progress(mgr1, "2026-11", std::nullopt);
  Json row;
  for (const auto& rep : progress["reps"])
    if (rep["repId"] == IdString(rep1.user_id)) row = rep;
  ASSERT_FALSE(row.is_null()) << progress;
  EXPECT_EQ(row["planned"], 2);
  EXPECT_EQ(row["plannedToDate"], 1);
  EXPECT_EQ(row["actual"], 2);
  EXPECT_EQ(row["onPlan"], 1);
  EXPECT_EQ(row["unplanned"], 1);
  EXPECT_EQ(row["actualPercent"], 100);
  EXPECT_EQ(row["onPlanPercent"], 100);
  EXPECT_EQ(row["planStatus"], "draft");
  EXPECT_EQ(progress["reps"].size(), 3u);  // rep1, rep2, rep3 of 华东一组
  EXPECT_EQ(progress["team"]["actual"], 2);
  Json other_team = plans_->Progress(mgr2, "2026-11", std::nullopt);
  for (const auto& rep : other_team["reps"])
    EXPECT_NE(rep["repId"], IdString(rep1.user_id));
  EXPECT_EQ(ErrorCode([&] { plans_->Progress(mgr1, "2026-13", std::nullopt); }), "validation.failed");
}

// docs/benchmarks.md: GET /visit-norms for a manager whose team holds 5,000 customers
// (15,000 visits). Disabled in the normal run (timing on a shared machine is no test);
// run with --gtest_also_run_disabled_tests --gtest_filter='*VisitNormsTiming*'.
TEST_P(VisitPlanServiceTest, DISABLED_VisitNormsTiming) {
  Caller mgr1 = SignIn("mgr1");
  std::vector<int64_t> reps = {SignIn("rep1").user_id, SignIn("rep2").user_id, SignIn("rep3").user_id};
  static const storage::Sql kCustomer{
      "bench.customer",
      "INSERT INTO customers (name, type, status, source, purchase_horizon, credit_status, grade, grade_reason, "
      "grade_source, computed_grade, computed_reason, name_key, search_pinyin, search_initials, owner_id, "
      "owned_since, province, city, created_at, updated_at) VALUES (?, 'distributor', 'active', 'phone', "
      "'unknown', 'unknown', ?, '', 'computed', ?, '', ?, '', '', ?, ?, ?, ?, ?, ?) RETURNING id"};
  static const storage::Sql kVisit{
      "bench.visit",
      "INSERT INTO visits (rep_id, customer_id, visit_date, checked_in_at, report_due_on, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)"};
  const char* grades[] = {"A", "B", "C", "D", "key", "watch"};
  const char* cities[][2] = {{"浙江省", "杭州市"}, {"浙江省", "宁波市"}, {"广东省", "广州市"}};
  database_->InTransaction([&](storage::Connection& connection) {
    for (int i = 0; i < 5000; ++i) {
      std::string created = FormatDate(ShiftDays(Date{2026, 1, 1}, i % 300)) + "T02:00:00.000Z";
      int64_t id = connection
                       .Query(kCustomer, {"客户" + std::to_string(i), grades[i % 6], grades[i % 6],
                                          "bench" + std::to_string(i), reps[i % 3], created, cities[i % 3][0],
                                          cities[i % 3][1], created, created})
                       .rows.at(0)
                       .Int(0);
      for (int v = 0; v < (i % 2 ? 3 : 0); ++v) {
        std::string day = FormatDate(ShiftDays(Date{2026, 6, 1}, (i * 7 + v * 31) % 170));
        connection.Execute(kVisit, {reps[i % 3], id, day, day + "T02:00:00.000Z", day, day + "T02:00:00.000Z",
                                    day + "T02:00:00.000Z"});
      }
    }
  });
  norms_->List(mgr1, {});  // warm the statement cache and the policy snapshot
  std::vector<double> timings;
  Json answer;
  for (int run = 0; run < 20; ++run) {
    auto start = std::chrono::steady_clock::now();
    answer = norms_->List(mgr1, {});
    timings.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(timings.begin(), timings.end());
  std::printf("visit norms, 5000 customers: median %.1f ms, max %.1f ms (due %d, overdue %d)\n", timings[10],
              timings.back(), answer["summary"]["due"].get<int>(), answer["summary"]["overdue"].get<int>());
  EXPECT_EQ(answer["items"].size(), 50u);
}

INSTANTIATE_TEST_SUITE_P(Backends, VisitPlanServiceTest, ::testing::ValuesIn(storage::testing::AllTestBackends()),
                         platform::testing::BackendTestName);

}  // namespace
}  // namespace tuoke::visits
