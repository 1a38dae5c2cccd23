// Subcommands of the `tuoke` binary. Each Register* adds its CLI11 subcommand and the
// action to run when it is chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace tuoke::cli {

struct GlobalOptions {
  std::string data_dir = "./data";
  std::string database_url;  // default: sqlite:<data_dir>/tuoke.db
  std::string log_level = "info";

  std::string DatabaseUrl() const;
  // The disk store's directory when --attachments-dir is not given: beside a SQLite
  // database ("" lets the store find it), <data_dir>/attachments otherwise.
  std::string AttachmentsDir(const std::string& given) const;
};

void RegisterServe(CLI::App& app, GlobalOptions& options);
void RegisterAdmin(CLI::App& app, GlobalOptions& options);

}  // namespace tuoke::cli
