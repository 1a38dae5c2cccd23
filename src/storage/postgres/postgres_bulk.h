// PostgreSQL's part of storage::InBulkTransaction (storage/sqlite/sqlite_bulk.h).
#pragma once

#include <functional>

namespace tuoke::storage {

class Connection;
class Database;

// The bulk transaction's GIN pending lists (issue #3, docs/benchmarks.md "Customer archive
// on PostgreSQL, session 13"): a row inserted into a GIN index with fastupdate goes to the
// index's pending list, and whenever that list passes gin_pending_list_limit (4 MB by
// default) the inserting statement merges it into the index, key by key. An import of
// 100,000 customers merged ~25 times per index, each merge walking the same posting lists
// of the customers' words again. The transaction raises the limit to kBulkGinPendingKib for
// itself (SET LOCAL: other sessions keep theirs) and, before its COMMIT, merges the pending
// list of every GIN index it may clean (gin_clean_pending_list needs the index's owner)
// once, so searches after the commit do not scan a long pending list.
inline constexpr int kBulkGinPendingKib = 64 * 1024;
void PostgresBulkTransaction(Database& database, const std::function<void(Connection&)>& work);

}  // namespace tuoke::storage
