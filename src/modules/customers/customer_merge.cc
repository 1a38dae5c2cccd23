#include "modules/customers/customer_merge.h"

#include <algorithm>
#include <array>
#include <vector>

#include "core/text.h"
#include "platform/audit.h"

namespace tuoke::customers {
namespace {

using platform::Actor;
using platform::Caller;
using platform::Scope;

constexpr size_t kMaxTags = 20;         // as a customer's own tags (customer_service.cc)
constexpr size_t kMoveBackChunk = 64;   // ids per statement when moving rows back

// The tables whose rows follow the customer (R-CUST-17), in the order they are moved.
// `key` names them in moved_json and in the API.
struct MovedTable {
  std::string key;
  std::string table;
  std::string column;
  bool exclude_survivor = false;  // referrals: the survivor never becomes its own referrer
  std::string move_all_name, move_all, move_back_name, move_back;
};

const std::vector<MovedTable>& MovedTables() {
  static const std::vector<MovedTable> tables = [] {
    std::vector<MovedTable> list;
    auto add = [&](const char* key, const char* table, const char* column, bool exclude_survivor) {
      MovedTable entry;
      entry.key = key, entry.table = table, entry.column = column, entry.exclude_survivor = exclude_survivor;
      list.push_back(std::move(entry));
    };
    add("contacts", "contacts", "customer_id", false);
    add("events", "customer_events", "customer_id", false);
    add("gradeHistory", "customer_grade_history", "customer_id", false);
    add("ownerHistory", "customer_owner_history", "customer_id", false);
    add("statusHistory", "customer_status_history", "customer_id", false);  // R-CUST-62
    add("poolClaims", "pool_claims", "customer_id", false);
    add("attachments", "customer_attachments", "customer_id", false);  // R-CUST-30
    add("referrals", "customers", "referrer_customer_id", true);
    for (auto& t : list) {
      t.move_all_name = "customer_merges.move_" + t.key;
      t.move_all = "UPDATE " + t.table + " SET " + t.column + " = ? WHERE " + t.column + " = ?" +
                   (t.exclude_survivor ? " AND id <> ?" : "") + " RETURNING id";
      t.move_back_name = "customer_merges.move_back_" + t.key;
      t.move_back = "UPDATE " + t.table + " SET " + t.column + " = ? WHERE " + t.column + " = ? AND id IN (";
      for (size_t i = 0; i < kMoveBackChunk; ++i) t.move_back += i ? ", ?" : "?";
      t.move_back += ") RETURNING id";
    }
    return list;
  }();
  return tables;
}

// The customer with what the access check needs, locked for the transaction on PostgreSQL
// (SQLite's BEGIN IMMEDIATE already serialises writers).
const storage::Sql kLoadParty{
    "customer_merges.load_party",
    "SELECT c.id, c.name, c.owner_id, ou.path, c.merged_into_id, c.tags FROM customers c "
    "LEFT JOIN users ow ON ow.id = c.owner_id LEFT JOIN org_units ou ON ou.id = ow.unit_id WHERE c.id = ?",
    "SELECT c.id, c.name, c.owner_id, ou.path, c.merged_into_id, c.tags FROM customers c "
    "LEFT JOIN users ow ON ow.id = c.owner_id LEFT JOIN org_units ou ON ou.id = ow.unit_id WHERE c.id = ? "
    "FOR UPDATE OF c"};
const storage::Sql kMarkMerged{
    "customer_merges.mark_merged",
    "UPDATE customers SET merged_into_id = ?, updated_at = ? WHERE id = ? AND merged_into_id IS NULL"};
const storage::Sql kRestoreMerged{
    "customer_merges.restore_merged",
    "UPDATE customers SET merged_into_id = NULL, updated_at = ? WHERE id = ? AND merged_into_id = ?"};
const storage::Sql kSetTags{"customer_merges.set_tags", "UPDATE customers SET tags = ?, updated_at = ? WHERE id = ?"};
const storage::Sql kInsertTag{"customer_merges.insert_tag",
                              "INSERT INTO customer_tags (customer_id, tag) VALUES (?, ?)"};
const storage::Sql kDeleteTag{"customer_merges.delete_tag",
                              "DELETE FROM customer_tags WHERE customer_id = ? AND tag = ?"};
const storage::Sql kInsertMerge{
    "customer_merges.insert",
    "INSERT INTO customer_merges (kind, survivor_id, merged_id, reverses_id, reason, moved_json, actor_id, "
    "actor_name, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"};
const storage::Sql kLinkReversal{
    "customer_merges.link_reversal",
    "UPDATE customer_merges SET reversed_by_id = ? WHERE id = ? AND reversed_by_id IS NULL"};
const storage::Sql kSelectMerge{
    "customer_merges.select",
    "SELECT id, kind, survivor_id, merged_id, reverses_id, reversed_by_id, reason, moved_json, actor_name, at "
    "FROM customer_merges WHERE id = ?",
    "SELECT id, kind, survivor_id, merged_id, reverses_id, reversed_by_id, reason, moved_json, actor_name, at "
    "FROM customer_merges WHERE id = ? FOR UPDATE"};
enum MergeColumn : size_t { kMId, kMKind, kMSurvivor, kMMerged, kMReverses, kMReversedBy, kMReason, kMMoved, kMActor, kMAt };

struct Party {
  int64_t id = 0;
  std::string name;
  std::optional<int64_t> owner;
  std::string owner_path;
  std::optional<int64_t> merged_into;
  std::vector<std::string> tags;
};


std::optional<Party> LoadParty(storage::Connection& connection, int64_t id) {
  auto row = connection.QueryOne(kLoadParty, {id});
  if (!row) return std::nullopt;
  return Party{row->Int(0), row->Text(1), row->OptionalInt(2), row->OptionalText(3).value_or(""),
               row->OptionalInt(4), SplitTags(row->Text(5))};
}

Error NotFound() { return Error(ErrorKind::kNotFound, "customers.not_found", "customer not found"); }

// R-CUST-16: the caller reads the customer (else customers.not_found) and holds
// customers.assign over it (else access.denied); pool customers are in every scope.
void CheckScope(const Caller& caller, Scope read_scope, Scope assign_scope, const Party& party) {
  if (!party.owner) return;
  if (!platform::InScope(caller, read_scope, *party.owner, party.owner_path)) throw NotFound();
  if (!platform::InScope(caller, assign_scope, *party.owner, party.owner_path))
    throw Error(ErrorKind::kForbidden, "access.denied", "this customer is outside your assign scope",
                {{"permission", "customers.assign"}});
}

Error Merged(int64_t customer_id, int64_t into) {
  return Error(ErrorKind::kNotFound, "customers.merged", "the customer was merged into another",
               {{"customerId", IdString(customer_id)}, {"mergedInto", IdString(into)}});
}

// moved_json stores ids as numbers; the API shows ids as strings.
Json RenderMoved(const Json& moved) {
  Json out = Json::object();
  for (const auto& table : MovedTables()) {
    Json ids = Json::array();
    if (moved.contains(table.key))
      for (const auto& id : moved[table.key]) ids.push_back(IdString(id.get<int64_t>()));
    out[table.key] = ids;
  }
  out["tags"] = moved.value("tags", Json::array());
  return out;
}

Json RenderMerge(const storage::Row& row) {
  auto optional_id = [&](size_t column) {
    auto id = row.OptionalInt(column);
    return id ? Json(IdString(*id)) : Json();
  };
  return {{"id", IdString(row.Int(kMId))},
          {"kind", row.Text(kMKind)},
          {"survivorId", IdString(row.Int(kMSurvivor))},
          {"mergedId", IdString(row.Int(kMMerged))},
          {"reversesId", optional_id(kMReverses)},
          {"reversedById", optional_id(kMReversedBy)},
          {"reason", row.Text(kMReason)},
          {"moved", RenderMoved(Json::parse(row.Text(kMMoved)))},
          {"actorName", row.OptionalText(kMActor) ? Json(*row.OptionalText(kMActor)) : Json()},
          {"at", row.Text(kMAt)}};
}

// Moves the rows of `ids` still on `from` to `to`; answers the ids that moved.
std::vector<int64_t> MoveBack(storage::Connection& connection, const MovedTable& table, const std::vector<int64_t>& ids,
                              int64_t from, int64_t to) {
  const storage::Sql statement{table.move_back_name.c_str(), table.move_back.c_str()};
  std::vector<int64_t> moved;
  for (size_t start = 0; start < ids.size(); start += kMoveBackChunk) {
    storage::Params params{to, from};
    for (size_t i = 0; i < kMoveBackChunk; ++i)
      params.push_back(start + i < ids.size() ? ids[start + i] : int64_t{0});  // 0 is never an id
    for (const auto& row : connection.Query(statement, params).rows) moved.push_back(row.Int(0));
  }
  std::sort(moved.begin(), moved.end());
  return moved;
}

size_t CountMoved(const Json& moved) {
  size_t count = 0;
  for (const auto& table : MovedTables())
    if (moved.contains(table.key)) count += moved[table.key].size();
  return count;
}

}  // namespace

Json CustomerMergeService::Merge(const Caller& caller, const Json& body) {
  Scope assign_scope = platform::Require(caller, "customers.assign");
  Scope read_scope = platform::Require(caller, "customers.read");
  JsonReader reader(body);
  auto survivor_id = reader.Id("survivorId");
  auto merged_id = reader.Id("mergedId");
  auto reason = reader.RequiredString("reason", 1, 500);
  if (!reader.Has("survivorId")) reader.Fail("survivorId", "is required");
  if (!reader.Has("mergedId")) reader.Fail("mergedId", "is required");
  if (survivor_id && merged_id && *survivor_id == *merged_id) reader.Fail("mergedId", "must differ from survivorId");
  reader.Finish();

  Actor actor = Actor::From(caller);
  Json result;
  database_.InTransaction([&](storage::Connection& connection) {
    // Locked in id order, so two merges of the same pair cannot deadlock.
    std::optional<Party> first = LoadParty(connection, std::min(*survivor_id, *merged_id));
    std::optional<Party> second = LoadParty(connection, std::max(*survivor_id, *merged_id));
    if (!first || !second) throw NotFound();
    Party survivor = first->id == *survivor_id ? *first : *second;
    Party merged = first->id == *merged_id ? *first : *second;
    for (const Party* party : {&survivor, &merged}) {
      CheckScope(caller, read_scope, assign_scope, *party);
      if (party->merged_into) throw Merged(party->id, *party->merged_into);
    }

    Instant now = clock_.Now();
    std::string now_text = FormatInstant(now);
    // R-CUST-17: every row that follows the customer moves, and the ids that moved are kept.
    Json moved = Json::object();
    for (const auto& table : MovedTables()) {
      const storage::Sql statement{table.move_all_name.c_str(), table.move_all.c_str()};
      storage::Params params{survivor.id, merged.id};
      if (table.exclude_survivor) params.push_back(survivor.id);
      std::vector<int64_t> ids;
      for (const auto& row : connection.Query(statement, params).rows) ids.push_back(row.Int(0));
      std::sort(ids.begin(), ids.end());
      moved[table.key] = ids;
    }
    // Tags: the union, the survivor's first, up to the limit of a customer's tags.
    Json added = Json::array();
    std::vector<std::string> tags = survivor.tags;
    for (const auto& tag : merged.tags) {
      if (tags.size() >= kMaxTags) break;
      if (std::find(tags.begin(), tags.end(), tag) != tags.end()) continue;
      tags.push_back(tag);
      added.push_back(tag);
      connection.Execute(kInsertTag, {survivor.id, tag});
    }
    moved["tags"] = added;
    connection.Execute(kSetTags, {JoinTags(tags), now_text, survivor.id});
    // R-CUST-16: the merged customer stays, marked; the guard makes a parallel merge lose.
    if (connection.Execute(kMarkMerged, {survivor.id, now_text, merged.id}) != 1)
      throw Error(ErrorKind::kConflict, "customers.merge_conflict", "the customer was merged meanwhile");

    int64_t merge_id = connection
                           .QueryOne(kInsertMerge, {std::string("merge"), survivor.id, merged.id, nullptr, *reason,
                                                    moved.dump(), storage::Nullable(actor.user_id), actor.name,
                                                    now_text})
                           ->Int(0);
    result = RenderMerge(*connection.QueryOne(kSelectMerge, {merge_id}));
    Json data = {{"mergeId", IdString(merge_id)}, {"survivorId", IdString(survivor.id)},
                 {"survivorName", survivor.name}, {"mergedId", IdString(merged.id)},
                 {"mergedName", merged.name}, {"reason", *reason}, {"moved", CountMoved(moved)}};
    // R-CUST-19: both timelines tell the story.
    customers_.AppendEvent(connection, survivor.id, "merged", actor, "merged " + merged.name + " into this customer",
                           data);
    customers_.AppendEvent(connection, merged.id, "merged_into", actor, "merged into " + survivor.name, data);
    platform::RecordAudit(connection, actor, {"customers.merge", "customer", IdString(merged.id), Json(), result},
                          now);
  });
  return result;
}

Json CustomerMergeService::Reverse(const Caller& caller, int64_t merge_id, const Json& body) {
  Scope assign_scope = platform::Require(caller, "customers.assign");
  Scope read_scope = platform::Require(caller, "customers.read");
  JsonReader reader(body);
  auto reason = reader.String("reason", 0, 500);
  reader.Finish();

  Actor actor = Actor::From(caller);
  Json result;
  database_.InTransaction([&](storage::Connection& connection) {
    auto merge = connection.QueryOne(kSelectMerge, {merge_id});
    Error merge_not_found(ErrorKind::kNotFound, "customers.merge_not_found", "merge not found");
    if (!merge) throw merge_not_found;
    int64_t survivor_id = merge->Int(kMSurvivor), merged_id = merge->Int(kMMerged);
    std::optional<Party> first = LoadParty(connection, std::min(survivor_id, merged_id));
    std::optional<Party> second = LoadParty(connection, std::max(survivor_id, merged_id));
    if (!first || !second) throw merge_not_found;
    Party survivor = first->id == survivor_id ? *first : *second;
    Party merged = first->id == merged_id ? *first : *second;
    // Merges of customers the caller cannot read do not exist for the caller.
    for (const Party* party : {&survivor, &merged})
      if (party->owner && !platform::InScope(caller, read_scope, *party->owner, party->owner_path))
        throw merge_not_found;
    for (const Party* party : {&survivor, &merged}) CheckScope(caller, read_scope, assign_scope, *party);
    // R-CUST-18: only a merge is reversed, once, and only while its survivor stands.
    if (merge->Text(kMKind) != "merge")
      throw Error(ErrorKind::kConflict, "customers.merge_not_reversible", "a reversal is not reversed; merge again");
    if (merge->OptionalInt(kMReversedBy))
      throw Error(ErrorKind::kConflict, "customers.merge_already_reversed", "this merge was already reversed",
                  {{"reversedById", IdString(*merge->OptionalInt(kMReversedBy))}});
    if (survivor.merged_into)
      throw Error(ErrorKind::kConflict, "customers.merge_not_reversible",
                  "the survivor was itself merged since; reverse that merge first",
                  {{"mergedInto", IdString(*survivor.merged_into)}});
    if (merged.merged_into != survivor_id)
      throw Error(ErrorKind::kConflict, "customers.merge_not_reversible", "the merged customer is not merged any more");

    Instant now = clock_.Now();
    std::string now_text = FormatInstant(now);
    Json recorded = Json::parse(merge->Text(kMMoved));
    Json moved = Json::object();
    for (const auto& table : MovedTables()) {
      std::vector<int64_t> ids;
      if (recorded.contains(table.key)) ids = recorded[table.key].get<std::vector<int64_t>>();
      moved[table.key] = MoveBack(connection, table, ids, survivor_id, merged_id);
    }
    // Tags the merge added leave the survivor, unless someone removed them meanwhile.
    std::vector<std::string> tags = survivor.tags;
    Json removed = Json::array();
    for (const auto& tag : recorded.value("tags", Json::array())) {
      auto found = std::find(tags.begin(), tags.end(), tag.get<std::string>());
      if (found == tags.end()) continue;
      tags.erase(found);
      removed.push_back(tag);
      connection.Execute(kDeleteTag, {survivor_id, tag.get<std::string>()});
    }
    moved["tags"] = removed;
    connection.Execute(kSetTags, {JoinTags(tags), now_text, survivor_id});
    if (connection.Execute(kRestoreMerged, {now_text, merged_id, survivor_id}) != 1)
      throw Error(ErrorKind::kConflict, "customers.merge_conflict", "the customer changed meanwhile");

    std::string reason_text = reason && !reason->empty() ? *reason : "reversal of merge " + IdString(merge_id);
    int64_t reversal_id = connection
                              .QueryOne(kInsertMerge, {std::string("reversal"), survivor_id, merged_id, merge_id,
                                                       reason_text, moved.dump(), storage::Nullable(actor.user_id),
                                                       actor.name, now_text})
                              ->Int(0);
    if (connection.Execute(kLinkReversal, {reversal_id, merge_id}) != 1)
      throw Error(ErrorKind::kConflict, "customers.merge_already_reversed", "this merge was already reversed");
    result = RenderMerge(*connection.QueryOne(kSelectMerge, {reversal_id}));
    Json data = {{"mergeId", IdString(merge_id)}, {"reversalId", IdString(reversal_id)},
                 {"survivorId", IdString(survivor_id)}, {"survivorName", survivor.name},
                 {"mergedId", IdString(merged_id)}, {"mergedName", merged.name}, {"reason", reason_text},
                 {"moved", CountMoved(moved)}};
    customers_.AppendEvent(connection, survivor_id, "merge_reversed", actor,
                           "merge of " + merged.name + " reversed", data);
    customers_.AppendEvent(connection, merged_id, "merge_reversed", actor,
                           "restored from the merge into " + survivor.name, data);
    platform::RecordAudit(connection, actor,
                          {"customers.merge_reverse", "customer", IdString(merged_id), Json(), result}, now);
  });
  return result;
}

}  // namespace tuoke::customers
