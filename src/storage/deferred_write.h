// Writes whose answer the caller does not need, sent with the next statement (ADR 0012).
#pragma once

#include "storage/database.h"

namespace tuoke::storage {

// A connection that can hold such writes back. PostgreSQL does inside a transaction: it
// sends them in one round trip with the next statement or the COMMIT (libpq pipeline
// mode), and a lazily sent BEGIN with them.
class DeferringConnection {
 public:
  virtual ~DeferringConnection() = default;
  virtual void ExecuteLater(const Sql& sql, const Params& params) = 0;
};

// Runs a write whose answer (rows, changed count) the caller does not need — a follow-up
// time, an audit row — possibly later, but always before the transaction commits and in
// statement order. An error it raises is thrown by the statement or COMMIT it travels with,
// and the transaction is rolled back as for any failing statement. Outside a transaction,
// and on SQLite, it runs at once.
inline void ExecuteLater(Connection& connection, const Sql& sql, const Params& params) {
  if (auto* deferring = dynamic_cast<DeferringConnection*>(&connection)) deferring->ExecuteLater(sql, params);
  else connection.Execute(sql, params);
}

}  // namespace tuoke::storage
