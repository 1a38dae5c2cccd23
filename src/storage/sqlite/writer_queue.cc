#include "storage/sqlite/writer_queue.h"

#include <algorithm>

namespace tuoke::storage {

WriterQueue::Turn WriterQueue::Enter(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  auto self = std::this_thread::get_id();
  // A thread that writes on a second connection while its first one holds a transaction
  // would wait for itself forever: let it through; SQLite answers busy as it always did.
  if (held_ && holder_ == self) return Turn::kAlreadyHeld;
  if (!held_ && waiters_.empty()) {
    held_ = true;
    holder_ = self;
    return Turn::kTaken;
  }
  Waiter waiter;
  waiter.thread = self;
  auto position = waiters_.insert(waiters_.end(), &waiter);
  // One condition variable per waiter: Leave() wakes exactly the next one, no herd.
  if (!waiter.wake.wait_for(lock, timeout, [&] { return waiter.granted; })) {
    waiters_.erase(position);
    return Turn::kTimedOut;
  }
  return Turn::kTaken;  // Leave() removed us from the list and made us the holder
}

void WriterQueue::Leave() {
  std::lock_guard lock(mutex_);
  if (waiters_.empty()) {
    held_ = false;
    holder_ = std::thread::id();
    return;
  }
  Waiter* next = waiters_.front();
  waiters_.pop_front();
  next->granted = true;
  holder_ = next->thread;  // held_ stays true: the turn passes without a gap
  next->wake.notify_one();
}

bool WriterQueue::PassIfWaiting() {
  std::lock_guard lock(mutex_);
  if (waiters_.empty()) return false;
  Waiter* next = waiters_.front();
  waiters_.pop_front();
  next->granted = true;
  holder_ = next->thread;
  next->wake.notify_one();
  return true;
}

bool WriterQueue::HeldByThisThread() {
  std::lock_guard lock(mutex_);
  return held_ && holder_ == std::this_thread::get_id();
}

size_t WriterQueue::Waiting() {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

}  // namespace tuoke::storage
