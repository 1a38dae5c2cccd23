#include "modules/customers/customer_search.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "core/text.h"
#include "modules/customers/customer_rules.h"

namespace tuoke::customers {
namespace {

// FTS5 query of one token, or of every token it begins (R-CUST-39), in the `words` column,
// and when the scope's owners are given, of rows whose `owner` is one of them. Words hold
// only letters, digits and ideographs, so the quotes never need escaping.
std::string FtsWord(const SearchTerm& term, const std::vector<int64_t>* owners) {
  std::string match = "words : \"" + term.word + "\"" + (term.prefix ? "*" : "");
  if (!owners) return match;
  match += " AND owner : (";
  for (size_t i = 0; i < owners->size(); ++i) match += (i ? " OR o" : "o") + std::to_string((*owners)[i]);
  return match + ")";
}
// The same as a PostgreSQL tsquery literal, taken verbatim by the cast; owners as `#<id>`.
std::string TsWord(const SearchTerm& term, const std::vector<int64_t>* owners) {
  std::string query = "'" + term.word + "'" + (term.prefix ? ":*" : "");
  if (!owners) return query;
  query += " & (";
  for (size_t i = 0; i < owners->size(); ++i) query += (i ? " | '#" : "'#") + std::to_string((*owners)[i]) + "'";
  return query + ")";
}

// R-CUST-52: the term in the words of each of the scope's owners, as the owner-qualified
// index holds them ('14@科技' | '15@科技' | …; '0@' the pool).
std::string TsOwnerWord(const SearchTerm& term, const std::vector<int64_t>& owners) {
  std::string query;
  for (size_t i = 0; i < owners.size(); ++i)
    query += (i ? " | '" : "'") + std::to_string(owners[i]) + "@" + term.word + "'" + (term.prefix ? ":*" : "");
  return query;
}

// The owner column of both words indexes holds `o<owner id>`: a prefix of such a token
// would count them too in a vocabulary's range (R-CUST-54).
bool MayPrefixOwnerToken(std::string_view word) {
  return !word.empty() && word[0] == 'o' &&
         std::all_of(word.begin() + 1, word.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// An FTS5 phrase for the trigram index.
std::string Phrase(std::string_view text) {
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// The expressions of the GIN indexes of migrations 0013 and 0022, exactly (PostgreSQL
// matches an indexed expression by its parsed form).
std::string WordsOfCustomer(const char* alias) {
  std::string a = alias;
  return "array_to_tsvector(array_prepend('#' || COALESCE(" + a + ".owner_id, 0), string_to_array(" + a +
         ".search_words, ' ')))";
}
// Migration 0025 (R-CUST-52): each word prefixed with its customer's owner ("14@科技").
std::string OwnerWordsOfCustomer(const char* alias) {
  std::string a = alias;
  std::string owner = "COALESCE(" + a + ".owner_id, 0)";
  return "array_to_tsvector(string_to_array(" + owner + " || '@' || replace(" + a + ".search_words, ' ', ' ' || " +
         owner + " || '@'), ' '))";
}
// The customers' words of a PostgreSQL search: of the scope's owners through the
// owner-qualified index when they are known (R-CUST-52), all of them otherwise.
void AppendCustomerWords(std::string& sql, storage::Params& params, const char* alias, const SearchTerm& term,
                         const std::vector<int64_t>* owners) {
  if (owners) {
    sql += OwnerWordsOfCustomer(alias) + " @@ CAST(? AS tsquery)";
    params.push_back(TsOwnerWord(term, *owners));
  } else {
    sql += WordsOfCustomer(alias) + " @@ CAST(? AS tsquery)";
    params.push_back(TsWord(term, nullptr));
  }
}
constexpr const char* kWordsOfContact =
    "array_to_tsvector(array_prepend('#' || COALESCE(k.owner_id, 0), string_to_array(k.search_words, ' ')))";

// Words are cut at kSearchWordLetters: the rest of a longer term is checked on the keys,
// and on the customer code as written (R-CUST-48).
void AppendLongTermCheck(std::string& sql, storage::Params& params, const SearchTerm& term, std::string_view query,
                         bool postgres) {
  if (!term.truncated) return;
  std::string folded_like = "%" + EscapeLike(term.folded) + "%";
  sql += " AND (c.search_pinyin LIKE ? ESCAPE '\\' OR c.search_initials LIKE ? ESCAPE '\\' OR "
         "c.phone_key LIKE ? ESCAPE '\\' OR c.code";
  sql += postgres ? " ILIKE" : " LIKE";
  sql += " ? ESCAPE '\\')";
  params.insert(params.end(), {folded_like, folded_like, folded_like, "%" + EscapeLike(query) + "%"});
}

// R-CUST-57: the condition that one of the row's own contacts matches, probed per row
// through contacts_customer. On PostgreSQL, OFFSET 0 keeps the planner from answering an
// EXISTS under an OR with a hashed set of every matching contact instead: a scan of all
// 3,000,000 contacts by ILIKE for a 2-letter term (465 ms at 1M customers, for a page
// whose per-row probes cost 18 ms in all; docs/benchmarks.md, "Two-letter terms on
// PostgreSQL, session 21").
//
// R-CUST-58: for a term holding a Latin letter or digit (`latin`), only the contacts whose
// names hold a character other than the ideographs U+4E00–U+9FFF can match, whatever the
// case (no such ideograph folds to a Latin letter): the probe reads the partial index of
// migration 0029, nearly always empty for a customer, instead of its ~3 contacts
// (docs/benchmarks.md, "Two-letter terms on PostgreSQL, session 21").
std::string ContactExists(const std::string& condition, bool postgres, bool latin) {
  std::string other_names = postgres ? " AND k.name ~ '[^一-鿿]'" : " AND k.name GLOB '*[^一-鿿]*'";
  return "EXISTS (SELECT 1 FROM contacts k WHERE k.customer_id = c.id" + (latin ? other_names : "") + " AND " +
         condition + (postgres ? " OFFSET 0)" : ")");
}

// Whether a term holds a Latin letter or a digit (R-CUST-58).
bool HoldsLatin(std::string_view query) {
  return std::any_of(query.begin(), query.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

// The term exactly as written, in the name or a contact's name.
void AppendExactCheck(std::string& sql, storage::Params& params, std::string_view query, bool postgres) {
  const char* like_operator = postgres ? " ILIKE " : " LIKE ";
  std::string like = "%" + EscapeLike(query) + "%";
  sql += std::string(" AND (c.name") + like_operator + "? ESCAPE '\\' OR " +
         ContactExists(std::string("k.name") + like_operator + "? ESCAPE '\\'", postgres, HoldsLatin(query)) + ")";
  params.insert(params.end(), {like, like});
}

}  // namespace

void AppendSearchCondition(std::string& sql, storage::Params& params, std::string_view query,
                           storage::Dialect dialect, const std::vector<int64_t>* owners, bool walk,
                           bool few_contacts, const std::vector<int64_t>* contact_owners, bool contacts_part) {
  bool postgres = dialect == storage::Dialect::kPostgres;
  SearchTerm term = ClassifySearchTerm(query);
  std::string like = "%" + EscapeLike(query) + "%";
  std::string exact_name = postgres ? "c.name ILIKE ? ESCAPE '\\'" : "c.name LIKE ? ESCAPE '\\'";
  std::string exact_contact = postgres ? "k.name ILIKE ? ESCAPE '\\'" : "k.name LIKE ? ESCAPE '\\'";
  bool words = term.kind == SearchTermKind::kLettersOrDigits || term.kind == SearchTermKind::kIdeographs;
  if (walk && words) {
    // A term matching a large share of the customers: the list walks its sort order and
    // tests each row's words as the index would (a word, or a word's prefix), stopping at
    // the page size, instead of reading every match to sort them.
    std::string pattern = "% " + EscapeLike(term.word) + (term.prefix ? "%" : " %");
    if (postgres) {
      // R-CUST-56: strpos rather than LIKE: 3.0 against 4.1 ms in psql for a page of a
      // city's pinyin at 1M customers (the same test: words are separated by spaces).
      sql += term.prefix ? " AND (strpos(' ' || c.search_words, ?) > 0" : " AND (strpos(' ' || c.search_words || ' ', ?) > 0";
      params.push_back(" " + term.word + (term.prefix ? "" : " "));
    } else {
      sql += " AND ((' ' || c.search_words || ' ') LIKE ? ESCAPE '\\'";
      params.push_back(pattern);
    }
    if (term.kind == SearchTermKind::kIdeographs && few_contacts && !postgres) {
      // A company word (科技) is in few contact names: their customers once, as a set, cost
      // less than three contact rows read for each walked customer (R-CUST-41).
      sql += " OR c.id IN (SELECT k.customer_id FROM contacts k WHERE k.id IN "
             "(SELECT rowid FROM contact_words WHERE contact_words MATCH ?))";
      params.push_back(FtsWord(term, nullptr));
    } else if (term.kind == SearchTermKind::kIdeographs && contacts_part) {
      sql += " OR " + ContactExists("(' ' || k.search_words || ' ') LIKE ? ESCAPE '\\'", postgres, false);
      params.push_back(pattern);
    }
    sql += ")";
    AppendLongTermCheck(sql, params, term, query, postgres);
    return;
  }
  if (walk && term.kind == SearchTermKind::kSubstring) {
    // The same for a common substring (有限公司): only the exact test, row by row.
    AppendExactCheck(sql, params, query, postgres);
    return;
  }
  switch (term.kind) {
    case SearchTermKind::kLettersOrDigits:
      // R-CUST-39: pinyin from a syllable, initials from a letter, phone digits from a digit.
      if (postgres) {
        sql += " AND ";
        AppendCustomerWords(sql, params, "c", term, owners);
      } else {
        sql += " AND c.id IN (SELECT rowid FROM customer_words WHERE customer_words MATCH ?)";
        params.push_back(FtsWord(term, owners));
      }
      AppendLongTermCheck(sql, params, term, query, postgres);
      return;
    case SearchTermKind::kIdeographs:
      // R-CUST-39: one or two ideographs of the name or of a contact's name.
      if (postgres && !contacts_part) {
        // R-CUST-50: no contact has the term: the customers' part alone, on the listed rows
        // themselves (each match read once, not once for its id and again for the page).
        sql += " AND ";
        AppendCustomerWords(sql, params, "c", term, owners);
      } else if (postgres) {
        // R-CUST-49: both indexes hold the owners, so both parts are narrowed to the scope's.
        sql += " AND c.id IN (SELECT s.id FROM customers s WHERE ";
        AppendCustomerWords(sql, params, "s", term, owners);
        sql += " UNION ALL SELECT k.customer_id FROM contacts k WHERE " + std::string(kWordsOfContact) +
               " @@ CAST(? AS tsquery))";
        params.push_back(TsWord(term, owners));
      } else {
        // R-CUST-42: each part narrowed to the owners by its own count (a contact match read
        // unnarrowed costs two rows: the contact, then its customer).
        sql += " AND c.id IN (SELECT rowid FROM customer_words WHERE customer_words MATCH ? UNION ALL "
               "SELECT k.customer_id FROM contacts k WHERE k.id IN "
               "(SELECT rowid FROM contact_words WHERE contact_words MATCH ?))";
        params.insert(params.end(), {FtsWord(term, owners), FtsWord(term, contact_owners)});
      }
      return;
    case SearchTermKind::kSubstring:
      // R-CUST-31: three or more characters through the trigram index (FTS5 on SQLite,
      // pg_trgm on PostgreSQL), then exactly as written against the name or a contact name.
      if (postgres) {
        sql += " AND c.id IN (SELECT s.id FROM customers s WHERE s.name ILIKE ? ESCAPE '\\' UNION ALL "
               "SELECT k.customer_id FROM contacts k WHERE k.name ILIKE ? ESCAPE '\\')";
      } else {
        sql += " AND c.id IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?)";
        params.push_back("{name contacts} : " + Phrase(query));
      }
      if (postgres) params.insert(params.end(), {like, like});
      AppendExactCheck(sql, params, query, postgres);
      return;
    case SearchTermKind::kScan: {
      // One or two ASCII characters (or a short mix) match too much for an index to help;
      // the list walks its sort order and stops at the page size.
      sql += " AND (" + exact_name + " OR " + ContactExists(exact_contact, postgres, HoldsLatin(query));
      params.insert(params.end(), {like, like});
      bool ascii = !term.folded.empty();
      for (unsigned char c : term.folded) ascii = ascii && c < 0x80;
      if (ascii) {
        std::string folded_like = "%" + EscapeLike(term.folded) + "%";
        sql += " OR c.search_pinyin LIKE ? ESCAPE '\\' OR c.search_initials LIKE ? ESCAPE '\\'";
        params.insert(params.end(), {folded_like, folded_like});
      }
      sql += ")";
      return;
    }
  }
}

bool ReadsOwnerWords(std::string_view query, storage::Dialect dialect, const std::vector<int64_t>* owners, bool walk) {
  SearchTermKind kind = ClassifySearchTerm(query).kind;
  return dialect == storage::Dialect::kPostgres && owners && !walk &&
         (kind == SearchTermKind::kLettersOrDigits || kind == SearchTermKind::kIdeographs);
}

int64_t CountSearchMatches(storage::Connection& connection, std::string_view query, int64_t limit,
                           int64_t* contacts) {
  static const storage::Sql kCountWords{
      "customers.count_words",
      "SELECT (SELECT count(*) FROM (SELECT 1 FROM customer_words WHERE customer_words MATCH ? LIMIT ?)), "
      "(SELECT count(*) FROM (SELECT 1 FROM contact_words WHERE contact_words MATCH ? LIMIT ?))"};
  if (contacts) *contacts = -1;
  static const storage::Sql kCountTrigrams{
      "customers.count_trigrams",
      "SELECT count(*) FROM (SELECT 1 FROM customer_search WHERE customer_search MATCH ? LIMIT ?)"};
  static const storage::Sql kCountNames{
      "customers.count_names",
      "SELECT (SELECT count(*) FROM (SELECT 1 FROM customers WHERE name ILIKE ? ESCAPE '\\' LIMIT ?) m) + "
      "(SELECT count(*) FROM (SELECT 1 FROM contacts WHERE name ILIKE ? ESCAPE '\\' LIMIT ?) k)"};
  // R-CUST-53: the same for a term without case, by bytes: a common one (有限公司) is counted
  // walking the names' index, and ILIKE lowercased each name first (12.7 → 5.1 ms for
  // 20,000 names at 1M customers; docs/benchmarks.md, session 19).
  static const storage::Sql kCountNamesCaseless{
      "customers.count_names_caseless",
      "SELECT (SELECT count(*) FROM (SELECT 1 FROM customers WHERE name LIKE ? ESCAPE '\\' LIMIT ?) m) + "
      "(SELECT count(*) FROM (SELECT 1 FROM contacts WHERE name LIKE ? ESCAPE '\\' LIMIT ?) k)"};
  // R-CUST-54: a prefix term by its words' range in the vocabularies (migration 0026). A row
  // holding two words of the range counts twice: an upper bound, which only chooses a plan.
  static const storage::Sql kCountWordRanges{
      "customers.count_word_ranges",
      "SELECT (SELECT COALESCE(sum(doc), 0) FROM customer_words_vocabulary WHERE term >= ? AND term < ?), "
      "(SELECT COALESCE(sum(doc), 0) FROM contact_words_vocabulary WHERE term >= ? AND term < ?)"};
  bool postgres = connection.dialect() == storage::Dialect::kPostgres;
  SearchTerm term = ClassifySearchTerm(query);
  switch (term.kind) {
    case SearchTermKind::kLettersOrDigits:
    case SearchTermKind::kIdeographs: {
      if (postgres) return -1;  // GIN narrows to the owners at no extra cost (AppendSearchCondition)
      if (term.prefix && !MayPrefixOwnerToken(term.word)) {
        // Every word of the range is at least the prefix and below it followed by the
        // largest code point (no word holds U+10FFFF; words compare as bytes).
        std::string end = term.word + "\xF4\x8F\xBF\xBF";
        auto counts = connection.QueryOne(kCountWordRanges, {term.word, end, term.word, end});
        if (contacts) *contacts = std::min(limit, counts->Int(1));
        return std::min(limit, counts->Int(0) + counts->Int(1));
      }
      std::string match = FtsWord(term, nullptr);
      auto counts = connection.QueryOne(kCountWords, {match, limit, match, limit});
      if (contacts) *contacts = counts->Int(1);
      return std::min(limit, counts->Int(0) + counts->Int(1));
    }
    case SearchTermKind::kSubstring: {
      if (postgres) {
        std::string like = "%" + EscapeLike(query) + "%";
        return std::min(limit, connection.QueryOne(term.caseless ? kCountNamesCaseless : kCountNames,
                                                   {like, limit, like, limit})->Int(0));
      }
      return connection.QueryOne(kCountTrigrams, {"{name contacts} : " + Phrase(query), limit})->Int(0);
    }
    case SearchTermKind::kScan: return -1;
  }
  return -1;
}

namespace {
// A float8 column as PostgreSQL prints it (0 for anything else).
double Float(const storage::Row& row, size_t column) {
  double value = 0;
  if (auto text = row.OptionalText(column)) std::from_chars(text->data(), text->data() + text->size(), value);
  return value;
}
}  // namespace

std::optional<WordStatistics> ReadWordStatistics(storage::Connection& connection) {
  // ANALYZE's record of customers.search_words (pg_stats), one row per value: kind 0 its
  // null fraction and the planner's number of customers, 1 a most common value with its
  // frequency, 2 a bound of its histogram. Arrays of type anyarray read as text[] through
  // their text form.
  static const storage::Sql kStatistics{
      "customers.word_statistics",
      "SELECT 0, NULL, s.null_frac::float8, (SELECT reltuples::float8 FROM pg_class WHERE oid = 'customers'::regclass) "
      "FROM pg_stats s WHERE s.schemaname = current_schema() AND s.tablename = 'customers' AND "
      "s.attname = 'search_words' "
      "UNION ALL SELECT 1, m.v, m.f::float8, NULL FROM pg_stats s, "
      "unnest(s.most_common_vals::text::text[], s.most_common_freqs) AS m(v, f) WHERE s.schemaname = current_schema() "
      "AND s.tablename = 'customers' AND s.attname = 'search_words' "
      "UNION ALL SELECT 2, h.v, NULL, NULL FROM pg_stats s, unnest(s.histogram_bounds::text::text[]) AS h(v) "
      "WHERE s.schemaname = current_schema() AND s.tablename = 'customers' AND s.attname = 'search_words' "
      // R-CUST-59: kind 3 the owners' null fraction and number, 4 a most common owner.
      "UNION ALL SELECT 3, NULL, s.null_frac::float8, s.n_distinct::float8 FROM pg_stats s "
      "WHERE s.schemaname = current_schema() AND s.tablename = 'customers' AND s.attname = 'owner_id' "
      "UNION ALL SELECT 4, m.v, m.f::float8, NULL FROM pg_stats s, "
      "unnest(s.most_common_vals::text::text[], s.most_common_freqs) AS m(v, f) WHERE s.schemaname = current_schema() "
      "AND s.tablename = 'customers' AND s.attname = 'owner_id'"};
  if (connection.dialect() != storage::Dialect::kPostgres) return std::nullopt;
  WordStatistics statistics;
  bool found = false;
  for (const auto& row : connection.Query(kStatistics).rows) {
    switch (row.Int(0)) {
      case 0:
        found = true;
        statistics.null_fraction = Float(row, 2);
        statistics.rows = std::max(0.0, Float(row, 3));
        break;
      case 1: statistics.common.emplace_back(row.OptionalText(1).value_or(""), Float(row, 2)); break;
      case 2: statistics.histogram.push_back(row.OptionalText(1).value_or("")); break;
      case 3:
        statistics.owners_known = true;
        statistics.pool_fraction = Float(row, 2);
        statistics.owners_distinct = Float(row, 3);
        break;
      default: {
        int64_t owner = 0;
        std::string value = row.OptionalText(1).value_or("");
        std::from_chars(value.data(), value.data() + value.size(), owner);
        statistics.common_owners.emplace_back(owner, Float(row, 2));
        break;
      }
    }
  }
  if (!found) return std::nullopt;
  return statistics;
}

double EstimateScopeShare(const WordStatistics& statistics, const std::vector<int64_t>& owners) {
  if (!statistics.owners_known) return -1;
  // The owners outside the common ones share what the common ones and the pool leave.
  double common = 0;
  for (const auto& [owner, share] : statistics.common_owners) common += share;
  // (A negative number of owners is a share of all the rows, the pool's included.)
  double distinct = statistics.owners_distinct >= 0 ? statistics.owners_distinct
                                                    : -statistics.owners_distinct * statistics.rows;
  double others = std::max(1.0, distinct - static_cast<double>(statistics.common_owners.size()));
  double each_other = std::max(0.0, 1 - statistics.pool_fraction - common) / others;
  double share = 0;
  for (int64_t owner : owners) {
    if (owner == 0) {
      share += statistics.pool_fraction;
      continue;
    }
    auto found = std::find_if(statistics.common_owners.begin(), statistics.common_owners.end(),
                              [&](const auto& entry) { return entry.first == owner; });
    share += found != statistics.common_owners.end() ? found->second : each_other;
  }
  return std::min(1.0, share);
}

int64_t EstimateWordMatches(const WordStatistics& statistics, std::string_view query) {
  SearchTerm term = ClassifySearchTerm(query);
  if (term.kind != SearchTermKind::kLettersOrDigits && term.kind != SearchTermKind::kIdeographs) return -1;
  // The walk's own test (AppendSearchCondition): a word, or a word's beginning. Without a
  // copy of each value: a search reads all 1,001 of them.
  const std::string& word = term.word;
  auto holds = [&](std::string_view words) {
    for (size_t at = words.find(word); at != std::string_view::npos; at = words.find(word, at + 1)) {
      size_t end = at + word.size();
      if ((at == 0 || words[at - 1] == ' ') && (term.prefix || end == words.size() || words[end] == ' '))
        return true;
    }
    return false;
  };
  // As the planner estimates a pattern (PostgreSQL's histogram_selectivity): the common
  // values that hold the term by their frequencies, and the rest of the rows in the share of
  // the histogram's bounds that hold it.
  double common = 0, common_held = 0;
  for (const auto& [words, frequency] : statistics.common) {
    common += frequency;
    if (holds(words)) common_held += frequency;
  }
  double share = common_held;
  if (!statistics.histogram.empty()) {
    auto held = std::count_if(statistics.histogram.begin(), statistics.histogram.end(), holds);
    share += std::max(0.0, 1 - statistics.null_fraction - common) * static_cast<double>(held) /
             static_cast<double>(statistics.histogram.size());
  }
  return static_cast<int64_t>(share * statistics.rows + 0.5);
}

bool ContactWordsMatch(storage::Connection& connection, std::string_view query, const std::vector<int64_t>* owners) {
  // Migration 0023: the function reads the words index only, whatever the planner expects.
  static const storage::Sql kProbe{"customers.contact_words_match",
                                   "SELECT contact_words_match(CAST(? AS tsquery))"};
  return connection.QueryOne(kProbe, {TsWord(ClassifySearchTerm(query), owners)})->Bool(0);
}

int64_t FillSearchWords(storage::Database& database, int batch) {
  static const storage::Sql kPendingCustomers{
      "customers.words_pending",
      "SELECT id, name, phone_key, code FROM customers WHERE search_words IS NULL ORDER BY id LIMIT ?"};
  static const storage::Sql kFillCustomer{"customers.words_fill",
                                          "UPDATE customers SET search_words = ? WHERE id = ?"};
  static const storage::Sql kPendingContacts{
      "customers.contact_words_pending",
      "SELECT id, name FROM contacts WHERE search_words IS NULL ORDER BY id LIMIT ?"};
  static const storage::Sql kFillContact{"customers.contact_words_fill",
                                         "UPDATE contacts SET search_words = ? WHERE id = ?"};
  int64_t filled = 0;
  for (bool customers : {true, false}) {
    for (;;) {
      int64_t rows = 0;
      database.InTransaction([&](storage::Connection& connection) {
        auto pending = connection.Query(customers ? kPendingCustomers : kPendingContacts, {int64_t{batch}});
        rows = static_cast<int64_t>(pending.rows.size());
        for (const auto& row : pending.rows) {
          std::string words = customers
                                  ? CustomerSearchWords(row.Text(1), PinyinOf(row.Text(1)), row.OptionalText(2), row.OptionalText(3))
                                  : ContactSearchWords(row.Text(1));
          connection.Execute(customers ? kFillCustomer : kFillContact, {words, row.Int(0)});
        }
      });
      filled += rows;
      if (rows < batch) break;
    }
  }
  return filled;
}

}  // namespace tuoke::customers
