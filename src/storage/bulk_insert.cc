#include "storage/bulk_insert.h"

#include <stdexcept>

namespace tuoke::storage {

BulkInsert::BulkInsert(Connection& connection, std::string name, const std::string& head, size_t columns)
    : connection_(connection), name_(std::move(name)), head_(head), columns_(columns),
      rows_per_statement_(RowsPerStatement(columns)) {
  std::string tuple = "(";
  for (size_t i = 0; i < columns; ++i) tuple += i ? ", ?" : "?";
  tuple += ")";
  tuple_ = std::move(tuple);
  texts_.reserve(16);
  pending_.reserve(columns * rows_per_statement_);
}

const std::string& BulkInsert::SqlFor(size_t rows) {
  for (const auto& [count, text] : texts_)
    if (count == rows) return text;
  std::string text;
  text.reserve(head_.size() + 8 + (tuple_.size() + 2) * rows);
  text.append(head_).append(" VALUES ");
  for (size_t i = 0; i < rows; ++i) text.append(i ? ", " : "").append(tuple_);
  // Sql keeps a pointer to the text: texts_ never reallocates past its reserve of 16
  // (one full shape and at most one per power of two below 1,024).
  if (texts_.size() == texts_.capacity()) throw std::logic_error(name_ + ": too many statement shapes");
  return texts_.emplace_back(rows, std::move(text)).second;
}

void BulkInsert::Write(size_t first_row, size_t rows) {
  const std::string& text = SqlFor(rows);
  if (first_row == 0 && rows * columns_ == pending_.size()) {
    connection_.Execute(Sql{name_.c_str(), text.c_str()}, pending_);
  } else {
    Params part(pending_.begin() + static_cast<std::ptrdiff_t>(first_row * columns_),
                pending_.begin() + static_cast<std::ptrdiff_t>((first_row + rows) * columns_));
    connection_.Execute(Sql{name_.c_str(), text.c_str()}, part);
  }
  ++statements_;
}

void BulkInsert::Add(Params row) {
  if (row.size() != columns_) throw std::logic_error(name_ + ": row with the wrong number of values");
  for (auto& value : row) pending_.push_back(std::move(value));
  if (pending_.size() == columns_ * rows_per_statement_) Flush();
}

void BulkInsert::Flush() {
  size_t rows = pending_.size() / columns_;
  size_t done = 0;
  if (rows == rows_per_statement_) {
    Write(0, rows);
    done = rows;
  }
  // The remainder, largest power of two first: 300 rows are 256 + 32 + 8 + 4 statements.
  for (size_t size = size_t{1} << 10; size > 0; size >>= 1) {
    while (rows - done >= size && size < rows_per_statement_) {
      Write(done, size);
      done += size;
    }
  }
  written_ += static_cast<int64_t>(rows);
  pending_.clear();
}

}  // namespace tuoke::storage
