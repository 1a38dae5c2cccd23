// The field services (check-ins, visits and reports, follow-up items, day views) on both
// backends with the demo company and a fake clock: the story of §3.4–3.5 and its
// failures (R-VISIT-30..59).
#include <gtest/gtest.h>

#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <set>

#include "modules/customers/customer_service.h"
#include "modules/visits/field_routes.h"
#include "platform/audit.h"
#include "platform/testing/demo_company_test.h"
#include "storage/sqlite/writer_queue.h"
#include "storage/testing/test_database.h"

namespace tuoke::visits {
namespace {

using namespace std::chrono_literals;
using platform::Caller;

// Demo customer pin used throughout: 杭州 西湖区 (30.2741, 120.1551).
constexpr double kLat = 30.2741, kLng = 120.1551;

class FieldServiceTest : public platform::testing::DemoCompanyTest {
 protected:
  void SetUp() override {
    DemoCompanyTest::SetUp();
    if (IsSkipped()) return;
    customers_ = std::make_unique<customers::CustomerService>(*database_, *policies_, clock_);
    field_ = std::make_unique<FieldServices>(FieldContext{
        *database_, *policies_, *customers_, clock_,
        [this](int64_t rep_id, std::string_view date, std::optional<int64_t> customer_id) {
          static const storage::Sql kCovered{"test.covered", "SELECT 1 WHERE ? = 1"};
          int64_t covered = covered_.count({rep_id, std::string(date), customer_id.value_or(0)}) > 0;
          return storage::BoundQuery{&kCovered, {covered}};
        },
        [this](storage::Connection&, const FieldNotice& notice) { notices_.push_back(notice); },
        nullptr});
    photo_dir_ = storage::testing::ScratchDirectory("photos");
    field_->context.photos = std::make_shared<const storage::BlobStore>(
        storage::BlobStoreOptions{storage::BlobStoreKind::kDisk, photo_dir_.string()}, database_->dialect());
    rep1_ = SignIn("rep1");
    mgr1_ = SignIn("mgr1");
  }
  void TearDown() override {
    std::error_code error;
    if (!photo_dir_.empty()) std::filesystem::remove_all(photo_dir_, error);
    DemoCompanyTest::TearDown();
  }

  int64_t NewCustomer(const Caller& owner, std::optional<std::pair<double, double>> pin = std::pair{kLat, kLng}) {
    Json body = {{"name", "客户" + std::to_string(++customer_counter_)}, {"type", "distributor"},
                 {"acknowledgeDuplicates", true}};
    if (pin) body["location"] = {{"lat", pin->first}, {"lng", pin->second}};
    return *ParseId(Json::parse(customers_->Create(owner, body))["id"].get<std::string>());
  }
  // An approved application covering `customer` today (what the plans service answers).
  void Cover(const Caller& rep, int64_t customer) {
    covered_.insert({rep.user_id, FormatDate(policies_->Today()), customer});
  }
  Json CheckIn(const Caller& caller, Json body, bool* created = nullptr) {
    if (!body.contains("clientId")) body["clientId"] = "client-" + std::to_string(++client_counter_);
    if (!body.contains("kind")) body["kind"] = "in";
    if (!body.contains("lat")) body["lat"] = kLat + 0.0009;  // 100 m north
    if (!body.contains("lng")) body["lng"] = kLng;
    if (!body.contains("accuracyM")) body["accuracyM"] = 15;
    if (!body.contains("capturedAt")) body["capturedAt"] = FormatInstant(clock_.Now() - 2s);
    auto result = field_->check_ins.Record(caller, body);
    if (created) *created = result.created;
    return Json::parse(result.json);
  }
  Json Visit(const Caller& caller, const Json& check_in) {
    return Json::parse(field_->visits.Get(caller, *ParseId(check_in["visitId"].get<std::string>())));
  }
  static int64_t Id(const Json& object, const char* key = "id") { return *ParseId(object[key].get<std::string>()); }
  void SetPolicy(const std::string& key, const Json& value) {
    policies_->AddVersion(SignIn("gm"), key, value, FormatDate(policies_->Today()), "test");
  }
  Json Timeline(int64_t customer) { return customers_->Timeline(SignIn("gm"), customer, 50, std::nullopt)["items"]; }

  std::filesystem::path photo_dir_;
  std::unique_ptr<customers::CustomerService> customers_;
  std::unique_ptr<FieldServices> field_;
  std::set<std::tuple<int64_t, std::string, int64_t>> covered_;
  std::vector<FieldNotice> notices_;
  Caller rep1_, mgr1_;
  int customer_counter_ = 0, client_counter_ = 0;
};

TEST_P(FieldServiceTest, CheckInInsideTheRadiusOpensAVisitAndFollowsUpTheCustomer) {
  int64_t customer = NewCustomer(rep1_);
  Cover(rep1_, customer);
  bool created = false;
  Json check_in = CheckIn(rep1_, {{"customerId", IdString(customer)}}, &created);
  EXPECT_TRUE(created);
  EXPECT_EQ(check_in["flags"], Json::array());
  EXPECT_EQ(check_in["geofence"], "inside");
  EXPECT_EQ(check_in["distanceM"], 100);
  EXPECT_EQ(check_in["at"], FormatInstant(clock_.Now()));
  EXPECT_EQ(check_in["businessDate"], "2026-11-22");
  Json visit = Visit(rep1_, check_in);
  EXPECT_EQ(visit["visitDate"], "2026-11-22");
  EXPECT_EQ(visit["reportStatus"], "open");
  EXPECT_EQ(visit["reportDueOn"], "2026-11-24");  // visits.report_due_days = 2
  EXPECT_EQ(visit["checkIns"].size(), 1u);
  // R-VISIT-34: the customer's follow-up clock and timeline.
  Json customer_json = Json::parse(customers_->Get(rep1_, customer));
  EXPECT_EQ(customer_json["lastFollowUpAt"], FormatInstant(clock_.Now()));
  EXPECT_EQ(Timeline(customer)[0]["kind"], "visit_check_in");

  // R-VISIT-36: the check-out closes it with its duration.
  clock_.Advance(45min);
  Json check_out = CheckIn(rep1_, {{"kind", "out"}, {"customerId", IdString(customer)}});
  EXPECT_EQ(check_out["visitId"], check_in["visitId"]);
  visit = Visit(rep1_, check_in);
  EXPECT_EQ(visit["durationMinutes"], 45);
  EXPECT_EQ(visit["checkedOutAt"], FormatInstant(clock_.Now()));
  // R-CUST-40: the check-out is a follow-up too; a follow-up is not an edit of the
  // customer, so `updatedAt` stays where the check-in found it.
  Json after_visit = Json::parse(customers_->Get(rep1_, customer));
  EXPECT_EQ(after_visit["lastFollowUpAt"], FormatInstant(clock_.Now()));
  EXPECT_EQ(after_visit["updatedAt"], customer_json["updatedAt"]);
  EXPECT_EQ(ErrorCode([&] { CheckIn(rep1_, {{"kind", "out"}, {"customerId", IdString(customer)}}); }),
            "visits.no_open_visit");
}

TEST_P(FieldServiceTest, CheckInWithoutApprovedApplicationIsFlaggedAbsence) {
  int64_t customer = NewCustomer(rep1_);
  Json check_in = CheckIn(rep1_, {{"customerId", IdString(customer)}});
  EXPECT_EQ(check_in["flags"], Json::array({"absence"}));
  EXPECT_EQ(Visit(rep1_, check_in)["flags"], Json::array({"absence"}));
  // Policy: not absence, but still not silent.
  SetPolicy("visits.unapproved_visit_is_absence", false);
  EXPECT_EQ(CheckIn(rep1_, {{"customerId", IdString(customer)}})["flags"], Json::array({"no_application"}));
  // Office check-ins need no application.
  EXPECT_EQ(CheckIn(rep1_, {{"place", "office"}})["flags"], Json::array());
}

TEST_P(FieldServiceTest, OutsideTheRadiusAndUnpinnedCustomersAreFlagged) {
  int64_t customer = NewCustomer(rep1_);
  int64_t unpinned = NewCustomer(rep1_, std::nullopt);
  Cover(rep1_, customer);
  Cover(rep1_, unpinned);
  Json far = CheckIn(rep1_, {{"customerId", IdString(customer)}, {"lat", kLat + 0.01}});  // about 1.1 km
  EXPECT_EQ(far["geofence"], "outside");
  EXPECT_EQ(far["flags"], Json::array({"outside_geofence"}));
  EXPECT_NEAR(far["distanceM"].get<double>(), 1112, 3);
  clock_.Advance(1h);
  Json unknown = CheckIn(rep1_, {{"customerId", IdString(unpinned)}});
  EXPECT_EQ(unknown["geofence"], "unknown");
  EXPECT_EQ(unknown["flags"], Json::array({"no_customer_location"}));
  EXPECT_TRUE(unknown["distanceM"].is_null());
}

TEST_P(FieldServiceTest, ImplausibleSequencesAreFlaggedForTheManager) {
  int64_t customer = NewCustomer(rep1_);
  int64_t far_customer = NewCustomer(rep1_, std::pair{kLat + 0.5, kLng});  // about 55 km north
  Cover(rep1_, customer);
  Cover(rep1_, far_customer);
  CheckIn(rep1_, {{"customerId", IdString(customer)}});
  clock_.Advance(10min);  // 55 km in 10 minutes
  Json fast = CheckIn(rep1_, {{"customerId", IdString(far_customer)}, {"lat", kLat + 0.5}});
  EXPECT_EQ(fast["flags"], Json::array({"too_fast"}));
  EXPECT_GT(fast["speedKmh"].get<int>(), 300);
  clock_.Advance(2h);
  Json vague = CheckIn(rep1_, {{"customerId", IdString(far_customer)}, {"lat", kLat + 0.5}, {"accuracyM", 800}});
  EXPECT_EQ(vague["flags"], Json::array({"poor_accuracy"}));
  clock_.Advance(1h);
  Json skewed = CheckIn(rep1_, {{"customerId", IdString(far_customer)},
                                {"lat", kLat + 0.5},
                                {"capturedAt", FormatInstant(clock_.Now() + 30min)}});
  EXPECT_EQ(skewed["flags"], Json::array({"clock_skew"}));
  EXPECT_EQ(skewed["at"], FormatInstant(clock_.Now()));
}

TEST_P(FieldServiceTest, OfflineCaptureIsDelayedAndResendsAreIdempotent) {
  int64_t customer = NewCustomer(rep1_);
  Cover(rep1_, customer);
  Instant captured = clock_.Now();
  clock_.Advance(40min);  // the phone was offline; the queue flushes now
  Json body = {{"clientId", "offline-queue-0001"},
               {"customerId", IdString(customer)},
               {"capturedAt", FormatInstant(captured)},
               {"sentAt", FormatInstant(clock_.Now())}};
  bool created = false;
  Json first = CheckIn(rep1_, body, &created);
  EXPECT_TRUE(created);
  EXPECT_TRUE(first["delayed"].get<bool>());
  EXPECT_EQ(first["flags"], Json::array({"delayed"}));
  EXPECT_EQ(first["at"], FormatInstant(captured));
  EXPECT_EQ(Visit(rep1_, first)["checkedInAt"], FormatInstant(captured));
  // The queue resends (even with a changed body): the same check-in, nothing new.
  clock_.Advance(1min);
  body["lat"] = kLat + 1;
  Json again = CheckIn(rep1_, body, &created);
  EXPECT_FALSE(created);
  EXPECT_EQ(again["id"], first["id"]);
  EXPECT_TRUE(again["replayed"].get<bool>());
  EXPECT_EQ(Json::parse(field_->check_ins.List(rep1_, std::nullopt, std::nullopt))["items"].size(), 1u);
  EXPECT_EQ(Json::parse(field_->visits.List(rep1_, {}))["items"].size(), 1u);
}

// R-VISIT-35 under concurrency: two copies of one queued check-in arrive at the same time.
// On SQLite a third writer holds the writers' turn until both wait behind it, so both are
// written in one group commit (ADR 0011), where the second sees the first's row before it
// is committed; on PostgreSQL they simply race. Both get the same check-in, one created.
TEST_P(FieldServiceTest, TwoCopiesSentAtOnceAnswerTheSameCheckIn) {
  int64_t customer = NewCustomer(rep1_);
  Cover(rep1_, customer);
  bool sqlite = database_->dialect() == storage::Dialect::kSqlite;
  for (int round = 0; round < 4; ++round) {
    Json body = {{"clientId", "race-copy-" + std::to_string(round)},
                 {"kind", round % 2 == 0 ? "in" : "out"},
                 {"customerId", IdString(customer)},
                 {"lat", kLat + 0.0009},
                 {"lng", kLng},
                 {"accuracyM", 15},
                 {"capturedAt", FormatInstant(clock_.Now() - 2s)}};
    std::promise<void> holding, release;
    auto blocker = std::async(std::launch::async, [&] {
      database_->InTransaction([&](storage::Connection&) {
        holding.set_value();
        release.get_future().wait();
      });
    });
    holding.get_future().wait();
    auto send = [&] { return field_->check_ins.Record(rep1_, body); };
    auto first = std::async(std::launch::async, send), second = std::async(std::launch::async, send);
    if (sqlite) {
      for (int i = 0; i < 5000 && storage::SqliteWritersWaiting(*database_) < 2; ++i) std::this_thread::sleep_for(1ms);
      EXPECT_EQ(storage::SqliteWritersWaiting(*database_), 2u) << "both copies queue behind the blocker";
    }
    release.set_value();
    blocker.get();
    CheckInResult a = first.get(), b = second.get();
    EXPECT_NE(a.created, b.created) << "round " << round << ": exactly one copy is written";
    EXPECT_EQ(Json::parse(a.json)["id"], Json::parse(b.json)["id"]) << "round " << round;
  }
  EXPECT_EQ(Json::parse(field_->check_ins.List(rep1_, std::nullopt, std::nullopt))["items"].size(), 4u);
}

// R-VISIT-36 under concurrency: two different check-outs of one visit (two devices, or a
// retry with a new clientId) wait while a third transaction holds the visit; once it lets
// go, exactly one closes the visit and the other is told it was checked out meanwhile,
// with nothing of it stored. On PostgreSQL both have read the open visit before they
// wait, and the guarded UPDATE, sent in one pipeline with the insert (ADR 0017), decides.
TEST_P(FieldServiceTest, TwoCheckOutsOfOneVisitCloseItOnce) {
  int64_t customer = NewCustomer(rep1_);
  Cover(rep1_, customer);
  Json check_in = CheckIn(rep1_, {{"customerId", IdString(customer)}});
  int64_t visit_id = Id(check_in, "visitId");
  bool sqlite = database_->dialect() == storage::Dialect::kSqlite;
  clock_.Advance(30min);
  std::promise<void> holding, release;
  auto blocker = std::async(std::launch::async, [&] {
    database_->InTransaction([&](storage::Connection& connection) {
      static const storage::Sql kHoldVisit{"test.hold_visit", "SELECT id FROM visits WHERE id = ?",
                                           "SELECT id FROM visits WHERE id = ? FOR UPDATE"};
      connection.Query(kHoldVisit, {visit_id});
      holding.set_value();
      release.get_future().wait();
    });
  });
  holding.get_future().wait();
  auto send = [&](std::string client_id) {
    return std::async(std::launch::async, [this, customer, client_id] {
      try {
        return std::string(CheckIn(rep1_, {{"clientId", client_id}, {"kind", "out"}, {"customerId", IdString(customer)}})
                               .contains("id") ? "created" : "?");
      } catch (const Error& error) {
        return error.code() + (error.details().empty() ? "" : " " + error.details().dump());
      }
    });
  };
  auto first = send("checkout-a"), second = send("checkout-b");
  // Both wait behind the holder: in the writers' queue (SQLite), on the visit's row lock
  // (PostgreSQL).
  static const storage::Sql kWaitingOnLocks{"test.waiting_on_locks",
                                            "SELECT 0",
                                            "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"};
  auto waiting = [&]() -> int64_t {
    if (sqlite) return static_cast<int64_t>(storage::SqliteWritersWaiting(*database_));
    return database_->Acquire()->QueryOne(kWaitingOnLocks)->Int(0);
  };
  for (int i = 0; i < 5000 && waiting() < 2; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(waiting(), 2) << "both check-outs wait behind the holder";
  release.set_value();
  blocker.get();
  std::multiset<std::string> outcomes = {first.get(), second.get()};
  EXPECT_EQ(outcomes, (std::multiset<std::string>{"created", "visits.no_open_visit"}));
  // One check-out stored, and the visit closed by it.
  Json items = Json::parse(field_->check_ins.List(rep1_, std::nullopt, std::nullopt))["items"];
  ASSERT_EQ(items.size(), 2u);
  int outs = 0;
  for (const auto& item : items) outs += item["kind"] == "out";
  EXPECT_EQ(outs, 1);
  Json visit = Visit(rep1_, check_in);
  EXPECT_EQ(visit["durationMinutes"], 30);
  EXPECT_EQ(visit["checkedOutAt"], FormatInstant(clock_.Now()));
}

TEST_P(FieldServiceTest, ReportWithinTwoDaysIsReviewedAndPromisesBecomeFollowUps) {
  int64_t customer = NewCustomer(rep1_);
  Cover(rep1_, customer);
  Json check_in = CheckIn(rep1_, {{"customerId", IdString(customer)}});
  int64_t visit_id = Id(check_in, "visitId");
  // A submission needs purposes and results (R-VISIT-42).
  Json details;
  EXPECT_EQ(ErrorCode([&] { field_->visits.SubmitReport(rep1_, visit_id, Json::object()); }, &details),
            "validation.failed");
  EXPECT_TRUE(details["fields"].contains("purposes"));
  clock_.Advance(47h);  // day 2 (2026-11-24 09:00 in Shanghai)
  Json report = {{"purposes", {"relationship", "new_product"}},
                 {"targets", {{"sales", "新品首单 50 箱"}, {"administrative", "收回 10 月货款"}}},
                 {"results", "同意试销"},
                 {"distributorCheck",
                  {{"prices", "零售价稳定"}, {"stock", "我司产品库存 30 箱"}, {"accounts", {{"receivableFen", 1250000}}}}},
                 {"objections", {{{"text", "价格偏高"}, {"category", "price"}, {"outcome", "resolved"}}}},
                 {"promises", {{{"title", "周五前寄样品"}, {"dueOn", "2026-11-27"}}}}};
  Json submitted = Json::parse(field_->visits.SubmitReport(rep1_, visit_id, report));
  EXPECT_EQ(submitted["reportStatus"], "submitted");
  EXPECT_FALSE(submitted["reportLate"].get<bool>());
  EXPECT_EQ(submitted["distributorCheck"]["accounts"]["receivableFen"], 1250000);
  EXPECT_EQ(ErrorCode([&] { field_->visits.UpdateReport(rep1_, visit_id, {{"results", "x"}}); }),
            "visits.report_closed");
  // R-VISIT-44: the promise is a follow-up item of the rep, on the customer's timeline.
  FollowUpFilter filter;
  Json items = Json::parse(field_->follow_ups.List(rep1_, filter))["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["title"], "周五前寄样品");
  EXPECT_EQ(items[0]["visitId"], IdString(visit_id));
  EXPECT_EQ(items[0]["ownerName"], "张伟");
  // R-VISIT-45: only the manager over the rep reviews; the rep is notified.
  EXPECT_EQ(ErrorCode([&] { field_->visits.Review(rep1_, visit_id, {{"comment", "自评"}}); }), "access.denied");
  EXPECT_EQ(ErrorCode([&] { field_->visits.Review(SignIn("mgr2"), visit_id, {{"comment", "x"}}); }),
            "visits.not_found");
  Json reviewed = Json::parse(field_->visits.Review(mgr1_, visit_id, {{"comment", "样品跟进到位"}}));
  EXPECT_EQ(reviewed["reportStatus"], "reviewed");
  EXPECT_EQ(reviewed["reviewedByName"], "李明");
  ASSERT_EQ(notices_.size(), 1u);
  EXPECT_EQ(notices_[0].user_id, rep1_.user_id);
  EXPECT_EQ(notices_[0].kind, "visit.report_reviewed");
  // The follow-up is done on time and kept for the evaluation (R-VISIT-54).
  clock_.Advance(24h);
  Json done = Json::parse(field_->follow_ups.Done(rep1_, Id(items[0]), {{"note", "已寄出"}}));
  EXPECT_EQ(done["status"], "done");
  EXPECT_EQ(done["doneAt"], FormatInstant(clock_.Now()));
  EXPECT_EQ(Timeline(customer)[0]["kind"], "follow_up_item_done");
  EXPECT_EQ(ErrorCode([&] { field_->follow_ups.Done(rep1_, Id(items[0]), Json::object()); }),
            "visits.follow_up_closed");
}

TEST_P(FieldServiceTest, ReportOnDayThreeIsLateAndTheManagerIsNotified) {
  int64_t customer = NewCustomer(rep1_);
  Cover(rep1_, customer);
  Json check_in = CheckIn(rep1_, {{"customerId", IdString(customer)}});
  int64_t visit_id = Id(check_in, "visitId");
  clock_.Advance(48h);  // 2026-11-24: the due day, not late yet
  EXPECT_EQ(field_->visits.FlagLateReports().marked, 0);
  EXPECT_EQ(Visit(rep1_, check_in)["reportStatus"], "open");
  clock_.Advance(24h);  // 2026-11-25: day 3
  EXPECT_EQ(Visit(rep1_, check_in)["reportStatus"], "late");  // as read, before the job
  LateReportRun run = field_->visits.FlagLateReports();
  EXPECT_EQ(run.marked, 1);
  EXPECT_EQ(run.notified, 2);
  EXPECT_EQ(field_->visits.FlagLateReports().marked, 0);  // once
  std::set<int64_t> notified;
  for (const auto& notice : notices_) notified.insert(notice.user_id);
  EXPECT_EQ(notified, (std::set<int64_t>{rep1_.user_id, mgr1_.user_id}));
  VisitFilter late;
  late.report_status = "late";
  EXPECT_EQ(Json::parse(field_->visits.List(mgr1_, late))["items"].size(), 1u);
  Json submitted = Json::parse(field_->visits.SubmitReport(
      rep1_, visit_id, {{"purposes", {"relationship"}}, {"results", "补交"}}));
  EXPECT_EQ(submitted["reportStatus"], "submitted");
  EXPECT_TRUE(submitted["reportLate"].get<bool>());
}

TEST_P(FieldServiceTest, ScopesDecideWhoSeesCheckInsVisitsAndFollowUps) {
  int64_t customer = NewCustomer(rep1_);
  Json check_in = CheckIn(rep1_, {{"customerId", IdString(customer)}});
  int64_t visit_id = Id(check_in, "visitId");
  Caller rep2 = SignIn("rep2"), mgr2 = SignIn("mgr2"), gm = SignIn("gm");
  EXPECT_EQ(ErrorCode([&] { field_->visits.Get(rep2, visit_id); }), "visits.not_found");
  EXPECT_EQ(ErrorCode([&] { field_->visits.Get(mgr2, visit_id); }), "visits.not_found");
  EXPECT_NO_THROW(field_->visits.Get(mgr1_, visit_id));
  EXPECT_NO_THROW(field_->visits.Get(gm, visit_id));
  EXPECT_EQ(ErrorCode([&] { field_->check_ins.List(rep2, rep1_.user_id, std::nullopt); }), "visits.not_found");
  EXPECT_EQ(ErrorCode([&] { field_->visits.UpdateReport(mgr1_, visit_id, {{"results", "x"}}); }),
            "visits.not_your_visit");
  // A rep cannot check in at a customer they cannot see, nor give work to another rep.
  EXPECT_EQ(ErrorCode([&] { CheckIn(rep2, {{"customerId", IdString(customer)}}); }), "customers.not_found");
  EXPECT_EQ(ErrorCode([&] {
              field_->follow_ups.Create(rep1_, {{"customerId", IdString(customer)},
                                                {"title", "x"},
                                                {"dueOn", "2026-11-30"},
                                                {"ownerId", IdString(rep2.user_id)}});
            }),
            "visits.not_found");
  Json item = Json::parse(field_->follow_ups.Create(
      mgr1_, {{"customerId", IdString(customer)}, {"title", "催款"}, {"dueOn", "2026-11-22"},
              {"ownerId", IdString(rep1_.user_id)}}));
  EXPECT_EQ(item["state"], "due_today");
  FollowUpFilter due_today;
  due_today.status = "due_today";
  EXPECT_EQ(Json::parse(field_->follow_ups.List(rep1_, due_today))["items"].size(), 1u);
  EXPECT_EQ(Json::parse(field_->follow_ups.List(rep2, due_today))["items"].size(), 0u);
  clock_.Advance(24h);
  FollowUpFilter overdue;
  overdue.status = "overdue";
  EXPECT_EQ(Json::parse(field_->follow_ups.List(mgr1_, overdue))["items"][0]["state"], "overdue");
}

// R-CUST-61: a customer transferred with the hand-over takes its previous owner's open
// follow-up items along; done items, and another user's, stay where they are.
TEST_P(FieldServiceTest, ATransferHandsOverTheOpenFollowUps) {
  customers_->AddHandOver("followUpItems", &HandOverFollowUps);
  Caller rep2 = SignIn("rep2"), rep3 = SignIn("rep3");
  int64_t customer = NewCustomer(rep1_);
  int64_t kept = NewCustomer(rep1_);
  auto create = [&](int64_t customer_id, const Caller& owner, const char* title) {
    return Id(Json::parse(field_->follow_ups.Create(
        mgr1_, {{"customerId", IdString(customer_id)}, {"title", title}, {"dueOn", "2026-11-30"},
                {"ownerId", IdString(owner.user_id)}})));
  };
  int64_t open = create(customer, rep1_, "寄样品");
  int64_t done = create(customer, rep1_, "报价");
  int64_t others = create(customer, rep3, "陪同拜访");
  int64_t elsewhere = create(kept, rep1_, "催款");
  field_->follow_ups.Done(rep1_, done, Json::object());
  Json result = customers_->AssignMany(
      mgr1_, {{"ids", {IdString(customer), IdString(kept)}}, {"ownerId", IdString(rep2.user_id)}, {"handOver", true}});
  EXPECT_EQ(result["handedOver"], (Json{{"followUpItems", 2}}));
  auto owner_of = [&](int64_t item) {
    static const storage::Sql kOwner{"test.follow_up_owner", "SELECT owner_id FROM follow_up_items WHERE id = ?"};
    return database_->Acquire()->QueryOne(kOwner, {item})->Int(0);
  };
  EXPECT_EQ(owner_of(open), rep2.user_id);
  EXPECT_EQ(owner_of(elsewhere), rep2.user_id);
  EXPECT_EQ(owner_of(done), rep1_.user_id);
  EXPECT_EQ(owner_of(others), rep3.user_id);
  FollowUpFilter open_items;
  open_items.status = "open";
  Json listed = Json::parse(field_->follow_ups.List(rep2, open_items))["items"];
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(Json::parse(field_->follow_ups.List(rep1_, open_items))["items"].size(), 0u);
  static const storage::Sql kAudit{"test.hand_over_audit",
                                   "SELECT entity_id, before_json, after_json FROM audit_log "
                                   "WHERE action = 'follow_up.hand_over' ORDER BY id"};
  storage::ResultSet audit = database_->Acquire()->Query(kAudit);
  ASSERT_EQ(audit.rows.size(), 2u);
  EXPECT_EQ(audit.rows[0].Text(0), IdString(open));
  EXPECT_EQ(audit.rows[1].Text(0), IdString(elsewhere));
  EXPECT_EQ(Json::parse(audit.rows[0].Text(1))["ownerId"], IdString(rep1_.user_id));
  EXPECT_EQ(Json::parse(audit.rows[0].Text(2))["ownerId"], IdString(rep2.user_id));
  // Without the hand-over they stay with rep2 when the customer moves on to rep3.
  customers_->Assign(mgr1_, customer, {{"ownerId", IdString(rep3.user_id)}});
  EXPECT_EQ(owner_of(open), rep2.user_id);
}

TEST_P(FieldServiceTest, TeamDayShowsEveryRepOfTheScopeWithFlags) {
  int64_t customer = NewCustomer(rep1_);
  CheckIn(rep1_, {{"customerId", IdString(customer)}, {"accuracyM", 900}});
  Json day = Json::parse(field_->visits.TeamDay(mgr1_, std::nullopt, std::nullopt));
  EXPECT_EQ(day["date"], "2026-11-22");
  ASSERT_EQ(day["reps"].size(), 3u);  // mgr1's team: rep1..rep3, not the south team
  Json rep1_entry;
  for (const auto& rep : day["reps"])
    if (rep["repName"] == "张伟") rep1_entry = rep;
  ASSERT_EQ(rep1_entry["checkIns"].size(), 1u);
  EXPECT_EQ(rep1_entry["checkIns"][0]["flags"], Json::array({"absence", "poor_accuracy"}));
  EXPECT_EQ(rep1_entry["visits"][0]["reportStatus"], "open");
  EXPECT_EQ(rep1_entry["flagCounts"]["absence"], 1);
  EXPECT_EQ(day["summary"]["repsCheckedIn"], 1);
  EXPECT_EQ(day["summary"]["flagCounts"]["poor_accuracy"], 1);
  // The GM sees all six reps; a rep sees only themselves.
  EXPECT_EQ(Json::parse(field_->visits.TeamDay(SignIn("gm"), std::nullopt, std::nullopt))["reps"].size(), 6u);
  EXPECT_EQ(Json::parse(field_->visits.TeamDay(rep1_, std::nullopt, std::nullopt))["reps"].size(), 1u);
  // The rep's own day: the check-in, the visit and its report still due.
  Json my_day = Json::parse(field_->visits.MyDay(rep1_, std::nullopt));
  EXPECT_EQ(my_day["checkIns"].size(), 1u);
  EXPECT_EQ(my_day["visits"].size(), 1u);
  EXPECT_EQ(my_day["reportsDue"].size(), 1u);
}

TEST_P(FieldServiceTest, TeamDaySummaryCountsWhatTheFullViewLists) {
  // rep1: in (poor accuracy) and out at one customer, then in at another (unpinned).
  int64_t pinned = NewCustomer(rep1_), unpinned = NewCustomer(rep1_, std::nullopt);
  Cover(rep1_, pinned);
  CheckIn(rep1_, {{"customerId", IdString(pinned)}, {"accuracyM", 900}});
  clock_.Advance(30min);
  CheckIn(rep1_, {{"kind", "out"}, {"customerId", IdString(pinned)}});
  clock_.Advance(30min);
  CheckIn(rep1_, {{"customerId", IdString(unpinned)}});
  CheckIn(SignIn("rep2"), {{"place", "office"}});
  auto summary_view = VisitService::TeamDayView::kSummary;
  Json full = Json::parse(field_->visits.TeamDay(mgr1_, std::nullopt, std::nullopt));
  Json summary = Json::parse(field_->visits.TeamDay(mgr1_, std::nullopt, std::nullopt, summary_view));
  EXPECT_EQ(full["view"], "full");
  EXPECT_EQ(summary["view"], "summary");
  EXPECT_EQ(summary["summary"], full["summary"]);
  EXPECT_EQ(summary["summary"]["checkIns"], 4);
  EXPECT_EQ(summary["summary"]["visits"], 2);
  ASSERT_EQ(summary["reps"].size(), full["reps"].size());
  for (size_t i = 0; i < full["reps"].size(); ++i) {
    const Json& listed = full["reps"][i];
    const Json& counted = summary["reps"][i];
    EXPECT_EQ(counted["repId"], listed["repId"]);
    EXPECT_FALSE(counted.contains("checkIns")) << "the summary carries no check-in rows";
    EXPECT_EQ(counted["checkInCount"], listed["checkIns"].size());
    EXPECT_EQ(counted["visitCount"], listed["visits"].size());
    for (const char* key : {"checkInCount", "visitCount", "firstCheckInAt", "lastCheckInAt", "reportsPending",
                            "reportsLate", "flagCounts", "unitId"})
      EXPECT_EQ(counted[key], listed[key]) << key << " of " << listed["repName"];
    // R-VISIT-58: the summary names each unit once, in "units".
    EXPECT_FALSE(counted.contains("unitName"));
    bool unit_listed = false;
    for (const auto& unit : summary["units"])
      if (unit["id"] == listed["unitId"]) unit_listed = unit["name"] == listed["unitName"];
    EXPECT_TRUE(unit_listed) << listed["unitId"];
  }
  EXPECT_EQ(summary["units"], full["units"]);
  Json rep1_entry;
  for (const auto& rep : summary["reps"])
    if (rep["repName"] == "张伟") rep1_entry = rep;
  EXPECT_EQ(rep1_entry["checkInCount"], 3);
  EXPECT_EQ(rep1_entry["visitCount"], 2);
  EXPECT_EQ(rep1_entry["reportsPending"], 2);
  EXPECT_EQ(rep1_entry["firstCheckInAt"], FormatInstant(clock_.Now() - 60min));
  EXPECT_EQ(rep1_entry["lastCheckInAt"], FormatInstant(clock_.Now()));
  EXPECT_EQ(rep1_entry["flagCounts"]["poor_accuracy"], 1);
  EXPECT_EQ(rep1_entry["flagCounts"]["no_customer_location"], 1);
  EXPECT_EQ(rep1_entry["flagCounts"]["absence"], 1);  // only the unpinned customer is not covered
  // Three days later both reports are late in either view.
  clock_.Advance(72h);
  Json later = Json::parse(field_->visits.TeamDay(mgr1_, ParseDate("2026-11-22"), std::nullopt, summary_view));
  EXPECT_EQ(later["summary"]["reportsLate"], 2);
}

TEST_P(FieldServiceTest, TeamDaySummaryOfAManyRepUnitReadsTheWholeDayButShowsOnlyTheUnit) {
  // A unit of 502 reps (more than the summary's join threshold of 500), in SQL: one
  // password hash copied from rep1, as bench/field/prepare.py does.
  auto connection = database_->Acquire();
  const char* now = "2026-01-01T00:00:00.000Z";
  connection->Execute({"test.bulk_unit",
                       "INSERT INTO org_units (parent_id, name, kind, manager_id, path, active, created_at, updated_at) "
                       "SELECT id, '批量组', 'team', NULL, '', 1, ?, ? FROM org_units WHERE parent_id IS NULL"},
                      {std::string(now), std::string(now)});
  connection->Execute({"test.bulk_unit_path",
                       "UPDATE org_units SET path = (SELECT p.path FROM org_units p WHERE p.id = org_units.parent_id) "
                       "|| CAST(id AS TEXT) || '/' WHERE path = ''"});
  connection->Execute(
      {"test.bulk_users",
       "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 502) "
       "INSERT INTO users (username, name, phone, email, unit_id, manager_id, employment_status, hired_on, active, "
       "password_hash, must_change_password, failed_logins, created_at, updated_at) "
       "SELECT 'bulk' || CAST(n.i AS TEXT), '批量' || CAST(n.i AS TEXT), '1380000' || CAST(1000 + n.i AS TEXT), NULL, "
       "o.id, NULL, 'regular', '2024-01-01', 1, h.password_hash, 0, 0, ?, ? FROM n "
       "CROSS JOIN (SELECT id FROM org_units WHERE name = '批量组') o "
       "CROSS JOIN (SELECT password_hash FROM users WHERE username = 'rep1') h"},
      {std::string(now), std::string(now)});
  connection->Execute({"test.bulk_roles",
                       "INSERT INTO user_roles (user_id, role) SELECT id, 'rep' FROM users WHERE username LIKE 'bulk%'"});
  int64_t unit = connection->QueryOne({"test.bulk_unit_id", "SELECT id FROM org_units WHERE name = '批量组'"})->Int(0);
  Caller bulk1 = SignIn("bulk1"), bulk2 = SignIn("bulk2");
  CheckIn(bulk1, {{"place", "other"}, {"accuracyM", 900}});
  clock_.Advance(10min);
  CheckIn(bulk1, {{"place", "office"}});
  CheckIn(bulk2, {{"place", "other"}});
  int64_t outside_customer = NewCustomer(rep1_);
  CheckIn(rep1_, {{"customerId", IdString(outside_customer)}});  // rep1 is not in the unit

  Caller gm = SignIn("gm");
  Json summary =
      Json::parse(field_->visits.TeamDay(gm, std::nullopt, unit, VisitService::TeamDayView::kSummary));
  Json full = Json::parse(field_->visits.TeamDay(gm, std::nullopt, unit));
  ASSERT_EQ(summary["reps"].size(), 502u);
  // One unit, named once; the reps in byte order of their names ("批量1" < "批量10" <
  // "批量100" < "批量101" … < "批量2"), whatever the database's collation.
  ASSERT_EQ(summary["units"].size(), 1u);
  EXPECT_EQ(summary["units"][0]["name"], "批量组");
  std::vector<std::string> names;
  for (const auto& rep : summary["reps"]) names.push_back(rep["repName"].get<std::string>());
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(names[0], "批量1");
  EXPECT_EQ(names[1], "批量10");
  EXPECT_EQ(names[2], "批量100");
  EXPECT_EQ(summary["summary"], full["summary"]);
  EXPECT_EQ(summary["summary"]["checkIns"], 3);  // not rep1's
  EXPECT_EQ(summary["summary"]["visits"], 0);
  EXPECT_EQ(summary["summary"]["repsCheckedIn"], 2);
  for (size_t i = 0; i < full["reps"].size(); ++i) {
    ASSERT_EQ(summary["reps"][i]["repId"], full["reps"][i]["repId"]);
    for (const char* key : {"checkInCount", "firstCheckInAt", "lastCheckInAt", "visitCount", "flagCounts"})
      EXPECT_EQ(summary["reps"][i][key], full["reps"][i][key]) << key;
  }
  Json bulk1_entry;
  for (const auto& rep : summary["reps"])
    if (rep["repName"] == "批量1") bulk1_entry = rep;
  EXPECT_EQ(bulk1_entry["checkInCount"], 2);
  EXPECT_EQ(bulk1_entry["flagCounts"]["poor_accuracy"], 1);
  // A rep of another unit whose id lies among the unit's reps' ids (still more than 500
  // reps): its rows are read with the id range of the day index, and dropped.
  connection->Execute({"test.bulk_move", "UPDATE users SET unit_id = (SELECT unit_id FROM users WHERE username = "
                                         "'rep1') WHERE username = 'bulk250'"});
  CheckIn(SignIn("bulk250"), {{"place", "office"}});
  Json moved = Json::parse(field_->visits.TeamDay(gm, std::nullopt, unit, VisitService::TeamDayView::kSummary));
  EXPECT_EQ(moved["reps"].size(), 501u);
  EXPECT_EQ(moved["summary"]["checkIns"], 3);
  EXPECT_EQ(moved["summary"]["repsCheckedIn"], 2);
}

// R-VISIT-49: the rep list is reused only while the authentication epoch stands still;
// a rename, a role taken away (each bumps it) show at once, and a unit's name, which is
// read with every answer, too.
TEST_P(FieldServiceTest, TeamDayRepListFollowsEveryChangeOfUsersRolesAndUnits) {
  auto summary_view = VisitService::TeamDayView::kSummary;
  std::string rep1_id = IdString(rep1_.user_id);
  auto name_of_rep1 = [&](const Json& day) -> std::optional<std::string> {
    for (const auto& rep : day["reps"])
      if (rep["repId"] == rep1_id) return rep["repName"].get<std::string>();
    return std::nullopt;
  };
  Json first = Json::parse(field_->visits.TeamDay(mgr1_, std::nullopt, std::nullopt, summary_view));
  ASSERT_TRUE(name_of_rep1(first).has_value());
  EXPECT_NE(*name_of_rep1(first), "改名");
  EXPECT_EQ(Json::parse(field_->visits.TeamDay(mgr1_, std::nullopt, std::nullopt, summary_view)), first);
  auto connection = database_->Acquire();
  connection->Execute({"test.rename", "UPDATE users SET name = '改名' WHERE id = ?"}, {rep1_.user_id});
  Json renamed = Json::parse(field_->visits.TeamDay(mgr1_, std::nullopt, std::nullopt, summary_view));
  EXPECT_EQ(name_of_rep1(renamed), "改名");
  EXPECT_EQ(renamed["reps"].size(), first["reps"].size());
  connection->Execute({"test.unrole", "DELETE FROM user_roles WHERE role = 'rep' AND user_id = ?"}, {rep1_.user_id});
  Json fewer = Json::parse(field_->visits.TeamDay(mgr1_, std::nullopt, std::nullopt, summary_view));
  EXPECT_EQ(fewer["reps"].size() + 1, first["reps"].size());
  EXPECT_FALSE(name_of_rep1(fewer).has_value());
  // A unit renamed does not bump the epoch: its name comes from its own read each time.
  int64_t unit = std::stoll(fewer["units"][0]["id"].get<std::string>());
  connection->Execute({"test.unit_rename", "UPDATE org_units SET name = '新名' WHERE id = ?"}, {unit});
  Json unit_renamed = Json::parse(field_->visits.TeamDay(mgr1_, std::nullopt, std::nullopt, summary_view));
  EXPECT_EQ(unit_renamed["units"][0]["name"], "新名");
  EXPECT_EQ(unit_renamed["reps"], fewer["reps"]);
}

TEST_P(FieldServiceTest, AnAccurateCheckInPinsAnUnpinnedCustomer) {
  int64_t customer = NewCustomer(rep1_, std::nullopt);
  Json first = CheckIn(rep1_, {{"customerId", IdString(customer)}, {"accuracyM", 12}});
  EXPECT_EQ(first["geofence"], "unknown");
  // Not the rep's own check-in: the manager may read it but not pin from it; another rep
  // does not even see it.
  EXPECT_EQ(ErrorCode([&] { field_->check_ins.PinCustomer(mgr1_, Id(first)); }), "visits.not_your_check_in");
  EXPECT_EQ(ErrorCode([&] { field_->check_ins.PinCustomer(SignIn("rep2"), Id(first)); }), "visits.not_found");
  Json pinned = Json::parse(field_->check_ins.PinCustomer(rep1_, Id(first)));
  EXPECT_EQ(pinned["customerId"], IdString(customer));
  EXPECT_EQ(pinned["location"]["lat"], first["location"]["lat"]);
  Json customer_json = Json::parse(customers_->Get(rep1_, customer));
  EXPECT_EQ(customer_json["location"]["lat"], first["location"]["lat"]);
  EXPECT_EQ(customer_json["location"]["lng"], first["location"]["lng"]);
  EXPECT_EQ(database_->Acquire()
                ->QueryOne({"test.pin_audit", "SELECT COUNT(*) FROM audit_log WHERE action = 'check_in.pin_customer' "
                                              "AND entity_id = ?"},
                           {IdString(Id(first))})
                ->Int(0),
            1);
  // Pinned once: the next check-in there is judged against the pin; no second pin.
  EXPECT_EQ(ErrorCode([&] { field_->check_ins.PinCustomer(rep1_, Id(first)); }), "visits.customer_pinned");
  clock_.Advance(1h);
  Json out = CheckIn(rep1_, {{"kind", "out"}, {"customerId", IdString(customer)}});
  EXPECT_EQ(out["geofence"], "inside");
  EXPECT_EQ(ErrorCode([&] { field_->check_ins.PinCustomer(rep1_, Id(out)); }), "visits.pin_needs_customer_check_in");

  // An imprecise fix (within the check-in limit, above the pin limit of 50 m) pins nothing.
  int64_t other = NewCustomer(rep1_, std::nullopt);
  clock_.Advance(1h);
  Json vague = CheckIn(rep1_, {{"customerId", IdString(other)}, {"accuracyM", 80}});
  Json details;
  EXPECT_EQ(ErrorCode([&] { field_->check_ins.PinCustomer(rep1_, Id(vague)); }, &details), "visits.pin_untrusted");
  EXPECT_EQ(details["maxAccuracyM"], 50);
  EXPECT_TRUE(Json::parse(customers_->Get(rep1_, other))["location"].is_null());
  // Switched off by policy.
  SetPolicy("visits.pin_from_check_in", false);
  clock_.Advance(1h);
  Json precise = CheckIn(rep1_, {{"customerId", IdString(other)}, {"accuracyM", 10}});
  EXPECT_EQ(ErrorCode([&] { field_->check_ins.PinCustomer(rep1_, Id(precise)); }), "visits.pin_disabled");
}

TEST_P(FieldServiceTest, BadInputIsRejectedWithFieldErrors) {
  Json details;
  EXPECT_EQ(ErrorCode([&] { field_->check_ins.Record(rep1_, {{"kind", "in"}, {"lat", 91}}); }, &details),
            "validation.failed");
  for (const char* field : {"clientId", "lat", "lng", "accuracyM", "capturedAt"})
    EXPECT_TRUE(details["fields"].contains(field)) << field;
  EXPECT_EQ(ErrorCode([&] { CheckIn(rep1_, {{"place", "customer"}}); }, &details), "validation.failed");
  EXPECT_TRUE(details["fields"].contains("customerId"));
  EXPECT_EQ(ErrorCode([&] { CheckIn(rep1_, {{"place", "office"}, {"photo", "data:image/jpeg;base64,AAAA"}}); },
                      &details),
            "validation.failed");
  EXPECT_TRUE(details["fields"].contains("photo"));
  // A real (tiny) JPEG signature is kept and served back.
  Json with_photo = CheckIn(rep1_, {{"place", "office"}, {"photo", "data:image/jpeg;base64,/9j/4AAQSkZJRg=="}});
  EXPECT_TRUE(with_photo["hasPhoto"].get<bool>());
  Photo photo = field_->check_ins.GetPhoto(rep1_, Id(with_photo));
  EXPECT_EQ(photo.content_type, "image/jpeg");
  EXPECT_EQ(photo.bytes.substr(0, 2), "\xFF\xD8");
}

// R-VISIT-58: the bounds count reps, not users; users without the role rep are not listed.
TEST_P(FieldServiceTest, TeamDayBoundsCountRepsNotUsers) {
  auto connection = database_->Acquire();
  const std::string now = "2026-01-01T00:00:00.000Z";
  connection->Execute({"test.big_unit",
                       "INSERT INTO org_units (parent_id, name, kind, manager_id, path, active, created_at, updated_at) "
                       "SELECT id, '大组', 'team', NULL, '', 1, ?, ? FROM org_units WHERE parent_id IS NULL"},
                      {now, now});
  connection->Execute({"test.big_unit_path",
                       "UPDATE org_units SET path = (SELECT p.path FROM org_units p WHERE p.id = org_units.parent_id) "
                       "|| CAST(id AS TEXT) || '/' WHERE path = ''"});
  // 1,000 reps and 300 users without a role, in one statement each.
  auto add_users = [&](const std::string& prefix, const std::string& phone, int from, int to) {
    connection->Execute(
        {"test.big_users",
         "WITH RECURSIVE n(i) AS (SELECT CAST(? AS INTEGER) UNION ALL SELECT i + 1 FROM n WHERE i < CAST(? AS INTEGER)) "
         "INSERT INTO users (username, name, phone, email, unit_id, manager_id, employment_status, hired_on, active, "
         "password_hash, must_change_password, failed_logins, created_at, updated_at) "
         "SELECT ? || CAST(n.i AS TEXT), ? || CAST(n.i AS TEXT), ? || CAST(10000 + n.i AS TEXT), NULL, o.id, NULL, "
         "'regular', '2024-01-01', 1, 'x', 0, 0, ?, ? FROM n CROSS JOIN (SELECT id FROM org_units WHERE name = '大组') o"},
        {int64_t{from}, int64_t{to}, prefix, prefix, phone, now, now});
  };
  add_users("big", "138", 1, 1000);
  add_users("aide", "137", 1, 300);
  connection->Execute({"test.big_roles",
                       "INSERT INTO user_roles (user_id, role) SELECT id, 'rep' FROM users WHERE username LIKE 'big%'"});
  int64_t unit = connection->QueryOne({"test.big_unit_id", "SELECT id FROM org_units WHERE name = '大组'"})->Int(0);
  Caller gm = SignIn("gm");
  Json full = Json::parse(field_->visits.TeamDay(gm, std::nullopt, unit));
  ASSERT_EQ(full["reps"].size(), 1000u);
  for (const auto& rep : full["reps"]) EXPECT_EQ(rep["repName"].get<std::string>().rfind("big", 0), 0u);
  // One more rep: too many for the full view, still a summary.
  add_users("big", "138", 1001, 1001);
  connection->Execute({"test.big_role", "INSERT INTO user_roles (user_id, role) SELECT id, 'rep' FROM users "
                                        "WHERE username = 'big1001'"});
  Json details;
  EXPECT_EQ(ErrorCode([&] { field_->visits.TeamDay(gm, std::nullopt, unit); }, &details), "visits.team_day_too_large");
  EXPECT_EQ(details["maxReps"], 1000);
  EXPECT_EQ(details["view"], "full");
  EXPECT_EQ(Json::parse(field_->visits.TeamDay(gm, std::nullopt, unit, VisitService::TeamDayView::kSummary))["reps"]
                .size(),
            1001u);
}

// R-VISIT-39: a photo goes through the blob store of customer attachments; the row names
// it by hash and storage; the size policy and the type by content are checked; photos
// stored in the row before migration 0011 stay readable.
TEST_P(FieldServiceTest, CheckInPhotosGoThroughTheBlobStore) {
  const std::string jpeg = std::string("\xFF\xD8\xFF\xE0", 4) + std::string(2000, 'j');
  auto data_url = [](const std::string& type, const std::string& bytes) {
    std::string base64(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(base64.data(), base64.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                      bytes.size(), sodium_base64_VARIANT_ORIGINAL);
    base64.pop_back();
    return "data:" + type + ";base64," + base64;
  };
  Json checked_in = CheckIn(rep1_, {{"place", "office"}, {"photo", data_url("image/jpeg", jpeg)}});
  EXPECT_TRUE(checked_in["hasPhoto"].get<bool>());
  std::string sha = storage::Sha256Hex(jpeg);
  EXPECT_TRUE(std::filesystem::exists(photo_dir_ / sha.substr(0, 2) / sha)) << "on disk by its hash";
  auto connection = database_->Acquire();
  auto row = connection->QueryOne({"test.photo_row", "SELECT storage, sha256, bytes, data_base64 FROM check_in_photos "
                                                     "WHERE check_in_id = ?"},
                                  {Id(checked_in)});
  ASSERT_TRUE(row);
  EXPECT_EQ(row->Text(0), "disk");
  EXPECT_EQ(row->Text(1), sha);
  EXPECT_EQ(row->Int(2), static_cast<int64_t>(jpeg.size()));
  EXPECT_TRUE(row->IsNull(3)) << "no bytes in the row";
  Photo photo = field_->check_ins.GetPhoto(mgr1_, Id(checked_in));
  EXPECT_EQ(photo.content_type, "image/jpeg");
  EXPECT_EQ(photo.bytes, jpeg);
  // The audit entry names the photo by its hash.
  auto audit = connection->QueryOne({"test.photo_audit", "SELECT after_json FROM audit_log WHERE entity = 'check_in' "
                                                         "AND entity_id = ?"},
                                    {IdString(Id(checked_in))});
  ASSERT_TRUE(audit);
  EXPECT_EQ(Json::parse(audit->Text(0))["photoSha256"], sha);
  // Out of scope: mgr2 manages another team.
  EXPECT_EQ(ErrorCode([&] { field_->check_ins.GetPhoto(SignIn("mgr2"), Id(checked_in)); }), "visits.not_found");

  // The limits: the size policy (16 KB, its lower bound), the type by content.
  SetPolicy("visits.checkin_photo_max_kb", 16);
  Json details;
  std::string large = std::string("\xFF\xD8\xFF\xE0", 4) + std::string(16 * 1024 - 3, 'j');
  EXPECT_EQ(ErrorCode([&] { CheckIn(rep1_, {{"place", "office"}, {"photo", data_url("image/jpeg", large)}}); },
                      &details),
            "validation.failed");
  EXPECT_TRUE(details["fields"].contains("photo"));
  std::string at_limit = large.substr(0, 16 * 1024);
  EXPECT_TRUE(CheckIn(rep1_, {{"place", "office"}, {"photo", data_url("image/jpeg", at_limit)}})["hasPhoto"].get<bool>());
  const std::string gif = "GIF89a tiny";
  EXPECT_EQ(ErrorCode([&] { CheckIn(rep1_, {{"place", "office"}, {"photo", data_url("image/png", gif)}}); }, &details),
            "validation.failed");
  EXPECT_EQ(details["fields"]["photo"], "content is not a JPEG or PNG image");
  EXPECT_EQ(ErrorCode([&] { CheckIn(rep1_, {{"place", "office"}, {"photo", data_url("image/png", jpeg)}}); }, &details),
            "validation.failed");
  EXPECT_EQ(details["fields"]["photo"], "content does not match image/png");
  EXPECT_EQ(ErrorCode([&] { CheckIn(rep1_, {{"place", "office"}, {"photo", data_url("image/gif", gif)}}); }),
            "validation.failed");

  // A photo stored in the row before migration 0011 (storage 'inline', base64).
  Json older = CheckIn(rep1_, {{"place", "office"}});
  connection->Execute({"test.inline_photo", "INSERT INTO check_in_photos (check_in_id, content_type, bytes, storage, "
                                            "sha256, data_base64) VALUES (?, 'image/jpeg', 4, 'inline', NULL, '/9j/4A==')"},
                      {Id(older)});
  EXPECT_EQ(field_->check_ins.GetPhoto(rep1_, Id(older)).bytes, std::string("\xFF\xD8\xFF\xE0", 4));

  // On PostgreSQL the database store (the default there) keeps the bytes in stored_blobs.
  if (GetParam() == storage::testing::TestBackend::kPostgres) {
    field_->context.photos = std::make_shared<const storage::BlobStore>(
        storage::BlobStoreOptions{storage::BlobStoreKind::kDatabase, photo_dir_.string()}, database_->dialect());
    const std::string png = std::string("\x89PNG\r\n\x1A\n", 8) + std::string("\0\xff png", 6);
    Json in_database = CheckIn(rep1_, {{"place", "office"}, {"photo", data_url("image/png", png)}});
    EXPECT_EQ(field_->check_ins.GetPhoto(rep1_, Id(in_database)).bytes, png);
    EXPECT_EQ(connection->QueryOne({"test.photo_storage", "SELECT storage FROM check_in_photos WHERE check_in_id = ?"},
                                   {Id(in_database)})
                  ->Text(0),
              "database");
    // The photo stored on disk earlier is still served from there.
    EXPECT_EQ(field_->check_ins.GetPhoto(rep1_, Id(checked_in)).bytes, jpeg);
  }
}

// R-VISIT-47: the answer to a new check-in is written from the values just stored, not
// read back; it must be exactly what GET /check-ins/{id} answers (but "replayed"), for
// every shape of check-in: at a customer inside and outside the radius, an unpinned
// customer, the office with a note, a delayed offline capture with sentAt, coordinates
// with more digits than SQLite keeps, check-outs by customer and by visit.
TEST_P(FieldServiceTest, TheAnswerToACheckInIsWhatGetAnswers) {
  int64_t customer = NewCustomer(rep1_);
  int64_t unpinned = NewCustomer(rep1_, std::nullopt);
  Cover(rep1_, customer);
  auto same_as_get = [&](const Json& answer) {
    Json stored = Json::parse(field_->check_ins.Get(rep1_, Id(answer)));
    stored["replayed"] = false;
    EXPECT_EQ(answer.dump(), stored.dump());
  };
  Json inside = CheckIn(rep1_, {{"customerId", IdString(customer)}});
  same_as_get(inside);
  same_as_get(CheckIn(rep1_, {{"kind", "out"}, {"customerId", IdString(customer)}}));
  clock_.Advance(30min);
  Json far = CheckIn(rep1_, {{"customerId", IdString(customer)}, {"lat", 30.274112345678901}, {"lng", 120.19876543210987}});
  EXPECT_EQ(far["geofence"], "outside");
  same_as_get(far);
  same_as_get(CheckIn(rep1_, {{"kind", "out"}, {"visitId", far["visitId"]}}));
  clock_.Advance(30min);
  same_as_get(CheckIn(rep1_, {{"customerId", IdString(unpinned)}, {"accuracyM", 900}}));
  clock_.Advance(30min);
  same_as_get(CheckIn(rep1_, {{"place", "office"}, {"note", "早会 morning meeting"}}));
  Instant captured = clock_.Now();
  clock_.Advance(40min);
  same_as_get(CheckIn(rep1_, {{"place", "other"}, {"capturedAt", FormatInstant(captured)},
                              {"sentAt", FormatInstant(clock_.Now())}}));
}

INSTANTIATE_TEST_SUITE_P(Backends, FieldServiceTest, ::testing::ValuesIn(storage::testing::AllTestBackends()),
                         platform::testing::BackendTestName);

}  // namespace
}  // namespace tuoke::visits
