#include "modules/fieldreports/routine_service.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/text.h"
#include "platform/audit.h"

namespace tuoke::fieldreports {
namespace {

using platform::Caller;
using platform::Scope;

constexpr size_t kMaxName = 50;
constexpr size_t kMaxItemText = 200;
constexpr size_t kMaxNote = 500;

const std::set<std::string>& PeriodCodes() {
  static const std::set<std::string> codes{"daily", "weekly", "monthly", "quarterly", "half_yearly", "yearly"};
  return codes;
}

[[noreturn]] void ThrowTemplateNotFound() {
  throw Error(ErrorKind::kNotFound, "routines.template_not_found", "routine template not found");
}

const storage::Sql kTemplates{"routine_templates.list",
                              "SELECT id FROM routine_templates ORDER BY id LIMIT 500"};
const storage::Sql kTemplate{"routine_templates.select",
                             "SELECT id, period, name, active, seed_code, created_at, updated_at FROM routine_templates "
                             "WHERE id = ?"};
const storage::Sql kTemplateItems{"routine_templates.items",
                                  "SELECT position, text FROM routine_template_items WHERE template_id = ? "
                                  "ORDER BY position"};
const storage::Sql kInsertTemplate{
    "routine_templates.insert",
    "INSERT INTO routine_templates (period, name, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id"};
const storage::Sql kUpdateTemplate{"routine_templates.update",
                                   "UPDATE routine_templates SET name = ?, active = ?, updated_at = ? WHERE id = ?"};
const storage::Sql kDeleteTemplateItems{"routine_templates.delete_items",
                                        "DELETE FROM routine_template_items WHERE template_id = ?"};
const storage::Sql kInsertTemplateItem{
    "routine_templates.insert_item",
    "INSERT INTO routine_template_items (template_id, position, text) VALUES (?, ?, ?)"};

#define TUOKE_ASSIGNMENT_COLUMNS                                                                         \
  "a.id, a.template_id, t.name, t.period, a.user_id, u.name, a.unit_id, au.name, au.path, a.role, "     \
  "uo.path, a.created_at FROM routine_assignments a JOIN routine_templates t ON t.id = a.template_id " \
  "LEFT JOIN users u ON u.id = a.user_id LEFT JOIN org_units uo ON uo.id = u.unit_id "                  \
  "LEFT JOIN org_units au ON au.id = a.unit_id "
enum AssignmentColumn : size_t {
  kAId, kATemplateId, kATemplateName, kAPeriod, kAUserId, kAUserName, kAUnitId, kAUnitName, kAUnitPath,
  kARole, kAUserUnitPath, kACreatedAt
};
const storage::Sql kAssignments{"routine_assignments.list",
                                "SELECT " TUOKE_ASSIGNMENT_COLUMNS "ORDER BY a.id LIMIT 1000"};
const storage::Sql kAssignment{"routine_assignments.select", "SELECT " TUOKE_ASSIGNMENT_COLUMNS "WHERE a.id = ?"};
const storage::Sql kSameAssignment{
    "routine_assignments.same",
    "SELECT id FROM routine_assignments WHERE template_id = ? AND COALESCE(user_id, 0) = ? AND "
    "COALESCE(unit_id, 0) = ? AND COALESCE(role, '') = ?"};
const storage::Sql kInsertAssignment{
    "routine_assignments.insert",
    "INSERT INTO routine_assignments (template_id, user_id, unit_id, role, created_by, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id"};
const storage::Sql kDeleteAssignment{"routine_assignments.delete", "DELETE FROM routine_assignments WHERE id = ?"};
const storage::Sql kUserInfo{"routine_assignments.user",
                             "SELECT u.id, o.path, u.active FROM users u JOIN org_units o ON o.id = u.unit_id "
                             "WHERE u.id = ?"};
const storage::Sql kUnitInfo{"routine_assignments.unit", "SELECT id, path FROM org_units WHERE id = ?"};

// R-ROUTINE-2: the templates assigned to one user, directly or by unit subtree and role.
const storage::Sql kAssignedTemplates{
    "routines.assigned_templates",
    "SELECT DISTINCT t.id, t.period FROM routine_templates t JOIN routine_assignments a ON a.template_id = t.id "
    "LEFT JOIN org_units au ON au.id = a.unit_id WHERE t.active = 1 AND (a.user_id = ? OR (a.user_id IS NULL "
    "AND (a.unit_id IS NULL OR ? LIKE replace(replace(au.path, '%', '\\%'), '_', '\\_') || '%' ESCAPE '\\') "
    "AND (a.role IS NULL OR a.role IN (SELECT role FROM user_roles WHERE user_id = ?)))) ORDER BY t.id"};
const storage::Sql kFindInstance{"routines.find_instance",
                                 "SELECT id FROM routine_instances WHERE template_id = ? AND user_id = ? AND period_start = ?"};
const storage::Sql kCreateInstance{
    "routines.create_instance",
    "INSERT INTO routine_instances (template_id, user_id, period_start, period_end, created_at) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (template_id, user_id, period_start) DO NOTHING RETURNING id"};
const storage::Sql kCopyItems{
    "routines.copy_items",
    "INSERT INTO routine_instance_items (instance_id, position, text) "
    "SELECT ?, position, text FROM routine_template_items WHERE template_id = ?"};
const storage::Sql kInstance{"routines.instance",
                             "SELECT i.id, i.template_id, t.name, t.period, i.period_start, i.period_end, i.user_id "
                             "FROM routine_instances i JOIN routine_templates t ON t.id = i.template_id WHERE i.id = ?"};
const storage::Sql kInstanceItems{"routines.instance_items",
                                  "SELECT id, position, text, checked_at, note FROM routine_instance_items "
                                  "WHERE instance_id = ? ORDER BY position"};
const storage::Sql kItem{"routines.item",
                         "SELECT ii.id, ii.instance_id, i.user_id, i.period_start, i.period_end, ii.checked_at, ii.note "
                         "FROM routine_instance_items ii JOIN routine_instances i ON i.id = ii.instance_id WHERE ii.id = ?"};
const storage::Sql kCheckItem{"routines.check_item",
                              "UPDATE routine_instance_items SET checked_at = ?, note = ? WHERE id = ?"};

struct AssignmentRule {
  int64_t template_id;
  std::optional<int64_t> user_id;
  std::optional<std::string> unit_path;
  std::optional<std::string> role;
};

// R-ROUTINE-2: whether an assignment reaches a user.
bool Reaches(const AssignmentRule& rule, int64_t user_id, const std::string& unit_path,
             const std::set<std::string>& roles) {
  if (rule.user_id) return *rule.user_id == user_id;
  if (rule.unit_path && !unit_path.starts_with(*rule.unit_path)) return false;
  if (rule.role && !roles.count(*rule.role)) return false;
  return true;
}

// Whether an assignment lies in a team-scoped manager's subtree: its user or unit is in it.
bool AssignmentInScope(const Caller& caller, Scope scope, const storage::Row& row) {
  if (scope == Scope::kAll) return true;
  if (auto user_id = row.OptionalInt(kAUserId))
    return platform::InScope(caller, scope, *user_id, row.OptionalText(kAUserUnitPath).value_or(""));
  if (auto path = row.OptionalText(kAUnitPath))
    return scope == Scope::kTeam && !caller.unit_path.empty() && path->starts_with(caller.unit_path);
  return false;  // role-wide assignments belong to the company-wide managers
}

Json AssignmentJson(const storage::Row& row) {
  auto optional_id = [&](size_t column) {
    auto id = row.OptionalInt(column);
    return id ? Json(IdString(*id)) : Json();
  };
  auto optional_text = [&](size_t column) {
    auto text = row.OptionalText(column);
    return text ? Json(*text) : Json();
  };
  return {{"id", IdString(row.Int(kAId))},       {"templateId", IdString(row.Int(kATemplateId))},
          {"templateName", row.Text(kATemplateName)}, {"period", row.Text(kAPeriod)},
          {"userId", optional_id(kAUserId)},     {"userName", optional_text(kAUserName)},
          {"unitId", optional_id(kAUnitId)},     {"unitName", optional_text(kAUnitName)},
          {"role", optional_text(kARole)},       {"createdAt", row.Text(kACreatedAt)}};
}

std::vector<std::string> ReadItems(JsonReader& reader, bool required) {
  std::vector<std::string> items;
  const Json* raw = reader.Raw("items");
  if (!raw) {
    if (required) reader.Fail("items", "is required");
    return items;
  }
  if (!raw->is_array() || raw->empty() || raw->size() > RoutineService::kMaxItems) {
    reader.Fail("items", "must be a list of 1 to 60 texts");
    return items;
  }
  for (size_t i = 0; i < raw->size(); ++i) {
    const Json& item = (*raw)[i];
    if (!item.is_string() || item.get<std::string>().empty() || Utf8Length(item.get<std::string>()) > kMaxItemText ||
        !IsCleanText(item.get<std::string>()))
      reader.Fail("items[" + std::to_string(i) + "]", "must be a text of 1 to 200 characters");
    else items.push_back(item.get<std::string>());
  }
  return items;
}

void RequireCompanyWide(const Caller& caller) {
  if (platform::Require(caller, "routines.manage") != Scope::kAll)
    throw Error(ErrorKind::kForbidden, "access.denied", "templates are company-wide: routines.manage over all is required",
                {{"permission", "routines.manage"}});
}

}  // namespace

Json RoutineService::RenderTemplate(storage::Connection& connection, int64_t template_id) {
  auto row = connection.QueryOne(kTemplate, {template_id});
  if (!row) ThrowTemplateNotFound();
  Json items = Json::array();
  for (const auto& item : connection.Query(kTemplateItems, {template_id}).rows) items.push_back(item.Text(1));
  return {{"id", IdString(row->Int(0))},
          {"period", row->Text(1)},
          {"name", row->Text(2)},
          {"active", row->Bool(3)},
          {"builtIn", !row->IsNull(4)},
          {"items", items},
          {"createdAt", row->Text(5)},
          {"updatedAt", row->Text(6)}};
}

Json RoutineService::ListTemplates(const Caller& caller) {
  platform::Require(caller, "routines.manage");
  auto connection = database_.Acquire();
  Json items = Json::array();
  for (const auto& row : connection->Query(kTemplates).rows) items.push_back(RenderTemplate(*connection, row.Int(0)));
  return {{"items", items}};
}

Json RoutineService::GetTemplate(const Caller& caller, int64_t template_id) {
  platform::Require(caller, "routines.manage");
  auto connection = database_.Acquire();
  return RenderTemplate(*connection, template_id);
}

Json RoutineService::CreateTemplate(const Caller& caller, const Json& body) {
  RequireCompanyWide(caller);
  JsonReader reader(body);
  auto period = reader.Enum("period", PeriodCodes());
  if (!reader.Has("period")) reader.Fail("period", "is required");
  auto name = reader.RequiredString("name", 1, kMaxName);
  auto active = reader.Bool("active");
  auto items = ReadItems(reader, true);
  reader.Finish();
  Json result;
  database_.InTransaction([&](storage::Connection& connection) {
    std::string now = FormatInstant(clock_.Now());
    int64_t id = connection.QueryOne(kInsertTemplate, {*period, *name, int64_t{active.value_or(true) ? 1 : 0}, now, now})
                     ->Int(0);
    for (size_t i = 0; i < items.size(); ++i)
      connection.Execute(kInsertTemplateItem, {id, static_cast<int64_t>(i + 1), items[i]});
    result = RenderTemplate(connection, id);
    platform::RecordAudit(connection, platform::Actor::From(caller),
                          {"routine_template.create", "routine_template", IdString(id), Json(), result}, clock_.Now());
  });
  return result;
}

Json RoutineService::UpdateTemplate(const Caller& caller, int64_t template_id, const Json& body) {
  RequireCompanyWide(caller);
  Json result;
  database_.InTransaction([&](storage::Connection& connection) {
    Json before = RenderTemplate(connection, template_id);
    JsonReader reader(body);
    std::string name = before["name"];
    bool active = before["active"];
    if (reader.Has("name")) {
      if (auto value = reader.String("name", 1, kMaxName)) name = *value;
      else if (reader.Raw("name")->is_null()) reader.Fail("name", "must not be null");
    }
    if (auto value = reader.Bool("active")) active = *value;
    bool replace_items = reader.Has("items");
    auto items = ReadItems(reader, false);
    reader.Finish();
    connection.Execute(kUpdateTemplate, {name, int64_t{active ? 1 : 0}, FormatInstant(clock_.Now()), template_id});
    // R-ROUTINE-1: checklists already created keep their copy; the new items apply from
    // the next instance on.
    if (replace_items) {
      connection.Execute(kDeleteTemplateItems, {template_id});
      for (size_t i = 0; i < items.size(); ++i)
        connection.Execute(kInsertTemplateItem, {template_id, static_cast<int64_t>(i + 1), items[i]});
    }
    result = RenderTemplate(connection, template_id);
    Json after = result;
    platform::KeepChangedFields(before, after);
    platform::RecordAudit(connection, platform::Actor::From(caller),
                          {"routine_template.update", "routine_template", IdString(template_id), before, after},
                          clock_.Now());
  });
  return result;
}

Json RoutineService::ListAssignments(const Caller& caller, std::optional<int64_t> template_id) {
  Scope scope = platform::Require(caller, "routines.manage");
  auto connection = database_.Acquire();
  Json items = Json::array();
  for (const auto& row : connection->Query(kAssignments).rows) {
    if (template_id && row.Int(kATemplateId) != *template_id) continue;
    if (!AssignmentInScope(caller, scope, row)) continue;
    items.push_back(AssignmentJson(row));
  }
  return {{"items", items}};
}

Json RoutineService::CreateAssignment(const Caller& caller, const Json& body) {
  Scope scope = platform::Require(caller, "routines.manage");
  JsonReader reader(body);
  auto template_id = reader.Id("templateId");
  if (!reader.Has("templateId")) reader.Fail("templateId", "is required");
  auto user_id = reader.Id("userId");
  auto unit_id = reader.Id("unitId");
  std::set<std::string> roles(platform::AllRoles().begin(), platform::AllRoles().end());
  auto role = reader.Enum("role", roles);
  if (user_id && (unit_id || role)) reader.Fail("userId", "is given alone, or unitId and/or role instead");
  if (!user_id && !unit_id && !role) reader.Fail("userId", "or unitId or role is required");
  reader.Finish();
  Json result;
  database_.InTransaction([&](storage::Connection& connection) {
    if (!connection.QueryOne(kTemplate, {*template_id})) ThrowTemplateNotFound();
    // R-ROUTINE-2: within the caller's scope; role-wide assignments need scope all.
    if (user_id) {
      auto user = connection.QueryOne(kUserInfo, {*user_id});
      if (!user || !platform::InScope(caller, scope, *user_id, user->Text(1)))
        throw Error(ErrorKind::kNotFound, "users.not_found", "user not found");
      if (!user->Bool(2)) throw Error(ErrorKind::kConflict, "users.inactive", "the user is deactivated");
    } else if (unit_id) {
      auto unit = connection.QueryOne(kUnitInfo, {*unit_id});
      if (!unit) throw Error(ErrorKind::kNotFound, "org.unit_not_found", "unit not found");
      if (scope != Scope::kAll && (caller.unit_path.empty() || !unit->Text(1).starts_with(caller.unit_path)))
        throw Error(ErrorKind::kForbidden, "access.denied", "the unit is outside your team");
    } else if (scope != Scope::kAll) {
      throw Error(ErrorKind::kForbidden, "access.denied", "assigning to a role company-wide needs routines.manage over all");
    }
    if (connection.QueryOne(kSameAssignment, {*template_id, user_id.value_or(0), unit_id.value_or(0), role.value_or("")}))
      throw Error(ErrorKind::kConflict, "routines.already_assigned", "this assignment exists already");
    int64_t id = connection
                     .QueryOne(kInsertAssignment, {*template_id, storage::Nullable(user_id), storage::Nullable(unit_id),
                                                   storage::Nullable(role), caller.user_id, FormatInstant(clock_.Now())})
                     ->Int(0);
    result = AssignmentJson(*connection.QueryOne(kAssignment, {id}));
    platform::RecordAudit(connection, platform::Actor::From(caller),
                          {"routine_assignment.create", "routine_assignment", IdString(id), Json(), result}, clock_.Now());
  });
  return result;
}

void RoutineService::DeleteAssignment(const Caller& caller, int64_t assignment_id) {
  Scope scope = platform::Require(caller, "routines.manage");
  database_.InTransaction([&](storage::Connection& connection) {
    auto row = connection.QueryOne(kAssignment, {assignment_id});
    if (!row || !AssignmentInScope(caller, scope, *row))
      throw Error(ErrorKind::kNotFound, "routines.assignment_not_found", "assignment not found");
    Json before = AssignmentJson(*row);
    connection.Execute(kDeleteAssignment, {assignment_id});
    platform::RecordAudit(connection, platform::Actor::From(caller),
                          {"routine_assignment.delete", "routine_assignment", IdString(assignment_id), before, Json()},
                          clock_.Now());
  });
}

Json RoutineService::RenderInstance(storage::Connection& connection, int64_t instance_id, Date today) {
  auto row = connection.QueryOne(kInstance, {instance_id});
  Json items = Json::array();
  int64_t checked = 0;
  for (const auto& item : connection.Query(kInstanceItems, {instance_id}).rows) {
    bool done = !item.IsNull(3);
    checked += done ? 1 : 0;
    items.push_back({{"id", IdString(item.Int(0))},
                     {"position", item.Int(1)},
                     {"text", item.Text(2)},
                     {"checked", done},
                     {"checkedAt", done ? Json(item.Text(3)) : Json()},
                     {"note", item.OptionalText(4) ? Json(*item.OptionalText(4)) : Json()}});
  }
  Date last = *ParseDate(row->Text(5));
  return {{"id", IdString(row->Int(0))},
          {"templateId", IdString(row->Int(1))},
          {"name", row->Text(2)},
          {"period", row->Text(3)},
          {"periodStart", row->Text(4)},
          {"periodEnd", row->Text(5)},
          {"current", today <= last},
          {"total", items.size()},
          {"checked", checked},
          {"items", items}};
}

Json RoutineService::Mine(const Caller& caller, std::optional<Date> date) {
  Date today = policies_.Today();
  Date day = date.value_or(today);
  if (day > today) ThrowValidation("date", "is in the future");
  Json checklists = Json::array();
  database_.InTransaction([&](storage::Connection& connection) {
    std::string now = FormatInstant(clock_.Now());
    for (const auto& row : connection.Query(kAssignedTemplates, {caller.user_id, caller.unit_path, caller.user_id}).rows) {
      int64_t template_id = row.Int(0);
      DateRange range = PeriodContaining(*ParsePeriod(row.Text(1)), day);
      std::string start = FormatDate(range.first);
      std::optional<int64_t> instance_id;
      if (auto found = connection.QueryOne(kFindInstance, {template_id, caller.user_id, start})) {
        instance_id = found->Int(0);
      } else {
        // R-ROUTINE-3: created on first sight with a copy of the template's items; a
        // parallel request that created it first wins and this one reads it.
        auto created = connection.QueryOne(kCreateInstance, {template_id, caller.user_id, start,
                                                             FormatDate(range.last), now});
        if (created) {
          instance_id = created->Int(0);
          connection.Execute(kCopyItems, {*instance_id, template_id});
        } else {
          instance_id = connection.QueryOne(kFindInstance, {template_id, caller.user_id, start})->Int(0);
        }
      }
      checklists.push_back(RenderInstance(connection, *instance_id, today));
    }
  });
  return {{"date", FormatDate(day)}, {"items", checklists}};
}

Json RoutineService::Check(const Caller& caller, int64_t item_id, const Json& body) {
  JsonReader reader(body);
  auto checked = reader.Bool("checked");
  if (!reader.Has("checked")) reader.Fail("checked", "is required");
  bool note_present = false;
  auto note = reader.NullableString("note", kMaxNote, &note_present);
  reader.Finish();
  Date today = policies_.Today();
  Json result;
  database_.InTransaction([&](storage::Connection& connection) {
    auto item = connection.QueryOne(kItem, {item_id});
    // R-ROUTINE-5: one's own checklist only; others' items are not found.
    if (!item || item->Int(2) != caller.user_id)
      throw Error(ErrorKind::kNotFound, "routines.item_not_found", "checklist item not found");
    if (*ParseDate(item->Text(4)) < today)
      throw Error(ErrorKind::kConflict, "routines.period_closed", "the checklist's period is over");
    std::optional<std::string> checked_at;
    if (*checked) checked_at = item->OptionalText(5).value_or(FormatInstant(clock_.Now()));
    std::optional<std::string> new_note = note_present ? note : item->OptionalText(6);
    if (new_note && new_note->empty()) new_note.reset();
    connection.Execute(kCheckItem, {storage::Nullable(checked_at), storage::Nullable(new_note), item_id});
    platform::RecordAudit(connection, platform::Actor::From(caller),
                          {"routine_item.check", "routine_item", IdString(item_id),
                           {{"checked", !item->IsNull(5)}, {"note", item->OptionalText(6) ? Json(*item->OptionalText(6)) : Json()}},
                           {{"checked", *checked}, {"note", new_note ? Json(*new_note) : Json()}}},
                          clock_.Now());
    result = RenderInstance(connection, item->Int(1), today);
  });
  return result;
}

Json RoutineService::Completion(const Caller& caller, Period period, std::optional<Date> date,
                                std::optional<int64_t> unit_id, int limit, std::optional<int64_t> cursor) {
  Scope scope = platform::Require(caller, "routines.manage");
  Date day = date.value_or(policies_.Today());
  DateRange range = PeriodContaining(period, day);
  std::string period_code(PeriodCode(period));
  auto connection = database_.Acquire();

  // The active templates of the period with their assignments and item counts.
  static const storage::Sql kPeriodAssignments{
      "routines.period_assignments",
      "SELECT a.template_id, a.user_id, au.path, a.role, t.name, "
      "(SELECT COUNT(*) FROM routine_template_items i WHERE i.template_id = t.id) FROM routine_assignments a "
      "JOIN routine_templates t ON t.id = a.template_id LEFT JOIN org_units au ON au.id = a.unit_id "
      "WHERE t.active = 1 AND t.period = ? ORDER BY a.template_id, a.id"};
  std::vector<AssignmentRule> rules;
  std::map<int64_t, std::pair<std::string, int64_t>> templates;  // id → name, item count
  for (const auto& row : connection->Query(kPeriodAssignments, {period_code}).rows) {
    rules.push_back({row.Int(0), row.OptionalInt(1), row.OptionalText(2), row.OptionalText(3)});
    templates[row.Int(0)] = {row.Text(4), row.Int(5)};
  }

  storage::Params params;
  std::string sql = "SELECT u.id, u.name, o.path, o.name FROM users u JOIN org_units o ON o.id = u.unit_id WHERE u.active = 1";
  if (scope == Scope::kOwn) {
    sql += " AND u.id = ?";
    params.push_back(caller.user_id);
  } else if (scope == Scope::kTeam) {
    sql += " AND (u.id = ? OR o.path LIKE ? ESCAPE '\\')";
    params.push_back(caller.user_id);
    params.push_back(EscapeLike(caller.unit_path) + "%");
  }
  if (unit_id) {
    sql += " AND o.path LIKE (SELECT replace(replace(path, '%', '\\%'), '_', '\\_') || '%' FROM org_units "
           "WHERE id = ?) ESCAPE '\\'";
    params.push_back(*unit_id);
  }
  if (cursor) sql += " AND u.id > ?", params.push_back(*cursor);
  sql += " ORDER BY u.id";
  const storage::Sql users_query{"routines.completion_users", sql.c_str()};
  static const storage::Sql kRoles{"routines.user_roles", "SELECT role FROM user_roles WHERE user_id = ?"};
  static const storage::Sql kCounts{
      "routines.instance_counts",
      "SELECT i.template_id, COUNT(ii.id), COUNT(ii.checked_at) FROM routine_instances i "
      "JOIN routine_instance_items ii ON ii.instance_id = i.id WHERE i.user_id = ? AND i.period_start = ? "
      "GROUP BY i.template_id"};

  Json items = Json::array();
  Json next = nullptr;
  if (!rules.empty()) {
    for (const auto& user : connection->Query(users_query, params).rows) {
      std::set<std::string> roles;
      for (const auto& role : connection->Query(kRoles, {user.Int(0)}).rows) roles.insert(role.Text(0));
      std::set<int64_t> assigned;
      for (const auto& rule : rules)
        if (Reaches(rule, user.Int(0), user.Text(2), roles)) assigned.insert(rule.template_id);
      if (assigned.empty()) continue;
      if (static_cast<int>(items.size()) == limit) {
        next = items.back()["userId"];
        break;
      }
      std::map<int64_t, std::pair<int64_t, int64_t>> counts;
      for (const auto& row : connection->Query(kCounts, {user.Int(0), FormatDate(range.first)}).rows)
        counts[row.Int(0)] = {row.Int(1), row.Int(2)};
      Json checklists = Json::array();
      int64_t total = 0, checked = 0;
      for (int64_t template_id : assigned) {
        // Not opened yet: the template's items, none checked.
        auto found = counts.find(template_id);
        int64_t list_total = found != counts.end() ? found->second.first : templates[template_id].second;
        int64_t list_checked = found != counts.end() ? found->second.second : 0;
        total += list_total;
        checked += list_checked;
        checklists.push_back({{"templateId", IdString(template_id)},
                              {"name", templates[template_id].first},
                              {"opened", found != counts.end()},
                              {"total", list_total},
                              {"checked", list_checked}});
      }
      items.push_back({{"userId", IdString(user.Int(0))},
                       {"userName", user.Text(1)},
                       {"unitName", user.Text(3)},
                       {"total", total},
                       {"checked", checked},
                       {"percent", total == 0 ? 0 : checked * 100 / total},
                       {"checklists", checklists}});
    }
  }
  return {{"period", period_code},
          {"periodStart", FormatDate(range.first)},
          {"periodEnd", FormatDate(range.last)},
          {"items", items},
          {"nextCursor", next}};
}

}  // namespace tuoke::fieldreports
