// Multi-row INSERT for bulk paths (customer imports): rows are buffered and written
// kRowsPerStatement at a time with one statement instead of one statement per row, which
// matters most on PostgreSQL where every statement is a round trip (docs/benchmarks.md).
// The remainder of a batch goes one row per statement, so a connection prepares two
// statement shapes per table, not one per batch size.
#pragma once

#include <string>

#include "storage/database.h"

namespace tuoke::storage {

class BulkInsert {
 public:
  // 100 rows of the widest table written this way (customers, 54 values) stay far below
  // SQLite's 32,766 and PostgreSQL's 65,535 parameters per statement.
  static constexpr size_t kRowsPerStatement = 100;

  // `head` is "INSERT INTO table (col, …)"; every row then has exactly `columns` values.
  BulkInsert(Connection& connection, std::string name, const std::string& head, size_t columns);
  BulkInsert(const BulkInsert&) = delete;
  BulkInsert& operator=(const BulkInsert&) = delete;
  // Rows still buffered are NOT written by the destructor: call Flush (a destructor
  // must not throw, and an exception on the way out means the transaction rolls back).
  ~BulkInsert() = default;

  void Add(Params row);
  void Flush();
  int64_t rows_written() const { return written_; }

 private:
  Connection& connection_;
  std::string name_, single_, multi_;
  size_t columns_;
  Params pending_;
  int64_t written_ = 0;
};

}  // namespace tuoke::storage
