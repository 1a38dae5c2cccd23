#include "modules/visits/field_common.h"

#include "core/text.h"

namespace tuoke::visits {

namespace {
const storage::Sql kLoadRep{
    "visits.load_rep",
    "SELECT u.id, u.name, o.path, u.manager_id FROM users u JOIN org_units o ON o.id = u.unit_id "
    "WHERE u.id = ?"};
const storage::Sql kUnitPathOf{"visits.unit_path_of", "SELECT path FROM org_units WHERE id = ?"};
}  // namespace

std::optional<RepInfo> LoadRep(storage::Connection& connection, int64_t user_id) {
  auto row = connection.QueryOne(kLoadRep, {user_id});
  if (!row) return std::nullopt;
  return RepInfo{row->Int(0), row->Text(1), row->Text(2), row->OptionalInt(3)};
}

RepInfo RequireRepInScope(storage::Connection& connection, const platform::Caller& caller,
                          platform::Scope scope, int64_t rep_id) {
  auto rep = LoadRep(connection, rep_id);
  if (!rep || !platform::InScope(caller, scope, rep->id, rep->unit_path)) ThrowNotFound("visits", "rep");
  return *rep;
}

std::string RepScopeCondition(const platform::Caller& caller, platform::Scope scope,
                              std::string_view rep_column, std::string_view path_column,
                              storage::Params& params) {
  switch (scope) {
    case platform::Scope::kAll: return "1 = 1";
    case platform::Scope::kOwn:
      params.push_back(caller.user_id);
      return std::string(rep_column) + " = ?";
    case platform::Scope::kTeam:
      params.push_back(caller.user_id);
      params.push_back(EscapeLike(caller.unit_path) + "%");
      return "(" + std::string(rep_column) + " = ? OR " + std::string(path_column) + " LIKE ? ESCAPE '\\')";
  }
  return "1 = 0";
}

std::string UnitSubtreeInScope(storage::Connection& connection, const platform::Caller& caller,
                               platform::Scope scope, int64_t unit_id) {
  auto unit = connection.QueryOne(kUnitPathOf, {unit_id});
  if (!unit) ThrowNotFound("visits", "unit");
  bool visible = scope == platform::Scope::kAll ||
                 (scope == platform::Scope::kTeam && unit->Text(0).rfind(caller.unit_path, 0) == 0);
  if (!visible) ThrowNotFound("visits", "unit");
  return unit->Text(0);
}

Date AddDays(Date date, int days) {
  using namespace std::chrono;
  year_month_day next{sys_days{year_month_day{year{date.year}, month{date.month}, day{date.day}}} +
                      std::chrono::days{days}};
  return {int(next.year()), unsigned(next.month()), unsigned(next.day())};
}

std::optional<Date> QueryDate(const std::optional<std::string>& text, const std::string& field) {
  if (!text || text->empty()) return std::nullopt;
  auto date = ParseDate(*text);
  if (!date) ThrowValidation(field, "must be a date YYYY-MM-DD");
  return date;
}

}  // namespace tuoke::visits
