// How a search term narrows a customer list (R-CUST-11, R-CUST-31, R-CUST-39), and the
// upkeep of the search words the index holds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/database.h"

namespace tuoke::customers {

// Appends " AND (…)" to a WHERE clause over `customers c`: the customers `term` finds by
// name, pinyin spelling or initials, phone digits or contact name, through the dialect's
// index where the term allows one. `owners`, when given, are the owner ids the caller's
// scope may read (0 for the pool): the search words index narrows to them before reading
// rows (R-CUST-39). The caller's scope condition must still be in the WHERE clause. `walk`
// tests the term on each row instead (a term matching a large share of the customers, which
// a list walking its sort order finds at once): same results, another plan. With `walk`,
// `few_contacts` says that the contacts' index finds few contacts for the term: their
// customers are then read once into a set instead of probing each walked row's contacts.
// On SQLite `owners` narrows the customers' part of a term of ideographs and
// `contact_owners` its contacts' part, each chosen by that part's count (R-CUST-42);
// PostgreSQL (not counted) takes `owners` for both parts: its contacts' index holds the
// owners too since migration 0022 (R-CUST-49), its customers' words are read in the
// owner-qualified index of migration 0025 (R-CUST-52); with `contacts_part` false (no
// contact has the term, ContactWordsMatch) it reads the customers' part alone (R-CUST-50).
// PostgreSQL's walk of a term of words (R-CUST-56) tests it with strpos, and with
// `contacts_part` false leaves the contacts out. A term tested row by row probes each
// row's own contacts (R-CUST-57), only those with names of other characters for a Latin
// term (R-CUST-58).
void AppendSearchCondition(std::string& sql, storage::Params& params, std::string_view term,
                           storage::Dialect dialect, const std::vector<int64_t>* owners = nullptr,
                           bool walk = false, bool few_contacts = false,
                           const std::vector<int64_t>* contact_owners = nullptr, bool contacts_part = true);

// R-CUST-52: whether AppendSearchCondition reads the customers' words of `owners` in the
// owner-qualified index (PostgreSQL, a term of words, owners known, no walk). The list then
// orders its page by an expression that no index serves: PostgreSQL's planner, which
// overestimates such a term's matches several times, would otherwise walk the list's order
// testing each row (科技: 27–71 ms, 凌天 with 7 matches: 6.4 s at 1M customers) instead of
// reading the ~5,000 matches and sorting them (11 ms; docs/benchmarks.md, session 19).
bool ReadsOwnerWords(std::string_view term, storage::Dialect dialect, const std::vector<int64_t>* owners, bool walk);

// R-CUST-56 (PostgreSQL): what ANALYZE (autovacuum runs it) keeps of the customers' search
// words: a sample of them, as the most common values and the histogram's bounds (1,001 since
// migration 0028), and the number of customers.
struct WordStatistics {
  double rows = 0;
  double null_fraction = 0;
  std::vector<std::pair<std::string, double>> common;  // value, frequency
  std::vector<std::string> histogram;
  // R-CUST-59: and of customers.owner_id, when ANALYZE has it: the pool's share (no owner),
  // the owners' number (negative: a share of the rows, as pg_stats gives it) and the most
  // common owners with their shares.
  bool owners_known = false;
  double pool_fraction = 0;
  double owners_distinct = 0;
  std::vector<std::pair<int64_t, double>> common_owners;
};
// Reads them; nullopt on SQLite or before the first ANALYZE.
std::optional<WordStatistics> ReadWordStatistics(storage::Connection& connection);
// How many customers `statistics` expect to hold a term of words (letters, digits or
// ideographs) as a search tests it; -1 for another term. Only chooses a plan: a page of a
// common term walks the owners' orders (customer_service.cc).
int64_t EstimateWordMatches(const WordStatistics& statistics, std::string_view term);
// R-CUST-59: the share of the customers that `owners` (0: the pool) hold, as PostgreSQL's
// planner would estimate `owner_id IN (…)`; -1 without the owners' statistics. Only chooses
// a plan: a page tested row by row in a small share walks the scope by its key
// (customer_service.cc).
double EstimateScopeShare(const WordStatistics& statistics, const std::vector<int64_t>& owners);

// R-CUST-50 (PostgreSQL only): whether a term of one or two ideographs is in the name of any
// contact of `owners`' customers (of any customer when null), probed in the contacts' words
// index alone (migration 0023). A common company word (科技) is in no contact's name: with
// `contacts_part` false, AppendSearchCondition reads the customers' matches alone, each of
// the ~5,000 in a manager's scope once instead of twice (docs/benchmarks.md, session 18).
bool ContactWordsMatch(storage::Connection& connection, std::string_view term, const std::vector<int64_t>* owners);

// R-CUST-39: how many customers and contacts the index finds for `term`, counted up to
// `limit` (a cheap probe); -1 when the term is not probed (not indexed, or search words on
// PostgreSQL). The list chooses its plan by it: FTS5 reads the posting lists of a scope's
// owners whole (the pool's included), which pays off only for a term matching many rows, and
// a term matching a large share of the customers is found faster walking the list's order.
// `contacts`, when given, receives the contacts' part of the count (-1 when not probed).
int64_t CountSearchMatches(storage::Connection& connection, std::string_view term, int64_t limit,
                           int64_t* contacts = nullptr);

// R-CUST-39: computes the search words of customers and contacts stored without them (rows
// of before migration 0013, rows written by tools outside the service), `batch` rows per
// transaction. Returns the number of rows filled. Idempotent; cheap when nothing is left.
int64_t FillSearchWords(storage::Database& database, int batch = 1000);

}  // namespace tuoke::customers
