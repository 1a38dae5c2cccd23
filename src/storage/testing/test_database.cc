#include "storage/testing/test_database.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace tuoke::storage::testing {
namespace {
// Tests report through gtest; the migration log lines would only be noise.
[[maybe_unused]] const bool kQuietLogs = (spdlog::set_level(spdlog::level::warn), true);
}  // namespace

std::vector<TestBackend> AllTestBackends() { return {TestBackend::kSqlite, TestBackend::kPostgres}; }

std::string BackendName(TestBackend backend) {
  return backend == TestBackend::kSqlite ? "Sqlite" : "Postgres";
}

std::unique_ptr<Database> OpenFreshDatabase(TestBackend backend) {
  DatabaseOptions options;
  options.pool_size = 4;
  if (backend == TestBackend::kSqlite) {
    static std::atomic<int> counter{0};
    auto directory = std::filesystem::temp_directory_path() /
                     ("tuoke-unit-" + std::to_string(getpid()) + "-" + std::to_string(++counter));
    std::filesystem::remove_all(directory);
    std::filesystem::create_directories(directory);
    options.url = "sqlite:" + (directory / "test.db").string();
    return Database::Open(options);
  }
  const char* url = std::getenv("TUOKE_TEST_PG_URL");
  if (!url || !*url) return nullptr;
  options.url = url;
  auto database = Database::Open(options);
  database->Acquire()->ExecuteScript(
      "DROP SCHEMA public CASCADE; CREATE SCHEMA public; DROP FUNCTION IF EXISTS tuoke_append_only();");
  return database;
}

}  // namespace tuoke::storage::testing
