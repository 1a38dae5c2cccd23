// Delivers the webhook outbox (R-NOTIF-6) on a background thread of `tuoke serve`:
// NotificationService::DeliverDue every `interval`, so no request thread waits on a
// robot. Several server processes may run it; the guarded claim of each outbox entry
// lets only one of them send it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "platform/notification.h"

namespace tuoke::platform {

class WebhookWorker {
 public:
  // Starts the thread. `notifications` must outlive the worker.
  WebhookWorker(NotificationService& notifications, std::chrono::milliseconds interval);
  // Wakes the thread and waits for a batch in progress (bounded by the send timeout).
  ~WebhookWorker();
  WebhookWorker(const WebhookWorker&) = delete;
  WebhookWorker& operator=(const WebhookWorker&) = delete;

 private:
  void Loop();

  NotificationService& notifications_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;     // last: starts after the members it reads
};

}  // namespace tuoke::platform
