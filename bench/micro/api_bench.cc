// In-process cost of one authenticated API request (no sockets): where the time of
// GET /api/v1/users/{id} goes, on SQLite.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>

#include "app/app.h"
#include "platform/demo_seed.h"

namespace {

using namespace tuoke;

struct Fixture {
  Fixture() {
    spdlog::set_level(spdlog::level::warn);
    // Hashing cost is not what this measures; keep the set-up quick.
    platform::SetPasswordHashCost({1, 8 * 1024});
    directory = std::filesystem::temp_directory_path() / ("tuoke-api-bench-" + std::to_string(getpid()));
    std::filesystem::remove_all(directory);
    app::AppConfig config;
    config.database_url = "sqlite:" + (directory / "bench.db").string();
    config.access_log = false;
    application = std::make_unique<app::App>(config, clock);
    platform::SeedDemo(application->org());
    platform::RequestContext context{"127.0.0.1", "bench", "bench"};
    auto login = application->auth().Login("mgr1", platform::kDemoPassword, context);
    auto caller = application->auth().Authenticate(login.token, platform::SessionKind::kBrowser, context);
    token = application->auth().CreateToken(*caller, "bench", 1)["token"];
    rep_id = std::to_string(*application->org().FindUserId("rep1"));
  }
  ~Fixture() {
    application.reset();
    std::filesystem::remove_all(directory);
  }
  SystemClock clock;
  std::filesystem::path directory;
  std::unique_ptr<app::App> application;
  std::string token;
  std::string rep_id;
};

Fixture& Shared() {
  static Fixture fixture;
  return fixture;
}

void GetUserWithBearerToken(benchmark::State& state) {
  Fixture& fixture = Shared();
  for (auto _ : state) {
    http::Request request;
    request.method = "GET";
    request.path = "/api/v1/users/" + fixture.rep_id;
    request.headers.emplace_back("authorization", "Bearer " + fixture.token);
    auto response = fixture.application->Handle(request);
    if (response.status != 200) state.SkipWithError("unexpected status");
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(GetUserWithBearerToken);

void GetPolicyWithBearerToken(benchmark::State& state) {
  Fixture& fixture = Shared();
  for (auto _ : state) {
    http::Request request;
    request.method = "GET";
    request.path = "/api/v1/policies/visits.geofence_radius_m";
    request.headers.emplace_back("authorization", "Bearer " + fixture.token);
    auto response = fixture.application->Handle(request);
    if (response.status != 200) state.SkipWithError("unexpected status");
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(GetPolicyWithBearerToken);

void AuthenticateOnly(benchmark::State& state) {
  Fixture& fixture = Shared();
  platform::RequestContext context{"127.0.0.1", "bench", "bench"};
  for (auto _ : state) {
    auto caller = fixture.application->auth().Authenticate(fixture.token, platform::SessionKind::kApi, context);
    benchmark::DoNotOptimize(caller);
  }
}
BENCHMARK(AuthenticateOnly);

void Healthz(benchmark::State& state) {
  Fixture& fixture = Shared();
  for (auto _ : state) {
    http::Request request;
    request.method = "GET";
    request.path = "/healthz";
    auto response = fixture.application->Handle(request);
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(Healthz);

// The floor: one trivial statement through the storage layer.
void StorageSelectOne(benchmark::State& state) {
  Fixture& fixture = Shared();
  const storage::Sql sql{"bench.select_one", "SELECT 1"};
  for (auto _ : state) {
    auto connection = fixture.application->database().Acquire();
    auto row = connection->QueryOne(sql);
    benchmark::DoNotOptimize(row);
  }
}
BENCHMARK(StorageSelectOne);

// A primary-key lookup of one user row without joins.
void StorageSelectUserRow(benchmark::State& state) {
  Fixture& fixture = Shared();
  const storage::Sql sql{"bench.select_user",
                         "SELECT id, username, name, phone, email, unit_id, manager_id, employment_status, "
                         "hired_on, regular_on, active, locked_until, must_change_password, created_at, "
                         "updated_at FROM users WHERE id = ?"};
  int64_t id = std::stoll(fixture.rep_id);
  for (auto _ : state) {
    auto connection = fixture.application->database().Acquire();
    auto row = connection->QueryOne(sql, {id});
    benchmark::DoNotOptimize(row);
  }
}
BENCHMARK(StorageSelectUserRow);

}  // namespace

BENCHMARK_MAIN();
