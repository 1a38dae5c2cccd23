// Notifications: an in-app inbox per user (unread counts, mark read, cursor lists) and
// outgoing webhooks in the DingTalk / WeCom group-robot formats (issue #4 item 11,
// docs/api-workflow.md, rules R-NOTIF-n in docs/modules/platform.md).
//
// Notify() runs inside the caller's transaction: the inbox row and the webhook outbox
// rows commit or roll back with the change that caused them. Deliveries are made later
// by the WebhookWorker (webhook_worker.h) so no request thread waits on the network.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/json_util.h"
#include "core/time.h"
#include "platform/access.h"
#include "platform/policy.h"
#include "storage/database.h"

namespace tuoke::platform {

struct NotificationInput {
  int64_t user_id = 0;
  std::string kind;   // stable code, e.g. "approval.pending", "visit.report_late", "followup.overdue"
  std::string title;  // zh-CN fallback text; the web client renders by kind + data when it can
  std::string link;   // client route, e.g. "/approvals/12"
  Json data = Json::object();
};

// R-NOTIF-8: a notification is a code (its kind) with params (its data); the stored
// title is the zh-CN text. NotificationText renders `language` ("en") from the kind's
// template and the data, or nullopt (no template, a param missing, or zh-CN): the caller
// then uses the title. Notify adds the param `subject` (the title after its first "："),
// so texts of the form "待审批：<subject>" translate without the caller's help.
std::optional<std::string> NotificationText(std::string_view kind, const Json& data, std::string_view language);
std::string SubjectOfTitle(const std::string& title);

// One HTTP POST of a webhook delivery. Behind an interface so tests fake the network.
struct WebhookRequest {
  std::string url;  // with the signing query parameters already appended
  std::string body;  // JSON
  std::chrono::milliseconds timeout{5000};
};
struct WebhookResponse {
  int status = 0;     // HTTP status; 0 when no answer came (error says why)
  std::string error;  // transport error or a short reason; empty on an HTTP answer
  std::string body;   // first bytes of the answer, for the delivery log
};
class WebhookSender {
 public:
  virtual ~WebhookSender() = default;
  virtual WebhookResponse Post(const WebhookRequest& request) = 0;
};
// libcurl; thread-safe (one easy handle per call).
std::unique_ptr<WebhookSender> MakeCurlWebhookSender();

struct DeliveryRunResult {
  int attempted = 0;
  int delivered = 0;
  int failed = 0;  // attempts that failed (retried later or given up)
  int given_up = 0;
};

class NotificationService {
 public:
  NotificationService(storage::Database& database, PolicyService& policies, const Clock& clock,
                      WebhookSender& sender)
      : database_(database), policies_(policies), clock_(clock), sender_(sender) {}

  // Inside the caller's transaction: stores the notification and enqueues a delivery
  // for every enabled webhook whose event filter matches `kind`. Returns its id.
  int64_t Notify(storage::Connection& tx, const NotificationInput& input);

  // ---- inbox (the caller's own notifications only) ----
  // {"items":[Notification…],"nextCursor":…}, newest first.
  Json List(const Caller& caller, bool unread_only, int limit, std::optional<int64_t> before_id);
  Json UnreadCount(const Caller& caller);
  // Another user's notification is notifications.not_found (404).
  Json MarkRead(const Caller& caller, int64_t notification_id);
  Json MarkAllRead(const Caller& caller);

  // ---- webhooks (webhooks.manage) ----
  Json ListWebhooks(const Caller& caller);
  Json CreateWebhook(const Caller& caller, const Json& body);
  Json UpdateWebhook(const Caller& caller, int64_t webhook_id, const Json& body);
  void DeleteWebhook(const Caller& caller, int64_t webhook_id);
  // Sends a test message now (synchronously, bounded by the short timeout) and records
  // the attempt; answers the attempt.
  Json TestWebhook(const Caller& caller, int64_t webhook_id);
  // Newest first: {"items":[Delivery…],"nextCursor":…}.
  Json ListDeliveries(const Caller& caller, int64_t webhook_id, int limit,
                      std::optional<int64_t> before_id);

  // ---- delivery (the background worker and tests) ----
  // Sends every due outbox entry (at most `max_batch`), records each attempt, and
  // schedules retries with exponential back-off (policies notifications.webhook_*).
  DeliveryRunResult DeliverDue(int max_batch = 50);

  // The JSON body of a robot message in `format` ("dingtalk" | "wecom").
  static std::string RobotBody(std::string_view format, std::string_view title,
                               std::string_view text);
  // DingTalk signing: url + "&timestamp=…&sign=…" (HMAC-SHA256 of "ts\nsecret", base64,
  // URL-encoded). `timestamp_ms` is the Unix time in milliseconds.
  static std::string SignedDingTalkUrl(const std::string& url, const std::string& secret,
                                       int64_t timestamp_ms);

 private:
  struct Attempt {
    WebhookResponse response;
    bool ok = false;
    int64_t duration_ms = 0;
  };
  // One POST, outside any transaction (the network may be slow).
  Attempt Send(const std::string& url, const std::string& format, const std::optional<std::string>& secret,
               const std::string& body);
  void RecordAttempt(storage::Connection& connection, int64_t webhook_id, std::optional<int64_t> outbox_id,
                     const std::string& event_kind, int attempt, const Attempt& result);
  Json LoadWebhook(storage::Connection& connection, int64_t webhook_id);

  storage::Database& database_;
  PolicyService& policies_;
  const Clock& clock_;
  WebhookSender& sender_;
};

}  // namespace tuoke::platform
