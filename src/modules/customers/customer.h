// Vocabulary of the customer archive shared by the service, the routes and the tests:
// the persisted enum codes of docs/api-customers.md and the list filter.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/time.h"

namespace tuoke::customers {

// Persisted codes (docs/api-customers.md); labels live in the web client's locales.
const std::set<std::string>& CustomerTypes();
const std::set<std::string>& CustomerStatuses();
const std::set<std::string>& CustomerSources();
const std::set<std::string>& PurchasePowers();
const std::set<std::string>& PurchaseHorizons();
const std::set<std::string>& Levels();  // importance and potential: high / medium / low
const std::set<std::string>& CreditStatuses();
const std::set<std::string>& PurchaseRoles();
const std::set<std::string>& Personalities();
const std::set<std::string>& FollowUpChannels();

enum class CustomerSort : uint8_t {
  kUpdatedAtDescending,  // "-updatedAt", the default
  kName,                 // "name"
  kLastFollowUpAscending,   // "lastFollowUpAt": never followed up first
  kLastFollowUpDescending,  // "-lastFollowUpAt": never followed up last
};
std::optional<CustomerSort> ParseCustomerSort(std::string_view text);

struct CustomerFilter {
  std::optional<std::string> query;  // name, pinyin, initials, phone, contact name
  std::optional<std::string> grade;
  std::optional<std::string> status;
  std::optional<std::string> type;
  std::optional<std::string> province;
  std::optional<std::string> city;
  std::optional<int64_t> owner_id;
  std::optional<int64_t> unit_id;  // the owner's unit subtree
  std::optional<std::string> tag;
  std::optional<bool> in_pool;
  // Business dates, inclusive. followUpBefore also returns customers never followed up.
  std::optional<Date> follow_up_before;
  std::optional<Date> follow_up_after;
  // R-CUST-67: no follow-up for this many days as of today (never followed up included), so
  // a saved view stays relative; and customers never followed up at all.
  std::optional<int> idle_days;
  bool never_followed_up = false;
  CustomerSort sort = CustomerSort::kUpdatedAtDescending;
  int limit = 50;
  std::optional<std::string> cursor;  // opaque, from the previous page's nextCursor
};

struct ReclaimResult {
  bool ran = false;        // false: another process holds the job lease
  int64_t reclaimed = 0;   // customers returned to the pool by this run
};

struct RegradeResult {
  bool ran = false;       // false: another process holds the job lease
  int64_t examined = 0;   // customers graded again by this call
  int64_t changed = 0;    // … whose grade or computed grade changed
  bool more = false;      // customers are left for the next call
};

// Tags are stored in one text column joined by the unit separator, which clean text
// never contains (IsCleanText rejects control characters).
inline constexpr char kTagSeparator = '\x1f';
std::vector<std::string> SplitTags(const std::string& text);
std::string JoinTags(const std::vector<std::string>& tags);

}  // namespace tuoke::customers
