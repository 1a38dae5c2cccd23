#include "modules/visits/visit_norms.h"

#include <algorithm>

#include "core/text.h"

namespace tuoke::visits {
namespace {

using platform::Caller;
using platform::Scope;

const storage::Sql kUnitPath{"visits.unit_path", "SELECT path FROM org_units WHERE id = ?"};

Date DateOfInstantText(const std::optional<std::string>& text, const std::string& time_zone,
                       Date fallback) {
  if (!text) return fallback;
  auto instant = ParseInstant(*text);
  return instant ? BusinessDate(*instant, time_zone) : fallback;
}

}  // namespace

FrequencyPolicy LoadFrequencyPolicy(platform::PolicyService& policies, Date day) {
  FrequencyPolicy policy;
  policy.same_city_months = static_cast<int>(policies.IntOn("visits.frequency_same_city_months", day));
  policy.same_province_months =
      static_cast<int>(policies.IntOn("visits.frequency_same_province_months", day));
  policy.other_region_months =
      static_cast<int>(policies.IntOn("visits.frequency_other_region_months", day));
  policy.home_province = policies.StringOn("visits.home_province", day);
  policy.home_city = policies.StringOn("visits.home_city", day);
  policy.callback_table = policies.ValueOn("callbacks.frequency_by_grade", day);
  policy.grade_rows = policies.ValueOn("visits.grade_frequency_rows", day);
  return policy;
}

std::string UserScopeCondition(const Caller& caller, Scope scope, const std::string& user_column,
                               const std::string& path_column, storage::Params& params) {
  switch (scope) {
    case Scope::kAll: return "1 = 1";
    case Scope::kTeam:
      params.push_back(caller.user_id);
      params.push_back(EscapeLike(caller.unit_path) + "%");
      return "(" + user_column + " = ? OR " + path_column + " LIKE ? ESCAPE '\\')";
    case Scope::kOwn: params.push_back(caller.user_id); return user_column + " = ?";
  }
  return "1 = 0";
}

std::string UnitPath(storage::Connection& connection, int64_t unit_id) {
  auto row = connection.QueryOne(kUnitPath, {unit_id});
  if (!row) ThrowNotFound("org", "unit");
  return row->Text(0);
}

std::vector<CustomerCadence> LoadCadences(storage::Connection& connection,
                                          const FrequencyPolicy& policy, const std::string& time_zone,
                                          const std::string& owner_condition, storage::Params params,
                                          Date visits_before) {
  // R-VISIT-23: the rep's own customers that are still visit objects (§3.1 [003 2.2]:
  // active, target, prospect and peer; lost customers and merged ones are not), with the
  // latest in-person visit (R-VISIT-24: phone visits do not count toward on-site norms).
  // One statement; the correlated MAX walks the visits_customer index per customer.
  std::string sql =
      "SELECT c.id, c.name, c.grade, c.province, c.city, c.owner_id, ow.name, c.created_at, "
      "c.last_follow_up_at, (SELECT MAX(v.visit_date) FROM visits v WHERE v.customer_id = c.id "
      "AND v.kind <> 'phone' AND v.visit_date < ?) FROM customers c JOIN users ow ON ow.id = "
      "c.owner_id JOIN org_units ou ON ou.id = ow.unit_id WHERE c.merged_into_id IS NULL AND "
      "c.status <> 'lost' AND " +
      owner_condition;
  params.insert(params.begin(), FormatDate(visits_before));
  const storage::Sql query{"visits.cadences", sql.c_str()};
  std::vector<CustomerCadence> cadences;
  auto result = connection.Query(query, params);
  cadences.reserve(result.rows.size());
  for (const auto& row : result.rows) {
    CustomerCadence cadence;
    cadence.customer_id = row.Int(0);
    cadence.name = row.Text(1);
    cadence.grade = row.Text(2);
    cadence.region = RelationToHome(row.OptionalText(3).value_or(""), row.OptionalText(4).value_or(""),
                                    policy.home_province, policy.home_city);
    cadence.owner_id = row.Int(5);
    cadence.owner_name = row.Text(6);
    Date created = DateOfInstantText(row.OptionalText(7), time_zone, visits_before);
    if (auto last = row.OptionalText(9)) cadence.last_visit_on = ParseDate(*last);
    // R-VISIT-24: from the last visit; a customer never visited counts from the later of
    // its creation and its last follow-up.
    if (cadence.last_visit_on) {
      cadence.base = *cadence.last_visit_on;
    } else {
      cadence.base = std::max(created, DateOfInstantText(row.OptionalText(8), time_zone, created));
    }
    cadence.interval_months = policy.IntervalMonths(cadence.region);
    cadence.visits_per_month = policy.VisitsPerMonth(cadence.grade);
    cadence.due_on = NextDueOn(cadence.base, cadence.interval_months, cadence.visits_per_month);
    cadences.push_back(std::move(cadence));
  }
  return cadences;
}

Json VisitNormsService::List(const Caller& caller, const NormsFilter& filter) {
  Scope scope = platform::Require(caller, "visits.read");
  Date today = policies_.Today();
  std::string time_zone = policies_.TimeZone();
  FrequencyPolicy policy = LoadFrequencyPolicy(policies_, today);
  int window = static_cast<int>(policies_.IntOn("visits.norms_due_window_days", today));
  Date horizon = ShiftDays(today, window);

  // The cursor is the sort key of the last item: due date and customer id.
  std::optional<std::pair<Date, int64_t>> after;
  if (filter.cursor) {
    auto separator = filter.cursor->find('~');
    std::optional<Date> date;
    std::optional<int64_t> id;
    if (separator != std::string::npos) {
      date = ParseDate(filter.cursor->substr(0, separator));
      id = ParseId(filter.cursor->substr(separator + 1));
    }
    if (!date || !id) ThrowValidation("cursor", "is not a cursor of this list");
    after = std::make_pair(*date, *id);
  }

  auto connection = database_.Acquire();
  storage::Params params;
  std::string condition = UserScopeCondition(caller, scope, "c.owner_id", "ou.path", params);
  if (filter.rep_id) {
    condition += " AND c.owner_id = ?";
    params.push_back(*filter.rep_id);
  }
  if (filter.unit_id) {
    condition += " AND ou.path LIKE ? ESCAPE '\\'";
    params.push_back(EscapeLike(UnitPath(*connection, *filter.unit_id)) + "%");
  }
  auto cadences = LoadCadences(*connection, policy, time_zone, condition, std::move(params), ShiftDays(today, 1));

  // R-VISIT-25: due when the next visit falls within the window, overdue when its day has
  // passed; most overdue first (earliest due date), then by customer id.
  std::vector<const CustomerCadence*> listed;
  int64_t due_count = 0, overdue_count = 0;
  for (const auto& cadence : cadences) {
    if (cadence.due_on > horizon) continue;
    bool overdue = cadence.due_on < today;
    (overdue ? overdue_count : due_count)++;
    if (filter.state && (*filter.state == "overdue") != overdue) continue;
    listed.push_back(&cadence);
  }
  std::sort(listed.begin(), listed.end(), [](const CustomerCadence* a, const CustomerCadence* b) {
    return std::tie(a->due_on, a->customer_id) < std::tie(b->due_on, b->customer_id);
  });
  auto begin = listed.begin();
  if (after)
    begin = std::upper_bound(listed.begin(), listed.end(), *after,
                             [](const std::pair<Date, int64_t>& key, const CustomerCadence* c) {
                               return key < std::make_pair(c->due_on, c->customer_id);
                             });
  Json items = Json::array();
  Json next_cursor = nullptr;
  for (auto it = begin; it != listed.end(); ++it) {
    if (static_cast<int>(items.size()) == filter.limit) {
      const CustomerCadence& last = **(it - 1);
      next_cursor = FormatDate(last.due_on) + "~" + IdString(last.customer_id);
      break;
    }
    const CustomerCadence& c = **it;
    bool overdue = c.due_on < today;
    items.push_back({{"customerId", IdString(c.customer_id)},
                     {"customerName", c.name},
                     {"ownerId", IdString(c.owner_id)},
                     {"ownerName", c.owner_name},
                     {"grade", c.grade},
                     {"region", RegionRelationCode(c.region)},
                     {"intervalMonths", c.interval_months},
                     {"visitsPerMonth", c.visits_per_month},
                     {"lastVisitOn", c.last_visit_on ? Json(FormatDate(*c.last_visit_on)) : Json()},
                     {"countedFrom", FormatDate(c.base)},
                     {"dueOn", FormatDate(c.due_on)},
                     {"state", overdue ? "overdue" : "due"},
                     {"overdueDays", overdue ? DaysBetween(c.due_on, today) : 0}});
  }
  return {{"today", FormatDate(today)},
          {"items", std::move(items)},
          {"nextCursor", next_cursor},
          {"summary", {{"due", due_count}, {"overdue", overdue_count}}}};
}

}  // namespace tuoke::visits
