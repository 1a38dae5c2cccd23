// PostgreSQL backend over libpq: statements are rewritten from `?` to `$n` once,
// prepared per connection, and executed with text parameters. Inside a transaction the
// BEGIN and the writes whose answer nobody needs (storage/deferred_write.h) wait and go
// with the next statement or the COMMIT in one round trip (libpq pipeline mode, ADR 0012).
#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "storage/connection_pool.h"
#include "storage/database.h"
#include "storage/deferred_write.h"

namespace tuoke::storage {
namespace {

// Rewrites `?` placeholders to `$1…$n`, leaving quoted literals and identifiers alone.
std::string RewritePlaceholders(const char* text) {
  std::string out;
  int index = 0;
  char quote = 0;
  for (const char* p = text; *p; ++p) {
    char c = *p;
    if (quote) {
      if (c == quote) quote = 0;
      out.push_back(c);
    } else if (c == '\'' || c == '"') {
      quote = c;
      out.push_back(c);
    } else if (c == '?') {
      out += "$" + std::to_string(++index);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

DatabaseError MakeError(PGconn* connection, const PGresult* result, const std::string& context) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = context + ": " + (result ? PQresultErrorMessage(result) : PQerrorMessage(connection));
  DatabaseError::Kind kind = DatabaseError::Kind::kOther;
  std::string code = state ? state : "";
  if (code == "23505") kind = DatabaseError::Kind::kUniqueViolation;
  else if (code == "23503") kind = DatabaseError::Kind::kForeignKeyViolation;
  else if (code == "40001" || code == "40P01") kind = DatabaseError::Kind::kBusy;
  else if (PQstatus(connection) != CONNECTION_OK) kind = DatabaseError::Kind::kConnection;
  return DatabaseError(kind, message);
}

// A double as text that reads back as the same double (17 significant digits):
// std::to_string printed six decimals ("%f"), which stored 30.275000000000002 as 30.275 and
// any value below 0.000001 as zero.
std::string DoubleText(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

class PostgresConnection final : public Connection, public DeferringConnection {
 public:
  PostgresConnection(const std::string& url, int slow_query_ms) : slow_query_ms_(slow_query_ms) {
    connection_ = PQconnectdb(url.c_str());
    if (PQstatus(connection_) != CONNECTION_OK) {
      std::string message = PQerrorMessage(connection_);
      PQfinish(connection_);
      throw Error(ErrorKind::kUnavailable, "storage.unavailable",
                  "cannot connect to PostgreSQL: " + message);
    }
    PQsetNoticeProcessor(connection_, [](void*, const char*) {}, nullptr);
    ExecuteScript("SET TIME ZONE 'UTC'; SET client_min_messages = warning;");
  }

  ~PostgresConnection() override { PQfinish(connection_); }

  Dialect dialect() const override { return Dialect::kPostgres; }

  ResultSet Query(const Sql& sql, const Params& params) override {
    auto started = std::chrono::steady_clock::now();
    ResultPtr result = Run(sql, params);
    ResultSet out = ToResultSet(result.get());
    Report(sql, started);
    return out;
  }

  std::vector<ResultSet> QueryMany(const std::vector<BoundQuery>& queries) override {
    if (queries.empty()) return {};
    if (queries.size() == 1) return {Query(*queries[0].sql, queries[0].params)};
    auto started = std::chrono::steady_clock::now();
    std::vector<Statement> statements;
    statements.reserve(queries.size());
    for (const auto& query : queries) statements.push_back(Bind(*query.sql, query.params));
    std::vector<ResultPtr> results = RunPipelined(std::move(statements));
    std::vector<ResultSet> out;
    out.reserve(results.size());
    for (const auto& result : results) out.push_back(ToResultSet(result.get()));
    for (const auto& query : queries) Report(*query.sql, started);
    return out;
  }

  int64_t Execute(const Sql& sql, const Params& params) override {
    auto started = std::chrono::steady_clock::now();
    ResultPtr result = Run(sql, params);
    const char* affected = PQcmdTuples(result.get());
    Report(sql, started);
    return affected && *affected ? std::stoll(affected) : 0;
  }

  void ExecuteLater(const Sql& sql, const Params& params) override {
    if (!in_transaction_) {
      Execute(sql, params);
      return;
    }
    Statement statement = Bind(sql, params);
    later_.push_back(std::move(statement));
  }

  void ExecuteScript(std::string_view script) override {
    SendHeldBack();
    std::string text(script);
    ResultPtr result(PQexec(connection_, text.c_str()));
    auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
      throw MakeError(connection_, result.get(), "script failed");
  }

  // BEGIN is sent with the transaction's first statement (a transaction that runs none
  // costs no round trip at all).
  void Begin() override {
    if (in_transaction_) throw std::logic_error("PostgreSQL: BEGIN inside a transaction");
    in_transaction_ = true;
    begin_pending_ = true;
  }
  void Commit() override {
    if (begin_pending_ && later_.empty()) {
      begin_pending_ = false;
      in_transaction_ = false;
      return;
    }
    Statement commit{"COMMIT", "", "COMMIT", {}, {}};
    in_transaction_ = false;
    ResultPtr result = RunWithHeldBack(commit);
  }
  void Rollback() override {
    in_transaction_ = false;
    begin_pending_ = false;
    later_.clear();
    if (PQpipelineStatus(connection_) != PQ_PIPELINE_OFF) return;  // broken mid-pipeline: Healthy() says no
    if (PQtransactionStatus(connection_) != PQTRANS_IDLE) {
      ResultPtr result(PQexec(connection_, "ROLLBACK"));
    }
  }
  bool Healthy() override {
    return PQstatus(connection_) == CONNECTION_OK && PQtransactionStatus(connection_) == PQTRANS_IDLE &&
           PQpipelineStatus(connection_) == PQ_PIPELINE_OFF && !in_transaction_;
  }

 private:
  // A statement with its parameters as text, ready to send. `prepared` is the name of the
  // prepared statement, empty for plain text (BEGIN, COMMIT).
  struct Statement {
    std::string name;      // for errors
    std::string prepared;  // prepared statement name, or empty
    std::string text;      // sent as is when not prepared
    std::vector<std::string> storage;
    std::vector<bool> null;
  };

  Statement Bind(const Sql& sql, const Params& params) {
    Statement out{sql.name, sql.plan_each_time ? std::string() : Prepare(sql),
                  sql.plan_each_time ? RewritePlaceholders(sql.For(Dialect::kPostgres)) : std::string(),
                  std::vector<std::string>(params.size()), std::vector<bool>(params.size(), false)};
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& value = params[i];
      if (std::holds_alternative<std::nullptr_t>(value)) out.null[i] = true;
      else if (auto* number = std::get_if<int64_t>(&value)) out.storage[i] = std::to_string(*number);
      else if (auto* real = std::get_if<double>(&value)) out.storage[i] = DoubleText(*real);
      else out.storage[i] = std::get<std::string>(value);
    }
    return out;
  }

  // The name of the statement prepared on this connection (prepared on first use).
  const std::string& Prepare(const Sql& sql) {
    const char* text = sql.For(Dialect::kPostgres);
    auto found = prepared_.find(text);
    if (found == prepared_.end()) {
      std::string name = "s" + std::to_string(prepared_.size() + 1);
      std::string rewritten = RewritePlaceholders(text);
      ResultPtr prepared(PQprepare(connection_, name.c_str(), rewritten.c_str(), 0, nullptr));
      if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK)
        throw MakeError(connection_, prepared.get(), std::string("prepare ") + sql.name);
      found = prepared_.emplace(text, name).first;
    }
    return found->second;
  }

  static std::vector<const char*> Values(const Statement& statement) {
    std::vector<const char*> values(statement.storage.size(), nullptr);
    for (size_t i = 0; i < values.size(); ++i)
      if (!statement.null[i]) values[i] = statement.storage[i].c_str();
    return values;
  }

  ResultPtr Run(const Sql& sql, const Params& params) {
    Statement statement = Bind(sql, params);
    if (begin_pending_ || !later_.empty()) return RunWithHeldBack(statement);
    auto values = Values(statement);
    ResultPtr result(statement.prepared.empty()
                         ? PQexecParams(connection_, statement.text.c_str(), static_cast<int>(values.size()),
                                        nullptr, values.data(), nullptr, nullptr, 0)
                         : PQexecPrepared(connection_, statement.prepared.c_str(), static_cast<int>(values.size()),
                                          values.data(), nullptr, nullptr, 0));
    auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
      throw MakeError(connection_, result.get(), "statement " + statement.name);
    return result;
  }

  // Sends what waits (BEGIN, held-back writes) without a statement of its own.
  void SendHeldBack() {
    if (!begin_pending_ && later_.empty()) return;
    Statement nothing{"(held back)", "", "", {}, {}};
    RunWithHeldBack(nothing);
  }

  // One round trip: BEGIN if pending, the held-back writes, then `last` (skipped when its
  // text and name are both empty), in a pipeline with one sync. Returns the result of
  // `last`; throws the first failure (the statements after it are not run, and the
  // transaction is in error until the caller rolls it back).
  ResultPtr RunWithHeldBack(const Statement& last) {
    bool has_last = !last.prepared.empty() || !last.text.empty();
    std::vector<Statement> lasts;
    if (has_last) lasts.push_back(last);
    auto results = RunPipelined(std::move(lasts), has_last ? last.name : "(held back)");
    return has_last ? std::move(results.front()) : ResultPtr();
  }

  // One round trip: BEGIN if pending, the held-back writes, then `statements`, in a
  // pipeline with one sync. Returns the results of `statements`, in order; throws the
  // first failure as RunWithHeldBack does.
  std::vector<ResultPtr> RunPipelined(std::vector<Statement> statements, const std::string& what = "statements") {
    std::vector<Statement> batch;
    if (begin_pending_) batch.push_back(Statement{"BEGIN", "", "BEGIN", {}, {}});
    for (auto& statement : later_) batch.push_back(std::move(statement));
    later_.clear();
    begin_pending_ = false;
    size_t first_answer = batch.size();
    for (auto& statement : statements) batch.push_back(std::move(statement));
    if (PQenterPipelineMode(connection_) != 1)
      throw MakeError(connection_, nullptr, "enter pipeline mode for " + what);
    for (const auto& statement : batch) {
      auto values = Values(statement);
      int sent = statement.prepared.empty()
                     ? PQsendQueryParams(connection_, statement.text.c_str(), static_cast<int>(values.size()), nullptr,
                                         values.data(), nullptr, nullptr, 0)
                     : PQsendQueryPrepared(connection_, statement.prepared.c_str(), static_cast<int>(values.size()),
                                           values.data(), nullptr, nullptr, 0);
      if (sent != 1) throw MakeError(connection_, nullptr, "send " + statement.name);
    }
    if (PQpipelineSync(connection_) != 1) throw MakeError(connection_, nullptr, "pipeline sync for " + what);
    std::optional<DatabaseError> failure;
    std::vector<ResultPtr> answers;
    answers.reserve(batch.size() - first_answer);
    for (size_t i = 0; i < batch.size(); ++i) {
      ResultPtr result(PQgetResult(connection_));
      if (!result) throw MakeError(connection_, nullptr, "pipeline result of " + batch[i].name);
      auto status = PQresultStatus(result.get());
      if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_PIPELINE_ABORTED &&
          !failure)
        failure = MakeError(connection_, result.get(), "statement " + batch[i].name);
      while (PGresult* more = PQgetResult(connection_)) PQclear(more);  // the NULL that ends each command
      if (i >= first_answer) answers.push_back(std::move(result));
    }
    ResultPtr sync(PQgetResult(connection_));
    if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC)
      throw MakeError(connection_, sync.get(), "pipeline sync result for " + what);
    if (PQexitPipelineMode(connection_) != 1)
      throw MakeError(connection_, nullptr, "exit pipeline mode for " + what);
    if (failure) throw *failure;
    return answers;
  }

  static ResultSet ToResultSet(const PGresult* result) {
    ResultSet out;
    int columns = PQnfields(result);
    int rows = PQntuples(result);
    out.columns.reserve(columns);
    for (int i = 0; i < columns; ++i) out.columns.emplace_back(PQfname(result, i));
    out.rows.reserve(rows);
    for (int r = 0; r < rows; ++r) {
      std::vector<std::optional<std::string>> cells(columns);
      for (int i = 0; i < columns; ++i) {
        // NULL and the empty text both have length 0: only then is it worth asking which
        // (three libpq calls per cell were 6% of the team day summary's server time).
        int length = PQgetlength(result, r, i);
        if (length == 0 && PQgetisnull(result, r, i)) continue;
        cells[i].emplace(PQgetvalue(result, r, i), static_cast<size_t>(length));
      }
      out.rows.emplace_back(std::move(cells));
    }
    return out;
  }

  void Report(const Sql& sql, std::chrono::steady_clock::time_point started) {
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    ReportSlowQuery(sql, ms, slow_query_ms_);
  }

  PGconn* connection_ = nullptr;
  int slow_query_ms_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text → statement name
  bool in_transaction_ = false;
  bool begin_pending_ = false;   // BEGIN not sent yet (goes with the first statement)
  std::vector<Statement> later_;  // held-back writes (ExecuteLater), in order
};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(const DatabaseOptions& options, std::string url)
      : url_(std::move(url)),
        pool_(options.pool_size, [this, slow = options.slow_query_ms] {
          return std::make_unique<PostgresConnection>(url_, slow);
        }) {
    Release(pool_.Take());
  }

  Dialect dialect() const override { return Dialect::kPostgres; }
  PooledConnection Acquire() override { return PooledConnection(this, pool_.Take()); }

  std::string Describe() const override {
    // Hide the password: postgres://user:secret@host/db → postgres://user:***@host/db
    std::string shown = url_;
    auto scheme = shown.find("://");
    auto at = shown.find('@');
    if (scheme != std::string::npos && at != std::string::npos) {
      auto colon = shown.find(':', scheme + 3);
      if (colon != std::string::npos && colon < at) shown.replace(colon + 1, at - colon - 1, "***");
    }
    return shown;
  }

 protected:
  void Release(std::unique_ptr<Connection> connection) override { pool_.Give(std::move(connection)); }

 private:
  std::string url_;
  ConnectionPool pool_;
};

}  // namespace

std::unique_ptr<Database> OpenPostgres(const DatabaseOptions& options, const std::string& url) {
  return std::make_unique<PostgresDatabase>(options, url);
}

}  // namespace tuoke::storage
