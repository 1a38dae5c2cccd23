// Test-only: a fresh, migrated SQLite database with a `scratch` table, once with the writer
// thread of ADR 0015 (the default) and once with it switched off (each thread writing in its
// own turn). Shared by the writer-queue and bulk-transaction tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "storage/migrator.h"
#include "storage/testing/test_database.h"

namespace tuoke::storage::testing {

class SqliteScratchTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    setenv("TUOKE_SQLITE_WRITER_THREAD", GetParam() ? "1" : "0", 1);
    database_ = OpenFreshDatabase(TestBackend::kSqlite);
    unsetenv("TUOKE_SQLITE_WRITER_THREAD");
    Migrate(*database_);
    database_->Acquire()->ExecuteScript("CREATE TABLE scratch (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
  }
  int64_t Count() { return database_->Acquire()->QueryOne(Sql{"test.count", "SELECT COUNT(*) FROM scratch"})->Int(0); }

  std::unique_ptr<Database> database_;
  const Sql insert_{"test.insert_name", "INSERT INTO scratch (name) VALUES (?)"};
};

// The parameter's name in test names: "On" or "Off".
inline std::string WriterThreadName(const ::testing::TestParamInfo<bool>& info) {
  return info.param ? "On" : "Off";
}

}  // namespace tuoke::storage::testing
