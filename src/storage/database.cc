#include "storage/database.h"

#include <charconv>
#include <spdlog/spdlog.h>
#include <stdexcept>

#include "core/error.h"

namespace tuoke::storage {

const std::string& Row::Text(size_t column) const {
  const auto& cell = cells_.at(column);
  if (!cell) throw std::logic_error("column " + std::to_string(column) + " is NULL");
  return *cell;
}

int64_t Row::Int(size_t column) const {
  const std::string& text = Text(column);
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    // PostgreSQL renders booleans as t/f; SQLite never produces these.
    if (text == "t") return 1;
    if (text == "f") return 0;
    throw std::logic_error("column " + std::to_string(column) + " is not an integer: " + text);
  }
  return value;
}

std::optional<int64_t> Row::OptionalInt(size_t column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

std::optional<Row> Connection::QueryOne(const Sql& sql, const Params& params) {
  ResultSet result = Query(sql, params);
  if (result.rows.empty()) return std::nullopt;
  return std::move(result.rows.front());
}

std::vector<ResultSet> Connection::QueryMany(const std::vector<BoundQuery>& queries) {
  std::vector<ResultSet> results;
  results.reserve(queries.size());
  for (const auto& query : queries) results.push_back(Query(*query.sql, query.params));
  return results;
}

PooledConnection::~PooledConnection() {
  if (connection_ && owner_) owner_->Release(std::move(connection_));
}

std::unique_ptr<Database> Database::Open(const DatabaseOptions& options) {
  const std::string& url = options.url;
  if (url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0)
    return OpenPostgres(options, url);
  if (url.rfind("sqlite:", 0) == 0) return OpenSqlite(options, url.substr(7));
  if (url.find("://") != std::string::npos)
    throw Error(ErrorKind::kUnavailable, "storage.unsupported_url",
                "unsupported database URL (use sqlite:PATH or postgres://…)");
  return OpenSqlite(options, url);
}

void Database::InTransaction(const std::function<void(Connection&)>& work) {
  for (int attempt = 0;; ++attempt) {
    PooledConnection connection = Acquire();
    connection->Begin();
    try {
      work(*connection);
      connection->Commit();
      return;
    } catch (const DatabaseError& error) {
      connection->Rollback();
      if (error.kind() == DatabaseError::Kind::kBusy && attempt == 0) continue;
      throw;
    } catch (...) {
      connection->Rollback();
      throw;
    }
  }
}

void ReportSlowQuery(const Sql& sql, double milliseconds, int threshold_ms) {
  if (milliseconds >= threshold_ms)
    spdlog::warn("slow query {} took {:.1f} ms", sql.name, milliseconds);
}

}  // namespace tuoke::storage
