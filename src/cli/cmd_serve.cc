#include <malloc.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "app/app.h"
#include "cli/cli.h"
#include "http/server.h"

namespace tuoke::cli {
namespace {

// The built web client: beside the binary (build/ → ../web/dist) or under the cwd.
std::string FindWebDir() {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::path exe = fs::read_symlink("/proc/self/exe", error);
  std::vector<fs::path> candidates;
  if (!error) {
    candidates.push_back(exe.parent_path() / "../web/dist");
    candidates.push_back(exe.parent_path() / "../share/tuoke/web");
  }
  candidates.push_back("web/dist");
  for (const auto& candidate : candidates)
    if (fs::is_regular_file(candidate / "index.html", error)) return fs::weakly_canonical(candidate).string();
  return "";
}

// Server memory (issue #3: RSS under 200 MB while 100,000 rows are exported and imported;
// docs/benchmarks.md "Server memory, session 10"). Two glibc defaults cost resident memory
// here and buy nothing:
// - the mmap threshold starts at 128 KiB and rises, up to 32 MiB, to the size of every
//   mapped block that is freed; after the first export the 10-18 MB bodies of later exports
//   and imports come from an arena and their pages stay resident after they are freed.
//   A fixed threshold keeps every block of 128 KiB or more in a mapping of its own, returned
//   to the kernel on free.
// - up to 8 arenas per core: memory freed by one thread (an import batch prepared on the
//   pipeline's thread, written on a request thread) stays in the arena that gave it out,
//   and each arena holds its own free pages. One arena per core bounds that; more threads
//   than cores cannot run at once anyway, and each thread keeps its small-block cache.
// An operator's GLIBC_TUNABLES setting wins over both (ADR 0014).
void SetAllocatorPolicy() {
  if (std::getenv("GLIBC_TUNABLES") != nullptr) return;
  constexpr int kMmapThreshold = 128 * 1024;
  const int arenas = static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
  if (mallopt(M_MMAP_THRESHOLD, kMmapThreshold) != 1 || mallopt(M_ARENA_MAX, arenas) != 1)
    spdlog::warn("could not set the allocator's mmap threshold and arena count");
}

// Request threads when --threads is not given (docs/benchmarks.md "Check-in burst,
// session 11", ADR 0015). On SQLite a request's writes run on the one writer thread and
// the request thread waits for them, so more threads keep the cores busy parsing, reading
// and answering meanwhile: on 2 cores 8 threads answered 25-50% more check-ins than 4.
// On PostgreSQL the database's own processes need the same cores (more than half of a
// check-in's CPU), and 8 threads answered fewer than 4, with a longer tail.
int DefaultServerThreads(bool sqlite) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::min(256, std::max(4, (sqlite ? 4 : 2) * cores));
}

}  // namespace

void RegisterServe(CLI::App& app, GlobalOptions& options) {
  auto* serve = app.add_subcommand("serve", "Serve the web client and the API");
  struct ServeOptions {
    http::ServerOptions server;
    std::string web_dir;
    bool secure_cookies = false;
    bool no_access_log = false;
    std::string attachment_store = "auto";
    std::string attachments_dir;
  };
  auto serve_options = std::make_shared<ServeOptions>();
  serve->add_option("--port", serve_options->server.port, "TCP port")->capture_default_str();
  serve->add_option("--bind", serve_options->server.bind_address, "Address to listen on")->capture_default_str();
  auto* threads_option =
      serve->add_option("--threads", serve_options->server.threads,
                        "Worker threads (default: 4 per core on SQLite, 2 per core on PostgreSQL, at least 4)")
          ->check(CLI::Range(1, 256));
  serve->add_option("--web-dir", serve_options->web_dir, "Built web client (default: found beside the binary)");
  serve->add_flag("--secure-cookies", serve_options->secure_cookies, "Mark cookies Secure (serve behind HTTPS)");
  serve->add_flag("--no-access-log", serve_options->no_access_log, "Do not log each request");
  serve->add_option("--attachments", serve_options->attachment_store,
                    "Where customer attachments and check-in photos are kept: auto (disk beside a SQLite database, the "
                    "database on PostgreSQL), disk or database (PostgreSQL only)")
      ->check(CLI::IsMember({"auto", "disk", "database"}))
      ->capture_default_str();
  serve->add_option("--attachments-dir", serve_options->attachments_dir,
                    "Directory of the disk store (default: attachments beside the SQLite file, or <data-dir>/attachments)");
  serve->callback([&options, serve_options, threads_option] {
    auto started = std::chrono::steady_clock::now();
    SetAllocatorPolicy();
    static SystemClock clock;
    app::AppConfig config;
    config.database_url = options.DatabaseUrl();
    config.web_dir = serve_options->web_dir.empty() ? FindWebDir() : serve_options->web_dir;
    config.secure_cookies = serve_options->secure_cookies;
    config.access_log = !serve_options->no_access_log;
    config.attachment_store = serve_options->attachment_store;
    config.attachments_dir = options.AttachmentsDir(serve_options->attachments_dir);
    if (threads_option->count() == 0)
      serve_options->server.threads = DefaultServerThreads(options.DatabaseUrl().rfind("sqlite:", 0) == 0);
    config.database_pool_size = std::max(4, serve_options->server.threads + 2);
    app::App application(config, clock);
    // R-CUST-10: idle customers return to the pool; runs once across processes (job lease).
    application.StartBackgroundJobs(std::chrono::minutes(5));
    if (!application.org().RootUnitId())
      spdlog::warn("the database has no users yet: create the first administrator with "
                   "`tuoke user add --company NAME --username admin --name NAME --phone PHONE --role admin`");
    if (config.web_dir.empty()) spdlog::warn("no built web client found: serving the API only");
    spdlog::info("database {}", application.database().Describe());
    const auto& server = serve_options->server;
    http::RunServer(
        server, [&application](http::Request& request) { return application.Handle(request); },
        [&] {
          double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
          spdlog::info("Tuoke listening on http://{}:{} with {} threads (ready in {:.0f} ms)", server.bind_address, server.port,
                       server.threads, ms);
          std::fflush(stdout);
        });
  });
}

}  // namespace tuoke::cli
