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

// The process's directory of ScratchDirectory, removed at exit (after every test, when the
// databases in it are closed).
class ScratchRoot {
 public:
  ScratchRoot()
      : path_(std::filesystem::temp_directory_path() / ("tuoke-unit-" + std::to_string(getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchRoot() {
    std::error_code error;
    std::filesystem::remove_all(path_, error);
  }
  std::filesystem::path Next(std::string_view purpose) {
    auto directory = path_ / (std::string(purpose) + "-" + std::to_string(++counter_));
    std::filesystem::create_directories(directory);
    return directory;
  }

 private:
  std::filesystem::path path_;
  std::atomic<int> counter_{0};
};

}  // namespace

std::filesystem::path ScratchDirectory(std::string_view purpose) {
  static ScratchRoot root;
  return root.Next(purpose);
}

std::vector<TestBackend> AllTestBackends() { return {TestBackend::kSqlite, TestBackend::kPostgres}; }

std::string BackendName(TestBackend backend) {
  return backend == TestBackend::kSqlite ? "Sqlite" : "Postgres";
}

std::unique_ptr<Database> OpenFreshDatabase(TestBackend backend) {
  DatabaseOptions options;
  options.pool_size = 4;
  if (backend == TestBackend::kSqlite) {
    options.url = "sqlite:" + (ScratchDirectory("db") / "test.db").string();
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
