// Numbered, forward-only schema migrations.
//
// Files in db/migrations/ are compiled into the binary:
//   NNNN_module_topic.sql            portable SQL, run on both backends
//   NNNN_module_topic.sqlite.sql     optional, run after it on SQLite only
//   NNNN_module_topic.postgres.sql   optional, run after it on PostgreSQL only
// The portable file may use macros expanded per dialect: {{id_pk}} (an auto-assigned
// 64-bit primary key). Each migration runs in one transaction and is recorded in
// schema_migrations; on PostgreSQL an advisory lock makes concurrent starts safe.
#pragma once

#include <string>
#include <vector>

#include "storage/database.h"

namespace tuoke::storage {

struct EmbeddedFile {
  const char* name;
  const char* content;
};
const std::vector<EmbeddedFile>& EmbeddedMigrationFiles();

struct Migration {
  int version = 0;
  std::string name;  // "0001_platform"
  std::string script;  // portable part expanded for the dialect, plus the dialect's extra file
};

struct MigrationStatus {
  int current_version = 0;
  int latest_version = 0;
  std::vector<std::string> pending;  // names, in order
};

// Expands macros in portable SQL for one dialect.
std::string ExpandMacros(const std::string& sql, Dialect dialect);
// Migrations for a dialect, sorted by version. Throws std::logic_error on a gap or duplicate.
std::vector<Migration> LoadMigrations(const std::vector<EmbeddedFile>& files, Dialect dialect);

MigrationStatus GetMigrationStatus(Database& database);
// Applies every pending migration; returns the names applied.
std::vector<std::string> Migrate(Database& database);

}  // namespace tuoke::storage
