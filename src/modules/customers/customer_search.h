// How a search term narrows a customer list (R-CUST-11, R-CUST-31, R-CUST-39), and the
// upkeep of the search words the index holds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.h"

namespace tuoke::customers {

// Appends " AND (…)" to a WHERE clause over `customers c`: the customers `term` finds by
// name, pinyin spelling or initials, phone digits or contact name, through the dialect's
// index where the term allows one. `owners`, when given, are the owner ids the caller's
// scope may read (0 for the pool): the search words index narrows to them before reading
// rows (R-CUST-39). The caller's scope condition must still be in the WHERE clause.
void AppendSearchCondition(std::string& sql, storage::Params& params, std::string_view term,
                           storage::Dialect dialect, const std::vector<int64_t>* owners = nullptr);

// R-CUST-39 on SQLite: whether `term` is looked up by search words and matches at least
// `threshold` customers or contacts. FTS5 reads the posting lists of a scope's owners whole
// (the pool's included), a cost that only pays off against a term matching many rows.
bool SearchWordsAreCommon(storage::Connection& connection, std::string_view term, int64_t threshold);

// R-CUST-39: computes the search words of customers and contacts stored without them (rows
// of before migration 0013, rows written by tools outside the service), `batch` rows per
// transaction. Returns the number of rows filled. Idempotent; cheap when nothing is left.
int64_t FillSearchWords(storage::Database& database, int batch = 1000);

}  // namespace tuoke::customers
