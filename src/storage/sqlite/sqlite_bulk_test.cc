// InBulkTransaction (sqlite_bulk.h): a long bulk write in a transaction of its own, outside
// the writer thread's group and its savepoint, with InTransaction's outcome.
#include "storage/sqlite/sqlite_bulk.h"

#include <gtest/gtest.h>

#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include "storage/migrator.h"
#include "storage/sqlite/scratch_test_fixture.h"
#include "storage/sqlite/sqlite_memory.h"
#include "storage/testing/test_database.h"

namespace tuoke::storage {
namespace {

using namespace std::chrono_literals;

class SqliteBulkTransactionTest : public testing::SqliteScratchTest {};

// The point of it: no savepoint of a group around the work (SQLite would keep the original
// of every page it changes until the savepoint ends), and it runs on the calling thread.
TEST_P(SqliteBulkTransactionTest, RunsOnTheCallingThreadOutsideTheGroupSavepoint) {
  std::thread::id ran_on;
  bool in_group_savepoint = true;
  InBulkTransaction(*database_, [&](Connection& connection) {
    ran_on = std::this_thread::get_id();
    connection.Execute(insert_, {std::string("a")});
    // Releasing the group's savepoint fails when there is none (and would only end a
    // savepoint, never the transaction, were it there).
    try {
      connection.ExecuteScript("SAVEPOINT probe; RELEASE tuoke_member");
    } catch (const DatabaseError&) {
      in_group_savepoint = false;
      connection.ExecuteScript("RELEASE probe");
    }
  });
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  EXPECT_FALSE(in_group_savepoint);
  EXPECT_EQ(Count(), 1);
}

TEST_P(SqliteBulkTransactionTest, CommitsOrRollsBackLikeInTransaction) {
  InBulkTransaction(*database_, [&](Connection& connection) {
    connection.Execute(insert_, {std::string("a")});
    connection.Execute(insert_, {std::string("b")});
  });
  EXPECT_THROW(InBulkTransaction(*database_,
                                 [&](Connection& connection) {
                                   connection.Execute(insert_, {std::string("c")});
                                   throw std::runtime_error("changed my mind");
                                 }),
               std::runtime_error);
  EXPECT_THROW(InBulkTransaction(*database_, [&](Connection& connection) { connection.Execute(insert_, {std::string("a")}); }),
               DatabaseError);
  EXPECT_EQ(Count(), 2);  // a, b: not the rolled-back c
  // The write lock is free again: a write of another thread (the writer thread's) is not held up.
  auto started = std::chrono::steady_clock::now();
  std::async(std::launch::async, [&] { database_->Acquire()->Execute(insert_, {std::string("d")}); }).get();
  database_->InTransaction([&](Connection& connection) { connection.Execute(insert_, {std::string("e")}); });
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_EQ(Count(), 4);
}

// A larger page cache for the transaction only, whatever its outcome.
TEST_P(SqliteBulkTransactionTest, TheCacheSizeIsTheTransactionsOnly) {
  // The table-valued pragma reads the size when it runs (a cached "PRAGMA cache_size"
  // statement would answer the size it was prepared with).
  const Sql cache_size{"test.cache_size", "SELECT cache_size FROM pragma_cache_size"};
  int64_t inside = 0;
  InBulkTransaction(
      *database_,
      [&](Connection& connection) {
        inside = connection.QueryOne(cache_size)->Int(0);
        connection.Execute(insert_, {std::string("a")});
      },
      48 * 1024);
  EXPECT_THROW(InBulkTransaction(
                   *database_, [&](Connection&) { throw std::runtime_error("changed my mind"); }, 48 * 1024),
               std::runtime_error);
  if (GetParam()) {
    EXPECT_EQ(inside, -48 * 1024);
  }
  // Every pooled connection has the size of a connection again.
  std::vector<PooledConnection> all;
  for (int i = 0; i < 4; ++i) all.push_back(database_->Acquire());  // the test pool's size
  for (auto& connection : all) EXPECT_EQ(connection->QueryOne(cache_size)->Int(0), -16000);
  EXPECT_EQ(all.front()->QueryOne(Sql{"test.count", "SELECT COUNT(*) FROM scratch"})->Int(0), 1);
}

// Another thread's write waits for the bulk transaction's lock and then goes through.
TEST_P(SqliteBulkTransactionTest, AnotherWriteWaitsForItsCommit) {
  std::promise<void> inside, release;
  auto bulk = std::async(std::launch::async, [&] {
    InBulkTransaction(*database_, [&](Connection& connection) {
      connection.Execute(insert_, {std::string("bulk")});
      inside.set_value();
      release.get_future().wait();
    });
  });
  inside.get_future().wait();
  auto other = std::async(std::launch::async, [&] {
    database_->InTransaction([&](Connection& connection) { connection.Execute(insert_, {std::string("other")}); });
  });
  EXPECT_EQ(other.wait_for(200ms), std::future_status::timeout) << "written while the bulk transaction was open";
  release.set_value();
  bulk.get();
  ASSERT_EQ(other.wait_for(5s), std::future_status::ready);
  other.get();
  EXPECT_EQ(Count(), 2);
}

INSTANTIATE_TEST_SUITE_P(WriterThread, SqliteBulkTransactionTest, ::testing::Bool(),
                         testing::WriterThreadName);

// SQLite's heap is counted by our allocation methods, not by SQLite's statistics (which take
// a process-wide mutex on every allocation): the count follows what SQLite holds, up while a
// database is open and filled, down when it is closed, and SQLite's own stays at zero.
TEST(SqliteHeapTest, CountsWhatSqliteHoldsWithoutItsOwnStatistics) {
  int64_t before = SqliteMemoryUsed();
  auto database = testing::OpenFreshDatabase(testing::TestBackend::kSqlite);
  Migrate(*database);
  int64_t open = SqliteMemoryUsed();
  EXPECT_GT(open - before, 100'000) << "schema and statements";
  EXPECT_EQ(SqliteOwnStatistics(), 0) << "SQLite keeps its statistics (and their mutex) as well";
  database->InTransaction([](Connection& connection) {
    connection.ExecuteScript(
        "CREATE TABLE heap_test (id INTEGER PRIMARY KEY, filler TEXT);"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000) "
        "INSERT INTO heap_test (filler) SELECT printf('%.1000c', 'x') FROM n");
  });
  int64_t filled = SqliteMemoryUsed();
  EXPECT_GT(filled - open, 2'000'000) << "the page cache holds the 4 MB just written";
  database.reset();
  EXPECT_LT(SqliteMemoryUsed() - before, 100'000) << "a closed database holds nothing";
}

}  // namespace
}  // namespace tuoke::storage
