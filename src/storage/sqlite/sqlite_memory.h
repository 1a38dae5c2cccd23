// What SQLite's allocator holds, for /metrics.
#pragma once

#include <cstdint>

namespace tuoke::storage {

// Bytes SQLite's allocator holds in this process (every connection, page caches included).
int64_t SqliteMemoryUsed();
// SQLite's own count of the same (sqlite3_memory_used): 0 once the process counts it itself
// (sqlite_database.cc, SQLite's statistics switched off); for the tests.
int64_t SqliteOwnStatistics();

}  // namespace tuoke::storage
