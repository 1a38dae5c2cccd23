// bench_customers_gen: fills a database with the benchmark's customers (generator.h).
//   bench_customers_gen --database sqlite:/tmp/bench/tuoke.db --customers 1000000
//   bench_customers_gen --database postgresql://…/tuoke_bench --customers 1000000
#include <CLI/CLI.hpp>
#include <cstdio>

#include "bench/customers/generator.h"

int main(int argc, char** argv) {
  CLI::App app{"Generate realistic customers, contacts and reps for the customer benchmarks"};
  std::string url;
  tuoke::bench::GeneratorOptions options;
  app.add_option("--database", url, "sqlite:PATH or postgresql://…")->required();
  app.add_option("--customers", options.customers, "Customers to add")->capture_default_str();
  app.add_option("--contacts-per-customer", options.contacts_per_customer)->capture_default_str();
  app.add_option("--teams", options.teams)->capture_default_str();
  app.add_option("--reps-per-team", options.reps_per_team)->capture_default_str();
  app.add_option("--seed", options.seed)->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  tuoke::storage::DatabaseOptions database_options;
  database_options.url = url;
  database_options.pool_size = 2;
  auto database = tuoke::storage::Database::Open(database_options);
  auto report = tuoke::bench::GenerateCustomerData(*database, url, options, true);
  std::printf("{\"customers\": %lld, \"contacts\": %lld, \"seconds\": %.1f, \"manager\": \"%s\", \"rep\": \"%s\"}\n",
              static_cast<long long>(report.customers), static_cast<long long>(report.contacts), report.seconds,
              report.manager_logins.front().c_str(), report.rep_logins.front().c_str());
  return 0;
}
