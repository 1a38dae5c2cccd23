// A bounded pool of connections shared by both backends.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/database.h"

namespace tuoke::storage {

class ConnectionPool {
 public:
  using Factory = std::function<std::unique_ptr<Connection>()>;
  ConnectionPool(int capacity, Factory factory)
      : capacity_(capacity), factory_(std::move(factory)) {}

  // Takes an idle connection, opens a new one below capacity, or waits. With
  // `beyond_capacity` it opens one more instead of waiting (closed again when given back):
  // for a caller that others wait for (the SQLite writer whose group commit holds the
  // other connections, ADR 0011).
  std::unique_ptr<Connection> Take(bool beyond_capacity = false) {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (!idle_.empty()) {
        auto connection = std::move(idle_.back());
        idle_.pop_back();
        return connection;
      }
      if (open_ < capacity_ || beyond_capacity) {
        ++open_;
        lock.unlock();
        try {
          return factory_();
        } catch (...) {
          lock.lock();
          --open_;
          available_.notify_one();
          throw;
        }
      }
      available_.wait(lock);
    }
  }

  // Broken connections are dropped so the next Take opens a fresh one.
  void Give(std::unique_ptr<Connection> connection) {
    std::lock_guard lock(mutex_);
    if (connection->Healthy() && open_ <= capacity_) idle_.push_back(std::move(connection));
    else --open_;
    available_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mutex_
  int open_ = 0;                                   // guarded by mutex_
  const int capacity_;
  Factory factory_;
};

}  // namespace tuoke::storage
