#include "platform/audit.h"

#include <chrono>

#include "storage/deferred_write.h"

namespace tuoke::platform {

Actor Actor::From(const Caller& caller) {
  return Actor{caller.user_id, caller.name, caller.request.ip, caller.request.request_id};
}

Actor Actor::System(std::string name) { return Actor{std::nullopt, std::move(name), "", ""}; }

namespace {
storage::Value DumpOrNull(const Json& value) {
  if (value.is_null()) return nullptr;
  return value.dump();
}
}  // namespace

void RecordAudit(storage::Connection& connection, const Actor& actor, const AuditChange& change,
                 Instant at) {
  static const storage::Sql kInsert{
      "audit.insert",
      "INSERT INTO audit_log (at, actor_id, actor_name, ip, request_id, action, entity, entity_id, "
      "before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"};
  storage::ExecuteLater(connection, kInsert,
                        {FormatInstant(at), storage::Nullable(actor.user_id), actor.name, actor.ip, actor.request_id,
                         change.action, change.entity, change.entity_id, DumpOrNull(change.before),
                         DumpOrNull(change.after)});
}

AuditBatch::AuditBatch(storage::Connection& connection, const Actor& actor, Instant at)
    : actor_(actor),
      at_(FormatInstant(at)),
      insert_(connection, "audit.insert_many",
              "INSERT INTO audit_log (at, actor_id, actor_name, ip, request_id, action, entity, entity_id, "
              "before_json, after_json)",
              10) {}

void AuditBatch::Add(const AuditChange& change) {
  insert_.Add({at_, storage::Nullable(actor_.user_id), actor_.name, actor_.ip, actor_.request_id, change.action,
               change.entity, change.entity_id, DumpOrNull(change.before), DumpOrNull(change.after)});
}

void AuditBatch::AddCreated(std::string action, std::string entity, std::string entity_id, std::string after_json) {
  insert_.Add({at_, storage::Nullable(actor_.user_id), actor_.name, actor_.ip, actor_.request_id, std::move(action),
               std::move(entity), std::move(entity_id), nullptr, std::move(after_json)});
}

void KeepChangedFields(Json& before, Json& after) {
  if (!before.is_object() || !after.is_object()) return;
  Json changed_before = Json::object(), changed_after = Json::object();
  for (auto it = after.begin(); it != after.end(); ++it) {
    auto old = before.find(it.key());
    if (old == before.end() || *old != it.value()) {
      changed_before[it.key()] = old == before.end() ? Json() : *old;
      changed_after[it.key()] = it.value();
    }
  }
  before = std::move(changed_before);
  after = std::move(changed_after);
}

Json AuditService::List(const Caller& caller, const AuditFilter& filter) {
  Require(caller, "audit.read");
  std::string sql =
      "SELECT id, at, actor_id, actor_name, ip, request_id, action, entity, entity_id, "
      "before_json, after_json FROM audit_log WHERE 1 = 1";
  storage::Params params;
  if (filter.actor_id) sql += " AND actor_id = ?", params.push_back(*filter.actor_id);
  if (filter.entity) sql += " AND entity = ?", params.push_back(*filter.entity);
  if (filter.entity_id) sql += " AND entity_id = ?", params.push_back(*filter.entity_id);
  if (filter.action) sql += " AND action = ?", params.push_back(*filter.action);
  if (filter.from)
    sql += " AND at >= ?", params.push_back(FormatInstant(StartOfBusinessDate(*filter.from, time_zone_)));
  if (filter.to) {
    auto next_day = std::chrono::sys_days{std::chrono::year{filter.to->year} /
                                          std::chrono::month{filter.to->month} /
                                          std::chrono::day{filter.to->day}} +
                    std::chrono::days{1};
    std::chrono::year_month_day ymd{next_day};
    Date end{static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
             static_cast<unsigned>(ymd.day())};
    sql += " AND at < ?", params.push_back(FormatInstant(StartOfBusinessDate(end, time_zone_)));
  }
  if (filter.before_id) sql += " AND id < ?", params.push_back(*filter.before_id);
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(int64_t{filter.limit + 1});

  const storage::Sql query{"audit.list", sql.c_str()};
  auto connection = database_.Acquire();
  auto result = connection->Query(query, params);
  Json items = Json::array();
  Json next_cursor;
  for (size_t i = 0; i < result.rows.size(); ++i) {
    const auto& row = result.rows[i];
    if (static_cast<int>(i) == filter.limit) {
      next_cursor = IdString(result.rows[i - 1].Int(0));
      break;
    }
    auto parse = [&](size_t column) {
      return row.IsNull(column) ? Json() : Json::parse(row.Text(column), nullptr, false);
    };
    items.push_back({{"id", IdString(row.Int(0))},
                     {"at", row.Text(1)},
                     {"actorId", row.IsNull(2) ? Json() : Json(IdString(row.Int(2)))},
                     {"actorName", row.OptionalText(3).value_or("")},
                     {"ip", row.OptionalText(4).value_or("")},
                     {"requestId", row.OptionalText(5).value_or("")},
                     {"action", row.Text(6)},
                     {"entity", row.Text(7)},
                     {"entityId", row.OptionalText(8).value_or("")},
                     {"before", parse(9)},
                     {"after", parse(10)}});
  }
  return {{"items", items}, {"nextCursor", next_cursor}};
}

}  // namespace tuoke::platform
