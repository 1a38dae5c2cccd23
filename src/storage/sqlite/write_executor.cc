#include "storage/sqlite/write_executor.h"

#include <algorithm>

#include "storage/database.h"

namespace tuoke::storage {

struct WriteExecutor::Job {
  enum class State : uint8_t { kQueued, kClaimed, kDone };
  const Work* work = nullptr;
  State state = State::kQueued;  // guarded by the executor's mutex
  std::exception_ptr error;      // guarded by the executor's mutex
  std::condition_variable done;  // the caller waits here
};

WriteExecutor::WriteExecutor(std::function<void(WriteExecutor&)> serve) : serve_(std::move(serve)) {}

WriteExecutor::~WriteExecutor() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  for (Job* job : queue_) {
    job->error = std::make_exception_ptr(DatabaseError(DatabaseError::Kind::kOther, "the database is closing"));
    job->state = Job::State::kDone;
    job->done.notify_one();
  }
  queue_.clear();
}

void WriteExecutor::Run(const Work& work, std::chrono::milliseconds wait) {
  Job job;
  job.work = &work;
  std::unique_lock lock(mutex_);
  if (stopping_) throw DatabaseError(DatabaseError::Kind::kOther, "the database is closing");
  queue_.push_back(&job);
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  wake_.notify_one();
  if (!job.done.wait_for(lock, wait, [&] { return job.state == Job::State::kDone; })) {
    if (job.state == Job::State::kQueued) {
      queue_.erase(std::find(queue_.begin(), queue_.end(), &job));
      throw DatabaseError(DatabaseError::Kind::kBusy, "the database is busy: no turn to write within " +
                                                          std::to_string(wait.count()) + " ms");
    }
    // Claimed: its work runs (it refers to the caller's stack): wait for the answer.
    job.done.wait(lock, [&] { return job.state == Job::State::kDone; });
  }
  if (job.error) std::rethrow_exception(job.error);
}

WriteExecutor::Job* WriteExecutor::Next() {
  std::lock_guard lock(mutex_);
  if (queue_.empty()) return nullptr;
  Job* job = queue_.front();
  queue_.pop_front();
  job->state = Job::State::kClaimed;
  return job;
}

const WriteExecutor::Work& WriteExecutor::WorkOf(const Job* job) { return *job->work; }

void WriteExecutor::Finish(Job* job, std::exception_ptr error) {
  std::lock_guard lock(mutex_);
  job->error = std::move(error);
  job->state = Job::State::kDone;
  // Under the lock: the caller cannot see kDone, return and destroy the job before this.
  job->done.notify_one();
}

size_t WriteExecutor::Queued() {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void WriteExecutor::Loop() {
  thread_id_.store(std::this_thread::get_id(), std::memory_order_release);
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return !queue_.empty() || stopping_; });
    if (stopping_) return;
    lock.unlock();
    serve_(*this);  // takes every job queued meanwhile too
    lock.lock();
  }
}

}  // namespace tuoke::storage
