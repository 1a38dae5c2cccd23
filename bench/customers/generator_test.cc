// Smoke test of the benchmark data generator (1,000 customers) on both backends: the rows
// are found by the service exactly as customers created through it (search by pinyin
// initials, contact name, duplicate check), and the reps' scopes hold.
#include "bench/customers/generator.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "modules/customers/customer_rules.h"
#include "modules/customers/customer_service.h"
#include "platform/testing/demo_company_test.h"

namespace tuoke::bench {
namespace {

class GeneratorTest : public platform::testing::DemoCompanyTest {};

TEST_P(GeneratorTest, ThousandCustomersAreFoundLikeCreatedOnes) {
  const char* url = std::getenv("TUOKE_TEST_PG_URL");
  GeneratorOptions options;
  options.customers = 1000;
  options.teams = 2;
  options.reps_per_team = 3;
  options.batch_rows = 300;
  GeneratorReport report = GenerateCustomerData(*database_, url ? url : "", options, false);
  EXPECT_EQ(report.customers, 1000);
  EXPECT_EQ(report.contacts, 3000);
  ASSERT_EQ(report.rep_logins.size(), 6u);

  customers::CustomerService service(*database_, *policies_, clock_);
  platform::Caller gm = SignIn("gm");
  // Row 0 is the first generated customer: found by the initials of its pinyin.
  std::string name = GeneratedCompanyName(options.seed, 0);
  std::string initials = customers::PinyinOf(name).initials;
  customers::CustomerFilter filter;
  filter.query = initials;
  filter.limit = 200;
  Json found = Json::parse(service.List(gm, filter));
  bool listed = false;
  for (const auto& item : found["items"]) listed = listed || item["name"] == name;
  EXPECT_TRUE(listed) << name << " by " << initials;

  // Its exact name is a duplicate for the duplicate check.
  Json matches = service.DuplicateCheck(gm, {{"name", name}})["matches"];
  ASSERT_FALSE(matches.empty());

  // A rep sees their own customers and the pool only.
  platform::Caller rep = SignIn(report.rep_logins[0]);
  Json mine = Json::parse(service.List(rep, {}));
  ASSERT_FALSE(mine["items"].empty());
  for (const auto& item : mine["items"])
    EXPECT_TRUE(item["inPool"].get<bool>() || item["ownerName"] == rep.name) << item.dump();

  // Generating again appends new customers and reuses the teams.
  options.customers = 10;
  EXPECT_EQ(GenerateCustomerData(*database_, url ? url : "", options, false).customers, 10);
}

INSTANTIATE_TEST_SUITE_P(Backends, GeneratorTest, ::testing::ValuesIn(storage::testing::AllTestBackends()),
                         platform::testing::BackendTestName);

}  // namespace
}  // namespace tuoke::bench
