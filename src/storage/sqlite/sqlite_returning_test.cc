// `INSERT … RETURNING id` on SQLite (session 10): a one-row insert into a table whose id is
// its INTEGER PRIMARY KEY runs as the plain INSERT and answers the rowid; every other shape
// keeps SQLite's RETURNING. Either way the answer must be the one RETURNING gives.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/database.h"
#include "storage/testing/test_database.h"

namespace tuoke::storage {
namespace {

class SqliteReturningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = testing::OpenFreshDatabase(testing::TestBackend::kSqlite);
    database_->Acquire()->ExecuteScript(
        "CREATE TABLE rowid_items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, note TEXT);"
        "CREATE TABLE item_log (id INTEGER PRIMARY KEY, item_id BIGINT NOT NULL);"
        // A trigger's own insert must not change the id answered for the outer one.
        "CREATE TRIGGER rowid_items_logged AFTER INSERT ON rowid_items BEGIN "
        "  INSERT INTO item_log (item_id) VALUES (new.id); INSERT INTO item_log (item_id) VALUES (new.id); END;"
        "CREATE TABLE text_items (id TEXT PRIMARY KEY, name TEXT NOT NULL);"
        "CREATE TABLE bigint_items (id BIGINT PRIMARY KEY, name TEXT NOT NULL);"
        "CREATE TABLE no_rowid_items (id INTEGER PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;"
        "CREATE TABLE pair_items (id INTEGER NOT NULL, part INTEGER NOT NULL, PRIMARY KEY (id, part));");
  }
  std::vector<std::string> Ids(Connection& connection, const char* text, const Params& params) {
    std::vector<std::string> ids;
    for (const auto& row : connection.Query(Sql{"test.returning", text}, params).rows) ids.push_back(row.Text(0));
    return ids;
  }
  std::vector<std::string> Ids(const char* text, const Params& params) { return Ids(*database_->Acquire(), text, params); }
  int64_t Count(const char* table) {
    return database_->Acquire()->QueryOne(Sql{"test.count", (std::string("SELECT COUNT(*) FROM ") + table).c_str()})->Int(0);
  }

  std::unique_ptr<Database> database_;
};

constexpr const char* kInsertRowid = "INSERT INTO rowid_items (name, note) VALUES (?, 'a (quoted) note') RETURNING id";

TEST_F(SqliteReturningTest, AOneRowInsertAnswersTheIdOfTheRowItInserted) {
  EXPECT_EQ(Ids(kInsertRowid, {std::string("a")}), std::vector<std::string>{"1"});  // autocommit
  EXPECT_EQ(Ids("INSERT INTO rowid_items (id, name) VALUES (?, ?) RETURNING id", {int64_t{41}, std::string("b")}),
            std::vector<std::string>{"41"});
  database_->InTransaction([&](Connection& connection) {
    EXPECT_EQ(Ids(connection, kInsertRowid, {std::string("c")}), std::vector<std::string>{"42"});
    EXPECT_EQ(Ids(connection, kInsertRowid, {std::string("d")}), std::vector<std::string>{"43"});
  });
  // The same statement again (now prepared) and the rows as stored, triggers included.
  EXPECT_EQ(Ids(kInsertRowid, {std::string("e")}), std::vector<std::string>{"44"});
  EXPECT_EQ(Ids("SELECT id FROM rowid_items WHERE name = ?", {std::string("d")}), std::vector<std::string>{"43"});
  EXPECT_EQ(Ids("SELECT note FROM rowid_items WHERE id = ?", {int64_t{44}}), std::vector<std::string>{"a (quoted) note"});
  EXPECT_EQ(Count("item_log"), 10);
}

TEST_F(SqliteReturningTest, AFailingInsertFailsAsBeforeAndAnswersNothing) {
  Ids(kInsertRowid, {std::string("a")});
  try {
    Ids(kInsertRowid, {std::string("a")});
    FAIL() << "a duplicate name must fail";
  } catch (const DatabaseError& error) {
    EXPECT_EQ(error.kind(), DatabaseError::Kind::kUniqueViolation);
  }
  EXPECT_THROW(database_->InTransaction([&](Connection& connection) { Ids(connection, kInsertRowid, {std::string("a")}); }),
               DatabaseError);
  EXPECT_EQ(Count("rowid_items"), 1);
  EXPECT_EQ(Ids(kInsertRowid, {std::string("b")}), std::vector<std::string>{"2"});
}

TEST_F(SqliteReturningTest, OtherShapesKeepSqlitesReturning) {
  // Upserts: nothing inserted answers no row; an update answers the updated row's id.
  Ids(kInsertRowid, {std::string("a")});
  Ids(kInsertRowid, {std::string("b")});
  EXPECT_TRUE(Ids("INSERT INTO rowid_items (name) VALUES (?) ON CONFLICT (name) DO NOTHING RETURNING id",
                  {std::string("a")})
                  .empty());
  EXPECT_EQ(Ids("INSERT INTO rowid_items (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET note = 'x' RETURNING id",
                {std::string("a")}),
            std::vector<std::string>{"1"});
  EXPECT_TRUE(Ids("INSERT OR IGNORE INTO rowid_items (name) VALUES (?) RETURNING id", {std::string("b")}).empty());
  // Several rows.
  EXPECT_EQ(Ids("INSERT INTO rowid_items (name) VALUES (?), (?) RETURNING id", {std::string("c"), std::string("d")}),
            (std::vector<std::string>{"3", "4"}));
  EXPECT_EQ(Ids("INSERT INTO rowid_items (name) SELECT name || '2' FROM rowid_items WHERE id <= 2 RETURNING id", {}).size(),
            2u);
  // Tables whose id is not the rowid.
  EXPECT_EQ(Ids("INSERT INTO text_items (id, name) VALUES (?, ?) RETURNING id", {std::string("k1"), std::string("a")}),
            std::vector<std::string>{"k1"});
  EXPECT_EQ(Ids("INSERT INTO bigint_items (id, name) VALUES (?, ?) RETURNING id", {int64_t{77}, std::string("a")}),
            std::vector<std::string>{"77"});
  EXPECT_EQ(Ids("INSERT INTO no_rowid_items (id, name) VALUES (?, ?) RETURNING id", {int64_t{5}, std::string("a")}),
            std::vector<std::string>{"5"});
  EXPECT_EQ(Ids("INSERT INTO pair_items (id, part) VALUES (?, ?) RETURNING id", {int64_t{9}, int64_t{1}}),
            std::vector<std::string>{"9"});
  // The last plain insert before these must not leak into their answers.
  EXPECT_EQ(Ids(kInsertRowid, {std::string("z")}), std::vector<std::string>{"7"});
}

}  // namespace
}  // namespace tuoke::storage
