// Competitor profiles on both backends: validation, one profile per competitor, offers
// scoped by the customer archive, linked market reports in intel scope, the side-by-side
// comparison, writers' scope and audit.
#include "modules/fieldreports/competitor_service.h"

#include <gtest/gtest.h>

#include "modules/fieldreports/market_intel_service.h"
#include "platform/testing/demo_company_test.h"
#include "storage/testing/test_database.h"

namespace tuoke::fieldreports {
namespace {

using platform::Caller;

class CompetitorServiceTest : public platform::testing::DemoCompanyTest {
 protected:
  void SetUp() override {
    DemoCompanyTest::SetUp();
    if (IsSkipped()) return;
    customers_ = std::make_unique<customers::CustomerService>(*database_, *policies_, clock_);
    intel_ = std::make_unique<MarketIntelService>(*database_, *policies_, *customers_, clock_);
    competitors_ = std::make_unique<CompetitorService>(*database_, *policies_, *customers_, clock_);
  }
  int64_t Customer(const Caller& owner, const std::string& name) {
    Json body = {{"name", name}, {"type", "distributor"}, {"province", "浙江"}, {"acknowledgeDuplicates", true}};
    return *ParseId(Json::parse(customers_->Create(owner, body))["id"].get<std::string>());
  }
  static int64_t Id(const Json& record) { return *ParseId(record["id"].get<std::string>()); }
  static Json Fen(const char* amount) { return {{"amount", amount}, {"currency", "CNY"}}; }
  int64_t AuditCount(const std::string& action) {
    auto connection = database_->Acquire();
    const storage::Sql query{"test.audit_count", "SELECT COUNT(*) FROM audit_log WHERE action = ?"};
    return connection->QueryOne(query, {action})->Int(0);
  }

  std::unique_ptr<customers::CustomerService> customers_;
  std::unique_ptr<MarketIntelService> intel_;
  std::unique_ptr<CompetitorService> competitors_;
};

TEST_P(CompetitorServiceTest, ProfilesAreValidatedUniqueAndAudited) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2"), mgr1 = SignIn("mgr1"), gm = SignIn("gm");
  Json details;
  EXPECT_EQ(ErrorCode([&] {
              competitors_->Create(rep1, {{"name", "  "}, {"aliases", {""}}, {"floor", Fen("-1")},
                                          {"strength", std::string(2001, 'x')}, {"colour", "red"}});
            }, &details),
            "validation.failed");
  for (const char* field : {"name", "aliases[0]", "floor.amount", "strength", "colour"})
    EXPECT_TRUE(details["fields"].contains(field)) << field << details.dump();
  Json profile = competitors_->Create(rep1, {{"name", " Nippon "},
                                             {"aliases", {"立邦", "立邦"}},
                                             {"strength", "品牌强，渠道广"},
                                             {"weakPoints", "服务慢"},
                                             {"floor", Fen("38000")},
                                             {"floorNote", "净味墙面漆 每桶"}});
  EXPECT_EQ(profile["name"], "Nippon");
  EXPECT_EQ(profile["aliases"], Json({"立邦"}));
  EXPECT_EQ(profile["floor"], Fen("38000"));
  EXPECT_EQ(profile["offers"], Json::array());
  EXPECT_EQ(AuditCount("competitor_profile.create"), 1);
  // R-INTEL-7: one profile per competitor, whatever the case.
  EXPECT_EQ(ErrorCode([&] { competitors_->Create(rep2, {{"name", "NIPPON"}}); }, &details),
            "intel.duplicate_competitor");
  EXPECT_EQ(details["profileId"], profile["id"]);
  // Every holder of intel.read reads every profile; gm has no intel.write.
  EXPECT_EQ(competitors_->Get(rep2, Id(profile))["name"], "Nippon");
  EXPECT_EQ(ErrorCode([&] { competitors_->Create(gm, {{"name", "三棵树"}}); }), "access.denied");
  EXPECT_EQ(ErrorCode([&] { competitors_->Get(rep1, 999999); }), "intel.competitor_not_found");
  // R-INTEL-12: the author or a manager covering them edits; a colleague does not.
  EXPECT_EQ(ErrorCode([&] { competitors_->Update(rep2, Id(profile), {{"notes", "x"}}); }), "access.denied");
  Json edited = competitors_->Update(mgr1, Id(profile), {{"floor", nullptr}, {"notes", "价格战主力"}});
  EXPECT_TRUE(edited["floor"].is_null());
  EXPECT_EQ(edited["notes"], "价格战主力");
  EXPECT_EQ(AuditCount("competitor_profile.update"), 1);
  competitors_->Update(mgr1, Id(profile), {{"notes", "价格战主力"}});  // no change, no entry
  EXPECT_EQ(AuditCount("competitor_profile.update"), 1);
  Json other = competitors_->Create(rep2, {{"name", "三棵树"}});
  EXPECT_EQ(ErrorCode([&] { competitors_->Update(rep2, Id(other), {{"name", "nippon"}}); }),
            "intel.duplicate_competitor");
  CompetitorFilter by_alias;
  by_alias.query = "立";
  Json listed = competitors_->List(rep1, by_alias);
  ASSERT_EQ(listed["items"].size(), 1u);
  EXPECT_EQ(listed["items"][0]["id"], profile["id"]);
  CompetitorFilter by_name;
  by_name.query = "nIPP";
  EXPECT_EQ(competitors_->List(rep1, by_name)["items"].size(), 1u);
  CompetitorFilter one;
  one.limit = 1;
  Json page = competitors_->List(rep1, one);
  EXPECT_EQ(page["items"].size(), 1u);
  EXPECT_FALSE(page["nextCursor"].is_null());
  competitors_->Delete(rep2, Id(other));
  EXPECT_EQ(ErrorCode([&] { competitors_->Get(rep1, Id(other)); }), "intel.competitor_not_found");
  EXPECT_EQ(AuditCount("competitor_profile.delete"), 1);
}

TEST_P(CompetitorServiceTest, OffersFollowTheCustomerScopeAndCompareSideBySide) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2"), mgr1 = SignIn("mgr1"), mgr2 = SignIn("mgr2");
  int64_t mine = Customer(rep1, "杭州青禾建材"), theirs = Customer(rep2, "宁波东方五金");
  Json nippon = competitors_->Create(rep1, {{"name", "Nippon"}, {"aliases", {"立邦"}}, {"floor", Fen("38000")}});
  Json skshu = competitors_->Create(rep1, {{"name", "三棵树"}});
  Json details;
  EXPECT_EQ(ErrorCode([&] {
              competitors_->AddOffer(rep1, Id(nippon), {{"product", ""}, {"ourPrice", Fen("x")}, {"observedOn", "2026-12-01"}});
            }, &details),
            "validation.failed");
  for (const char* field : {"customerId", "product", "ourPrice.amount", "observedOn", "theirPrice"})
    EXPECT_TRUE(details["fields"].contains(field)) << field << details.dump();
  // R-INTEL-10: only customers the caller may read.
  EXPECT_EQ(ErrorCode([&] {
              competitors_->AddOffer(rep1, Id(nippon), {{"customerId", IdString(theirs)}, {"product", "墙面漆"},
                                                        {"theirPrice", Fen("39000")}});
            }),
            "customers.not_found");
  Json offer = competitors_->AddOffer(rep1, Id(nippon), {{"customerId", IdString(mine)},
                                                         {"product", "净味墙面漆"},
                                                         {"theirPrice", Fen("37500")},
                                                         {"theirTerms", "月结 60 天，返点 3%"},
                                                         {"ourPrice", Fen("41000")},
                                                         {"ourTerms", "月结 30 天"},
                                                         {"customerVolume", 300},
                                                         {"volumeUnit", "桶/月"},
                                                         {"customerNote", "更看重账期"}});
  EXPECT_EQ(offer["priceGap"], Fen("-3500"));
  EXPECT_TRUE(offer["belowFloor"].get<bool>());
  EXPECT_EQ(offer["observedOn"], "2026-11-22");
  EXPECT_EQ(offer["customerData"]["volume"], 300);
  EXPECT_EQ(ErrorCode([&] {
              competitors_->AddOffer(rep1, Id(nippon), {{"customerId", IdString(mine)}, {"product", "净味墙面漆"},
                                                        {"theirTerms", "x"}});
            }),
            "intel.duplicate_offer");
  competitors_->AddOffer(rep1, Id(skshu), {{"customerId", IdString(mine)}, {"product", "净味墙面漆"},
                                           {"theirPrice", Fen("40000")}, {"ourPrice", Fen("41000")}});
  Json rep2_offer = competitors_->AddOffer(rep2, Id(nippon), {{"customerId", IdString(theirs)}, {"product", "防水涂料"},
                                                              {"theirTerms", "送货上门"}});

  // R-INTEL-9: the profile shows the offers the reader may read.
  EXPECT_EQ(competitors_->Get(rep1, Id(nippon))["offers"].size(), 1u);
  EXPECT_EQ(competitors_->Get(mgr1, Id(nippon))["offers"].size(), 2u);
  EXPECT_EQ(competitors_->Get(mgr2, Id(nippon))["offers"].size(), 0u);
  EXPECT_EQ(ErrorCode([&] { competitors_->UpdateOffer(rep1, Id(rep2_offer), {{"ourTerms", "x"}}); }),
            "intel.offer_not_found");
  // A manager covering the author edits; the gap follows.
  Json edited = competitors_->UpdateOffer(mgr1, Id(offer), {{"ourPrice", Fen("37000")}});
  EXPECT_EQ(edited["priceGap"], Fen("500"));
  EXPECT_EQ(ErrorCode([&] { competitors_->UpdateOffer(rep1, Id(offer), {{"customerId", IdString(theirs)}}); }),
            "validation.failed");

  // R-INTEL-11: per customer across competitors, per competitor across customers.
  EXPECT_EQ(ErrorCode([&] { competitors_->Compare(rep1, std::nullopt, std::nullopt); }), "validation.failed");
  Json by_customer = competitors_->Compare(rep1, std::nullopt, mine);
  EXPECT_EQ(by_customer["customer"]["name"], "杭州青禾建材");
  ASSERT_EQ(by_customer["rows"].size(), 2u);
  EXPECT_EQ(by_customer["rows"][0]["competitor"], "Nippon");
  EXPECT_EQ(by_customer["rows"][1]["competitor"], "三棵树");
  EXPECT_EQ(ErrorCode([&] { competitors_->Compare(rep1, std::nullopt, theirs); }), "customers.not_found");
  Json by_profile = competitors_->Compare(mgr1, Id(nippon), std::nullopt);
  EXPECT_EQ(by_profile["profile"]["name"], "Nippon");
  EXPECT_EQ(by_profile["rows"].size(), 2u);
  EXPECT_EQ(competitors_->Compare(rep1, Id(nippon), std::nullopt)["rows"].size(), 1u);

  // Linked market reports: by name or alias, in the reader's intel.read scope.
  intel_->Create(rep1, {{"kind", "competitor_price"}, {"competitor", "立邦"}, {"observedOn", "2026-11-20"},
                        {"description", "降价"}, {"price", Fen("36000")}});
  intel_->Create(rep2, {{"kind", "competitor_promotion"}, {"competitor", "Nippon"}, {"observedOn", "2026-11-21"},
                        {"description", "买赠"}});
  intel_->Create(rep2, {{"kind", "competitor_promotion"}, {"competitor", "三棵树"}, {"observedOn", "2026-11-21"},
                        {"description", "别家"}});
  Json linked = competitors_->Get(rep1, Id(nippon))["linkedReports"];
  EXPECT_EQ(linked["total"], 1);
  EXPECT_EQ(linked["items"][0]["price"], Fen("36000"));
  Json team = competitors_->Get(mgr1, Id(nippon))["linkedReports"];
  EXPECT_EQ(team["total"], 2);
  EXPECT_EQ(team["items"][0]["competitor"], "Nippon");  // newest first

  // Deleting a profile removes its offers; market reports keep the name.
  competitors_->DeleteOffer(rep2, Id(rep2_offer));
  EXPECT_EQ(ErrorCode([&] { competitors_->DeleteOffer(rep2, Id(rep2_offer)); }), "intel.offer_not_found");
  competitors_->Delete(rep1, Id(nippon));
  EXPECT_EQ(competitors_->Compare(rep1, std::nullopt, mine)["rows"].size(), 1u);
  MarketReportFilter naming;
  naming.competitor = "Nippon";
  EXPECT_EQ(intel_->List(mgr1, naming)["items"].size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, CompetitorServiceTest, ::testing::ValuesIn(storage::testing::AllTestBackends()),
                         platform::testing::BackendTestName);

}  // namespace
}  // namespace tuoke::fieldreports
