// A write transaction for long bulk writes (an import of 100,000 customers).
#pragma once

#include <functional>

namespace tuoke::storage {

class Connection;
class Database;

// Runs `work` in a transaction like Database::InTransaction (committed when it returns,
// rolled back when it throws, run once more after a kBusy failure), but on SQLite with the
// writer thread (ADR 0015) on, in a transaction of its own on a pooled connection's own
// handle, on the calling thread, instead of as a job of the writer thread's group. A group
// runs each job inside a savepoint, and inside a savepoint SQLite keeps the original of
// every page the transaction changes, and again per statement, in memory (temp_store=MEMORY)
// until the savepoint ends: the 100,000-row import at 1M customers grew to 2.2 GB and took
// 4.5x the CPU (docs/benchmarks.md, "Import, session 12 (helper-28)"). Meanwhile other writes
// wait for SQLite's write lock (busy time-out) as they waited behind the job before.
// `cache_kib` > 0: the connection's page cache for this transaction only (its size and
// the memory of the pages beyond it are given back afterwards, whatever the outcome); the
// transaction's cache counters are logged at info level when it commits.
// PostgreSQL, the writer thread switched off, or nested in a write of this thread: exactly
// Database::InTransaction.
void InBulkTransaction(Database& database, const std::function<void(Connection&)>& work, int cache_kib = 0);

}  // namespace tuoke::storage
