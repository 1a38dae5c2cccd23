// SQLite backend: WAL journal, foreign keys on, an in-process writer queue so the
// server's writers take turns in arrival order (writer_queue.h, ADR 0008), a busy
// timeout for writers of other processes, and a per-connection cache of prepared
// statements.
#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <filesystem>
#include <unordered_map>

#include "core/error.h"
#include "storage/connection_pool.h"
#include "storage/database.h"
#include "storage/sqlite/writer_queue.h"

namespace tuoke::storage {
namespace {

constexpr size_t kStatementCacheLimit = 256;
// How long SQLite's busy handler retries, and how long a writer waits for its turn in the
// queue before it goes on without it (then the busy handler decides, as without a queue).
constexpr int kBusyTimeoutMs = 10000;

DatabaseError MakeError(sqlite3* db, int code, const std::string& context) {
  std::string message = context + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(code));
  int extended = db ? sqlite3_extended_errcode(db) : code;
  DatabaseError::Kind kind = DatabaseError::Kind::kOther;
  if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY)
    kind = DatabaseError::Kind::kUniqueViolation;
  else if (extended == SQLITE_CONSTRAINT_FOREIGNKEY)
    kind = DatabaseError::Kind::kForeignKeyViolation;
  else if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
    kind = DatabaseError::Kind::kBusy;
  return DatabaseError(kind, message);
}

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(const std::string& path, int slow_query_ms, WriterQueue* writers)
      : slow_query_ms_(slow_query_ms), writers_(writers) {
    int rc = sqlite3_open_v2(path.c_str(), &db_,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) {
      std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      throw Error(ErrorKind::kUnavailable, "storage.unavailable",
                  "cannot open SQLite database " + path + ": " + message);
    }
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    ExecuteScript(
        "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"
        "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16000;");
  }

  ~SqliteConnection() override {
    LeaveTurn();
    for (auto& [text, statement] : statements_) sqlite3_finalize(statement);
    sqlite3_close(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  ResultSet Query(const Sql& sql, const Params& params) override {
    auto started = std::chrono::steady_clock::now();
    sqlite3_stmt* statement = Prepare(sql, params);
    StatementTurn turn(*this, statement);  // INSERT … RETURNING comes through here too
    ResultSet result;
    int columns = sqlite3_column_count(statement);
    result.columns.reserve(columns);
    for (int i = 0; i < columns; ++i) result.columns.emplace_back(sqlite3_column_name(statement, i));
    for (;;) {
      int rc = sqlite3_step(statement);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        sqlite3_reset(statement);
        throw MakeError(db_, rc, std::string("query ") + sql.name);
      }
      std::vector<std::optional<std::string>> cells(columns);
      for (int i = 0; i < columns; ++i) {
        int type = sqlite3_column_type(statement, i);
        if (type == SQLITE_NULL) continue;
        if (type == SQLITE_INTEGER) {
          // Formatting integers here spares SQLite a text conversion and an allocation.
          char digits[24];
          auto [end, error] = std::to_chars(digits, digits + sizeof digits, sqlite3_column_int64(statement, i));
          (void)error;
          cells[i].emplace(digits, end);
          continue;
        }
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, i));
        cells[i].emplace(text, sqlite3_column_bytes(statement, i));
      }
      result.rows.emplace_back(std::move(cells));
    }
    sqlite3_reset(statement);
    Report(sql, started);
    return result;
  }

  int64_t Execute(const Sql& sql, const Params& params) override {
    auto started = std::chrono::steady_clock::now();
    sqlite3_stmt* statement = Prepare(sql, params);
    StatementTurn turn(*this, statement);
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    }
    sqlite3_reset(statement);
    if (rc != SQLITE_DONE) throw MakeError(db_, rc, std::string("statement ") + sql.name);
    Report(sql, started);
    return sqlite3_changes(db_);
  }

  void ExecuteScript(std::string_view script) override {
    std::string text(script);
    char* message = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      std::string detail = message ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      throw DatabaseError(rc == SQLITE_BUSY ? DatabaseError::Kind::kBusy : DatabaseError::Kind::kOther,
                          "script failed: " + detail);
    }
  }

  // A write transaction holds the turn from before BEGIN IMMEDIATE until COMMIT or
  // ROLLBACK, so BEGIN IMMEDIATE finds the write lock free instead of sleeping for it.
  void Begin() override {
    TakeTurn();
    try {
      ExecuteScript("BEGIN IMMEDIATE");
    } catch (...) {
      LeaveTurn();
      throw;
    }
  }
  // A failed COMMIT keeps the turn: the transaction is still open and the caller rolls it
  // back (Database::InTransaction does).
  void Commit() override {
    ExecuteScript("COMMIT");
    LeaveTurn();
  }
  void Rollback() override {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    LeaveTurn();
  }
  bool Healthy() override { return sqlite3_get_autocommit(db_) != 0; }

 private:
  sqlite3_stmt* Prepare(const Sql& sql, const Params& params) {
    const char* text = sql.For(Dialect::kSqlite);
    sqlite3_stmt* statement = nullptr;
    auto found = statements_.find(text);
    if (found != statements_.end()) {
      statement = found->second;
    } else {
      int rc = sqlite3_prepare_v3(db_, text, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
      if (rc != SQLITE_OK) throw MakeError(db_, rc, std::string("prepare ") + sql.name);
      if (statements_.size() >= kStatementCacheLimit) {
        for (auto& [cached_text, cached] : statements_) sqlite3_finalize(cached);
        statements_.clear();
      }
      statements_.emplace(text, statement);
    }
    sqlite3_clear_bindings(statement);
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(statement))
      throw DatabaseError(DatabaseError::Kind::kOther,
                          std::string("wrong number of parameters for ") + sql.name);
    for (size_t i = 0; i < params.size(); ++i) {
      int index = static_cast<int>(i) + 1;
      const Value& value = params[i];
      if (std::holds_alternative<std::nullptr_t>(value)) sqlite3_bind_null(statement, index);
      else if (auto* number = std::get_if<int64_t>(&value)) sqlite3_bind_int64(statement, index, *number);
      else if (auto* real = std::get_if<double>(&value)) sqlite3_bind_double(statement, index, *real);
      else {
        const auto& text_value = std::get<std::string>(value);
        sqlite3_bind_text(statement, index, text_value.data(), static_cast<int>(text_value.size()),
                          SQLITE_TRANSIENT);
      }
    }
    return statement;
  }

  void TakeTurn() {
    if (holds_turn_ || !writers_) return;
    holds_turn_ = writers_->Enter(std::chrono::milliseconds(kBusyTimeoutMs)) == WriterQueue::Turn::kTaken;
  }
  void LeaveTurn() {
    if (!holds_turn_) return;
    holds_turn_ = false;
    writers_->Leave();
  }

  // A writing statement outside a transaction (autocommit, e.g. a session's last-seen
  // time) queues for its own duration like a transaction; reads never queue (WAL readers
  // do not block the writer).
  class StatementTurn {
   public:
    StatementTurn(SqliteConnection& connection, sqlite3_stmt* statement) : connection_(connection) {
      if (!connection.holds_turn_ && sqlite3_get_autocommit(connection.db_) && !sqlite3_stmt_readonly(statement)) {
        connection.TakeTurn();
        taken_ = connection.holds_turn_;
      }
    }
    ~StatementTurn() {
      if (taken_) connection_.LeaveTurn();
    }
    StatementTurn(const StatementTurn&) = delete;
    StatementTurn& operator=(const StatementTurn&) = delete;

   private:
    SqliteConnection& connection_;
    bool taken_ = false;
  };

  void Report(const Sql& sql, std::chrono::steady_clock::time_point started) {
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    ReportSlowQuery(sql, ms, slow_query_ms_);
  }

  sqlite3* db_ = nullptr;
  int slow_query_ms_;
  WriterQueue* writers_;     // the database's, shared by its connections; outlives them
  bool holds_turn_ = false;  // this connection holds the writers' turn
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(const DatabaseOptions& options, std::string path)
      : path_(std::move(path)),
        pool_(options.pool_size, [this, slow = options.slow_query_ms] {
          return std::make_unique<SqliteConnection>(path_, slow, &writers_);
        }) {
    // Open one connection now so a bad path fails at start-up, not at first request.
    Release(pool_.Take());
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  PooledConnection Acquire() override { return PooledConnection(this, pool_.Take()); }
  std::string Describe() const override { return "sqlite:" + path_; }

 protected:
  void Release(std::unique_ptr<Connection> connection) override { pool_.Give(std::move(connection)); }

 private:
  std::string path_;
  WriterQueue writers_;  // declared before the pool: destroyed after its connections
  ConnectionPool pool_;
};

}  // namespace

std::unique_ptr<Database> OpenSqlite(const DatabaseOptions& options, const std::string& path) {
  std::filesystem::path file(path);
  if (file.has_parent_path()) {
    std::error_code error;
    std::filesystem::create_directories(file.parent_path(), error);
  }
  return std::make_unique<SqliteDatabase>(options, path);
}

}  // namespace tuoke::storage
