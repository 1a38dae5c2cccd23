// Held-back writes (storage/deferred_write.h, ADR 0012) on both backends: they run in
// order before anything that could see them, are committed or rolled back with their
// transaction, and their errors reach the caller.
#include "storage/deferred_write.h"

#include <gtest/gtest.h>

#include "storage/migrator.h"
#include "storage/testing/test_database.h"

namespace tuoke::storage {
namespace {

using testing::TestBackend;

class DeferredWriteStorageTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    database_ = testing::OpenFreshDatabase(GetParam());
    if (!database_) GTEST_SKIP() << "TUOKE_TEST_PG_URL is not set (make test sets it)";
    Migrate(*database_);
    database_->Acquire()->ExecuteScript(ExpandMacros(
        "CREATE TABLE held (id {{id_pk}}, name TEXT NOT NULL UNIQUE, amount BIGINT NOT NULL)", database_->dialect()));
  }
  int64_t Count() { return database_->Acquire()->QueryOne(kCount)->Int(0); }
  std::optional<int64_t> AmountOf(const std::string& name) {
    auto row = database_->Acquire()->QueryOne(kAmount, {name});
    return row ? std::optional<int64_t>(row->Int(0)) : std::nullopt;
  }

  const Sql kInsert{"test.held_insert", "INSERT INTO held (name, amount) VALUES (?, ?)"};
  const Sql kAdd{"test.held_add", "UPDATE held SET amount = amount + ? WHERE name = ?"};
  const Sql kCount{"test.held_count", "SELECT COUNT(*) FROM held"};
  const Sql kAmount{"test.held_amount", "SELECT amount FROM held WHERE name = ?"};
  std::unique_ptr<Database> database_;
};

TEST_P(DeferredWriteStorageTest, HeldBackWritesRunInOrderBeforeTheNextStatementAndCommit) {
  database_->InTransaction([&](Connection& connection) {
    ExecuteLater(connection, kInsert, {std::string("a"), int64_t{1}});
    ExecuteLater(connection, kAdd, {int64_t{10}, std::string("a")});  // after the insert
    // The next statement of the transaction sees both.
    EXPECT_EQ(connection.QueryOne(kAmount, {std::string("a")})->Int(0), 11);
    ExecuteLater(connection, kAdd, {int64_t{100}, std::string("a")});  // goes with the COMMIT
  });
  EXPECT_EQ(AmountOf("a"), 111);
}

TEST_P(DeferredWriteStorageTest, AFailingHeldBackWriteFailsItsTransactionWhole) {
  database_->Acquire()->Execute(kInsert, {std::string("taken"), int64_t{1}});
  // The failure surfaces at the next statement …
  EXPECT_THROW(database_->InTransaction([&](Connection& connection) {
    connection.Execute(kInsert, {std::string("b"), int64_t{2}});
    // PostgreSQL holds the write back (its error comes with the next statement); SQLite
    // runs it at once.
    bool held = connection.dialect() == Dialect::kPostgres;
    try {
      ExecuteLater(connection, kInsert, {std::string("taken"), int64_t{3}});
      EXPECT_TRUE(held) << "SQLite runs it at once";
    } catch (const DatabaseError&) {
      EXPECT_FALSE(held) << "PostgreSQL sends it with the next statement";
      throw;
    }
    connection.Execute(kInsert, {std::string("c"), int64_t{4}});
  }),
               DatabaseError);
  // … or at the COMMIT; either way nothing of the transaction stays.
  try {
    database_->InTransaction([&](Connection& connection) {
      connection.Execute(kInsert, {std::string("d"), int64_t{5}});
      ExecuteLater(connection, kInsert, {std::string("taken"), int64_t{6}});
    });
    FAIL() << "expected the unique violation of the held-back insert";
  } catch (const DatabaseError& error) {
    EXPECT_EQ(error.kind(), DatabaseError::Kind::kUniqueViolation);
  }
  EXPECT_EQ(Count(), 1);
  EXPECT_EQ(AmountOf("taken"), 1);
  // The pool's connections are usable afterwards.
  database_->InTransaction([&](Connection& connection) {
    ExecuteLater(connection, kInsert, {std::string("e"), int64_t{7}});
  });
  EXPECT_EQ(AmountOf("e"), 7);
}

TEST_P(DeferredWriteStorageTest, HeldBackWritesAreRolledBackWithAThrowingTransaction) {
  EXPECT_THROW(database_->InTransaction([&](Connection& connection) {
    connection.Execute(kInsert, {std::string("f"), int64_t{1}});
    ExecuteLater(connection, kInsert, {std::string("g"), int64_t{2}});
    throw std::runtime_error("business rule failed");
  }),
               std::runtime_error);
  EXPECT_EQ(Count(), 0);
  // A transaction that ran nothing, and one whose only statement is held back.
  database_->InTransaction([&](Connection&) {});
  database_->InTransaction([&](Connection& connection) {
    ExecuteLater(connection, kInsert, {std::string("h"), int64_t{8}});
  });
  EXPECT_EQ(AmountOf("h"), 8);
}

TEST_P(DeferredWriteStorageTest, OutsideATransactionItRunsAtOnce) {
  auto connection = database_->Acquire();
  ExecuteLater(*connection, kInsert, {std::string("now"), int64_t{9}});
  EXPECT_EQ(AmountOf("now"), 9);  // read on another connection
  EXPECT_THROW(ExecuteLater(*connection, kInsert, {std::string("now"), int64_t{9}}), DatabaseError);
}

// Connection::QueryMany (ADR 0017): one round trip on PostgreSQL, one statement after the
// other on SQLite; the same answers either way.
TEST_P(DeferredWriteStorageTest, QueryManyAnswersEachStatementInOrder) {
  database_->Acquire()->Execute(kInsert, {std::string("x"), int64_t{5}});
  database_->Acquire()->Execute(kInsert, {std::string("y"), int64_t{6}});
  auto connection = database_->Acquire();
  auto answers = connection->QueryMany({{&kAmount, {std::string("y")}},
                                        {&kAmount, {std::string("none")}},
                                        {&kCount, {}},
                                        {&kAmount, {std::string("x")}}});
  ASSERT_EQ(answers.size(), 4u);
  EXPECT_EQ(answers[0].rows.at(0).Int(0), 6);
  EXPECT_TRUE(answers[1].empty());
  EXPECT_EQ(answers[2].rows.at(0).Int(0), 2);
  EXPECT_EQ(answers[3].rows.at(0).Int(0), 5);
  EXPECT_EQ(answers[3].columns, std::vector<std::string>{"amount"});
  // One statement alone, and none.
  EXPECT_EQ(connection->QueryMany({{&kCount, {}}}).at(0).rows.at(0).Int(0), 2);
  EXPECT_TRUE(connection->QueryMany({}).empty());
}

TEST_P(DeferredWriteStorageTest, QueryManySeesHeldBackWritesAndTheirErrors) {
  database_->InTransaction([&](Connection& connection) {
    ExecuteLater(connection, kInsert, {std::string("p"), int64_t{1}});
    auto answers = connection.QueryMany({{&kAmount, {std::string("p")}}, {&kCount, {}}});
    EXPECT_EQ(answers.at(0).rows.at(0).Int(0), 1);
    EXPECT_EQ(answers.at(1).rows.at(0).Int(0), 1);
    // Writes with RETURNING travel too, in order.
    static const Sql kInsertReturning{"test.held_insert_returning",
                                      "INSERT INTO held (name, amount) VALUES (?, ?) RETURNING amount"};
    answers = connection.QueryMany({{&kInsertReturning, {std::string("q"), int64_t{2}}}, {&kCount, {}}});
    EXPECT_EQ(answers.at(0).rows.at(0).Int(0), 2);
    EXPECT_EQ(answers.at(1).rows.at(0).Int(0), 2);
  });
  EXPECT_EQ(Count(), 2);
  // The first failure is thrown, with its kind, and the transaction is rolled back whole.
  try {
    database_->InTransaction([&](Connection& connection) {
      connection.Execute(kInsert, {std::string("r"), int64_t{3}});
      connection.QueryMany({{&kCount, {}}, {&kAmount, {std::string("p")}}});
      ExecuteLater(connection, kInsert, {std::string("s"), int64_t{4}});
      connection.QueryMany({{&kCount, {}}, {&kInsert, {std::string("p"), int64_t{5}}}, {&kCount, {}}});
      ADD_FAILURE() << "the duplicate should have thrown";
    });
    FAIL() << "expected the unique violation";
  } catch (const DatabaseError& error) {
    EXPECT_EQ(error.kind(), DatabaseError::Kind::kUniqueViolation);
  }
  EXPECT_EQ(Count(), 2);
  EXPECT_FALSE(AmountOf("r"));
  EXPECT_FALSE(AmountOf("s"));
  // Outside a transaction a failure leaves the connection usable.
  auto connection = database_->Acquire();
  EXPECT_THROW(connection->QueryMany({{&kInsert, {std::string("p"), int64_t{6}}}, {&kCount, {}}}), DatabaseError);
  EXPECT_EQ(connection->QueryMany({{&kCount, {}}, {&kAmount, {std::string("q")}}}).at(1).rows.at(0).Int(0), 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, DeferredWriteStorageTest, ::testing::ValuesIn(testing::AllTestBackends()),
                         [](const auto& param_info) { return testing::BackendName(param_info.param); });

}  // namespace
}  // namespace tuoke::storage
