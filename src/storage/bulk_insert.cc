#include "storage/bulk_insert.h"

#include <stdexcept>

namespace tuoke::storage {

BulkInsert::BulkInsert(Connection& connection, std::string name, const std::string& head, size_t columns)
    : connection_(connection), name_(std::move(name)), columns_(columns) {
  std::string tuple = "(";
  for (size_t i = 0; i < columns; ++i) tuple += i ? ", ?" : "?";
  tuple += ")";
  single_ = head + " VALUES " + tuple;
  multi_ = single_;
  multi_.reserve(single_.size() + (tuple.size() + 2) * (kRowsPerStatement - 1));
  for (size_t i = 1; i < kRowsPerStatement; ++i) multi_ += ", " + tuple;
  pending_.reserve(columns * kRowsPerStatement);
}

void BulkInsert::Add(Params row) {
  if (row.size() != columns_) throw std::logic_error(name_ + ": row with the wrong number of values");
  for (auto& value : row) pending_.push_back(std::move(value));
  if (pending_.size() == columns_ * kRowsPerStatement) Flush();
}

void BulkInsert::Flush() {
  size_t rows = pending_.size() / columns_;
  if (rows == kRowsPerStatement) {
    connection_.Execute(Sql{name_.c_str(), multi_.c_str()}, pending_);
  } else {
    Params one;
    for (size_t row = 0; row < rows; ++row) {
      one.assign(pending_.begin() + static_cast<std::ptrdiff_t>(row * columns_),
                 pending_.begin() + static_cast<std::ptrdiff_t>((row + 1) * columns_));
      connection_.Execute(Sql{name_.c_str(), single_.c_str()}, one);
    }
  }
  written_ += static_cast<int64_t>(rows);
  pending_.clear();
}

}  // namespace tuoke::storage
