#include "platform/webhook_worker.h"

#include <spdlog/spdlog.h>

namespace tuoke::platform {

WebhookWorker::WebhookWorker(NotificationService& notifications, std::chrono::milliseconds interval)
    : notifications_(notifications), interval_(interval), thread_([this] { Loop(); }) {}

WebhookWorker::~WebhookWorker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void WebhookWorker::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      DeliveryRunResult result = notifications_.DeliverDue();
      if (result.attempted > 0)
        spdlog::info("webhooks: {} attempted, {} delivered, {} failed, {} given up", result.attempted,
                     result.delivered, result.failed, result.given_up);
    } catch (const std::exception& error) {
      // A failed run (database restarting …) is retried at the next interval.
      spdlog::error("webhook delivery failed: {}", error.what());
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace tuoke::platform
