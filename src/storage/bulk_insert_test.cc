// BulkInsert on both backends: full statements, the one-row remainder, values of every
// type and a failing row rolling back the whole transaction.
#include "storage/bulk_insert.h"

#include <gtest/gtest.h>

#include "storage/migrator.h"
#include "storage/testing/test_database.h"

namespace tuoke::storage {
namespace {

using testing::TestBackend;

class BulkInsertTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    database_ = testing::OpenFreshDatabase(GetParam());
    if (!database_) GTEST_SKIP() << "TUOKE_TEST_PG_URL is not set (make test sets it)";
    database_->Acquire()->ExecuteScript(
        ExpandMacros("CREATE TABLE bulk (id {{id_pk}}, name TEXT NOT NULL UNIQUE, amount BIGINT, "
                     "ratio DOUBLE PRECISION)",
                     database_->dialect()));
  }
  std::unique_ptr<Database> database_;
};

const Sql kCount{"test.bulk_count", "SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM bulk"};

TEST_P(BulkInsertTest, WritesFullStatementsAndTheRemainderInOrder) {
  const int64_t rows = 2 * BulkInsert::kRowsPerStatement + 7;
  database_->InTransaction([&](Connection& connection) {
    BulkInsert insert(connection, "test.bulk_insert", "INSERT INTO bulk (id, name, amount, ratio)", 4);
    for (int64_t i = 1; i <= rows; ++i)
      insert.Add({i, "客户 " + std::to_string(i), i % 3 ? Value(i) : Value(nullptr), 0.5});
    insert.Flush();
    EXPECT_EQ(insert.rows_written(), rows);
  });
  auto connection = database_->Acquire();
  auto totals = connection->QueryOne(kCount);
  int64_t expected_sum = 0;
  for (int64_t i = 1; i <= rows; ++i)
    if (i % 3) expected_sum += i;
  EXPECT_EQ(totals->Int(0), rows);
  EXPECT_EQ(totals->Int(1), expected_sum);
  const Sql select_one{"test.bulk_one", "SELECT name, amount FROM bulk WHERE id = ?"};
  auto last = connection->QueryOne(select_one, {rows});  // written by the one-row remainder
  ASSERT_TRUE(last);
  EXPECT_EQ(last->Text(0), "客户 " + std::to_string(rows));
  EXPECT_TRUE(last->IsNull(1)) << "every third amount is NULL";
  auto before_last = connection->QueryOne(select_one, {rows - 1});
  ASSERT_TRUE(before_last);
  EXPECT_EQ(before_last->Int(1), rows - 1);
}

TEST_P(BulkInsertTest, AFailingRowRollsBackEverythingWritten) {
  EXPECT_ANY_THROW(database_->InTransaction([&](Connection& connection) {
    BulkInsert insert(connection, "test.bulk_insert", "INSERT INTO bulk (id, name, amount, ratio)", 4);
    for (int64_t i = 1; i <= 150; ++i) insert.Add({i, std::string(i == 120 ? "dup" : i == 130 ? "dup" : "n") +
                                                          std::to_string(i == 120 || i == 130 ? 0 : i),
                                                      i, nullptr});
    insert.Flush();
  }));
  EXPECT_EQ(database_->Acquire()->QueryOne(kCount)->Int(0), 0);
}

TEST_P(BulkInsertTest, RejectsARowOfTheWrongWidth) {
  auto connection = database_->Acquire();
  BulkInsert insert(*connection, "test.bulk_insert", "INSERT INTO bulk (id, name, amount, ratio)", 4);
  EXPECT_THROW(insert.Add({int64_t{1}, std::string("x")}), std::logic_error);
}

INSTANTIATE_TEST_SUITE_P(Backends, BulkInsertTest, ::testing::ValuesIn(testing::AllTestBackends()),
                         [](const auto& param_info) { return testing::BackendName(param_info.param); });

}  // namespace
}  // namespace tuoke::storage
