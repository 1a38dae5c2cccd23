// Realistic customer data for the customer-archive benchmarks (issue #3, "How it is
// checked"; docs/benchmarks.md): Chinese company names, addresses and person names,
// phone numbers, tags and grades, owned by reps in teams, with contacts.
//
// Every derived column (duplicate keys, pinyin search keys, grade and reason) is computed
// with the service's own rules (customer_rules.h), so the server finds the rows exactly as
// if they had been created through the API. Rows are written in big transactions on
// SQLite (the FTS5 search triggers dropped for the load, the index filled once after it,
// the triggers restored) and with COPY on PostgreSQL (pg_trgm indexes kept by PostgreSQL).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/database.h"

namespace tuoke::bench {

struct GeneratorOptions {
  int64_t customers = 1000000;
  int contacts_per_customer = 3;
  int teams = 20;
  int reps_per_team = 10;
  int pool_per_mille = 50;  // customers in the shared pool, per thousand
  uint64_t seed = 20261122;
  int64_t batch_rows = 20000;  // rows per transaction (SQLite) or per COPY (PostgreSQL)
};

struct GeneratorReport {
  int64_t customers = 0;
  int64_t contacts = 0;
  std::vector<std::string> manager_logins;  // "b01m" … one per team
  std::vector<std::string> rep_logins;      // "b01r01" …
  double seconds = 0;
};

// Creates the demo company when the database has none, then `teams` teams with a
// manager and `reps_per_team` reps each (password platform::kDemoPassword), then the
// customers and contacts. `database_url` is the URL `database` was opened with (COPY on
// PostgreSQL uses its own libpq connection). Progress goes to stderr when `verbose`.
GeneratorReport GenerateCustomerData(storage::Database& database, const std::string& database_url,
                                     const GeneratorOptions& options, bool verbose);

// One customer's generated name, with the seed's sequence: for tests and the load client.
std::string GeneratedCompanyName(uint64_t seed, int64_t index);

}  // namespace tuoke::bench
