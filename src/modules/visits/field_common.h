// What the field services (check-ins, visits, follow-up items) share: their
// dependencies, the hooks to the plans and notification services, and the rep scope.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/json_util.h"
#include "core/time.h"
#include "modules/customers/customer_service.h"
#include "platform/access.h"
#include "platform/policy.h"
#include "storage/blob_store.h"
#include "storage/database.h"

namespace tuoke::visits {

// A statement that returns a row when an approved (and registered where policy requires)
// visit application of `rep_id` covers the business date `date` (and the customer when
// given). A statement rather than a call, so the check-in reads it in the same round trip
// as its other reads (ADR 0017). Wired by App to the plans engineer's
// VisitApplicationService::CoveringApplicationQuery.
using ApplicationCheck =
    std::function<storage::BoundQuery(int64_t rep_id, std::string_view date, std::optional<int64_t> customer_id)>;

// An in-app notice, inside the caller's transaction. Wired by App to
// platform::NotificationService::Notify; unset in tests that do not look at notices.
struct FieldNotice {
  int64_t user_id = 0;
  std::string kind;   // "visit.report_reviewed", "visit.report_late"
  std::string title;  // zh-CN fallback text
  std::string link;   // client route
  Json data = Json::object();
};
using Notifier = std::function<void(storage::Connection&, const FieldNotice&)>;

struct FieldContext {
  storage::Database& database;
  platform::PolicyService& policies;
  customers::CustomerService& customers;
  const Clock& clock;
  ApplicationCheck application_check;  // unset: every field check-in counts as covered
  Notifier notify;                     // unset: notices are dropped
  // R-VISIT-39: where check-in photos are kept, the store of customer attachments (App
  // builds both from --attachments). Unset: a check-in with a photo is an internal error.
  std::shared_ptr<const storage::BlobStore> photos;
};

// A user as the scope rules see it.
struct RepInfo {
  int64_t id = 0;
  std::string name;
  std::string unit_path;
  std::optional<int64_t> manager_id;
};

// Loads the user or nullopt.
std::optional<RepInfo> LoadRep(storage::Connection& connection, int64_t user_id);

// R-VISIT-30: the rep must be in the caller's scope of `permission`; otherwise
// visits.not_found (404), as customers do, so ids cannot be probed.
RepInfo RequireRepInScope(storage::Connection& connection, const platform::Caller& caller,
                          platform::Scope scope, int64_t rep_id);

// A SQL condition limiting `rep_column` (users.id) to the scope, with `path_column`
// the org_units.path of that user's unit (the query joins it). Appends its parameters.
std::string RepScopeCondition(const platform::Caller& caller, platform::Scope scope,
                              std::string_view rep_column, std::string_view path_column,
                              storage::Params& params);

// R-VISIT-55: `unitId` narrows a list to a unit's subtree, never widens it: the unit must
// lie in the caller's scope (`all`, or `team` with the unit under the caller's unit);
// otherwise (unknown unit, or an `own` scope) visits.not_found (404). Returns the unit's
// org_units.path for a `LIKE path%` condition.
std::string UnitSubtreeInScope(storage::Connection& connection, const platform::Caller& caller,
                               platform::Scope scope, int64_t unit_id);

// A business date `days` later.
Date AddDays(Date date, int days);
// Reads a "YYYY-MM-DD" query value; validation.failed on a bad one.
std::optional<Date> QueryDate(const std::optional<std::string>& text, const std::string& field);

}  // namespace tuoke::visits
