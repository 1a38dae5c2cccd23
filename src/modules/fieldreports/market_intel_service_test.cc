// Market intelligence on both backends: validation, customers in scope, reporter scopes,
// filters and the monthly roll-up.
#include "modules/fieldreports/market_intel_service.h"

#include <gtest/gtest.h>

#include "platform/testing/demo_company_test.h"
#include "storage/testing/test_database.h"

namespace tuoke::fieldreports {
namespace {

using platform::Caller;

class MarketIntelServiceTest : public platform::testing::DemoCompanyTest {
 protected:
  void SetUp() override {
    DemoCompanyTest::SetUp();
    if (IsSkipped()) return;
    customers_ = std::make_unique<customers::CustomerService>(*database_, *policies_, clock_);
    intel_ = std::make_unique<MarketIntelService>(*database_, *policies_, *customers_, clock_);
  }
  int64_t Customer(const Caller& owner, const std::string& name, const std::string& province) {
    Json body = {{"name", name}, {"type", "distributor"}, {"province", province}, {"city", "某市"},
                 {"acknowledgeDuplicates", true}};
    return *ParseId(Json::parse(customers_->Create(owner, body))["id"].get<std::string>());
  }
  Json Report(const Caller& caller, Json body) {
    if (!body.contains("observedOn")) body["observedOn"] = "2026-11-20";
    if (!body.contains("description")) body["description"] = "观察记录";
    return intel_->Create(caller, body);
  }
  static int64_t Id(const Json& report) { return *ParseId(report["id"].get<std::string>()); }

  std::unique_ptr<customers::CustomerService> customers_;
  std::unique_ptr<MarketIntelService> intel_;
};

TEST_P(MarketIntelServiceTest, ReportsAreValidatedAndTiedToReadableCustomers) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2");
  int64_t mine = Customer(rep1, "杭州青禾建材", "浙江"), theirs = Customer(rep2, "宁波东方五金", "浙江");
  Json details;
  EXPECT_EQ(ErrorCode([&] { intel_->Create(rep1, {{"kind", "competitor_price"}, {"price", {{"amount", "-5"}, {"currency", "CNY"}}}, {"tags", {""}},
                                                  {"observedOn", "2026-11-30"}}); },
                      &details),
            "validation.failed");
  for (const char* field : {"competitor", "price.amount", "tags[0]", "observedOn", "description"})
    EXPECT_TRUE(details["fields"].contains(field)) << field << details.dump();
  EXPECT_EQ(ErrorCode([&] { Report(rep1, {{"kind", "rumours"}}); }), "validation.failed");
  // R-INTEL-3: the customer must be in the reporter's scope.
  EXPECT_EQ(ErrorCode([&] { Report(rep1, {{"kind", "distributor_stock"}, {"customerId", IdString(theirs)}}); }),
            "customers.not_found");
  Json report = Report(rep1, {{"kind", "competitor_price"}, {"competitor", "立邦"}, {"product", "净味墙面漆"},
                              {"price", {{"amount", "45800"}, {"currency", "CNY"}}}, {"customerId", IdString(mine)}, {"tags", {"降价", "华东"}}});
  EXPECT_EQ(report["province"], "浙江");  // from the customer
  EXPECT_EQ(report["city"], "某市");
  EXPECT_EQ(report["customerName"], "杭州青禾建材");
  EXPECT_EQ(report["price"], Json({{"amount", "45800"}, {"currency", "CNY"}}));
  EXPECT_EQ(report["tags"], Json({"降价", "华东"}));
  Json edited = intel_->Update(rep1, Id(report), {{"price", {{"amount", "43800"}, {"currency", "CNY"}}}, {"tags", nullptr}});
  EXPECT_EQ(edited["price"]["amount"], "43800");
  EXPECT_TRUE(edited["tags"].empty());
  EXPECT_EQ(ErrorCode([&] { intel_->Update(rep1, Id(report), {{"customerId", IdString(theirs)}}); }),
            "customers.not_found");
  EXPECT_EQ(ErrorCode([&] { intel_->Update(rep1, Id(report), {{"competitor", nullptr}}); }), "validation.failed");
}

TEST_P(MarketIntelServiceTest, ScopesFiltersAndTheMonthlyRollup) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2"), rep4 = SignIn("rep4");
  Caller mgr1 = SignIn("mgr1"), mgr2 = SignIn("mgr2"), gm = SignIn("gm"), finance = SignIn("finance");
  Json a = Report(rep1, {{"kind", "competitor_price"}, {"competitor", "立邦"}, {"price", {{"amount", "45800"}, {"currency", "CNY"}}}, {"province", "浙江"},
                         {"tags", {"降价"}}});
  Report(rep1, {{"kind", "competitor_price"}, {"competitor", "立邦"}, {"price", {{"amount", "41800"}, {"currency", "CNY"}}}, {"province", "浙江"}});
  Report(rep2, {{"kind", "competitor_promotion"}, {"competitor", "多乐士"}, {"province", "江苏"}});
  Report(rep4, {{"kind", "distributor_stock"}, {"quantity", 120}, {"quantityUnit", "桶"}, {"province", "广东"}});
  Report(rep1, {{"kind", "competitor_sales"}, {"competitor", "立邦"}, {"observedOn", "2026-10-30"}});

  MarketReportFilter all;
  EXPECT_EQ(intel_->List(rep1, all)["items"].size(), 3u);
  EXPECT_EQ(intel_->List(mgr1, all)["items"].size(), 4u);
  EXPECT_EQ(intel_->List(mgr2, all)["items"].size(), 1u);
  EXPECT_EQ(intel_->List(gm, all)["items"].size(), 5u);
  EXPECT_EQ(ErrorCode([&] { intel_->List(finance, all); }), "access.denied");
  EXPECT_EQ(ErrorCode([&] { intel_->Get(rep2, Id(a)); }), "intel.not_found");
  EXPECT_EQ(ErrorCode([&] { intel_->Update(rep2, Id(a), {{"description", "改"}}); }), "intel.not_found");
  // R-INTEL-4: the reporter's manager may correct it.
  EXPECT_EQ(intel_->Update(mgr1, Id(a), {{"description", "经理更正"}})["description"], "经理更正");
  EXPECT_EQ(ErrorCode([&] { intel_->Delete(mgr2, Id(a)); }), "intel.not_found");

  MarketReportFilter filter;
  filter.kind = "competitor_price";
  EXPECT_EQ(intel_->List(gm, filter)["items"].size(), 2u);
  filter = {};
  filter.month = *ParseDate("2026-10-01");
  EXPECT_EQ(intel_->List(gm, filter)["items"].size(), 1u);
  filter = {};
  filter.tag = "降价";
  EXPECT_EQ(intel_->List(gm, filter)["items"].size(), 1u);
  filter = {};
  filter.province = "江苏";
  EXPECT_EQ(intel_->List(gm, filter)["items"][0]["competitor"], "多乐士");
  filter = {};
  filter.limit = 2;
  Json page = intel_->List(gm, filter);
  EXPECT_EQ(page["items"].size(), 2u);
  filter.cursor = *ParseId(page["nextCursor"].get<std::string>());
  EXPECT_EQ(intel_->List(gm, filter)["items"].size(), 2u);

  // R-INTEL-5: November, as gm and as mgr1.
  Json rollup = intel_->Rollup(gm, *ParseDate("2026-11-01"), std::nullopt);
  EXPECT_EQ(rollup["month"], "2026-11");
  EXPECT_EQ(rollup["total"], 4);
  EXPECT_EQ(rollup["byKind"].size(), 3u);
  EXPECT_EQ(rollup["byCompetitor"], Json::parse(R"([{"competitor":"多乐士","count":1},{"competitor":"立邦","count":2}])"));
  bool found = false;
  for (const auto& group : rollup["groups"]) {
    if (group["kind"] == "competitor_price") {
      found = true;
      EXPECT_EQ(group["count"], 2);
      EXPECT_EQ(group["province"], "浙江");
      EXPECT_EQ(group["minPrice"]["amount"], "41800");
      EXPECT_EQ(group["maxPrice"]["amount"], "45800");
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(intel_->Rollup(mgr1, *ParseDate("2026-11-01"), std::nullopt)["total"], 3);
  EXPECT_EQ(intel_->Rollup(rep4, *ParseDate("2026-11-01"), std::nullopt)["byRegion"][0]["province"], "广东");
}

INSTANTIATE_TEST_SUITE_P(Backends, MarketIntelServiceTest, ::testing::ValuesIn(storage::testing::AllTestBackends()),
                         platform::testing::BackendTestName);

}  // namespace
}  // namespace tuoke::fieldreports
