// The SQLite backend's in-process writer queue (docs/adr/0008-sqlite-writer-queue.md).
//
// SQLite admits one writer at a time. Without a queue, every other writer of the process
// spins in SQLite's busy handler, which sleeps in growing steps (1, 2, 5, 10 … 100 ms) and
// wakes in no particular order: under a burst of writes a few unlucky requests sleep for
// hundreds of milliseconds while newcomers slip in ahead of them. The queue makes the
// server's own writers wait their turn in arrival (FIFO) order, on a condition variable,
// before they ask SQLite for the write lock, so the lock passes straight from one writer
// to the next. Other processes (the CLI, sqlite3) still meet SQLite's busy timeout.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <list>
#include <mutex>
#include <thread>

namespace tuoke::storage {

class WriterQueue {
 public:
  enum class Turn {
    kTaken,          // the caller holds the turn and must Leave()
    kAlreadyHeld,    // this thread holds the turn already (through another connection): go on,
                     // do not Leave(); SQLite's busy handler decides as it did without the queue
    kTimedOut,       // no turn within the timeout: go on without it, as without the queue
  };

  // Waits for the turn, first come first served, at most `timeout`.
  Turn Enter(std::chrono::milliseconds timeout);
  // Hands the turn to the longest waiter (or frees it).
  void Leave();
  // Hands the turn to the longest waiter if there is one (true), else keeps it (false):
  // checked and handed over at once, so the turn cannot end up free while the caller
  // counted on a successor (group commit, ADR 0011).
  bool PassIfWaiting();
  // Whether the calling thread holds the turn.
  bool HeldByThisThread();
  // Threads waiting for the turn (tests).
  size_t Waiting();

 private:
  struct Waiter {
    std::condition_variable wake;
    std::thread::id thread;
    bool granted = false;
  };

  std::mutex mutex_;
  bool held_ = false;
  std::thread::id holder_;
  std::list<Waiter*> waiters_;
};

class Database;
// Writers waiting for the turn of a SQLite `database` (tests).
size_t SqliteWritersWaiting(Database& database);

}  // namespace tuoke::storage
