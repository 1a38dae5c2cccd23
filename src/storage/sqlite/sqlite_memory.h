// What SQLite's allocator holds, for /metrics.
#pragma once

#include <cstdint>

namespace tuoke::storage {

// Bytes SQLite's allocator holds in this process (every connection, page caches included).
int64_t SqliteMemoryUsed();

}  // namespace tuoke::storage
