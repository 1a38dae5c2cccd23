// Visit norms (issue #4 item 8; §3.1, §8; README.md R-VISIT-2..4, 23..27): which customers
// are due or overdue for a visit, per rep and team, from the last visit and the grade and
// region frequency policies. Also the shared pieces the plan service uses for coverage:
// the frequency policies of a day, the cadence of a rep's customers and the rep scope.
//
// Reads the field engineer's `visits` table (read-only). Thread-safe: no mutable state.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json_util.h"
#include "core/time.h"
#include "modules/visits/visit_rules.h"
#include "platform/access.h"
#include "platform/policy.h"
#include "storage/database.h"

namespace tuoke::visits {

// The frequency policies in force on `day`.
FrequencyPolicy LoadFrequencyPolicy(platform::PolicyService& policies, Date day);

// One customer with what its visit cadence depends on.
struct CustomerCadence {
  int64_t customer_id = 0;
  std::string name;
  std::string grade;
  RegionRelation region = RegionRelation::kSameCity;
  int64_t owner_id = 0;
  std::string owner_name;
  std::optional<Date> last_visit_on;
  Date base;  // R-VISIT-24
  int interval_months = 1;
  int visits_per_month = 0;
  Date due_on;  // R-VISIT-4
};

// R-VISIT-23: the customers owned by the reps that `owner_condition` selects (an SQL
// condition on the alias `c` of customers and `ou` of the owner's org unit, with its
// parameters in `params`), with their last visit before `visits_before`. One query.
std::vector<CustomerCadence> LoadCadences(storage::Connection& connection,
                                          const FrequencyPolicy& policy, const std::string& time_zone,
                                          const std::string& owner_condition, storage::Params params,
                                          Date visits_before);

// R-VISIT-1: an SQL condition "the user in `user_column` (whose unit path is
// `path_column`) is visible under the caller's scope", appending its parameters.
std::string UserScopeCondition(const platform::Caller& caller, platform::Scope scope,
                               const std::string& user_column, const std::string& path_column,
                               storage::Params& params);

// The unit-path prefix of `unit_id` (for ?unitId= filters); org.not_found when missing.
std::string UnitPath(storage::Connection& connection, int64_t unit_id);

struct NormsFilter {
  std::optional<int64_t> unit_id;
  std::optional<int64_t> rep_id;
  std::optional<std::string> state;  // "due" | "overdue"
  int limit = 50;
  std::optional<std::string> cursor;  // "YYYY-MM-DD~id" of the last item
};

class VisitNormsService {
 public:
  VisitNormsService(storage::Database& database, platform::PolicyService& policies, const Clock& clock)
      : database_(database), policies_(policies), clock_(clock) {}

  // R-VISIT-25..27: {"today","items":[NormEntry…],"nextCursor","summary":{"due","overdue"}};
  // most overdue first. Requires visits.read; the scope applies to the customer's owner.
  Json List(const platform::Caller& caller, const NormsFilter& filter);

 private:
  storage::Database& database_;
  platform::PolicyService& policies_;
  const Clock& clock_;
};

}  // namespace tuoke::visits
