// tuoke: the field-sales management server and its administration commands.
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "cli/cli.h"
#include "core/error.h"

namespace tuoke::cli {

std::string GlobalOptions::DatabaseUrl() const {
  if (!database_url.empty()) return database_url;
  return "sqlite:" + data_dir + "/tuoke.db";
}

std::string GlobalOptions::AttachmentsDir(const std::string& given) const {
  if (!given.empty() || DatabaseUrl().rfind("sqlite:", 0) == 0) return given;
  return data_dir + "/attachments";
}

}  // namespace tuoke::cli

int main(int argc, char** argv) {
  CLI::App app{"Tuoke (拓客): field-sales management. Run `tuoke <command> --help` for details."};
  app.require_subcommand(1);
  tuoke::cli::GlobalOptions options;
  if (const char* env = std::getenv("TUOKE_DATA_DIR")) options.data_dir = env;
  if (const char* env = std::getenv("TUOKE_DATABASE_URL")) options.database_url = env;
  app.add_option("--data-dir", options.data_dir, "Directory for the SQLite database and files")
      ->capture_default_str();
  app.add_option("--database", options.database_url,
                 "Database URL: sqlite:PATH or postgres://user@host/db (default: SQLite in the data dir)");
  app.add_option("--log-level", options.log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  app.fallthrough();
  tuoke::cli::RegisterServe(app, options);
  tuoke::cli::RegisterAdmin(app, options);
  app.parse_complete_callback([&] { spdlog::set_level(spdlog::level::from_str(options.log_level)); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  } catch (const tuoke::Error& error) {
    std::fprintf(stderr, "tuoke: %s (%s)\n", error.what(), error.code().c_str());
    if (error.details().contains("fields"))
      std::fprintf(stderr, "%s\n", error.details()["fields"].dump(2).c_str());
    return 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "tuoke: %s\n", error.what());
    return 1;
  }
  return 0;
}
