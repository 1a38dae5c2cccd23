// Merges and their reversal (R-CUST-16..19) and saved list views (R-CUST-20, 21), on both
// backends with the demo company and a fake clock.
#include "modules/customers/customer_merge.h"

#include <gtest/gtest.h>

#include <set>

#include "modules/customers/customer_views.h"
#include "platform/auth.h"
#include "platform/demo_seed.h"
#include "platform/org.h"
#include "storage/migrator.h"
#include "platform/testing/demo_company_test.h"
#include "storage/testing/test_database.h"

namespace tuoke::customers {
namespace {

using platform::Caller;
using storage::testing::TestBackend;

class CustomerMergeTest : public platform::testing::DemoCompanyTest {
 protected:
  void SetUp() override {
    DemoCompanyTest::SetUp();
    if (IsSkipped()) return;
    customers_ = std::make_unique<CustomerService>(*database_, *policies_, clock_);
    merges_ = std::make_unique<CustomerMergeService>(*database_, *customers_, clock_);
    views_ = std::make_unique<CustomerViewService>(*database_, clock_);
  }
  int64_t Create(const Caller& caller, Json body) {
    body["type"] = "distributor";
    body["acknowledgeDuplicates"] = true;
    return *ParseId(Json::parse(customers_->Create(caller, body))["id"].get<std::string>());
  }

  std::vector<std::string> ContactNames(const Caller& caller, int64_t id) {
    std::vector<std::string> names;
    Json customer = Json::parse(customers_->Get(caller, id));
  for (const auto& contact : customer["contacts"]) names.push_back(contact["name"]);
    return names;
  }

  std::vector<std::string> TimelineKinds(const Caller& caller, int64_t id) {
    std::vector<std::string> kinds;
    Json timeline = customers_->Timeline(caller, id, 100, std::nullopt);
    for (const auto& item : timeline["items"]) kinds.push_back(item["kind"]);
    return kinds;
  }

  std::vector<std::string> ListNames(const Caller& caller) {
    std::vector<std::string> names;
    Json list = Json::parse(customers_->List(caller, {}));
    for (const auto& item : list["items"]) names.push_back(item["name"]);
    return names;
  }

  Json Merge(const Caller& caller, int64_t survivor, int64_t merged) {
    return merges_->Merge(caller, {{"survivorId", IdString(survivor)}, {"mergedId", IdString(merged)},
                                   {"reason", "same company"}});
  }

  std::unique_ptr<CustomerService> customers_;
  std::unique_ptr<CustomerMergeService> merges_;
  std::unique_ptr<CustomerViewService> views_;
};

TEST_P(CustomerMergeTest, MergeMovesRowsAndReversalMovesExactlyThoseBack) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2"), mgr1 = SignIn("mgr1");
  int64_t survivor = Create(rep1, {{"name", "北京凌天商贸有限公司"}, {"tags", {"重点"}}});
  int64_t merged = Create(rep2, {{"name", "北京凌天贸易公司"}, {"tags", {"展会", "重点"}}, {"phone", "010-85551234"}});
  int64_t referred = Create(rep2, {{"name", "上海东方建材"}, {"referrerCustomerId", IdString(merged)}});
  customers_->AddContact(rep1, survivor, {{"name", "王经理"}});
  customers_->AddContact(rep2, merged, {{"name", "李采购"}});
  customers_->AddContact(rep2, merged, {{"name", "赵会计"}});
  customers_->AddFollowUp(rep2, merged, {{"channel", "phone"}, {"summary", "问价"}});
  size_t merged_events = TimelineKinds(rep2, merged).size();

  clock_.Advance(std::chrono::minutes(1));
  Json record = Merge(mgr1, survivor, merged);
  EXPECT_EQ(record["kind"], "merge");
  EXPECT_EQ(record["moved"]["contacts"].size(), 2u);
  EXPECT_EQ(record["moved"]["events"].size(), merged_events);
  EXPECT_EQ(record["moved"]["referrals"], Json::array({IdString(referred)}));
  EXPECT_EQ(record["moved"]["tags"], Json::array({"展会"}));
  EXPECT_EQ(record["reversedById"], Json());

  // R-CUST-49 (PostgreSQL): moved contacts carry their new customer's owner (rep1, not rep2).
  auto contact_owners_follow = [&] {
    if (GetParam() != TestBackend::kPostgres) return;
    auto row = database_->Acquire()->QueryOne(
        {"test.contact_owners", "SELECT count(*) FROM contacts k JOIN customers c ON c.id = k.customer_id "
                                "WHERE k.owner_id IS DISTINCT FROM c.owner_id"});
    EXPECT_EQ(row->Int(0), 0);
  };
  contact_owners_follow();

  // R-CUST-17: contacts, timeline, tags and referrals are the survivor's now.
  EXPECT_EQ(ContactNames(mgr1, survivor), (std::vector<std::string>{"王经理", "李采购", "赵会计"}));
  Json survivor_json = Json::parse(customers_->Get(mgr1, survivor));
  EXPECT_EQ(survivor_json["tags"], Json::array({"重点", "展会"}));
  EXPECT_EQ(Json::parse(customers_->Get(mgr1, referred))["referrerCustomerId"], IdString(survivor));
  auto kinds = TimelineKinds(mgr1, survivor);
  EXPECT_EQ(kinds.front(), "merged");
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "follow_up"), 1);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "created"), 2);
  // R-CUST-16: the merged customer is gone from reads, lists and duplicate checks.
  Json details;
  EXPECT_EQ(ErrorCode([&] { customers_->Get(rep2, merged); }, &details), "customers.merged");
  EXPECT_EQ(details["mergedInto"], IdString(survivor));
  EXPECT_EQ(ErrorCode([&] { customers_->Update(rep2, merged, {{"notes", "x"}}); }), "customers.merged");
  auto names = ListNames(mgr1);
  EXPECT_EQ(std::count(names.begin(), names.end(), "北京凌天贸易公司"), 0);
  EXPECT_EQ(std::count(names.begin(), names.end(), "北京凌天商贸有限公司"), 1);
  Json matches = customers_->DuplicateCheck(mgr1, {{"phone", "010 8555 1234"}})["matches"];
  EXPECT_TRUE(matches.empty()) << matches;
  // Merging it again is refused.
  EXPECT_EQ(ErrorCode([&] { Merge(mgr1, survivor, merged); }), "customers.merged");

  // Rows added to the survivor after the merge stay with it on reversal.
  customers_->AddContact(mgr1, survivor, {{"name", "新联系人"}});
  clock_.Advance(std::chrono::minutes(1));
  Json reversal = merges_->Reverse(mgr1, *ParseId(record["id"].get<std::string>()), {{"reason", "not the same"}});
  EXPECT_EQ(reversal["kind"], "reversal");
  EXPECT_EQ(reversal["reversesId"], record["id"]);
  EXPECT_EQ(reversal["moved"]["contacts"], record["moved"]["contacts"]);
  EXPECT_EQ(reversal["moved"]["events"], record["moved"]["events"]);
  EXPECT_EQ(reversal["moved"]["tags"], Json::array({"展会"}));
  EXPECT_EQ(ContactNames(mgr1, survivor), (std::vector<std::string>{"王经理", "新联系人"}));
  EXPECT_EQ(ContactNames(rep2, merged), (std::vector<std::string>{"李采购", "赵会计"}));
  contact_owners_follow();
  EXPECT_EQ(Json::parse(customers_->Get(mgr1, survivor))["tags"], Json::array({"重点"}));
  EXPECT_EQ(Json::parse(customers_->Get(rep2, referred))["referrerCustomerId"], IdString(merged));
  // Both timelines keep the story: nothing of the history is deleted.
  auto merged_kinds = TimelineKinds(rep2, merged);
  EXPECT_EQ(merged_kinds.size(), merged_events + 2);
  EXPECT_EQ(merged_kinds[0], "merge_reversed");
  EXPECT_EQ(merged_kinds[1], "merged_into");
  auto survivor_kinds = TimelineKinds(mgr1, survivor);
  EXPECT_EQ(survivor_kinds[0], "merge_reversed");
  EXPECT_EQ(std::count(survivor_kinds.begin(), survivor_kinds.end(), "merged"), 1);
  EXPECT_FALSE(customers_->DuplicateCheck(mgr1, {{"phone", "010 8555 1234"}})["matches"].empty());
  // R-CUST-18: a merge is reversed once; a reversal is not reversed.
  EXPECT_EQ(ErrorCode([&] { merges_->Reverse(mgr1, *ParseId(record["id"].get<std::string>()), Json::object()); }),
            "customers.merge_already_reversed");
  EXPECT_EQ(ErrorCode([&] { merges_->Reverse(mgr1, *ParseId(reversal["id"].get<std::string>()), Json::object()); }),
            "customers.merge_not_reversible");
  // Merged again after the reversal: a new record.
  Json again = Merge(mgr1, survivor, merged);
  EXPECT_NE(again["id"], record["id"]);
}

TEST_P(CustomerMergeTest, MergeNeedsAssignOverBothCustomers) {
  Caller rep1 = SignIn("rep1"), rep4 = SignIn("rep4"), mgr1 = SignIn("mgr1"), gm = SignIn("gm");
  int64_t east = Create(rep1, {{"name", "杭州青禾建材"}});
  int64_t east2 = Create(rep1, {{"name", "杭州青禾建材有限公司"}});
  int64_t south = Create(rep4, {{"name", "广州青禾建材"}});
  // A rep holds no customers.assign; a manager does not reach another team's customer.
  EXPECT_EQ(ErrorCode([&] { Merge(rep1, east, east2); }), "access.denied");
  EXPECT_EQ(ErrorCode([&] { Merge(mgr1, east, south); }), "customers.not_found");
  EXPECT_EQ(ErrorCode([&] { Merge(mgr1, south, east); }), "customers.not_found");
  EXPECT_EQ(ErrorCode([&] { Merge(mgr1, east, east); }), "validation.failed");
  EXPECT_EQ(ErrorCode([&] { merges_->Merge(mgr1, {{"survivorId", IdString(east)}}); }), "validation.failed");
  // Nothing moved: both still stand.
  EXPECT_NO_THROW(customers_->Get(rep4, south));
  // The general manager reaches both; the other team's manager then cannot reverse it.
  Json record = Merge(gm, east, south);
  EXPECT_EQ(ErrorCode([&] { customers_->Get(rep4, south); }), "customers.merged");
  int64_t merge_id = *ParseId(record["id"].get<std::string>());
  EXPECT_EQ(ErrorCode([&] { merges_->Reverse(mgr1, merge_id, Json::object()); }), "customers.merge_not_found");
  EXPECT_EQ(ErrorCode([&] { merges_->Reverse(gm, 999999, Json::object()); }), "customers.merge_not_found");
  EXPECT_NO_THROW(merges_->Reverse(gm, merge_id, Json::object()));
  EXPECT_NO_THROW(customers_->Get(rep4, south));
}

// CheckReadable (every check-in and follow-up asks it) reads three columns instead of the
// whole row: it must decide exactly as Get does, for every kind of customer and caller.
TEST_P(CustomerMergeTest, CheckReadableDecidesLikeGet) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2"), rep4 = SignIn("rep4"), mgr1 = SignIn("mgr1");
  Caller mgr2 = SignIn("mgr2"), gm = SignIn("gm"), finance = SignIn("finance");
  int64_t own = Create(rep1, {{"name", "杭州青禾建材"}});
  int64_t other_team = Create(rep4, {{"name", "广州青禾建材"}});
  int64_t pooled = Create(rep1, {{"name", "宁波海曙商贸"}});
  customers_->Release(rep1, pooled, {{"reason", "test"}});
  int64_t survivor = Create(rep1, {{"name", "甲公司"}});
  int64_t merged = Create(rep1, {{"name", "乙公司"}});
  Merge(mgr1, survivor, merged);
  int64_t missing = merged + 1000;
  std::set<std::string> codes;
  for (const Caller* caller : {&rep1, &rep2, &rep4, &mgr1, &mgr2, &gm, &finance}) {
    for (int64_t id : {own, other_team, pooled, merged, missing}) {
      std::string by_get = ErrorCode([&] { customers_->Get(*caller, id); });
      std::string by_check = ErrorCode([&] {
        auto connection = database_->Acquire();
        customers_->CheckReadable(*connection, *caller, id);
      });
      EXPECT_EQ(by_check, by_get) << caller->name << " customer " << id;
      codes.insert(by_check);
    }
  }
  // Every outcome occurred: readable, out of scope or missing, merged.
  EXPECT_EQ(codes, (std::set<std::string>{"no error", "customers.not_found", "customers.merged"}));
}

TEST_P(CustomerMergeTest, MergedCustomersLeaveHoldCountsAndTheReclaimJob) {
  Caller rep1 = SignIn("rep1"), mgr1 = SignIn("mgr1");
  int64_t a = Create(rep1, {{"name", "甲公司"}});
  int64_t b = Create(rep1, {{"name", "乙公司"}});
  Merge(mgr1, a, b);
  clock_.Advance(std::chrono::days(400));
  ReclaimResult result = customers_->ReclaimIdleCustomers(clock_.Now());
  EXPECT_TRUE(result.ran);
  EXPECT_EQ(result.reclaimed, 1);  // the survivor only
  EXPECT_EQ(ErrorCode([&] { customers_->Get(mgr1, b); }), "customers.merged");
}

TEST_P(CustomerMergeTest, ASurvivorMergedOnwardBlocksTheFirstReversal) {
  Caller rep1 = SignIn("rep1"), mgr1 = SignIn("mgr1");
  int64_t a = Create(rep1, {{"name", "甲公司"}});
  int64_t b = Create(rep1, {{"name", "乙公司"}});
  int64_t c = Create(rep1, {{"name", "丙公司"}});
  Json first = Merge(mgr1, b, a);
  Json second = Merge(mgr1, c, b);
  Json details;
  EXPECT_EQ(ErrorCode([&] { merges_->Reverse(mgr1, *ParseId(first["id"].get<std::string>()), Json::object()); },
                      &details),
            "customers.merge_not_reversible");
  EXPECT_EQ(details["mergedInto"], IdString(c));
  merges_->Reverse(mgr1, *ParseId(second["id"].get<std::string>()), Json::object());
  EXPECT_NO_THROW(merges_->Reverse(mgr1, *ParseId(first["id"].get<std::string>()), Json::object()));
  EXPECT_EQ(TimelineKinds(mgr1, a).back(), "created");
}

// ---- saved views -------------------------------------------------------------------------

TEST_P(CustomerMergeTest, SavedViewsAreValidatedLikeTheList) {
  Caller rep1 = SignIn("rep1");
  Json view = views_->Create(rep1, {{"name", "我的A类"}, {"filters", {{"grade", "A"}, {"inPool", "false"}, {"q", ""}}},
                                    {"sort", "name"}});
  EXPECT_EQ(view["filters"], Json({{"grade", "A"}, {"inPool", "false"}}));
  EXPECT_EQ(view["sort"], "name");
  EXPECT_FALSE(view["shared"].get<bool>());
  EXPECT_TRUE(view["mine"].get<bool>());
  Json details;
  EXPECT_EQ(ErrorCode([&] {
              views_->Create(rep1, {{"name", "坏"},
                                    {"filters", {{"grade", "Z"}, {"followUpBefore", "2026-13-01"}, {"limit", "5"},
                                                 {"ownerId", 5}}},
                                    {"sort", "-name"}});
            }, &details),
            "validation.failed");
  EXPECT_TRUE(details["fields"].contains("filters.grade")) << details;
  EXPECT_TRUE(details["fields"].contains("filters.limit")) << details;
  EXPECT_TRUE(details["fields"].contains("filters.ownerId")) << details;
  EXPECT_TRUE(details["fields"].contains("sort")) << details;
  EXPECT_EQ(ErrorCode([&] { views_->Create(rep1, {{"name", "我的A类"}}); }), "customers.view_name_taken");
  EXPECT_EQ(ErrorCode([&] { views_->Create(rep1, {{"filters", Json::object()}}); }), "validation.failed");

  int64_t id = *ParseId(view["id"].get<std::string>());
  clock_.Advance(std::chrono::minutes(1));
  Json changed = views_->Update(rep1, id, {{"filters", {{"status", "target"}}}, {"shared", true}});
  EXPECT_EQ(changed["filters"], Json({{"status", "target"}}));
  EXPECT_EQ(changed["name"], "我的A类");
  EXPECT_TRUE(changed["shared"].get<bool>());
  EXPECT_NE(changed["updatedAt"], view["updatedAt"]);
  EXPECT_EQ(ErrorCode([&] { views_->Update(rep1, id, {{"filters", {{"status", "gone"}}}}); }), "validation.failed");
  views_->Delete(rep1, id);
  EXPECT_TRUE(views_->List(rep1)["items"].empty());
  EXPECT_EQ(ErrorCode([&] { views_->Delete(rep1, id); }), "customers.view_not_found");
}

TEST_P(CustomerMergeTest, SharedViewsReachTheOwnersUnitAndOnlyTheOwnerEdits) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2"), rep4 = SignIn("rep4"), mgr1 = SignIn("mgr1");
  int64_t shared = *ParseId(views_->Create(mgr1, {{"name", "华东重点"}, {"shared", true}})["id"].get<std::string>());
  int64_t personal = *ParseId(views_->Create(mgr1, {{"name", "私人"}})["id"].get<std::string>());
  views_->Create(rep1, {{"name", "我的"}});
  Json seen = views_->List(rep1)["items"];
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0]["name"], "我的");  // one's own views first
  EXPECT_EQ(seen[1]["name"], "华东重点");
  EXPECT_FALSE(seen[1]["mine"].get<bool>());
  EXPECT_EQ(seen[1]["ownerName"], "李明");
  EXPECT_EQ(views_->List(rep2)["items"].size(), 1u);
  EXPECT_TRUE(views_->List(rep4)["items"].empty());  // another team
  // Only the owner edits: a shared view is access.denied, a private one does not exist.
  EXPECT_EQ(ErrorCode([&] { views_->Update(rep1, shared, {{"name", "x"}}); }), "access.denied");
  EXPECT_EQ(ErrorCode([&] { views_->Delete(rep1, shared); }), "access.denied");
  EXPECT_EQ(ErrorCode([&] { views_->Update(rep1, personal, {{"name", "x"}}); }), "customers.view_not_found");
  EXPECT_EQ(ErrorCode([&] { views_->Delete(rep4, shared); }), "customers.view_not_found");
  // Unsharing hides it again.
  views_->Update(mgr1, shared, {{"shared", false}});
  EXPECT_EQ(views_->List(rep2)["items"].size(), 0u);
}

TEST_P(CustomerMergeTest, AUserHoldsAtMostFiftyViews) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2");
  for (int64_t i = 0; i < CustomerViewService::kMaxViewsPerUser; ++i)
    views_->Create(rep1, {{"name", "视图" + std::to_string(i)}});
  Json details;
  EXPECT_EQ(ErrorCode([&] { views_->Create(rep1, {{"name", "多一个"}}); }, &details), "customers.view_limit");
  EXPECT_EQ(details["limit"], 50);
  EXPECT_NO_THROW(views_->Create(rep2, {{"name", "多一个"}}));  // the bound is per user
  views_->Delete(rep1, *ParseId(views_->List(rep1)["items"][0]["id"].get<std::string>()));
  EXPECT_NO_THROW(views_->Create(rep1, {{"name", "多一个"}}));
}

TEST(CustomerFilterParameters, ParseLikeTheListQuery) {
  std::map<std::string, std::string> query{{"grade", "B"}, {"inPool", "true"}, {"sort", "-lastFollowUpAt"},
                                           {"followUpAfter", "2026-11-01"}, {"ownerId", "7"}};
  CustomerFilter filter = ParseCustomerFilter([&](const std::string& name) -> std::optional<std::string> {
    auto found = query.find(name);
    if (found == query.end()) return std::nullopt;
    return found->second;
  });
  EXPECT_EQ(filter.grade, "B");
  EXPECT_EQ(filter.in_pool, true);
  EXPECT_EQ(filter.sort, CustomerSort::kLastFollowUpDescending);
  EXPECT_EQ(filter.owner_id, 7);
  EXPECT_TRUE(filter.follow_up_after.has_value());
  query["inPool"] = "yes";
  EXPECT_THROW(ParseCustomerFilter([&](const std::string& name) -> std::optional<std::string> {
                 auto found = query.find(name);
                 if (found == query.end()) return std::nullopt;
                 return found->second;
               }),
               Error);
}

INSTANTIATE_TEST_SUITE_P(Backends, CustomerMergeTest, ::testing::ValuesIn(storage::testing::AllTestBackends()),
                         platform::testing::BackendTestName);

}  // namespace
}  // namespace tuoke::customers
