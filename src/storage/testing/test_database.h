// Runs store tests on both backends (the SOCI-style conformance approach): a test
// parameterised by TestBackend gets a fresh, migrated database of that kind.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.h"

namespace tuoke::storage::testing {

enum class TestBackend { kSqlite, kPostgres };

std::vector<TestBackend> AllTestBackends();
std::string BackendName(TestBackend backend);

// A fresh empty database: a new SQLite file, or the PostgreSQL test database
// (TUOKE_TEST_PG_URL) with its schema dropped and recreated. Returns nullptr for
// PostgreSQL when TUOKE_TEST_PG_URL is unset (the test then skips; `make test`
// always sets it through scripts/with-postgres.sh).
std::unique_ptr<Database> OpenFreshDatabase(TestBackend backend);

// A new empty directory for a test's files (`purpose` names it), under one directory of
// this process in the system's temp directory that is removed with everything in it when
// the process exits normally, whether its tests passed or failed (a crash leaves it; the
// next process with the same pid clears it).
std::filesystem::path ScratchDirectory(std::string_view purpose);

}  // namespace tuoke::storage::testing
