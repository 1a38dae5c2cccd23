// PostgresBulkTransaction (postgres_bulk.h), through InBulkTransaction: the transaction's
// own GIN pending-list limit, and no pending entries left behind at its commit.
#include "storage/postgres/postgres_bulk.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "storage/sqlite/sqlite_bulk.h"
#include "storage/testing/test_database.h"

namespace tuoke::storage {
namespace {

class PostgresBulkTransactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = testing::OpenFreshDatabase(testing::TestBackend::kPostgres);
    if (!database_) GTEST_SKIP() << "TUOKE_TEST_PG_URL is not set (make test sets it)";
    auto connection = database_->Acquire();
    // pageinspect reads the index's metapage (its count of pending entries).
    try {
      connection->ExecuteScript("CREATE EXTENSION IF NOT EXISTS pageinspect");
    } catch (const DatabaseError& error) {
      GTEST_SKIP() << "pageinspect is not available: " << error.what();
    }
    connection->ExecuteScript(
        "CREATE TABLE bulk_words (id BIGINT PRIMARY KEY, words TEXT[] NOT NULL);"
        "CREATE INDEX bulk_words_gin ON bulk_words USING gin (words) WITH (fastupdate = on)");
  }
  int64_t Pending() {
    static const Sql kPending{"test.gin_pending",
                              "SELECT n_pending_tuples FROM gin_metapage_info(get_raw_page('bulk_words_gin', 0))"};
    return database_->Acquire()->QueryOne(kPending)->Int(0);
  }
  void Insert(Connection& connection, int64_t from, int64_t to) {
    static const Sql kInsert{"test.gin_insert",
                             "INSERT INTO bulk_words SELECT i, ARRAY['w' || i, 'common', 'k' || (i % 7)] "
                             "FROM generate_series(?::bigint, ?::bigint) i"};
    connection.Execute(kInsert, {from, to});
  }
  std::unique_ptr<Database> database_;
};

const Sql kLimit{"test.gin_limit", "SELECT current_setting('gin_pending_list_limit')"};

TEST_F(PostgresBulkTransactionTest, RaisesThePendingLimitForItselfAndMergesBeforeTheCommit) {
  // Another transaction's rows stay pending (fastupdate): the default keeps them there.
  database_->InTransaction([&](Connection& connection) { Insert(connection, 1, 100); });
  ASSERT_GT(Pending(), 0);
  std::string inside;
  InBulkTransaction(*database_, [&](Connection& connection) {
    inside = connection.QueryOne(kLimit)->Text(0);
    Insert(connection, 101, 5000);
  });
  EXPECT_EQ(inside, std::to_string(kBulkGinPendingKib / 1024) + "MB");
  EXPECT_EQ(Pending(), 0) << "every pending entry merged into the index before the commit";
  EXPECT_EQ(database_->Acquire()->QueryOne(kLimit)->Text(0), "4MB") << "SET LOCAL: the pooled connection's own";
  // The index answers for every row.
  static const Sql kCount{"test.gin_count", "SELECT count(*) FROM bulk_words WHERE words @> ARRAY['common']"};
  auto connection = database_->Acquire();
  connection->ExecuteScript("SET enable_seqscan = off");
  EXPECT_EQ(connection->QueryOne(kCount)->Int(0), 5000);
}

TEST_F(PostgresBulkTransactionTest, ARollbackLeavesNothing) {
  EXPECT_THROW(InBulkTransaction(*database_,
                                 [&](Connection& connection) {
                                   Insert(connection, 1, 50);
                                   throw std::runtime_error("changed my mind");
                                 }),
               std::runtime_error);
  static const Sql kRows{"test.gin_rows", "SELECT count(*) FROM bulk_words"};
  EXPECT_EQ(database_->Acquire()->QueryOne(kRows)->Int(0), 0);
  EXPECT_EQ(database_->Acquire()->QueryOne(kLimit)->Text(0), "4MB");
}

}  // namespace
}  // namespace tuoke::storage
