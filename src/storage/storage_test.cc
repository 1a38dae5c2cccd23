// The storage conformance suite: every test runs on SQLite and on PostgreSQL.
#include <gtest/gtest.h>

#include <thread>

#include "storage/deferred_write.h"
#include "storage/migrator.h"
#include "storage/testing/test_database.h"

namespace tuoke::storage {
namespace {

using testing::TestBackend;

class StorageTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    database_ = testing::OpenFreshDatabase(GetParam());
    if (!database_) GTEST_SKIP() << "TUOKE_TEST_PG_URL is not set (make test sets it)";
    Migrate(*database_);
  }
  std::unique_ptr<Database> database_;
};

const Sql kCreateScratch{"test.create_scratch",
                         "CREATE TABLE scratch (id {{id_pk}}, name TEXT NOT NULL UNIQUE, amount BIGINT, "
                         "ratio DOUBLE PRECISION)"};

void CreateScratch(Database& database) {
  database.Acquire()->ExecuteScript(ExpandMacros(kCreateScratch.text, database.dialect()));
}

TEST_P(StorageTest, MigrationsApplyOnceAndReportStatus) {
  auto status = GetMigrationStatus(*database_);
  EXPECT_TRUE(status.pending.empty());
  EXPECT_EQ(status.current_version, status.latest_version);
  EXPECT_GE(status.latest_version, 1);
  EXPECT_TRUE(Migrate(*database_).empty()) << "a second run must apply nothing";
}

TEST_P(StorageTest, BindsEveryValueTypeAndReadsNulls) {
  CreateScratch(*database_);
  auto connection = database_->Acquire();
  const Sql insert{"test.insert", "INSERT INTO scratch (name, amount, ratio) VALUES (?, ?, ?) RETURNING id"};
  auto id = connection->QueryOne(insert, {std::string("北京凌天 'quoted' ?"), int64_t{9007199254740993}, 0.25})->Int(0);
  connection->Query(insert, {std::string("empty"), nullptr, nullptr});
  const Sql select{"test.select", "SELECT name, amount, ratio FROM scratch WHERE id = ?"};
  auto row = connection->QueryOne(select, {id});
  ASSERT_TRUE(row);
  EXPECT_EQ(row->Text(0), "北京凌天 'quoted' ?");
  EXPECT_EQ(row->Int(1), 9007199254740993);
  EXPECT_DOUBLE_EQ(std::stod(row->Text(2)), 0.25);
  const Sql select_by_name{"test.select_by_name", "SELECT amount FROM scratch WHERE name = ?"};
  auto empty = connection->QueryOne(select_by_name, {std::string("empty")});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->IsNull(0));
  EXPECT_FALSE(empty->OptionalInt(0));
}

TEST_P(StorageTest, QuestionMarksInsideLiteralsAreNotPlaceholders) {
  auto connection = database_->Acquire();
  const Sql sql{"test.literal", "SELECT 'why?' || ?"};
  EXPECT_EQ(connection->QueryOne(sql, {std::string("!")})->Text(0), "why?!");
}

TEST_P(StorageTest, UniqueViolationsAreClassified) {
  CreateScratch(*database_);
  auto connection = database_->Acquire();
  const Sql insert{"test.insert_name", "INSERT INTO scratch (name) VALUES (?)"};
  connection->Execute(insert, {std::string("same")});
  try {
    connection->Execute(insert, {std::string("same")});
    FAIL() << "expected a unique violation";
  } catch (const DatabaseError& error) {
    EXPECT_EQ(error.kind(), DatabaseError::Kind::kUniqueViolation);
  }
}

TEST_P(StorageTest, TransactionsRollBackOnException) {
  CreateScratch(*database_);
  const Sql insert{"test.insert_name", "INSERT INTO scratch (name) VALUES (?)"};
  const Sql count{"test.count", "SELECT COUNT(*) FROM scratch"};
  EXPECT_THROW(database_->InTransaction([&](Connection& connection) {
    connection.Execute(insert, {std::string("one")});
    throw std::runtime_error("business rule failed");
  }),
               std::runtime_error);
  EXPECT_EQ(database_->Acquire()->QueryOne(count)->Int(0), 0);
  database_->InTransaction([&](Connection& connection) { connection.Execute(insert, {std::string("two")}); });
  EXPECT_EQ(database_->Acquire()->QueryOne(count)->Int(0), 1);
}

TEST_P(StorageTest, AuditLogIsAppendOnly) {
  auto connection = database_->Acquire();
  const Sql insert{"test.audit_insert",
                   "INSERT INTO audit_log (at, action, entity) VALUES ('2026-01-01T00:00:00.000Z', 'x', 'y')"};
  connection->Execute(insert);
  EXPECT_THROW(connection->Execute(Sql{"test.audit_update", "UPDATE audit_log SET action = 'z'"}), DatabaseError);
  EXPECT_THROW(connection->Execute(Sql{"test.audit_delete", "DELETE FROM audit_log"}), DatabaseError);
  connection->Execute(Sql{"test.policy_insert",
                          "INSERT INTO policy_versions (policy_key, value_json, effective_from, created_at) "
                          "VALUES ('k', '1', '2026-01-01', '2026-01-01T00:00:00.000Z')"});
  EXPECT_THROW(connection->Execute(Sql{"test.policy_update", "UPDATE policy_versions SET value_json = '2'"}),
               DatabaseError);
  EXPECT_THROW(connection->Execute(Sql{"test.policy_delete", "DELETE FROM policy_versions"}), DatabaseError);
}

TEST_P(StorageTest, ConcurrentWritersAllSucceed) {
  CreateScratch(*database_);
  const Sql insert{"test.insert_name", "INSERT INTO scratch (name) VALUES (?)"};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i)
        database_->InTransaction([&](Connection& connection) {
          connection.Execute(insert, {"w" + std::to_string(t) + "-" + std::to_string(i)});
        });
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(database_->Acquire()->QueryOne(Sql{"test.count", "SELECT COUNT(*) FROM scratch"})->Int(0), 100);
}

TEST_P(StorageTest, PostgresOverridesAreUsedOnlyOnPostgres) {
  const Sql sql{"test.dialect", "SELECT 'sqlite'", "SELECT 'postgres'"};
  std::string expected = GetParam() == TestBackend::kSqlite ? "sqlite" : "postgres";
  EXPECT_EQ(database_->Acquire()->QueryOne(sql)->Text(0), expected);
}

TEST_P(StorageTest, StatementsPlannedEachTimeTakeTheirParametersEverywhere) {
  CreateScratch(*database_);
  const Sql insert{"test.insert_amount", "INSERT INTO scratch (name, amount) VALUES (?, ?)"};
  const Sql each_time{"test.each_time", "SELECT /* each_time */ amount FROM scratch WHERE name = ? AND amount > ?",
                      nullptr, true};
  const Sql prepared{"test.prepared", "SELECT /* prepared */ amount FROM scratch WHERE name = ? AND amount > ?"};
  // Alone, inside a transaction after its BEGIN, and behind a held-back write (one pipeline).
  database_->Acquire()->Execute(insert, {std::string("a?"), int64_t{7}});
  EXPECT_EQ(database_->Acquire()->QueryOne(each_time, {std::string("a?"), int64_t{6}})->Int(0), 7);
  EXPECT_FALSE(database_->Acquire()->QueryOne(each_time, {std::string("a?"), int64_t{7}}));
  database_->InTransaction([&](Connection& connection) {
    EXPECT_EQ(connection.QueryOne(each_time, {std::string("a?"), int64_t{0}})->Int(0), 7);
    ExecuteLater(connection, insert, {std::string("b"), int64_t{9}});
    EXPECT_EQ(connection.QueryOne(each_time, {std::string("b"), int64_t{8}})->Int(0), 9);
    connection.QueryOne(prepared, {std::string("b"), int64_t{8}});
    if (GetParam() != TestBackend::kPostgres) return;
    // R-CUST-50: an unnamed statement on PostgreSQL, planned with the values at every run.
    const Sql named{"test.prepared_statements",
                    "SELECT COUNT(*) FILTER (WHERE statement LIKE '%/* ' || 'each_time */%'), "
                    "COUNT(*) FILTER (WHERE statement LIKE '%/* ' || 'prepared */%') FROM pg_prepared_statements"};
    auto counts = connection.QueryOne(named);
    EXPECT_EQ(counts->Int(0), 0);
    EXPECT_EQ(counts->Int(1), 1);
  });
}

INSTANTIATE_TEST_SUITE_P(Backends, StorageTest, ::testing::ValuesIn(testing::AllTestBackends()),
                         [](const auto& param_info) { return testing::BackendName(param_info.param); });

TEST(MigrationLoaderTest, DialectFilesAreAppendedToTheirMigration) {
  std::vector<EmbeddedFile> files = {{"0001_a.sql", "CREATE TABLE a (id {{id_pk}});"},
                                     {"0001_a.postgres.sql", "-- pg extra"},
                                     {"0001_a.sqlite.sql", "-- sqlite extra\nCREATE TABLE s (id {{id_pk}});"},
                                     {"0002_b.sql", "SELECT 1;"}};
  auto sqlite = LoadMigrations(files, Dialect::kSqlite);
  ASSERT_EQ(sqlite.size(), 2u);
  EXPECT_NE(sqlite[0].script.find("INTEGER PRIMARY KEY"), std::string::npos);
  EXPECT_NE(sqlite[0].script.find("sqlite extra"), std::string::npos);
  EXPECT_EQ(sqlite[0].script.find("pg extra"), std::string::npos);
  EXPECT_EQ(sqlite[0].script.find("{{"), std::string::npos) << "macros of dialect files are expanded too";
  auto postgres = LoadMigrations(files, Dialect::kPostgres);
  EXPECT_NE(postgres[0].script.find("GENERATED BY DEFAULT AS IDENTITY"), std::string::npos);
  EXPECT_NE(postgres[0].script.find("pg extra"), std::string::npos);
}

TEST(MigrationLoaderTest, GapsAreRejected) {
  std::vector<EmbeddedFile> files = {{"0001_a.sql", "SELECT 1;"}, {"0003_c.sql", "SELECT 1;"}};
  EXPECT_THROW(LoadMigrations(files, Dialect::kSqlite), std::logic_error);
}

}  // namespace
}  // namespace tuoke::storage
