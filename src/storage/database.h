// One storage interface, two backends (SQLite, PostgreSQL).
//
// SQL is written once with `?` placeholders; a statement may carry a PostgreSQL
// override where the dialects differ. Every statement has a stable name used in
// logs and the slow-query report. Results come back as text cells (NULL is an
// empty optional), which both engines produce cheaply and which keeps the store
// code identical on both backends.
//
// Thread safety: Database is thread-safe; a Connection is used by one thread at a
// time (take it with Database::Acquire and let the handle go out of scope).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tuoke::storage {

enum class Dialect : uint8_t { kSqlite, kPostgres };

// A named SQL statement. `postgres` replaces `text` on PostgreSQL when set.
// `plan_each_time`: on PostgreSQL the statement is planned with its parameters' values at
// every run (an unnamed statement) instead of prepared once per connection, whose plan
// PostgreSQL may make generic after five runs. For statements whose best plan depends on
// the values, such as a search term matching 3 or 50,000 rows (R-CUST-50).
struct Sql {
  const char* name;
  const char* text;
  const char* postgres = nullptr;
  bool plan_each_time = false;

  const char* For(Dialect dialect) const {
    return dialect == Dialect::kPostgres && postgres ? postgres : text;
  }
};

using Value = std::variant<std::nullptr_t, int64_t, double, std::string>;
using Params = std::vector<Value>;

// Convenience for optional parameters.
template <typename T>
Value Nullable(const std::optional<T>& value) {
  if (!value) return nullptr;
  return Value(*value);
}

class Row {
 public:
  explicit Row(std::vector<std::optional<std::string>> cells) : cells_(std::move(cells)) {}
  size_t size() const { return cells_.size(); }
  bool IsNull(size_t column) const { return !cells_.at(column).has_value(); }
  // Throws std::logic_error on NULL: use the Optional* readers for nullable columns.
  const std::string& Text(size_t column) const;
  int64_t Int(size_t column) const;
  bool Bool(size_t column) const { return Int(column) != 0; }
  std::optional<std::string> OptionalText(size_t column) const { return cells_.at(column); }
  std::optional<int64_t> OptionalInt(size_t column) const;

 private:
  std::vector<std::optional<std::string>> cells_;
};

struct ResultSet {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  bool empty() const { return rows.empty(); }
};

// A statement with its parameters, for Connection::QueryMany.
struct BoundQuery {
  const Sql* sql;
  Params params;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  virtual ResultSet Query(const Sql& sql, const Params& params = {}) = 0;
  // Returns the number of rows changed.
  virtual int64_t Execute(const Sql& sql, const Params& params = {}) = 0;
  // Runs a script of several statements without parameters (migrations).
  virtual void ExecuteScript(std::string_view script) = 0;
  // A write transaction: on SQLite BEGIN IMMEDIATE, so writers queue instead of
  // failing on lock upgrade.
  virtual void Begin() = 0;
  virtual void Commit() = 0;
  virtual void Rollback() = 0;
  virtual bool Healthy() = 0;

  std::optional<Row> QueryOne(const Sql& sql, const Params& params = {});

  // Runs the statements in order and returns their results in that order. PostgreSQL
  // sends them in one round trip (libpq pipeline; inside a transaction together with what
  // waits, ADR 0012; outside one they share an implicit transaction, so reads see one
  // snapshot); SQLite runs them one by one. The first failing statement's error is
  // thrown and the ones after it are not run. For statements whose answers do not depend
  // on each other: a check-in's reads of its context, scope and application (ADR 0017).
  virtual std::vector<ResultSet> QueryMany(const std::vector<BoundQuery>& queries);
};

class Database;

// A connection borrowed from the pool; returned when destroyed.
class PooledConnection {
 public:
  PooledConnection(Database* owner, std::unique_ptr<Connection> connection)
      : owner_(owner), connection_(std::move(connection)) {}
  PooledConnection(PooledConnection&&) = default;
  PooledConnection& operator=(PooledConnection&&) = delete;
  ~PooledConnection();
  Connection* operator->() const { return connection_.get(); }
  Connection& operator*() const { return *connection_; }

 private:
  Database* owner_;
  std::unique_ptr<Connection> connection_;
};

struct DatabaseOptions {
  // "sqlite:PATH", a plain file path, or "postgres://…" / "postgresql://…".
  std::string url;
  int pool_size = 8;
  // Statements slower than this are logged with their name.
  int slow_query_ms = 200;
};

class Database {
 public:
  virtual ~Database() = default;
  // Opens (and for SQLite creates) the database. Throws tuoke::Error (kUnavailable)
  // when it cannot be reached.
  static std::unique_ptr<Database> Open(const DatabaseOptions& options);

  virtual Dialect dialect() const = 0;
  // Blocks until a connection is free.
  virtual PooledConnection Acquire() = 0;
  // Human-readable location without secrets (for logs and `doctor`).
  virtual std::string Describe() const = 0;

  // Runs `work` in a transaction: committed when it returns, rolled back when it throws
  // (the exception propagates). Retries once on a serialization failure. SQLite runs
  // `work` on its writer thread (ADR 0015): it must not depend on the calling thread.
  virtual void InTransaction(const std::function<void(Connection&)>& work);

 protected:
  friend class PooledConnection;
  virtual void Release(std::unique_ptr<Connection> connection) = 0;
};

// Thrown by backends for database errors; `constraint` is set for unique/foreign-key
// violations so services can turn them into conflicts.
class DatabaseError : public std::runtime_error {
 public:
  enum class Kind : uint8_t { kOther, kUniqueViolation, kForeignKeyViolation, kBusy, kConnection };
  DatabaseError(Kind kind, std::string message)
      : std::runtime_error(std::move(message)), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

std::unique_ptr<Database> OpenSqlite(const DatabaseOptions& options, const std::string& path);
std::unique_ptr<Database> OpenPostgres(const DatabaseOptions& options, const std::string& url);

// Logs statements slower than the threshold; shared by both backends.
void ReportSlowQuery(const Sql& sql, double milliseconds, int threshold_ms);

}  // namespace tuoke::storage
