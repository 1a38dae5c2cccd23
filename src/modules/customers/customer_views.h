// Saved customer list views (issue #3 item 5; R-CUST-20, 21 in README.md): a named set of
// list filters and a sort, owned by a user and optionally shared with the owner's unit
// subtree. The filters are the list query parameters of GET /api/v1/customers as text and
// pass the very parser the list uses (ParseCustomerFilter), so a view never holds what the
// list would refuse.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/json_util.h"
#include "core/time.h"
#include "modules/customers/customer.h"
#include "platform/access.h"
#include "storage/database.h"

namespace tuoke::customers {

// The list query parameters a filter is made of (q, grade, status, …, sort); not limit/cursor.
const std::set<std::string>& CustomerFilterParameters();

// Parses the filter and sort parameters of the customer list; `parameter` answers the
// text of one parameter (nullopt or "" when absent). Throws validation.failed naming the
// parameter. limit and cursor are left at their defaults.
using ParameterLookup = std::function<std::optional<std::string>(const std::string&)>;
CustomerFilter ParseCustomerFilter(const ParameterLookup& parameter);

class CustomerViewService {
 public:
  static constexpr int64_t kMaxViewsPerUser = 50;

  CustomerViewService(storage::Database& database, const Clock& clock) : database_(database), clock_(clock) {}

  // {"items":[View…]}: the caller's views, then views shared into the caller's unit, by name.
  Json List(const platform::Caller& caller);
  Json Create(const platform::Caller& caller, const Json& body);
  // Only the owner edits or deletes: others get access.denied (shared views they see) or
  // customers.view_not_found.
  Json Update(const platform::Caller& caller, int64_t view_id, const Json& body);
  void Delete(const platform::Caller& caller, int64_t view_id);

 private:
  storage::Row LoadOwned(storage::Connection& connection, const platform::Caller& caller, int64_t view_id);
  Json Render(storage::Connection& connection, const platform::Caller& caller, int64_t view_id);

  storage::Database& database_;
  const Clock& clock_;
};

}  // namespace tuoke::customers
