// The audit trail: every change records who, when, from which address and request,
// which record, and the fields before and after. Entries are written in the same
// transaction as the change they describe, and the table is append-only (database
// triggers refuse UPDATE and DELETE).
#pragma once

#include <optional>
#include <string>

#include "core/json_util.h"
#include "core/time.h"
#include "platform/access.h"
#include "storage/bulk_insert.h"
#include "storage/database.h"

namespace tuoke::platform {

struct Actor {
  std::optional<int64_t> user_id;  // empty for the system (CLI, jobs)
  std::string name;
  std::string ip;
  std::string request_id;

  static Actor From(const Caller& caller);
  static Actor System(std::string name);
};

struct AuditChange {
  std::string action;     // "user.create", "policy.version_add", …
  std::string entity;     // "user", "unit", "policy", "role", "session"
  std::string entity_id;  // may be empty
  Json before;            // null when created
  Json after;             // null when removed
};

// Writes the entry inside the caller's transaction. Nothing waits for it: on PostgreSQL it
// goes with the transaction's next statement or its COMMIT (storage/deferred_write.h), and
// fails the transaction whole if it fails.
void RecordAudit(storage::Connection& connection, const Actor& actor, const AuditChange& change,
                 Instant at);

// Many entries of one actor at one moment (a bulk import), the same rows RecordAudit writes,
// with multi-row statements. Call Flush before the transaction commits.
class AuditBatch {
 public:
  AuditBatch(storage::Connection& connection, const Actor& actor, Instant at);
  void Add(const AuditChange& change);
  // An entry created by the batch (no `before`) whose `after` is already JSON text: a
  // bulk writer encodes it once with JsonWriter instead of copying a Json tree and
  // dumping it (a tenth of a 100,000-row import's time, docs/benchmarks.md "Import,
  // session 8"). The row is the one Add writes.
  void AddCreated(std::string action, std::string entity, std::string entity_id, std::string after_json);
  void Flush() { insert_.Flush(); }

 private:
  const Actor& actor_;
  std::string at_;
  storage::BulkInsert insert_;
};

// Only the fields that differ, so the trail shows what changed, not whole records.
void KeepChangedFields(Json& before, Json& after);

struct AuditFilter {
  std::optional<int64_t> actor_id;
  std::optional<std::string> entity;
  std::optional<std::string> entity_id;
  std::optional<std::string> action;
  std::optional<Date> from;  // business dates, inclusive
  std::optional<Date> to;
  int limit = 50;
  std::optional<int64_t> before_id;  // cursor
};

class AuditService {
 public:
  AuditService(storage::Database& database, std::string time_zone_for_dates)
      : database_(database), time_zone_(std::move(time_zone_for_dates)) {}
  // Newest first. Requires audit.read. Returns {"items":[…],"nextCursor":…}.
  Json List(const Caller& caller, const AuditFilter& filter);

 private:
  storage::Database& database_;
  std::string time_zone_;
};

}  // namespace tuoke::platform
