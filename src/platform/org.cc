#include "platform/org.h"

#include <set>

#include "core/json_writer.h"
#include "core/text.h"
#include "platform/auth.h"

namespace tuoke::platform {
namespace {

const std::set<std::string> kUnitKinds = {"company", "department", "team"};
const std::set<std::string> kEmploymentStatuses = {"probation", "regular"};

std::set<std::string> RoleSet() {
  const auto& roles = AllRoles();
  return {roles.begin(), roles.end()};
}

// The roles column: one aggregated text per user, in each dialect's spelling.
constexpr const char* kUserColumnsSqlite =
    "u.id, u.username, u.name, u.phone, u.email, u.unit_id, o.name, u.manager_id, m.name, "
    "u.employment_status, u.hired_on, u.regular_on, u.active, u.locked_until, "
    "u.must_change_password, u.created_at, u.updated_at, o.path, "
    "(SELECT group_concat(role, ',') FROM user_roles r WHERE r.user_id = u.id) ";
constexpr const char* kUserColumnsPostgres =
    "u.id, u.username, u.name, u.phone, u.email, u.unit_id, o.name, u.manager_id, m.name, "
    "u.employment_status, u.hired_on, u.regular_on, u.active, u.locked_until, "
    "u.must_change_password, u.created_at, u.updated_at, o.path, "
    "(SELECT string_agg(role, ',') FROM user_roles r WHERE r.user_id = u.id) ";
constexpr const char* kUserFrom =
    "FROM users u JOIN org_units o ON o.id = u.unit_id LEFT JOIN users m ON m.id = u.manager_id ";

const std::string kSelectUserSqlite = std::string("SELECT ") + kUserColumnsSqlite + kUserFrom + "WHERE u.id = ?";
const std::string kSelectUserPostgres = std::string("SELECT ") + kUserColumnsPostgres + kUserFrom + "WHERE u.id = ?";
const storage::Sql kSelectUser{"org.select_user", kSelectUserSqlite.c_str(), kSelectUserPostgres.c_str()};

const storage::Sql kSelectUnits{
    "org.select_units",
    "SELECT o.id, o.parent_id, o.name, o.kind, o.manager_id, m.name, o.active, o.path, "
    "(SELECT COUNT(*) FROM users u WHERE u.unit_id = o.id AND u.active = 1) "
    "FROM org_units o LEFT JOIN users m ON m.id = o.manager_id ORDER BY o.path"};
const storage::Sql kSelectUnit{
    "org.select_unit",
    "SELECT o.id, o.parent_id, o.name, o.kind, o.manager_id, m.name, o.active, o.path, "
    "(SELECT COUNT(*) FROM users u WHERE u.unit_id = o.id AND u.active = 1) "
    "FROM org_units o LEFT JOIN users m ON m.id = o.manager_id WHERE o.id = ?"};
const storage::Sql kInsertUnit{
    "org.insert_unit",
    "INSERT INTO org_units (parent_id, name, kind, manager_id, path, active, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, '', 1, ?, ?) RETURNING id"};
const storage::Sql kSetUnitPath{"org.set_unit_path", "UPDATE org_units SET path = ? WHERE id = ?"};
const storage::Sql kRootUnit{"org.root_unit", "SELECT id FROM org_units WHERE parent_id IS NULL ORDER BY id LIMIT 1"};
const storage::Sql kUpdateUnit{
    "org.update_unit",
    "UPDATE org_units SET name = ?, parent_id = ?, manager_id = ?, active = ?, updated_at = ? WHERE id = ?"};
const storage::Sql kRepathSubtree{
    "org.repath_subtree",
    "UPDATE org_units SET path = ? || substr(path, ?) WHERE path LIKE ? ESCAPE '\\'",
    "UPDATE org_units SET path = ? || substr(path, ?::integer) WHERE path LIKE ? ESCAPE '\\'"};
const storage::Sql kActiveChildren{
    "org.active_children", "SELECT COUNT(*) FROM org_units WHERE parent_id = ? AND active = 1"};
const storage::Sql kActiveMembers{
    "org.active_members", "SELECT COUNT(*) FROM users WHERE unit_id = ? AND active = 1"};
const storage::Sql kUserExistsActive{"org.user_active", "SELECT active FROM users WHERE id = ?"};
const storage::Sql kUsernameTaken{"org.username_taken", "SELECT id FROM users WHERE username = ?"};
const storage::Sql kPhoneTaken{"org.phone_taken", "SELECT id FROM users WHERE phone = ?"};
const storage::Sql kInsertUser{
    "org.insert_user",
    "INSERT INTO users (username, name, phone, email, unit_id, manager_id, employment_status, "
    "hired_on, regular_on, active, password_hash, must_change_password, failed_logins, created_at, "
    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, 0, ?, ?) RETURNING id"};
const storage::Sql kInsertRole{"org.insert_role", "INSERT INTO user_roles (user_id, role) VALUES (?, ?)"};
const storage::Sql kDeleteRoles{"org.delete_roles", "DELETE FROM user_roles WHERE user_id = ?"};
const storage::Sql kInsertHistory{
    "org.insert_history",
    "INSERT INTO user_unit_history (user_id, unit_id, started_at, changed_by, note) VALUES (?, ?, ?, ?, ?)"};
const storage::Sql kCloseHistory{
    "org.close_history",
    "UPDATE user_unit_history SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL"};
const storage::Sql kSelectHistory{
    "org.select_history",
    "SELECT h.unit_id, o.name, h.started_at, h.ended_at, h.changed_by, c.name, h.note "
    "FROM user_unit_history h JOIN org_units o ON o.id = h.unit_id "
    "LEFT JOIN users c ON c.id = h.changed_by WHERE h.user_id = ? ORDER BY h.id DESC"};
const storage::Sql kUpdateUser{
    "org.update_user",
    "UPDATE users SET name = ?, phone = ?, email = ?, manager_id = ?, employment_status = ?, "
    "hired_on = ?, regular_on = ?, updated_at = ? WHERE id = ?"};
const storage::Sql kMoveUser{"org.move_user", "UPDATE users SET unit_id = ?, updated_at = ? WHERE id = ?"};
const storage::Sql kSetPasswordAdmin{
    "org.set_password",
    "UPDATE users SET password_hash = ?, must_change_password = ?, failed_logins = 0, "
    "locked_until = NULL, updated_at = ? WHERE id = ?"};
const storage::Sql kRevokeAllSessions{
    "org.revoke_sessions",
    "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL"};
const storage::Sql kSetActive{"org.set_active", "UPDATE users SET active = ?, updated_at = ? WHERE id = ?"};
const storage::Sql kUnlock{
    "org.unlock", "UPDATE users SET failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?"};
const storage::Sql kFindLogin{"org.find_login", "SELECT id FROM users WHERE username = ? OR phone = ?"};

Json OptionalJson(const std::optional<std::string>& text) { return text ? Json(*text) : Json(); }
Json OptionalIdJson(const std::optional<int64_t>& id) { return id ? Json(IdString(*id)) : Json(); }

Json UnitFromRow(const storage::Row& row) {
  return {{"id", IdString(row.Int(0))},
          {"parentId", OptionalIdJson(row.OptionalInt(1))},
          {"name", row.Text(2)},
          {"kind", row.Text(3)},
          {"managerId", OptionalIdJson(row.OptionalInt(4))},
          {"managerName", OptionalJson(row.OptionalText(5))},
          {"active", row.Bool(6)},
          {"path", row.Text(7)},
          {"memberCount", row.Int(8)}};
}

// Roles arrive aggregated in no particular order (an ORDER BY inside the aggregate
// costs SQLite a sorter per row); they are sorted here instead.
std::vector<std::string> SplitRoles(const std::optional<std::string>& text) {
  std::vector<std::string> roles;
  if (!text) return roles;
  size_t start = 0;
  while (start <= text->size()) {
    size_t comma = text->find(',', start);
    if (comma == std::string::npos) comma = text->size();
    if (comma > start) roles.push_back(text->substr(start, comma - start));
    start = comma + 1;
  }
  std::sort(roles.begin(), roles.end());
  return roles;
}

// Users are the platform's hottest answer: they are written straight from the row with
// the streaming writer (ADR 0002), and the nlohmann view used for audit diffs is parsed
// from the same text, so there is one rendering of a user.
void WriteUser(JsonWriter& out, const storage::Row& row, const std::string& now_text) {
  auto locked_until = row.OptionalText(13);
  out.BeginObject();
  out.Key("id"), out.Id(row.Int(0));
  out.Key("username"), out.String(row.Text(1));
  out.Key("name"), out.String(row.Text(2));
  out.Key("phone"), out.String(row.Text(3));
  out.Key("email"), out.OptionalString(row.OptionalText(4));
  out.Key("unitId"), out.Id(row.Int(5));
  out.Key("unitName"), out.String(row.Text(6));
  out.Key("managerId"), out.OptionalId(row.OptionalInt(7));
  out.Key("managerName"), out.OptionalString(row.OptionalText(8));
  out.Key("employmentStatus"), out.String(row.Text(9));
  out.Key("hiredOn"), out.OptionalString(row.OptionalText(10));
  out.Key("regularOn"), out.OptionalString(row.OptionalText(11));
  out.Key("active"), out.Bool(row.Bool(12));
  out.Key("locked"), out.Bool(locked_until.has_value() && *locked_until > now_text);
  out.Key("mustChangePassword"), out.Bool(row.Bool(14));
  out.Key("createdAt"), out.String(row.Text(15));
  out.Key("updatedAt"), out.String(row.Text(16));
  out.Key("roles");
  out.BeginArray();
  for (const auto& role : SplitRoles(row.OptionalText(18))) out.String(role);
  out.EndArray();
  out.EndObject();
}

Json UserFromRow(const storage::Row& row, Instant now) {
  JsonWriter out;
  WriteUser(out, row, FormatInstant(now));
  return Json::parse(out.Take());
}

// The fields of a user the audit trail records (never the password hash).
Json AuditView(const Json& user) {
  Json view = user;
  for (const char* volatile_field : {"updatedAt", "createdAt", "unitName", "managerName", "locked"})
    view.erase(volatile_field);
  return view;
}

bool HasRole(const std::vector<std::string>& roles, std::string_view role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

// R-ACCESS-3: users.manage does not let anyone raise privileges: only holders of
// roles.manage give or take the admin role, and nobody changes their own roles.
void CheckRoleChange(const Caller& caller, int64_t target_user_id, const std::vector<std::string>& before,
                     const std::vector<std::string>& after) {
  if (before == after) return;
  if (target_user_id == caller.user_id)
    throw Error(ErrorKind::kForbidden, "access.denied", "you cannot change your own roles",
                {{"fields", {{"roles", "you cannot change your own roles"}}}});
  if (HasRole(before, "admin") != HasRole(after, "admin") && !caller.Has("roles.manage"))
    throw Error(ErrorKind::kForbidden, "access.denied", "giving or taking the admin role needs roles.manage",
                {{"permission", "roles.manage"}});
}

Error Conflict(const std::string& code, const std::string& message, const std::string& field) {
  return Error(ErrorKind::kConflict, code, message, {{"fields", {{field, message}}}});
}

}  // namespace

// ---- units ---------------------------------------------------------------------------

Json OrgService::ReadUnit(storage::Connection& connection, int64_t unit_id) {
  auto row = connection.QueryOne(kSelectUnit, {unit_id});
  if (!row) ThrowNotFound("org", "unit");
  return UnitFromRow(*row);
}

Json OrgService::ListUnits(const Caller& caller) {
  Require(caller, "org.read");
  auto connection = database_.Acquire();
  Json items = Json::array();
  for (const auto& row : connection->Query(kSelectUnits).rows) items.push_back(UnitFromRow(row));
  return {{"items", items}};
}

std::optional<int64_t> OrgService::RootUnitId() {
  auto connection = database_.Acquire();
  auto row = connection->QueryOne(kRootUnit);
  if (!row) return std::nullopt;
  return row->Int(0);
}

int64_t OrgService::CreateRootUnit(const std::string& company_name, const Actor& actor) {
  int64_t id = 0;
  database_.InTransaction([&](storage::Connection& connection) {
    if (connection.QueryOne(kRootUnit))
      throw Error(ErrorKind::kConflict, "org.company_exists", "the company unit already exists");
    Instant now = clock_.Now();
    id = connection.QueryOne(kInsertUnit, {nullptr, company_name, std::string("company"), nullptr,
                                           FormatInstant(now), FormatInstant(now)})
             ->Int(0);
    connection.Execute(kSetUnitPath, {"/" + IdString(id) + "/", id});
    RecordAudit(connection, actor,
                {"unit.create", "unit", IdString(id), Json(),
                 {{"name", company_name}, {"kind", "company"}}},
                now);
  });
  return id;
}

int64_t OrgService::CreateUnitAs(const Actor& actor, int64_t parent_id, const std::string& name,
                                 const std::string& kind, std::optional<int64_t> manager_id) {
  int64_t id = 0;
  database_.InTransaction([&](storage::Connection& connection) {
    Json parent = ReadUnit(connection, parent_id);
    FieldErrors errors;
    // R-ORG-1: the company is the single root; departments and teams hang below it, and
    // a team holds people, not further units.
    if (kind == "company") errors.Add("kind", "only the root unit is a company");
    if (parent["kind"] == "team") errors.Add("parentId", "a team cannot contain units");
    if (!parent["active"].get<bool>()) errors.Add("parentId", "the parent unit is inactive");
    if (manager_id) {
      auto manager = connection.QueryOne(kUserExistsActive, {*manager_id});
      if (!manager || !manager->Bool(0)) errors.Add("managerId", "must be an active user");
    }
    errors.ThrowIfAny();
    Instant now = clock_.Now();
    try {
      id = connection.QueryOne(kInsertUnit, {parent_id, name, kind, storage::Nullable(manager_id),
                                             FormatInstant(now), FormatInstant(now)})
               ->Int(0);
    } catch (const storage::DatabaseError& error) {
      if (error.kind() == storage::DatabaseError::Kind::kUniqueViolation)
        throw Conflict("org.name_taken", "a sibling unit has this name", "name");
      throw;
    }
    connection.Execute(kSetUnitPath, {parent["path"].get<std::string>() + IdString(id) + "/", id});
    Json after = ReadUnit(connection, id);
    after.erase("memberCount");
    RecordAudit(connection, actor, {"unit.create", "unit", IdString(id), Json(), after}, now);
  });
  return id;
}

Json OrgService::CreateUnit(const Caller& caller, const Json& body) {
  Require(caller, "org.manage");
  JsonReader reader(body);
  auto parent_id = reader.Id("parentId");
  auto name = reader.RequiredString("name", 1, 64);
  auto kind = reader.Enum("kind", kUnitKinds);
  auto manager_id = reader.Id("managerId");
  if (!reader.Has("parentId")) reader.Fail("parentId", "is required");
  if (!kind && !reader.Has("kind")) reader.Fail("kind", "is required");
  reader.Finish();
  int64_t id = CreateUnitAs(Actor::From(caller), *parent_id, *name, *kind, manager_id);
  auto connection = database_.Acquire();
  return ReadUnit(*connection, id);
}

void OrgService::SetUnitManagerAs(const Actor& actor, int64_t unit_id, int64_t manager_id) {
  database_.InTransaction([&](storage::Connection& connection) {
    Json before = ReadUnit(connection, unit_id);
    connection.Execute(kUpdateUnit, {before["name"].get<std::string>(),
                                     before["parentId"].is_null()
                                         ? storage::Value(nullptr)
                                         : storage::Value(*ParseId(before["parentId"].get<std::string>())),
                                     manager_id, int64_t{before["active"].get<bool>() ? 1 : 0},
                                     FormatInstant(clock_.Now()), unit_id});
    Json after = ReadUnit(connection, unit_id);
    KeepChangedFields(before, after);
    RecordAudit(connection, actor, {"unit.update", "unit", IdString(unit_id), before, after},
                clock_.Now());
  });
}

Json OrgService::UpdateUnit(const Caller& caller, int64_t unit_id, const Json& body) {
  Require(caller, "org.manage");
  JsonReader reader(body);
  auto name = reader.String("name", 1, 64);
  bool parent_present = false, manager_present = false;
  auto parent_id = reader.Id("parentId", &parent_present);
  auto manager_id = reader.Id("managerId", &manager_present);
  auto active = reader.Bool("active");
  reader.Finish();

  Json result;
  database_.InTransaction([&](storage::Connection& connection) {
    Json before = ReadUnit(connection, unit_id);
    FieldErrors errors;
    std::string old_path = before["path"].get<std::string>();
    std::string new_path = old_path;
    std::optional<int64_t> new_parent =
        before["parentId"].is_null() ? std::nullopt : ParseId(before["parentId"].get<std::string>());
    if (parent_present) {
      if (before["kind"] == "company") {
        errors.Add("parentId", "the company unit cannot move");
      } else if (!parent_id) {
        errors.Add("parentId", "is required");
      } else {
        Json parent = ReadUnit(connection, *parent_id);
        std::string parent_path = parent["path"].get<std::string>();
        // R-ORG-2: a unit cannot move below itself.
        if (parent_path.rfind(old_path, 0) == 0) errors.Add("parentId", "cannot move a unit below itself");
        else if (parent["kind"] == "team") errors.Add("parentId", "a team cannot contain units");
        else if (!parent["active"].get<bool>()) errors.Add("parentId", "the parent unit is inactive");
        else {
          new_parent = parent_id;
          new_path = parent_path + IdString(unit_id) + "/";
        }
      }
    }
    std::optional<int64_t> new_manager =
        before["managerId"].is_null() ? std::nullopt : ParseId(before["managerId"].get<std::string>());
    if (manager_present) {
      if (manager_id) {
        auto manager = connection.QueryOne(kUserExistsActive, {*manager_id});
        if (!manager || !manager->Bool(0)) errors.Add("managerId", "must be an active user");
      }
      new_manager = manager_id;
    }
    bool new_active = active.value_or(before["active"].get<bool>());
    if (active && !*active && before["active"].get<bool>()) {
      // R-ORG-3: deactivating a unit must not orphan people or active sub-units.
      if (before["kind"] == "company") errors.Add("active", "the company unit cannot be deactivated");
      else if (connection.QueryOne(kActiveMembers, {unit_id})->Int(0) > 0)
        errors.Add("active", "move its active members out first");
      else if (connection.QueryOne(kActiveChildren, {unit_id})->Int(0) > 0)
        errors.Add("active", "deactivate its sub-units first");
    }
    if (active && *active && !before["active"].get<bool>() && new_parent) {
      // R-ORG-3: an active unit never hangs below an inactive one.
      auto parent = connection.QueryOne(kSelectUnit, {*new_parent});
      if (parent && !parent->Bool(6)) errors.Add("active", "the parent unit is inactive");
    }
    errors.ThrowIfAny();
    try {
      connection.Execute(kUpdateUnit, {name.value_or(before["name"].get<std::string>()),
                                       storage::Nullable(new_parent), storage::Nullable(new_manager),
                                       int64_t{new_active ? 1 : 0}, FormatInstant(clock_.Now()),
                                       unit_id});
    } catch (const storage::DatabaseError& error) {
      if (error.kind() == storage::DatabaseError::Kind::kUniqueViolation)
        throw Conflict("org.name_taken", "a sibling unit has this name", "name");
      throw;
    }
    if (new_path != old_path)
      connection.Execute(kRepathSubtree, {new_path, int64_t(old_path.size() + 1),
                                          EscapeLike(old_path) + "%"});
    result = ReadUnit(connection, unit_id);
    Json after = result;
    KeepChangedFields(before, after);
    before.erase("memberCount");
    after.erase("memberCount");
    RecordAudit(connection, Actor::From(caller), {"unit.update", "unit", IdString(unit_id), before, after},
                clock_.Now());
  });
  AccessChanged();
  return result;
}

// ---- users ---------------------------------------------------------------------------

Json OrgService::ReadUser(storage::Connection& connection, int64_t user_id) {
  auto row = connection.QueryOne(kSelectUser, {user_id});
  if (!row) ThrowNotFound("users", "user");
  Json user = UserFromRow(*row, clock_.Now());
  user["_path"] = row->Text(17);
  return user;
}

Json OrgService::VisibleUser(storage::Connection& connection, const Caller& caller, int64_t user_id,
                             std::string_view permission) {
  Scope scope = Require(caller, permission);
  Json user = ReadUser(connection, user_id);
  if (!InScope(caller, scope, user_id, user["_path"].get<std::string>())) ThrowNotFound("users", "user");
  return user;
}

Json OrgService::UserJson(int64_t user_id) {
  auto connection = database_.Acquire();
  Json user = ReadUser(*connection, user_id);
  user.erase("_path");
  return user;
}

std::string OrgService::ListUsers(const Caller& caller, const UserFilter& filter) {
  Scope scope = Require(caller, "users.read");
  bool postgres = database_.dialect() == storage::Dialect::kPostgres;
  std::string sql = std::string("SELECT ") + (postgres ? kUserColumnsPostgres : kUserColumnsSqlite) +
                    kUserFrom + "WHERE 1 = 1";
  storage::Params params;
  // R-ACCESS-1: data scope is applied in the query, so lists never leak out-of-scope rows.
  if (scope == Scope::kOwn) {
    sql += " AND u.id = ?";
    params.push_back(caller.user_id);
  } else if (scope == Scope::kTeam) {
    sql += " AND (o.path LIKE ? ESCAPE '\\' OR u.id = ?)";
    params.push_back(EscapeLike(caller.unit_path) + "%");
    params.push_back(caller.user_id);
  }
  if (filter.query && !filter.query->empty()) {
    std::string like = "%" + EscapeLike(ToLowerAscii(*filter.query)) + "%";
    sql += postgres ? " AND (lower(u.name) LIKE ? ESCAPE '\\' OR u.phone LIKE ? ESCAPE '\\' OR "
                      "u.username LIKE ? ESCAPE '\\')"
                    : " AND (u.name LIKE ? ESCAPE '\\' OR u.phone LIKE ? ESCAPE '\\' OR "
                      "u.username LIKE ? ESCAPE '\\')";
    params.insert(params.end(), {like, like, like});
  }
  if (filter.unit_id) {
    sql += " AND o.path LIKE (SELECT replace(replace(path, '%', '\\%'), '_', '\\_') || '%' FROM "
           "org_units WHERE id = ?) ESCAPE '\\'";
    params.push_back(*filter.unit_id);
  }
  if (filter.role) {
    sql += " AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = ?)";
    params.push_back(*filter.role);
  }
  if (filter.active) {
    sql += " AND u.active = ?";
    params.push_back(int64_t{*filter.active ? 1 : 0});
  }
  if (filter.after_id) {
    sql += " AND u.id > ?";
    params.push_back(*filter.after_id);
  }
  sql += " ORDER BY u.id LIMIT ?";
  params.push_back(int64_t{filter.limit + 1});

  const storage::Sql query{"org.list_users", sql.c_str()};
  auto connection = database_.Acquire();
  auto result = connection->Query(query, params);
  std::string now_text = FormatInstant(clock_.Now());
  JsonWriter out;
  out.BeginObject();
  out.Key("items");
  out.BeginArray();
  std::optional<int64_t> next_cursor;
  for (size_t i = 0; i < result.rows.size(); ++i) {
    if (static_cast<int>(i) == filter.limit) {
      next_cursor = result.rows[i - 1].Int(0);
      break;
    }
    WriteUser(out, result.rows[i], now_text);
  }
  out.EndArray();
  out.Key("nextCursor"), out.OptionalId(next_cursor);
  out.EndObject();
  return out.Take();
}

std::string OrgService::GetUser(const Caller& caller, int64_t user_id) {
  Scope scope = Require(caller, "users.read");
  auto connection = database_.Acquire();
  auto row = connection->QueryOne(kSelectUser, {user_id});
  if (!row || !InScope(caller, scope, user_id, row->Text(17))) ThrowNotFound("users", "user");
  JsonWriter out;
  WriteUser(out, *row, FormatInstant(clock_.Now()));
  return out.Take();
}

void OrgService::ValidateNewUser(storage::Connection& connection, const NewUser& user,
                                 FieldErrors& errors, std::optional<int64_t> existing_id) {
  if (!IsValidUsername(user.username))
    errors.Add("username", "2–32 letters, digits, '.', '_' or '-', starting with a letter");
  if (!IsPlausiblePhone(user.phone)) errors.Add("phone", "is not a phone number");
  if (user.email && !user.email->empty() && !IsPlausibleEmail(*user.email))
    errors.Add("email", "is not an email address");
  if (user.roles.empty()) errors.Add("roles", "at least one role is required");
  if (!kEmploymentStatuses.count(user.employment_status))
    errors.Add("employmentStatus", "must be probation or regular");
  if (user.hired_on && user.regular_on && *user.regular_on < *user.hired_on)
    errors.Add("regularOn", "cannot be before the hiring date");
  auto unit = connection.QueryOne(kSelectUnit, {user.unit_id});
  if (!unit) errors.Add("unitId", "no such unit");
  else if (!unit->Bool(6)) errors.Add("unitId", "the unit is inactive");
  if (user.manager_id) {
    auto manager = connection.QueryOne(kUserExistsActive, {*user.manager_id});
    if (!manager || !manager->Bool(0)) errors.Add("managerId", "must be an active user");
    else if (existing_id && *existing_id == *user.manager_id)
      errors.Add("managerId", "a user cannot manage themselves");
  }
  errors.ThrowIfAny();
  auto taken = connection.QueryOne(kUsernameTaken, {user.username});
  if (taken && taken->Int(0) != existing_id.value_or(0))
    throw Conflict("users.username_taken", "this username is taken", "username");
  taken = connection.QueryOne(kPhoneTaken, {user.phone});
  if (taken && taken->Int(0) != existing_id.value_or(0))
    throw Conflict("users.phone_taken", "another user has this phone number", "phone");
}

int64_t OrgService::CreateUserAs(const Actor& actor, const NewUser& input) {
  NewUser user = input;
  user.username = ToLowerAscii(user.username);
  FieldErrors errors;
  std::string weak = CheckPasswordStrength(user.password);
  if (!weak.empty()) errors.Add("password", weak);
  std::string hash = weak.empty() ? HashPassword(user.password) : "";
  int64_t id = 0;
  database_.InTransaction([&](storage::Connection& connection) {
    ValidateNewUser(connection, user, errors, std::nullopt);
    Instant now = clock_.Now();
    try {
      id = connection.QueryOne(kInsertUser,
                               {user.username, user.name, user.phone, storage::Nullable(user.email),
                                user.unit_id, storage::Nullable(user.manager_id),
                                user.employment_status, storage::Nullable(user.hired_on),
                                storage::Nullable(user.regular_on), hash,
                                int64_t{user.must_change_password ? 1 : 0}, FormatInstant(now),
                                FormatInstant(now)})
               ->Int(0);
    } catch (const storage::DatabaseError& error) {
      if (error.kind() == storage::DatabaseError::Kind::kUniqueViolation)
        throw Conflict("users.username_taken", "username or phone is taken", "username");
      throw;
    }
    for (const auto& role : user.roles) connection.Execute(kInsertRole, {id, role});
    connection.Execute(kInsertHistory, {id, user.unit_id, FormatInstant(now),
                                        storage::Nullable(actor.user_id), std::string("created")});
    Json after = AuditView(ReadUser(connection, id));
    after.erase("_path");
    RecordAudit(connection, actor, {"user.create", "user", IdString(id), Json(), after}, now);
  });
  return id;
}

Json OrgService::CreateUser(const Caller& caller, const Json& body) {
  Scope scope = Require(caller, "users.manage");
  JsonReader reader(body);
  NewUser user;
  auto username = reader.RequiredString("username", 2, 32);
  auto name = reader.RequiredString("name", 1, 64);
  auto phone = reader.RequiredString("phone", 5, 20);
  auto email = reader.String("email", 0, 254);
  auto roles = reader.StringList("roles", 7, RoleSet());
  auto unit_id = reader.Id("unitId");
  auto manager_id = reader.Id("managerId");
  auto status = reader.Enum("employmentStatus", kEmploymentStatuses);
  auto hired_on = reader.DateString("hiredOn");
  auto regular_on = reader.DateString("regularOn");
  auto password = reader.RequiredString("password", 8, 128);
  if (!reader.Has("unitId")) reader.Fail("unitId", "is required");
  if (!reader.Has("roles")) reader.Fail("roles", "is required");
  // Probation or regular decides the rep's monthly quota (§10): never guess it.
  if (!reader.Has("employmentStatus")) reader.Fail("employmentStatus", "is required");
  reader.Finish();
  user.username = *username;
  user.name = *name;
  user.phone = *phone;
  if (email && !email->empty()) user.email = email;
  user.roles = *roles;
  user.unit_id = *unit_id;
  user.manager_id = manager_id;
  user.employment_status = *status;
  user.hired_on = hired_on;
  user.regular_on = regular_on;
  user.password = *password;
  CheckRoleChange(caller, 0, {}, user.roles);
  if (scope != Scope::kAll) {
    // A team-scoped manager may only add people inside their own subtree.
    auto connection = database_.Acquire();
    auto unit = connection->QueryOne(kSelectUnit, {user.unit_id});
    if (unit && !InScope(caller, scope, 0, unit->Text(7))) ThrowValidation("unitId", "outside your team");
  }
  int64_t id = CreateUserAs(Actor::From(caller), user);
  return UserJson(id);
}

Json OrgService::UpdateUser(const Caller& caller, int64_t user_id, const Json& body) {
  JsonReader reader(body);
  auto name = reader.String("name", 1, 64);
  auto phone = reader.String("phone", 5, 20);
  bool email_present = false, manager_present = false;
  auto email = reader.NullableString("email", 254, &email_present);
  auto roles = reader.StringList("roles", 7, RoleSet());
  auto manager_id = reader.Id("managerId", &manager_present);
  auto status = reader.Enum("employmentStatus", kEmploymentStatuses);
  bool hired_present = false, regular_present = false;
  auto hired_on = reader.DateString("hiredOn", &hired_present);
  auto regular_on = reader.DateString("regularOn", &regular_present);
  reader.Finish();

  Json result;
  database_.InTransaction([&](storage::Connection& connection) {
    Json before = VisibleUser(connection, caller, user_id, "users.manage");
    NewUser user;
    auto text_or = [](const Json& value) -> std::optional<std::string> {
      return value.is_null() ? std::nullopt : std::optional<std::string>(value.get<std::string>());
    };
    user.username = before["username"].get<std::string>();
    user.name = name.value_or(before["name"].get<std::string>());
    user.phone = phone.value_or(before["phone"].get<std::string>());
    user.email = email_present ? (email && !email->empty() ? email : std::nullopt) : text_or(before["email"]);
    user.roles = roles ? *roles : before["roles"].get<std::vector<std::string>>();
    user.unit_id = *ParseId(before["unitId"].get<std::string>());
    user.manager_id = manager_present ? manager_id
                                      : (before["managerId"].is_null()
                                             ? std::nullopt
                                             : ParseId(before["managerId"].get<std::string>()));
    user.employment_status = status.value_or(before["employmentStatus"].get<std::string>());
    user.hired_on = hired_present ? hired_on : text_or(before["hiredOn"]);
    user.regular_on = regular_present ? regular_on : text_or(before["regularOn"]);
    if (roles) {
      auto old_roles = before["roles"].get<std::vector<std::string>>();
      auto new_roles = user.roles;
      std::sort(old_roles.begin(), old_roles.end());
      std::sort(new_roles.begin(), new_roles.end());
      CheckRoleChange(caller, user_id, old_roles, new_roles);
    }
    FieldErrors errors;
    ValidateNewUser(connection, user, errors, user_id);
    Instant now = clock_.Now();
    connection.Execute(kUpdateUser, {user.name, user.phone, storage::Nullable(user.email),
                                     storage::Nullable(user.manager_id), user.employment_status,
                                     storage::Nullable(user.hired_on), storage::Nullable(user.regular_on),
                                     FormatInstant(now), user_id});
    if (roles) {
      connection.Execute(kDeleteRoles, {user_id});
      for (const auto& role : user.roles) connection.Execute(kInsertRole, {user_id, role});
    }
    result = ReadUser(connection, user_id);
    result.erase("_path");
    Json old_view = AuditView(before), new_view = AuditView(result);
    old_view.erase("_path");
    KeepChangedFields(old_view, new_view);
    RecordAudit(connection, Actor::From(caller), {"user.update", "user", IdString(user_id), old_view, new_view},
                now);
  });
  AccessChanged();
  return result;
}

Json OrgService::MoveUser(const Caller& caller, int64_t user_id, const Json& body) {
  JsonReader reader(body);
  auto unit_id = reader.Id("unitId");
  auto note = reader.String("note", 0, 200);
  if (!reader.Has("unitId")) reader.Fail("unitId", "is required");
  reader.Finish();
  Json result;
  database_.InTransaction([&](storage::Connection& connection) {
    Scope scope = Require(caller, "users.manage");
    Json before = VisibleUser(connection, caller, user_id, "users.manage");
    auto unit = connection.QueryOne(kSelectUnit, {*unit_id});
    if (!unit) ThrowValidation("unitId", "no such unit");
    if (!unit->Bool(6)) ThrowValidation("unitId", "the unit is inactive");
    if (!InScope(caller, scope, 0, unit->Text(7))) ThrowValidation("unitId", "outside your team");
    if (before["unitId"] == IdString(*unit_id)) ThrowValidation("unitId", "the user is already in this unit");
    Instant now = clock_.Now();
    // R-ORG-5: moving keeps history: the current stay ends and a new one begins.
    connection.Execute(kCloseHistory, {FormatInstant(now), user_id});
    connection.Execute(kInsertHistory, {user_id, *unit_id, FormatInstant(now), caller.user_id,
                                        storage::Nullable(note)});
    connection.Execute(kMoveUser, {*unit_id, FormatInstant(now), user_id});
    result = ReadUser(connection, user_id);
    result.erase("_path");
    RecordAudit(connection, Actor::From(caller),
                {"user.move", "user", IdString(user_id),
                 {{"unitId", before["unitId"]}, {"unitName", before["unitName"]}},
                 {{"unitId", result["unitId"]}, {"unitName", result["unitName"]}, {"note", note.value_or("")}}},
                now);
  });
  AccessChanged();
  return result;
}

Json OrgService::UnitHistory(const Caller& caller, int64_t user_id) {
  auto connection = database_.Acquire();
  VisibleUser(*connection, caller, user_id, "users.read");
  Json items = Json::array();
  for (const auto& row : connection->Query(kSelectHistory, {user_id}).rows)
    items.push_back({{"unitId", IdString(row.Int(0))},
                     {"unitName", row.Text(1)},
                     {"from", row.Text(2)},
                     {"to", OptionalJson(row.OptionalText(3))},
                     {"changedBy", OptionalIdJson(row.OptionalInt(4))},
                     {"changedByName", OptionalJson(row.OptionalText(5))},
                     {"note", OptionalJson(row.OptionalText(6))}});
  return {{"items", items}};
}

void OrgService::ResetPasswordAs(const Actor& actor, int64_t user_id, const std::string& password,
                                 bool must_change) {
  std::string weak = CheckPasswordStrength(password);
  if (!weak.empty()) ThrowValidation("newPassword", weak);
  std::string hash = HashPassword(password);
  database_.InTransaction([&](storage::Connection& connection) {
    ReadUser(connection, user_id);
    Instant now = clock_.Now();
    connection.Execute(kSetPasswordAdmin, {hash, int64_t{must_change ? 1 : 0}, FormatInstant(now), user_id});
    connection.Execute(kRevokeAllSessions, {FormatInstant(now), user_id});
    RecordAudit(connection, actor,
                {"user.password_reset", "user", IdString(user_id), Json(),
                 {{"password", "reset"}, {"mustChangePassword", must_change}}},
                now);
  });
  AccessChanged();
}

void OrgService::ResetPassword(const Caller& caller, int64_t user_id, const Json& body) {
  JsonReader reader(body);
  auto password = reader.RequiredString("newPassword", 8, 128);
  reader.Finish();
  {
    auto connection = database_.Acquire();
    VisibleUser(*connection, caller, user_id, "users.manage");
  }
  // An admin-set password is temporary: the user chooses their own at next login.
  ResetPasswordAs(Actor::From(caller), user_id, *password, /*must_change=*/true);
}

void OrgService::SetActiveAs(const Actor& actor, int64_t user_id, bool active) {
  database_.InTransaction([&](storage::Connection& connection) {
    Json before = ReadUser(connection, user_id);
    if (active) {
      // R-ORG-3: active people belong to active units; move them first.
      auto unit = connection.QueryOne(kSelectUnit, {*ParseId(before["unitId"].get<std::string>())});
      if (unit && !unit->Bool(6)) ThrowValidation("unitId", "the user's unit is inactive; move the user first");
    }
    Instant now = clock_.Now();
    connection.Execute(kSetActive, {int64_t{active ? 1 : 0}, FormatInstant(now), user_id});
    if (!active) connection.Execute(kRevokeAllSessions, {FormatInstant(now), user_id});
    RecordAudit(connection, actor,
                {active ? "user.activate" : "user.deactivate", "user", IdString(user_id),
                 {{"active", before["active"]}}, {{"active", active}}},
                now);
  });
  AccessChanged();
}

Json OrgService::SetActive(const Caller& caller, int64_t user_id, bool active) {
  {
    auto connection = database_.Acquire();
    VisibleUser(*connection, caller, user_id, "users.manage");
  }
  if (!active && user_id == caller.user_id)
    throw Error(ErrorKind::kConflict, "users.cannot_deactivate_self", "you cannot deactivate yourself");
  SetActiveAs(Actor::From(caller), user_id, active);
  return UserJson(user_id);
}

Json OrgService::Unlock(const Caller& caller, int64_t user_id) {
  database_.InTransaction([&](storage::Connection& connection) {
    Json before = VisibleUser(connection, caller, user_id, "users.manage");
    connection.Execute(kUnlock, {FormatInstant(clock_.Now()), user_id});
    RecordAudit(connection, Actor::From(caller),
                {"user.unlock", "user", IdString(user_id), {{"locked", before["locked"]}}, {{"locked", false}}},
                clock_.Now());
  });
  AccessChanged();
  return UserJson(user_id);
}

std::optional<int64_t> OrgService::FindUserId(const std::string& login) {
  auto connection = database_.Acquire();
  auto row = connection->QueryOne(kFindLogin, {ToLowerAscii(login), login});
  if (!row) return std::nullopt;
  return row->Int(0);
}

}  // namespace tuoke::platform
