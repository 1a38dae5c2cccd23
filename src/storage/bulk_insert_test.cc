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
  const int64_t rows = 2 * static_cast<int64_t>(BulkInsert::RowsPerStatement(4)) + 7;
  database_->InTransaction([&](Connection& connection) {
    BulkInsert insert(connection, "test.bulk_insert", "INSERT INTO bulk (id, name, amount, ratio)", 4);
    EXPECT_EQ(insert.rows_per_statement(), BulkInsert::kMaxRowsPerStatement);
    for (int64_t i = 1; i <= rows; ++i)
      insert.Add({i, "客户 " + std::to_string(i), i % 3 ? Value(i) : Value(nullptr), 0.5});
    insert.Flush();
    EXPECT_EQ(insert.rows_written(), rows);
    EXPECT_EQ(insert.statements(), 2 + 3) << "two full statements, then 4 + 2 + 1 rows";
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
  // Every row carries its own values: no row shifted between statements.
  const Sql kMismatched{"test.bulk_mismatched",
                        "SELECT COUNT(*) FROM bulk WHERE name <> '客户 ' || CAST(id AS TEXT) OR amount <> id"};
  EXPECT_EQ(connection->QueryOne(kMismatched)->Int(0), 0);
}

// The widest table written this way (the customers, 55 values) in full statements of
// RowsPerStatement rows: the parameter limit holds on both backends. Remainders of every
// size go in statements of 2^k rows, largest first, in the order added.
TEST_P(BulkInsertTest, WideRowsFillTheParameterLimitAndRemaindersGoInPowersOfTwo) {
  const size_t kColumns = 55;
  std::string create = "CREATE TABLE wide (id BIGINT PRIMARY KEY";
  std::string head = "INSERT INTO wide (id";
  for (size_t c = 1; c < kColumns; ++c) {
    create += ", c" + std::to_string(c) + " TEXT";
    head += ", c" + std::to_string(c);
  }
  database_->Acquire()->ExecuteScript(create + ")");
  head += ")";
  const size_t full = BulkInsert::RowsPerStatement(kColumns);
  EXPECT_EQ(full, 595u);
  EXPECT_LE(full * kColumns, BulkInsert::kMaxParameters);
  int64_t next_id = 1;
  for (size_t rows : {size_t{1}, size_t{3}, size_t{100}, full - 1, full, full + 1, 2 * full + 300}) {
    int64_t first_id = next_id;
    database_->InTransaction([&](Connection& connection) {
      BulkInsert insert(connection, "test.wide_insert", head, kColumns);
      for (size_t r = 0; r < rows; ++r) {
        Params row{next_id++};
        for (size_t c = 1; c < kColumns; ++c) row.push_back(std::to_string(next_id - 1) + "/" + std::to_string(c));
        insert.Add(std::move(row));
      }
      insert.Flush();
      size_t rest = rows % full;
      int64_t expected = static_cast<int64_t>(rows / full);
      for (size_t bits = rest; bits; bits &= bits - 1) ++expected;
      EXPECT_EQ(insert.statements(), expected) << rows << " rows";
      EXPECT_EQ(insert.rows_written(), static_cast<int64_t>(rows));
    });
    auto connection = database_->Acquire();
    const Sql kRange{"test.wide_range",
                     "SELECT COUNT(*), MIN(id), MAX(id) FROM wide WHERE id >= ? AND c1 = CAST(id AS TEXT) || '/1' "
                     "AND c54 = CAST(id AS TEXT) || '/54'"};
    auto range = connection->QueryOne(kRange, {first_id});
    EXPECT_EQ(range->Int(0), static_cast<int64_t>(rows)) << rows << " rows";
    EXPECT_EQ(range->Int(1), first_id);
    EXPECT_EQ(range->Int(2), next_id - 1);
  }
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
