#include "modules/customers/customer_views.h"

#include <charconv>

#include "core/json_writer.h"
#include "core/text.h"
#include "platform/audit.h"

namespace tuoke::customers {
namespace {

using platform::Caller;

constexpr size_t kMaxViewName = 64;

// ---- the list parameters (shared with GET /customers) ------------------------------------

std::optional<std::string> Text(const ParameterLookup& parameter, const std::string& name, size_t max_length) {
  auto text = parameter(name);
  if (!text || text->empty()) return std::nullopt;
  if (Utf8Length(*text) > max_length || !IsCleanText(*text)) ThrowValidation(name, "is too long or not text");
  return text;
}

std::optional<std::string> EnumValue(const ParameterLookup& parameter, const std::string& name,
                                     const std::set<std::string>& allowed) {
  auto text = Text(parameter, name, 64);
  if (text && !allowed.count(*text)) ThrowValidation(name, "is not a known value");
  return text;
}

std::optional<int64_t> IdValue(const ParameterLookup& parameter, const std::string& name) {
  auto text = parameter(name);
  if (!text || text->empty()) return std::nullopt;
  auto id = ParseId(*text);
  if (!id) ThrowValidation(name, "must be an id");
  return id;
}

std::optional<Date> DateValue(const ParameterLookup& parameter, const std::string& name) {
  auto text = parameter(name);
  if (!text || text->empty()) return std::nullopt;
  auto date = ParseDate(*text);
  if (!date) ThrowValidation(name, "must be a date YYYY-MM-DD");
  return date;
}

// ---- views -------------------------------------------------------------------------------

const storage::Sql kCountOwned{"customer_views.count_owned", "SELECT COUNT(*) FROM customer_views WHERE owner_id = ?"};
const storage::Sql kLockOwner{"customer_views.lock_owner", "SELECT id FROM users WHERE id = ?",
                              "SELECT id FROM users WHERE id = ? FOR UPDATE"};
const storage::Sql kNameTaken{"customer_views.name_taken",
                              "SELECT id FROM customer_views WHERE owner_id = ? AND name = ? AND id <> ?"};
const storage::Sql kInsertView{
    "customer_views.insert",
    "INSERT INTO customer_views (owner_id, name, filters_json, sort, shared, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"};
const storage::Sql kUpdateView{
    "customer_views.update",
    "UPDATE customer_views SET name = ?, filters_json = ?, sort = ?, shared = ?, updated_at = ? WHERE id = ?"};
const storage::Sql kDeleteView{"customer_views.delete", "DELETE FROM customer_views WHERE id = ?"};
#define TUOKE_VIEW_COLUMNS                                                                          \
  "v.id, v.owner_id, u.name, v.name, v.filters_json, v.sort, v.shared, v.created_at, v.updated_at, " \
  "o.path FROM customer_views v JOIN users u ON u.id = v.owner_id JOIN org_units o ON o.id = u.unit_id "
enum ViewColumn : size_t { kId, kOwnerId, kOwnerName, kName, kFilters, kSort, kShared, kCreatedAt, kUpdatedAt, kOwnerPath };
const storage::Sql kSelectView{"customer_views.select", "SELECT " TUOKE_VIEW_COLUMNS "WHERE v.id = ?"};
// R-CUST-21: shared views reach the owner's unit subtree (the caller's unit path starts
// with the owner's).
const storage::Sql kVisibleViews{
    "customer_views.visible",
    "SELECT " TUOKE_VIEW_COLUMNS "WHERE v.owner_id = ? OR (v.shared = 1 AND ? LIKE "
    "replace(replace(o.path, '%', '\\%'), '_', '\\_') || '%' ESCAPE '\\') "
    "ORDER BY CASE WHEN v.owner_id = ? THEN 0 ELSE 1 END, v.name, v.id"};

bool VisibleTo(const Caller& caller, const storage::Row& row) {
  if (row.Int(kOwnerId) == caller.user_id) return true;
  return row.Bool(kShared) && caller.unit_path.starts_with(row.Text(kOwnerPath));
}

Json ViewJson(const Caller& caller, const storage::Row& row) {
  return {{"id", IdString(row.Int(kId))},
          {"name", row.Text(kName)},
          {"filters", Json::parse(row.Text(kFilters))},
          {"sort", row.Text(kSort)},
          {"shared", row.Bool(kShared)},
          {"ownerId", IdString(row.Int(kOwnerId))},
          {"ownerName", row.Text(kOwnerName)},
          {"mine", row.Int(kOwnerId) == caller.user_id},
          {"createdAt", row.Text(kCreatedAt)},
          {"updatedAt", row.Text(kUpdatedAt)}};
}

// The editable fields of a view, as stored.
struct ViewRecord {
  std::string name;
  Json filters = Json::object();
  std::string sort = "-updatedAt";
  bool shared = false;
};

// R-CUST-20: filters are the list parameters as text and pass ParseCustomerFilter; the
// errors name "filters.<parameter>" (or "sort").
void ReadView(JsonReader& reader, ViewRecord& record, bool create) {
  if (create) {
    if (auto name = reader.RequiredString("name", 1, kMaxViewName)) record.name = *name;
  } else if (reader.Has("name")) {
    if (auto name = reader.String("name", 1, kMaxViewName)) record.name = *name;
    else if (reader.Raw("name")->is_null()) reader.Fail("name", "must not be null");
  }
  if (reader.Has("sort")) {
    const Json* sort = reader.Raw("sort");
    if (!sort->is_string() || !ParseCustomerSort(sort->get<std::string>()))
      reader.Fail("sort", "must be one of: -updatedAt, name, lastFollowUpAt, -lastFollowUpAt");
    else record.sort = sort->get<std::string>();
  }
  if (auto shared = reader.Bool("shared")) record.shared = *shared;
  if (const Json* filters = reader.Raw("filters")) {
    if (!filters->is_object()) {
      reader.Fail("filters", "must be an object of list parameters");
    } else {
      Json cleaned = Json::object();
      bool valid = true;
      for (const auto& [key, value] : filters->items()) {
        if (!CustomerFilterParameters().count(key) || key == "sort") {
          reader.Fail("filters." + key, "is not a list filter");
          valid = false;
          continue;
        }
        if (!value.is_string()) {
          reader.Fail("filters." + key, "must be text, as in the list query string");
          valid = false;
          continue;
        }
        std::string parameter = key, text = value.get<std::string>();
        if (text.empty()) continue;
        // Each parameter alone through the list's parser, so every bad one is reported.
        try {
          ParseCustomerFilter([&](const std::string& name) -> std::optional<std::string> {
            if (name != parameter) return std::nullopt;
            return text;
          });
          cleaned[parameter] = text;
        } catch (const Error& error) {
          if (error.kind() != ErrorKind::kValidation) throw;
          for (const auto& [field, message] : error.details()["fields"].items())
            reader.Fail("filters." + field, message.get<std::string>());
          valid = false;
        }
      }
      if (valid) record.filters = cleaned;
    }
  }
}

}  // namespace

const std::set<std::string>& CustomerFilterParameters() {
  static const std::set<std::string> names{"q", "grade", "status", "type", "province", "city", "ownerId",
                                           "unitId", "tag", "inPool", "followUpBefore", "followUpAfter",
                                           "idleDays", "neverFollowedUp", "sort"};
  return names;
}

CustomerFilter ParseCustomerFilter(const ParameterLookup& parameter) {
  CustomerFilter filter;
  filter.query = Text(parameter, "q", 100);
  // Grades of both rule sets: a list filtered by a grade of the other set is simply empty.
  filter.grade = EnumValue(parameter, "grade", {"key", "important", "general", "watch", "A", "B", "C", "D"});
  filter.status = EnumValue(parameter, "status", CustomerStatuses());
  filter.type = EnumValue(parameter, "type", CustomerTypes());
  filter.province = Text(parameter, "province", 32);
  filter.city = Text(parameter, "city", 32);
  filter.owner_id = IdValue(parameter, "ownerId");
  filter.unit_id = IdValue(parameter, "unitId");
  filter.tag = Text(parameter, "tag", 32);
  if (auto in_pool = parameter("inPool"); in_pool && !in_pool->empty()) {
    if (*in_pool != "true" && *in_pool != "false") ThrowValidation("inPool", "must be true or false");
    filter.in_pool = *in_pool == "true";
  }
  filter.follow_up_before = DateValue(parameter, "followUpBefore");
  filter.follow_up_after = DateValue(parameter, "followUpAfter");
  // R-CUST-67.
  if (auto idle = parameter("idleDays"); idle && !idle->empty()) {
    int days = 0;
    auto [end, error] = std::from_chars(idle->data(), idle->data() + idle->size(), days);
    if (error != std::errc() || end != idle->data() + idle->size() || days < 1 || days > 3650)
      ThrowValidation("idleDays", "must be a whole number of days from 1 to 3650");
    filter.idle_days = days;
  }
  if (auto never = parameter("neverFollowedUp"); never && !never->empty()) {
    if (*never != "true" && *never != "false") ThrowValidation("neverFollowedUp", "must be true or false");
    filter.never_followed_up = *never == "true";
  }
  if (auto sort = parameter("sort"); sort && !sort->empty()) {
    auto parsed = ParseCustomerSort(*sort);
    if (!parsed) ThrowValidation("sort", "must be one of: -updatedAt, name, lastFollowUpAt, -lastFollowUpAt");
    filter.sort = *parsed;
  }
  return filter;
}

Json CustomerViewService::Render(storage::Connection& connection, const Caller& caller, int64_t view_id) {
  return ViewJson(caller, *connection.QueryOne(kSelectView, {view_id}));
}

Json CustomerViewService::List(const Caller& caller) {
  platform::Require(caller, "customers.read");
  auto connection = database_.Acquire();
  Json items = Json::array();
  for (const auto& row : connection->Query(kVisibleViews, {caller.user_id, caller.unit_path, caller.user_id}).rows)
    items.push_back(ViewJson(caller, row));
  return {{"items", items}};
}

storage::Row CustomerViewService::LoadOwned(storage::Connection& connection, const Caller& caller, int64_t view_id) {
  auto row = connection.QueryOne(kSelectView, {view_id});
  if (!row || !VisibleTo(caller, *row))
    throw Error(ErrorKind::kNotFound, "customers.view_not_found", "saved view not found");
  // R-CUST-21: a shared view is the owner's; the others use it but do not change it.
  if (row->Int(kOwnerId) != caller.user_id)
    throw Error(ErrorKind::kForbidden, "access.denied", "only the owner edits a saved view");
  return *row;
}

Json CustomerViewService::Create(const Caller& caller, const Json& body) {
  platform::Require(caller, "customers.read");
  JsonReader reader(body);
  ViewRecord record;
  ReadView(reader, record, true);
  reader.Finish();
  Json result;
  platform::Actor actor = platform::Actor::From(caller);
  database_.InTransaction([&](storage::Connection& connection) {
    // The owner's creations are serialised so the bound holds under parallel requests.
    connection.QueryOne(kLockOwner, {caller.user_id});
    int64_t count = connection.QueryOne(kCountOwned, {caller.user_id})->Int(0);
    if (count >= kMaxViewsPerUser)
      throw Error(ErrorKind::kConflict, "customers.view_limit", "you have the maximum number of saved views",
                  {{"limit", kMaxViewsPerUser}});
    if (connection.QueryOne(kNameTaken, {caller.user_id, record.name, int64_t{0}}))
      throw Error(ErrorKind::kConflict, "customers.view_name_taken", "you already have a view of this name");
    std::string now = FormatInstant(clock_.Now());
    int64_t id = connection
                     .QueryOne(kInsertView, {caller.user_id, record.name, record.filters.dump(), record.sort,
                                             int64_t{record.shared ? 1 : 0}, now, now})
                     ->Int(0);
    result = Render(connection, caller, id);
    platform::RecordAudit(connection, actor, {"customers.view_create", "customer_view", IdString(id), Json(), result},
                          clock_.Now());
  });
  return result;
}

Json CustomerViewService::Update(const Caller& caller, int64_t view_id, const Json& body) {
  platform::Require(caller, "customers.read");
  Json result;
  platform::Actor actor = platform::Actor::From(caller);
  database_.InTransaction([&](storage::Connection& connection) {
    storage::Row row = LoadOwned(connection, caller, view_id);
    ViewRecord record{row.Text(kName), Json::parse(row.Text(kFilters)), row.Text(kSort), row.Bool(kShared)};
    JsonReader reader(body);
    ReadView(reader, record, false);
    reader.Finish();
    if (connection.QueryOne(kNameTaken, {caller.user_id, record.name, view_id}))
      throw Error(ErrorKind::kConflict, "customers.view_name_taken", "you already have a view of this name");
    Json before = ViewJson(caller, row);
    connection.Execute(kUpdateView, {record.name, record.filters.dump(), record.sort,
                                     int64_t{record.shared ? 1 : 0}, FormatInstant(clock_.Now()), view_id});
    result = Render(connection, caller, view_id);
    platform::RecordAudit(connection, actor, {"customers.view_update", "customer_view", IdString(view_id), before, result},
                          clock_.Now());
  });
  return result;
}

void CustomerViewService::Delete(const Caller& caller, int64_t view_id) {
  platform::Require(caller, "customers.read");
  platform::Actor actor = platform::Actor::From(caller);
  database_.InTransaction([&](storage::Connection& connection) {
    storage::Row row = LoadOwned(connection, caller, view_id);
    Json before = ViewJson(caller, row);
    connection.Execute(kDeleteView, {view_id});
    platform::RecordAudit(connection, actor, {"customers.view_delete", "customer_view", IdString(view_id), before, Json()},
                          clock_.Now());
  });
}

}  // namespace tuoke::customers
