// PostgreSQL backend over libpq: statements are rewritten from `?` to `$n` once,
// prepared per connection, and executed with text parameters.
#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <unordered_map>

#include "core/error.h"
#include "storage/connection_pool.h"
#include "storage/database.h"

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

class PostgresConnection final : public Connection {
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
    ResultSet out;
    int columns = PQnfields(result.get());
    int rows = PQntuples(result.get());
    out.columns.reserve(columns);
    for (int i = 0; i < columns; ++i) out.columns.emplace_back(PQfname(result.get(), i));
    out.rows.reserve(rows);
    for (int r = 0; r < rows; ++r) {
      std::vector<std::optional<std::string>> cells(columns);
      for (int i = 0; i < columns; ++i) {
        if (PQgetisnull(result.get(), r, i)) continue;
        cells[i].emplace(PQgetvalue(result.get(), r, i), PQgetlength(result.get(), r, i));
      }
      out.rows.emplace_back(std::move(cells));
    }
    Report(sql, started);
    return out;
  }

  int64_t Execute(const Sql& sql, const Params& params) override {
    auto started = std::chrono::steady_clock::now();
    ResultPtr result = Run(sql, params);
    const char* affected = PQcmdTuples(result.get());
    Report(sql, started);
    return affected && *affected ? std::stoll(affected) : 0;
  }

  void ExecuteScript(std::string_view script) override {
    std::string text(script);
    ResultPtr result(PQexec(connection_, text.c_str()));
    auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
      throw MakeError(connection_, result.get(), "script failed");
  }

  void Begin() override { ExecuteScript("BEGIN"); }
  void Commit() override { ExecuteScript("COMMIT"); }
  void Rollback() override {
    if (PQtransactionStatus(connection_) != PQTRANS_IDLE) {
      ResultPtr result(PQexec(connection_, "ROLLBACK"));
    }
  }
  bool Healthy() override {
    return PQstatus(connection_) == CONNECTION_OK && PQtransactionStatus(connection_) == PQTRANS_IDLE;
  }

 private:
  ResultPtr Run(const Sql& sql, const Params& params) {
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
    std::vector<std::string> storage(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& value = params[i];
      if (std::holds_alternative<std::nullptr_t>(value)) continue;
      if (auto* number = std::get_if<int64_t>(&value)) storage[i] = std::to_string(*number);
      else if (auto* real = std::get_if<double>(&value)) storage[i] = DoubleText(*real);
      else storage[i] = std::get<std::string>(value);
      values[i] = storage[i].c_str();
    }
    ResultPtr result(PQexecPrepared(connection_, found->second.c_str(), static_cast<int>(params.size()),
                                    values.data(), nullptr, nullptr, 0));
    auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
      throw MakeError(connection_, result.get(), std::string("statement ") + sql.name);
    return result;
  }

  void Report(const Sql& sql, std::chrono::steady_clock::time_point started) {
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    ReportSlowQuery(sql, ms, slow_query_ms_);
  }

  PGconn* connection_ = nullptr;
  int slow_query_ms_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text → statement name
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
