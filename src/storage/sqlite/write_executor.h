// The SQLite backend's writer thread (docs/adr/0015-sqlite-writer-thread.md).
//
// SQLite admits one writer at a time. Before, each server thread ran its own write
// transaction once the writers' queue (ADR 0008) gave it the turn, and handed the turn to
// the next waiting thread when it was done: every hand-over woke a thread that then had to
// get a core before the turn was used again, while the turn, the one thing every writer
// waits for, sat idle (the turn was held 93% of the time in the check-in burst, ~600 µs of
// wall time per check-in for ~400 µs of the holder's CPU; session 10). Here one thread runs
// the writes of every thread, one after another, as long as any are queued: the callers
// wait for their outcome instead of for the turn.
//
// The executor knows nothing of SQLite: `serve` (given by the database) runs on the
// executor's thread whenever jobs are queued; it claims them one by one with Next() and
// answers each with Finish(). A caller's work runs on the executor's thread, so it must not
// rely on thread-local state of the caller (the server has none) and must not wait for
// another write of its own process (it would wait for itself).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace tuoke::storage {

class Connection;

class WriteExecutor {
 public:
  using Work = std::function<void(Connection&)>;
  struct Job;

  explicit WriteExecutor(std::function<void(WriteExecutor&)> serve);
  // Stops the thread after the jobs it claimed; jobs still queued fail (DatabaseError).
  ~WriteExecutor();
  WriteExecutor(const WriteExecutor&) = delete;
  WriteExecutor& operator=(const WriteExecutor&) = delete;

  // Runs `work` on the executor's thread and returns when it is answered; rethrows the
  // exception it was answered with. Throws DatabaseError (kBusy) when no Next() claimed
  // the job within `wait` (the job is withdrawn; it never runs).
  void Run(const Work& work, std::chrono::milliseconds wait);

  // For `serve`, on the executor's thread: the oldest queued job, now claimed (its caller
  // waits for Finish), or null when none is queued.
  Job* Next();
  static const Work& WorkOf(const Job* job);
  // Answers a claimed job: its caller returns (error null) or rethrows `error`.
  void Finish(Job* job, std::exception_ptr error);

  bool OnThisThread() const { return std::this_thread::get_id() == thread_id_.load(std::memory_order_acquire); }
  // Jobs queued and not yet claimed (tests, metrics).
  size_t Queued();

 private:
  void Loop();

  std::function<void(WriteExecutor&)> serve_;
  std::mutex mutex_;
  std::condition_variable wake_;    // the executor's thread waits here for jobs
  std::deque<Job*> queue_;          // guarded by mutex_
  bool stopping_ = false;           // guarded by mutex_
  std::atomic<std::thread::id> thread_id_{};
  std::thread thread_;              // started with the first job
};

}  // namespace tuoke::storage
