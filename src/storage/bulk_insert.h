// Multi-row INSERT for bulk paths (customer imports): rows are buffered and written as
// many at a time as the parameter limit allows, with one statement instead of one per
// row. That matters on PostgreSQL, where every statement is a round trip, and on SQLite,
// where every statement that writes an FTS5 table through a trigger flushes the table's
// pending terms into a new segment (docs/benchmarks.md). The remainder of a batch goes in
// statements of 2^k rows (at most one of each size), so a connection prepares a bounded
// set of statement shapes per table, not one per batch size.
#pragma once

#include <string>
#include <vector>

#include "storage/database.h"

namespace tuoke::storage {

class BulkInsert {
 public:
  // SQLite's limit of bound parameters (SQLITE_MAX_VARIABLE_NUMBER, 32,766 since 3.32;
  // PostgreSQL allows 65,535), and a bound on rows so a statement's text stays small.
  static constexpr size_t kMaxParameters = 32766;
  static constexpr size_t kMaxRowsPerStatement = 1024;
  // Rows per full statement for a table of `columns` values per row: 585 for the
  // customers (56 values), 1,024 for narrow tables.
  static constexpr size_t RowsPerStatement(size_t columns) {
    size_t rows = columns ? kMaxParameters / columns : 1;
    return rows < 1 ? 1 : rows > kMaxRowsPerStatement ? kMaxRowsPerStatement : rows;
  }

  // `head` is "INSERT INTO table (col, …)"; every row then has exactly `columns` values.
  BulkInsert(Connection& connection, std::string name, const std::string& head, size_t columns);
  BulkInsert(const BulkInsert&) = delete;
  BulkInsert& operator=(const BulkInsert&) = delete;
  // Rows still buffered are NOT written by the destructor: call Flush (a destructor
  // must not throw, and an exception on the way out means the transaction rolls back).
  ~BulkInsert() = default;

  void Add(Params row);
  // Writes every buffered row, in the order added.
  void Flush();
  int64_t rows_written() const { return written_; }
  int64_t statements() const { return statements_; }
  size_t rows_per_statement() const { return rows_per_statement_; }

 private:
  // The statement text for `rows` rows (rows_per_statement_ or a power of two).
  const std::string& SqlFor(size_t rows);
  void Write(size_t first_row, size_t rows);

  Connection& connection_;
  std::string name_, head_, tuple_;
  size_t columns_, rows_per_statement_;
  std::vector<std::pair<size_t, std::string>> texts_;  // rows → statement text (stable)
  Params pending_;
  int64_t written_ = 0, statements_ = 0;
};

}  // namespace tuoke::storage
