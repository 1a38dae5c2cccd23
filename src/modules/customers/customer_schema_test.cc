// What the customer schema promises the write path of a check-in (migration 0016,
// R-CUST-40): on PostgreSQL a follow-up (RecordContact) is a HOT update — no index of
// customers includes last_follow_up_at, and the row's new version stays on its page — so
// the check-in burst does not write an entry into each of the 17 customer indexes. Both
// backends: the follow-up time still moves forward only. (The reclaim job, which used the
// dropped index, is CustomerServiceTest.IdleCustomersReturnToThePoolOnce on both.)
#include <gtest/gtest.h>

#include "modules/customers/customer_service.h"
#include "platform/testing/demo_company_test.h"
#include "storage/testing/test_database.h"

namespace tuoke::customers {
namespace {

using storage::testing::TestBackend;

class CustomerSchemaTest : public platform::testing::DemoCompanyTest {
 protected:
  void SetUp() override {
    DemoCompanyTest::SetUp();
    if (IsSkipped()) return;
    customers_ = std::make_unique<CustomerService>(*database_, *policies_, clock_);
  }
  int64_t Create(const platform::Caller& caller, const std::string& name) {
    Json body = {{"name", name}, {"type", "distributor"}, {"acknowledgeDuplicates", true}};
    return *ParseId(Json::parse(customers_->Create(caller, body))["id"].get<std::string>());
  }
  std::optional<std::string> FollowUpOf(int64_t id) {
    return database_->Acquire()
        ->QueryOne(storage::Sql{"test.follow_up", "SELECT last_follow_up_at FROM customers WHERE id = ?"}, {id})
        ->OptionalText(0);
  }

  std::unique_ptr<CustomerService> customers_;
};

TEST_P(CustomerSchemaTest, FollowUpUpdatesAreHotOnPostgres) {
  auto rep = SignIn("rep1");
  int64_t id = Create(rep, "杭州拓客测试建材有限公司");
  Instant first = clock_.Now() + std::chrono::hours(1);
  Instant second = first + std::chrono::hours(1);
  int64_t hot_updates = -1, updates = -1;
  database_->InTransaction([&](storage::Connection& connection) {
    bool postgres = connection.dialect() == storage::Dialect::kPostgres;
    // The backend's counts not yet flushed to the statistics (pg_stat_xact_*), before and
    // after: they include earlier transactions of the same connection, the difference not.
    const storage::Sql kCounts{
        "test.hot_updates", "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = 'customers'"};
    std::optional<storage::Row> before = postgres ? connection.QueryOne(kCounts) : std::nullopt;
    customers_->RecordContact(connection, id, first);
    customers_->RecordContact(connection, id, second);
    customers_->RecordContact(connection, id, first);  // earlier than the stored time: no change
    if (!postgres) return;
    auto after = connection.QueryOne(kCounts);
    updates = after->Int(0) - before->Int(0), hot_updates = after->Int(1) - before->Int(1);
  });
  EXPECT_EQ(FollowUpOf(id), FormatInstant(second)) << "the follow-up time moves forward only";
  if (GetParam() != TestBackend::kPostgres) return;
  EXPECT_EQ(updates, 2);
  EXPECT_EQ(hot_updates, 2) << "a follow-up writes no index entry (HOT update)";
  auto indexed = database_->Acquire()->Query(storage::Sql{
      "test.follow_up_indexes",
      "SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
      "AND a.attnum = ANY (i.indkey) WHERE i.indrelid = 'customers'::regclass AND a.attname = 'last_follow_up_at' "
      "UNION SELECT i.indexrelid::regclass::text FROM pg_index i WHERE i.indrelid = 'customers'::regclass AND "
      "(pg_get_expr(i.indexprs, i.indrelid) LIKE '%last_follow_up_at%' OR "
      "pg_get_expr(i.indpred, i.indrelid) LIKE '%last_follow_up_at%')"});
  EXPECT_TRUE(indexed.rows.empty()) << "an index on last_follow_up_at makes every follow-up a non-HOT update: "
                                    << indexed.rows.front().Text(0);
}

INSTANTIATE_TEST_SUITE_P(Backends, CustomerSchemaTest, ::testing::ValuesIn(storage::testing::AllTestBackends()),
                         platform::testing::BackendTestName);

}  // namespace
}  // namespace tuoke::customers
