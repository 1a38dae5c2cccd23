#include "modules/visits/followup_service.h"

#include "core/json_writer.h"
#include "core/text.h"

#include <set>

namespace tuoke::visits {
namespace {

using platform::Actor;
using platform::Caller;
using platform::Scope;

#define TUOKE_FOLLOW_UP_SELECT                                                                        \
  "SELECT f.id, f.customer_id, cu.name, f.visit_id, f.owner_id, u.name, f.title, f.note, f.due_on, "  \
  "f.status, f.done_at, f.done_note, f.created_by, f.created_at, f.updated_at, o.path "                \
  "FROM follow_up_items f JOIN users u ON u.id = f.owner_id JOIN org_units o ON o.id = u.unit_id "     \
  "JOIN customers cu ON cu.id = f.customer_id "

enum Column : size_t {
  kId, kCustomerId, kCustomerName, kVisitId, kOwnerId, kOwnerName, kTitle, kNote, kDueOn, kStatus,
  kDoneAt, kDoneNote, kCreatedBy, kCreatedAt, kUpdatedAt, kOwnerPath,
};

const storage::Sql kSelectItem{"visits.select_follow_up", TUOKE_FOLLOW_UP_SELECT "WHERE f.id = ?"};
const storage::Sql kInsertItem{
    "visits.insert_follow_up",
    "INSERT INTO follow_up_items (customer_id, visit_id, owner_id, title, note, due_on, status, created_by, "
    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id"};
const storage::Sql kUpdateItem{
    "visits.update_follow_up",
    "UPDATE follow_up_items SET title = ?, note = ?, due_on = ?, owner_id = ?, status = ?, updated_at = ? "
    "WHERE id = ? AND status = 'open'"};
// R-CUST-61: the previous owner's open items of one customer, to the new owner.
const storage::Sql kHandOverItems{
    "visits.hand_over_follow_ups",
    "UPDATE follow_up_items SET owner_id = ?, updated_at = ? "
    "WHERE customer_id = ? AND owner_id = ? AND status = 'open' RETURNING id"};
const storage::Sql kFinishItem{
    "visits.finish_follow_up",
    "UPDATE follow_up_items SET status = 'done', done_at = ?, done_note = ?, updated_at = ? "
    "WHERE id = ? AND status = 'open'"};
const storage::Sql kVisitOf{"visits.visit_rep_customer", "SELECT rep_id, customer_id FROM visits WHERE id = ?"};

// The state a reader sees (R-VISIT-52): open items are due today or overdue by date.
std::string State(const std::string& status, const std::string& due_on, const std::string& today) {
  if (status != "open") return status;
  if (due_on < today) return "overdue";
  if (due_on == today) return "due_today";
  return "open";
}

void WriteItem(JsonWriter& out, const storage::Row& row, const std::string& today) {
  out.BeginObject();
  out.Key("id"); out.Id(row.Int(kId));
  out.Key("customerId"); out.Id(row.Int(kCustomerId));
  out.Key("customerName"); out.String(row.Text(kCustomerName));
  out.Key("visitId"); out.OptionalId(row.OptionalInt(kVisitId));
  out.Key("ownerId"); out.Id(row.Int(kOwnerId));
  out.Key("ownerName"); out.String(row.Text(kOwnerName));
  out.Key("title"); out.String(row.Text(kTitle));
  out.Key("note"); out.OptionalString(row.OptionalText(kNote));
  out.Key("dueOn"); out.String(row.Text(kDueOn));
  out.Key("status"); out.String(row.Text(kStatus));
  out.Key("state"); out.String(State(row.Text(kStatus), row.Text(kDueOn), today));
  out.Key("doneAt"); out.OptionalString(row.OptionalText(kDoneAt));
  out.Key("doneNote"); out.OptionalString(row.OptionalText(kDoneNote));
  out.Key("createdBy"); out.OptionalId(row.OptionalInt(kCreatedBy));
  out.Key("createdAt"); out.String(row.Text(kCreatedAt));
  out.Key("updatedAt"); out.String(row.Text(kUpdatedAt));
  out.EndObject();
}

Json AuditView(const storage::Row& row) {
  return {{"customerId", IdString(row.Int(kCustomerId))}, {"ownerId", IdString(row.Int(kOwnerId))},
          {"title", row.Text(kTitle)}, {"note", row.OptionalText(kNote) ? Json(*row.OptionalText(kNote)) : Json()},
          {"dueOn", row.Text(kDueOn)}, {"status", row.Text(kStatus)}};
}

Error BadCursor() {
  return Error(ErrorKind::kValidation, "validation.failed", "bad cursor",
               {{"fields", {{"cursor", "is not a cursor from this list"}}}});
}

}  // namespace

int64_t HandOverFollowUps(storage::Connection& connection, const customers::CustomerService::OwnerHandOver& hand_over) {
  storage::ResultSet moved = connection.Query(
      kHandOverItems, {hand_over.to, FormatInstant(hand_over.at), hand_over.customer_id, hand_over.from});
  for (const storage::Row& row : moved.rows)
    platform::RecordAudit(connection, hand_over.actor,
                          {"follow_up.hand_over", "follow_up_item", IdString(row.Int(0)),
                           {{"ownerId", IdString(hand_over.from)}}, {{"ownerId", IdString(hand_over.to)}}},
                          hand_over.at);
  return static_cast<int64_t>(moved.rows.size());
}

int64_t FollowUpService::Insert(storage::Connection& connection, const Actor& actor, const NewFollowUp& item) {
  std::string now = FormatInstant(context_.clock.Now());
  int64_t id = connection
                   .QueryOne(kInsertItem, {item.customer_id, storage::Nullable(item.visit_id), item.owner_id,
                                           item.title, storage::Nullable(item.note), FormatDate(item.due_on),
                                           storage::Nullable(actor.user_id), now, now})
                   ->Int(0);
  // R-VISIT-53: on the customer's timeline.
  context_.customers.AppendEvent(connection, item.customer_id, "follow_up_item_created", actor,
                                 "待跟进：" + item.title + "（" + FormatDate(item.due_on) + "）",
                                 {{"itemId", IdString(id)},
                                  {"visitId", item.visit_id ? Json(IdString(*item.visit_id)) : Json()},
                                  {"dueOn", FormatDate(item.due_on)},
                                  {"ownerId", IdString(item.owner_id)}});
  platform::RecordAudit(connection, actor,
                        {"follow_up.create", "follow_up_item", IdString(id), Json(),
                         {{"customerId", IdString(item.customer_id)},
                          {"ownerId", IdString(item.owner_id)},
                          {"title", item.title},
                          {"dueOn", FormatDate(item.due_on)}}},
                        context_.clock.Now());
  return id;
}

std::string FollowUpService::Create(const Caller& caller, const Json& body) {
  Scope scope = platform::Require(caller, "visits.write");
  JsonReader reader(body);
  auto customer_id = reader.Id("customerId");
  auto visit_id = reader.Id("visitId");
  auto owner_id = reader.Id("ownerId");
  auto title = reader.RequiredString("title", 1, 200);
  auto note = reader.String("note", 1, 1000);
  auto due_text = reader.DateString("dueOn");
  if (!reader.Has("customerId")) reader.Fail("customerId", "is required");
  if (!reader.Has("dueOn")) reader.Fail("dueOn", "is required");
  Date today = context_.policies.Today();
  if (due_text && *ParseDate(*due_text) < today) reader.Fail("dueOn", "cannot be in the past");
  reader.Finish();
  int64_t id = 0;
  context_.database.InTransaction([&](storage::Connection& connection) {
    context_.customers.CheckReadable(connection, caller, *customer_id);
    RepInfo owner = RequireRepInScope(connection, caller, scope, owner_id.value_or(caller.user_id));
    if (visit_id) {
      auto visit = connection.QueryOne(kVisitOf, {*visit_id});
      Scope read_scope = platform::Require(caller, "visits.read");
      auto rep = visit ? LoadRep(connection, visit->Int(0)) : std::nullopt;
      if (!rep || !platform::InScope(caller, read_scope, rep->id, rep->unit_path)) ThrowNotFound("visits", "visit");
      if (visit->Int(1) != *customer_id) ThrowValidation("visitId", "is a visit to another customer");
    }
    id = Insert(connection, Actor::From(caller),
                {*customer_id, visit_id, owner.id, *title, note, *ParseDate(*due_text)});
  });
  auto connection = context_.database.Acquire();
  return Render(*connection, id);
}

storage::Row FollowUpService::LoadWritable(storage::Connection& connection, const Caller& caller, int64_t item_id) {
  Scope read_scope = platform::Require(caller, "visits.read");
  auto row = connection.QueryOne(kSelectItem, {item_id});
  if (!row || !platform::InScope(caller, read_scope, row->Int(kOwnerId), row->Text(kOwnerPath)))
    ThrowNotFound("visits", "follow-up item");
  Scope write_scope = platform::Require(caller, "visits.write");
  if (!platform::InScope(caller, write_scope, row->Int(kOwnerId), row->Text(kOwnerPath)))
    throw Error(ErrorKind::kForbidden, "access.denied", "this item is outside your write scope",
                {{"permission", "visits.write"}});
  if (row->Text(kStatus) != "open")
    throw Error(ErrorKind::kConflict, "visits.follow_up_closed", "the item is already " + row->Text(kStatus));
  return *row;
}

std::string FollowUpService::Update(const Caller& caller, int64_t item_id, const Json& body) {
  JsonReader reader(body);
  auto title = reader.String("title", 1, 200);
  bool note_present = false;
  auto note = reader.NullableString("note", 1000, &note_present);
  auto due_text = reader.DateString("dueOn");
  auto owner_id = reader.Id("ownerId");
  auto status = reader.Enum("status", {"open", "cancelled"});
  reader.Finish();
  context_.database.InTransaction([&](storage::Connection& connection) {
    storage::Row row = LoadWritable(connection, caller, item_id);
    int64_t owner = row.Int(kOwnerId);
    if (owner_id && *owner_id != owner)
      owner = RequireRepInScope(connection, caller, *caller.ScopeFor("visits.write"), *owner_id).id;
    std::optional<std::string> new_note = note_present ? note : row.OptionalText(kNote);
    Instant now = context_.clock.Now();
    connection.Execute(kUpdateItem, {title.value_or(row.Text(kTitle)), storage::Nullable(new_note),
                                     due_text.value_or(row.Text(kDueOn)), owner, status.value_or("open"),
                                     FormatInstant(now), item_id});
    Json before = AuditView(row);
    Json after = AuditView(*connection.QueryOne(kSelectItem, {item_id}));
    platform::KeepChangedFields(before, after);
    if (!after.empty())
      platform::RecordAudit(connection, Actor::From(caller),
                            {"follow_up.update", "follow_up_item", IdString(item_id), before, after}, now);
  });
  auto connection = context_.database.Acquire();
  return Render(*connection, item_id);
}

std::string FollowUpService::Done(const Caller& caller, int64_t item_id, const Json& body) {
  JsonReader reader(body);
  auto note = reader.String("note", 1, 1000);
  reader.Finish();
  context_.database.InTransaction([&](storage::Connection& connection) {
    storage::Row row = LoadWritable(connection, caller, item_id);
    Instant now = context_.clock.Now();
    std::string now_text = FormatInstant(now);
    if (connection.Execute(kFinishItem, {now_text, storage::Nullable(note), now_text, item_id}) != 1)
      throw Error(ErrorKind::kConflict, "visits.follow_up_closed", "the item was closed meanwhile");
    Actor actor = Actor::From(caller);
    // R-VISIT-53, 54: on the timeline, and done_at kept for the evaluation.
    context_.customers.AppendEvent(connection, row.Int(kCustomerId), "follow_up_item_done", actor,
                                   "已完成：" + row.Text(kTitle),
                                   {{"itemId", IdString(item_id)}, {"dueOn", row.Text(kDueOn)},
                                    {"onTime", FormatDate(BusinessDate(now, context_.policies.TimeZone())) <=
                                                   row.Text(kDueOn)}});
    platform::RecordAudit(connection, actor,
                          {"follow_up.done", "follow_up_item", IdString(item_id), {{"status", "open"}},
                           {{"status", "done"}, {"note", note ? Json(*note) : Json()}}},
                          now);
  });
  auto connection = context_.database.Acquire();
  return Render(*connection, item_id);
}

std::string FollowUpService::Render(storage::Connection& connection, int64_t item_id) {
  auto row = connection.QueryOne(kSelectItem, {item_id});
  if (!row) ThrowNotFound("visits", "follow-up item");
  JsonWriter out;
  WriteItem(out, *row, FormatDate(context_.policies.Today()));
  return out.Take();
}

std::string FollowUpService::List(const Caller& caller, const FollowUpFilter& filter) {
  Scope scope = platform::Require(caller, "visits.read");
  static const std::set<std::string> kStates = {"open", "due_today", "overdue", "done", "cancelled", "all"};
  if (!kStates.count(filter.status)) ThrowValidation("status", "must be one of open, due_today, overdue, done, cancelled, all");
  std::string today = FormatDate(context_.policies.Today());
  auto connection = context_.database.Acquire();
  storage::Params params;
  std::string sql = TUOKE_FOLLOW_UP_SELECT "WHERE " +
                    RepScopeCondition(caller, scope, "f.owner_id", "o.path", params);
  if (filter.unit_id) {
    sql += " AND o.path LIKE ? ESCAPE '\\'";
    params.push_back(EscapeLike(UnitSubtreeInScope(*connection, caller, scope, *filter.unit_id)) + "%");
  }
  if (filter.status == "open") {
    sql += " AND f.status = 'open'";
  } else if (filter.status == "due_today") {
    sql += " AND f.status = 'open' AND f.due_on = ?";
    params.push_back(today);
  } else if (filter.status == "overdue") {
    sql += " AND f.status = 'open' AND f.due_on < ?";
    params.push_back(today);
  } else if (filter.status != "all") {
    sql += " AND f.status = ?";
    params.push_back(filter.status);
  }
  if (filter.owner_id) sql += " AND f.owner_id = ?", params.push_back(*filter.owner_id);
  if (filter.customer_id) sql += " AND f.customer_id = ?", params.push_back(*filter.customer_id);
  if (filter.visit_id) sql += " AND f.visit_id = ?", params.push_back(*filter.visit_id);
  if (filter.cursor) {
    // "<due_on>_<id>": the last item of the previous page.
    auto separator = filter.cursor->find('_');
    if (separator == std::string::npos) throw BadCursor();
    auto due = ParseDate(filter.cursor->substr(0, separator));
    auto id = ParseId(filter.cursor->substr(separator + 1));
    if (!due || !id) throw BadCursor();
    sql += " AND (f.due_on > ? OR (f.due_on = ? AND f.id > ?))";
    params.push_back(FormatDate(*due));
    params.push_back(FormatDate(*due));
    params.push_back(*id);
  }
  sql += " ORDER BY f.due_on, f.id LIMIT ?";
  params.push_back(int64_t{filter.limit + 1});
  storage::Sql statement{"visits.list_follow_ups", sql.c_str()};
  auto rows = connection->Query(statement, params);
  JsonWriter out;
  out.BeginObject();
  out.Key("items");
  out.BeginArray();
  size_t shown = std::min(rows.rows.size(), static_cast<size_t>(filter.limit));
  for (size_t i = 0; i < shown; ++i) WriteItem(out, rows.rows[i], today);
  out.EndArray();
  out.Key("nextCursor");
  if (rows.rows.size() > shown)
    out.String(rows.rows[shown - 1].Text(kDueOn) + "_" + IdString(rows.rows[shown - 1].Int(kId)));
  else
    out.Null();
  out.EndObject();
  return out.Take();
}

}  // namespace tuoke::visits
