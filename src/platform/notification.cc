#include "platform/notification.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <regex>

#include "platform/audit.h"

namespace tuoke::platform {
namespace {

using namespace std::chrono_literals;

constexpr size_t kMaxTitle = 200;
constexpr size_t kMaxLink = 500;
constexpr size_t kMaxDataBytes = 8 * 1024;
constexpr size_t kMaxUrl = 2000;
constexpr size_t kMaxEvents = 20;
constexpr size_t kMaxExcerpt = 500;
// R-NOTIF-6: an outbox entry being sent is hidden from other workers this long; a worker
// that dies mid-send leaves it to be retried after the claim expires.
constexpr auto kClaim = 2min;
// Answers of webhook lists are small; a company has a handful of robots.
constexpr int kMaxWebhooks = 100;

const storage::Sql kInsertNotification{
    "notifications.insert",
    "INSERT INTO notifications (user_id, kind, title, link, data_json, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id"};
const storage::Sql kEnabledWebhooks{
    "notifications.enabled_webhooks",
    "SELECT id, format, events_json, language FROM webhooks WHERE enabled = 1 ORDER BY id"};
const storage::Sql kInsertOutbox{
    "notifications.insert_outbox",
    "INSERT INTO webhook_outbox (webhook_id, notification_id, event_kind, body_json, state, "
    "attempts, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)"};
const storage::Sql kListNotifications{
    "notifications.list",
    "SELECT id, kind, title, link, data_json, created_at, read_at FROM notifications "
    "WHERE user_id = ? AND id < ? AND (? = 0 OR read_at IS NULL) ORDER BY id DESC LIMIT ?"};
const storage::Sql kUnreadCount{
    "notifications.unread_count",
    "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL"};
const storage::Sql kSelectNotification{
    "notifications.select",
    "SELECT id, kind, title, link, data_json, created_at, read_at FROM notifications "
    "WHERE id = ? AND user_id = ?"};
const storage::Sql kMarkRead{
    "notifications.mark_read",
    "UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL"};
const storage::Sql kMarkAllRead{
    "notifications.mark_all_read",
    "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL"};

#define TUOKE_WEBHOOK_COLUMNS \
  "id, name, url, format, secret, events_json, enabled, created_at, updated_at, language FROM webhooks "
const storage::Sql kListWebhooks{"webhooks.list",
                                 "SELECT " TUOKE_WEBHOOK_COLUMNS "ORDER BY id LIMIT ?"};
const storage::Sql kSelectWebhook{"webhooks.select", "SELECT " TUOKE_WEBHOOK_COLUMNS "WHERE id = ?"};
const storage::Sql kInsertWebhook{
    "webhooks.insert",
    "INSERT INTO webhooks (name, url, format, secret, events_json, enabled, created_by, created_at, "
    "updated_at, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"};
const storage::Sql kUpdateWebhook{
    "webhooks.update",
    "UPDATE webhooks SET name = ?, url = ?, format = ?, secret = ?, events_json = ?, enabled = ?, "
    "updated_at = ?, language = ? WHERE id = ?"};
const storage::Sql kDeleteDeliveries{"webhooks.delete_deliveries",
                                     "DELETE FROM webhook_deliveries WHERE webhook_id = ?"};
const storage::Sql kDeleteOutbox{"webhooks.delete_outbox", "DELETE FROM webhook_outbox WHERE webhook_id = ?"};
const storage::Sql kDeleteWebhook{"webhooks.delete", "DELETE FROM webhooks WHERE id = ?"};
const storage::Sql kListDeliveries{
    "webhooks.deliveries",
    "SELECT id, outbox_id, event_kind, attempt, at, ok, status_code, error, duration_ms, "
    "response_excerpt FROM webhook_deliveries WHERE webhook_id = ? AND id < ? ORDER BY id DESC LIMIT ?"};
const storage::Sql kInsertDelivery{
    "webhooks.insert_delivery",
    "INSERT INTO webhook_deliveries (webhook_id, outbox_id, event_kind, attempt, at, ok, status_code, "
    "error, duration_ms, response_excerpt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"};

const storage::Sql kDueOutbox{
    "webhooks.due_outbox",
    "SELECT o.id, o.webhook_id, o.event_kind, o.body_json, o.attempts, o.next_attempt_at, w.url, "
    "w.format, w.secret, w.enabled FROM webhook_outbox o JOIN webhooks w ON w.id = o.webhook_id "
    "WHERE o.state = 'pending' AND o.next_attempt_at <= ? ORDER BY o.next_attempt_at, o.id LIMIT ?"};
// R-NOTIF-6: the guard on next_attempt_at makes the claim exclusive across workers.
const storage::Sql kClaimOutbox{
    "webhooks.claim_outbox",
    "UPDATE webhook_outbox SET next_attempt_at = ?, updated_at = ? WHERE id = ? AND state = 'pending' "
    "AND next_attempt_at = ?"};
const storage::Sql kOutboxDelivered{
    "webhooks.outbox_delivered",
    "UPDATE webhook_outbox SET state = 'delivered', attempts = ?, last_error = NULL, updated_at = ? "
    "WHERE id = ?"};
const storage::Sql kOutboxRetry{
    "webhooks.outbox_retry",
    "UPDATE webhook_outbox SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, "
    "updated_at = ? WHERE id = ?"};
const storage::Sql kOutboxCancel{
    "webhooks.outbox_cancel",
    "UPDATE webhook_outbox SET state = 'cancelled', last_error = 'webhook disabled', updated_at = ? "
    "WHERE id = ?"};

Json ParseStoredJson(const std::string& text) {
  Json value = Json::parse(text, nullptr, false);
  return value.is_discarded() ? Json() : value;
}

// R-NOTIF-4: "*" matches every kind, "approval.*" every kind under "approval.", else exact.
bool EventMatches(const Json& events, std::string_view kind) {
  if (!events.is_array()) return false;
  for (const auto& event : events) {
    if (!event.is_string()) continue;
    const auto& pattern = event.get_ref<const std::string&>();
    if (pattern == "*" || pattern == kind) return true;
    if (pattern.size() > 2 && pattern.ends_with(".*") &&
        kind.starts_with(std::string_view(pattern).substr(0, pattern.size() - 1)))
      return true;
  }
  return false;
}

std::string UrlEncode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : text) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

// R-NOTIF-5: robot URLs carry their access token in the query string, so answers mask
// every query value: "…/send?access_token=***".
std::string MaskUrl(const std::string& url) {
  auto question = url.find('?');
  if (question == std::string::npos) return url;
  std::string out = url.substr(0, question + 1);
  std::string_view query = std::string_view(url).substr(question + 1);
  bool first = true;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (!first) out += '&';
    first = false;
    auto equals = pair.find('=');
    out += std::string(pair.substr(0, equals));
    if (equals != std::string_view::npos) out += "=***";
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

// R-NOTIF-3: absolute http(s) URLs with a host; no spaces, credentials or fragments.
bool IsValidWebhookUrl(const std::string& url) {
  static const std::regex kUrl(
      R"(^(https?)://([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(:([0-9]{1,5}))?(/[^\s#]*)?(\?[^\s#]*)?$)",
      std::regex::icase);
  std::smatch match;
  if (url.size() > kMaxUrl || !std::regex_match(url, match, kUrl)) return false;
  if (match[7].matched) {  // the port digits
    int port = std::stoi(match[7].str());
    if (port < 1 || port > 65535) return false;
  }
  return true;
}

bool IsValidEventPattern(const std::string& pattern) {
  static const std::regex kPattern(R"(^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$)");
  return pattern.size() <= 64 && std::regex_match(pattern, kPattern);
}

Json NotificationJson(const storage::Row& row) {
  return {{"id", IdString(row.Int(0))},
          {"kind", row.Text(1)},
          {"title", row.Text(2)},
          {"link", row.Text(3)},
          {"data", ParseStoredJson(row.Text(4))},
          {"createdAt", row.Text(5)},
          {"read", !row.IsNull(6)},
          {"readAt", row.IsNull(6) ? Json() : Json(row.Text(6))}};
}

Json WebhookJson(const storage::Row& row) {
  return {{"id", IdString(row.Int(0))},
          {"name", row.Text(1)},
          {"url", MaskUrl(row.Text(2))},
          {"format", row.Text(3)},
          {"hasSecret", !row.IsNull(4) && !row.Text(4).empty()},
          {"events", ParseStoredJson(row.Text(5))},
          {"enabled", row.Bool(6)},
          {"createdAt", row.Text(7)},
          {"updatedAt", row.Text(8)},
          // R-NOTIF-8: null follows the policy notifications.webhook_language.
          {"language", row.IsNull(9) ? Json() : Json(row.Text(9))}};
}

// The audited view: never the secret, never the token in the URL.
Json WebhookAuditView(const Json& webhook) {
  Json view = webhook;
  view.erase("createdAt");
  view.erase("updatedAt");
  return view;
}

// Cuts at a code point boundary (titles are zh-CN text).
std::string TruncateUtf8(const std::string& text, size_t max_code_points) {
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && count++ == max_code_points) return text.substr(0, i);
  }
  return text;
}

std::string ContentFor(std::string_view title, std::string_view language = "zh-CN") {
  return (language == "en" ? "[Tuoke] " : "【拓客】") + std::string(title);
}

}  // namespace

// ---- bodies and signing ------------------------------------------------------------------

std::string NotificationService::RobotBody(std::string_view format, std::string_view title,
                                           std::string_view text) {
  // Both robots accept the same text message shape; DingTalk also takes markdown, which
  // renders the title in bold.
  std::string content = std::string(title);
  if (!text.empty()) content += "\n" + std::string(text);
  if (format == "dingtalk" && !text.empty())
    return Json{{"msgtype", "markdown"},
                {"markdown", {{"title", std::string(title)}, {"text", "**" + std::string(title) + "**\n\n" + std::string(text)}}}}
        .dump();
  return Json{{"msgtype", "text"}, {"text", {{"content", content}}}}.dump();
}

std::string NotificationService::SignedDingTalkUrl(const std::string& url, const std::string& secret,
                                                   int64_t timestamp_ms) {
  std::string to_sign = std::to_string(timestamp_ms) + "\n" + secret;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(to_sign.data()), to_sign.size());
  crypto_auth_hmacsha256_final(&state, mac);
  char base64[sodium_base64_ENCODED_LEN(sizeof mac, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(base64, sizeof base64, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "timestamp=" +
         std::to_string(timestamp_ms) + "&sign=" + UrlEncode(base64);
}

// ---- notify ------------------------------------------------------------------------------

int64_t NotificationService::Notify(storage::Connection& tx, const NotificationInput& input) {
  // Callers are services, not clients: a bad input is a bug, reported loudly.
  if (input.user_id <= 0 || input.kind.empty() || !input.data.is_object())
    throw std::logic_error("Notify: user, kind and an object data are required");
  std::string title = TruncateUtf8(input.title, kMaxTitle);
  Json params = input.data;
  // R-NOTIF-8: the subject of "label：subject" titles is a param of every client's text.
  if (!params.contains("subject")) {
    std::string subject = SubjectOfTitle(title);
    if (!subject.empty()) params["subject"] = subject;
  }
  std::string data = params.dump();
  if (data.size() > kMaxDataBytes) throw std::logic_error("Notify: data too large");
  std::string now = FormatInstant(clock_.Now());
  int64_t id = tx.QueryOne(kInsertNotification, {input.user_id, input.kind, title,
                                                  input.link.substr(0, kMaxLink), data, now})
                   ->Int(0);
  // R-NOTIF-4: the outbox rows commit with the notification, or not at all.
  std::optional<std::string> default_language;
  for (const auto& row : tx.Query(kEnabledWebhooks).rows) {
    if (!EventMatches(ParseStoredJson(row.Text(2)), input.kind)) continue;
    // R-NOTIF-8: the webhook's language, else the policy's; the zh-CN title when the
    // kind has no text in that language.
    std::string language;
    if (auto own = row.OptionalText(3)) {
      language = *own;
    } else {
      if (!default_language) default_language = policies_.StringOn("notifications.webhook_language", policies_.Today());
      language = *default_language;
    }
    std::string text = NotificationText(input.kind, params, language).value_or(title);
    std::string body = RobotBody(row.Text(1), ContentFor(text, language), "");
    tx.Execute(kInsertOutbox, {row.Int(0), id, input.kind, body, now, now, now});
  }
  return id;
}

// ---- inbox -------------------------------------------------------------------------------

Json NotificationService::List(const Caller& caller, bool unread_only, int limit,
                               std::optional<int64_t> before_id) {
  auto connection = database_.Acquire();
  auto rows = connection->Query(kListNotifications, {caller.user_id, before_id.value_or(INT64_MAX),
                                                     int64_t{unread_only ? 1 : 0}, int64_t{limit + 1}})
                  .rows;
  Json items = Json::array();
  for (size_t i = 0; i < rows.size() && static_cast<int>(i) < limit; ++i)
    items.push_back(NotificationJson(rows[i]));
  Json next = static_cast<int>(rows.size()) > limit ? Json(IdString(rows[limit - 1].Int(0))) : Json();
  return {{"items", std::move(items)}, {"nextCursor", next}};
}

Json NotificationService::UnreadCount(const Caller& caller) {
  auto connection = database_.Acquire();
  return {{"count", connection->QueryOne(kUnreadCount, {caller.user_id})->Int(0)}};
}

// R-NOTIF-2: read marks are the reader's own state, not a business record: not audited.
Json NotificationService::MarkRead(const Caller& caller, int64_t notification_id) {
  Json answer;
  database_.InTransaction([&](storage::Connection& connection) {
    connection.Execute(kMarkRead, {FormatInstant(clock_.Now()), notification_id, caller.user_id});
    auto row = connection.QueryOne(kSelectNotification, {notification_id, caller.user_id});
    if (!row) ThrowNotFound("notifications", "notification");
    answer = NotificationJson(*row);
  });
  return answer;
}

Json NotificationService::MarkAllRead(const Caller& caller) {
  int64_t changed = 0;
  database_.InTransaction([&](storage::Connection& connection) {
    changed = connection.Execute(kMarkAllRead, {FormatInstant(clock_.Now()), caller.user_id});
  });
  return {{"marked", changed}, {"count", 0}};
}

// ---- webhooks ----------------------------------------------------------------------------

Json NotificationService::LoadWebhook(storage::Connection& connection, int64_t webhook_id) {
  auto row = connection.QueryOne(kSelectWebhook, {webhook_id});
  if (!row) ThrowNotFound("webhooks", "webhook");
  return WebhookJson(*row);
}

Json NotificationService::ListWebhooks(const Caller& caller) {
  Require(caller, "webhooks.manage");
  auto connection = database_.Acquire();
  Json items = Json::array();
  for (const auto& row : connection->Query(kListWebhooks, {int64_t{kMaxWebhooks}}).rows)
    items.push_back(WebhookJson(row));
  return {{"items", std::move(items)}, {"nextCursor", nullptr}};
}

namespace {

struct WebhookFields {
  std::optional<std::string> name, url, format, secret;
  bool secret_present = false;
  std::optional<std::vector<std::string>> events;
  std::optional<bool> enabled;
  std::optional<std::string> language;
  bool language_present = false;
};

WebhookFields ReadWebhookFields(const Json& body, bool create) {
  JsonReader reader(body);
  WebhookFields fields;
  fields.name = create ? reader.RequiredString("name", 1, 100) : reader.String("name", 1, 100);
  fields.url = create ? reader.RequiredString("url", 1, kMaxUrl) : reader.String("url", 1, kMaxUrl);
  if (fields.url && !IsValidWebhookUrl(*fields.url)) {
    reader.Fail("url", "must be an http or https URL");
    fields.url.reset();
  }
  if (create && !reader.Has("format")) reader.Fail("format", "is required");
  fields.format = reader.Enum("format", {"dingtalk", "wecom"});
  fields.secret = reader.NullableString("secret", 200, &fields.secret_present);
  if (create && !reader.Has("events")) reader.Fail("events", "is required");
  if (const Json* events = reader.Raw("events")) {
    if (!events->is_array() || events->empty() || events->size() > kMaxEvents) {
      reader.Fail("events", "must be a list of 1 to " + std::to_string(kMaxEvents) + " event kinds");
    } else {
      std::vector<std::string> list;
      for (const auto& event : *events) {
        if (!event.is_string() || !IsValidEventPattern(event.get<std::string>())) {
          reader.Fail("events", "each must be \"*\", a kind such as approval.pending, or a prefix such as approval.*");
          list.clear();
          break;
        }
        if (std::find(list.begin(), list.end(), event.get<std::string>()) == list.end())
          list.push_back(event.get<std::string>());
      }
      if (!list.empty()) fields.events = std::move(list);
    }
  }
  fields.enabled = reader.Bool("enabled");
  fields.language = reader.NullableString("language", 10, &fields.language_present);
  if (fields.language && *fields.language != "zh-CN" && *fields.language != "en") {
    reader.Fail("language", "must be zh-CN, en or null (the policy notifications.webhook_language)");
    fields.language.reset();
    fields.language_present = false;
  }
  reader.Finish();
  return fields;
}

}  // namespace

Json NotificationService::CreateWebhook(const Caller& caller, const Json& body) {
  Require(caller, "webhooks.manage");
  WebhookFields fields = ReadWebhookFields(body, true);
  if (fields.secret && !fields.secret->empty() && *fields.format != "dingtalk")
    ThrowValidation("secret", "only DingTalk robots sign their requests");
  Json answer;
  database_.InTransaction([&](storage::Connection& connection) {
    std::string now = FormatInstant(clock_.Now());
    Json events = *fields.events;
    storage::Value secret = fields.secret && !fields.secret->empty() ? storage::Value(*fields.secret)
                                                                     : storage::Value(nullptr);
    int64_t id = connection
                     .QueryOne(kInsertWebhook, {*fields.name, *fields.url, *fields.format, secret,
                                                events.dump(), int64_t{fields.enabled.value_or(true) ? 1 : 0},
                                                caller.user_id, now, now, storage::Nullable(fields.language)})
                     ->Int(0);
    answer = LoadWebhook(connection, id);
    RecordAudit(connection, Actor::From(caller),
                {"webhook.create", "webhook", IdString(id), nullptr, WebhookAuditView(answer)}, clock_.Now());
  });
  return answer;
}

Json NotificationService::UpdateWebhook(const Caller& caller, int64_t webhook_id, const Json& body) {
  Require(caller, "webhooks.manage");
  WebhookFields fields = ReadWebhookFields(body, false);
  Json answer;
  database_.InTransaction([&](storage::Connection& connection) {
    auto row = connection.QueryOne(kSelectWebhook, {webhook_id});
    if (!row) ThrowNotFound("webhooks", "webhook");
    Json before = WebhookJson(*row);
    std::string format = fields.format.value_or(row->Text(3));
    std::optional<std::string> secret = row->OptionalText(4);
    if (fields.secret_present) secret = fields.secret && !fields.secret->empty() ? fields.secret : std::nullopt;
    if (secret && format != "dingtalk") ThrowValidation("secret", "only DingTalk robots sign their requests");
    Json events = fields.events ? Json(*fields.events) : ParseStoredJson(row->Text(5));
    bool enabled = fields.enabled.value_or(row->Bool(6));
    std::optional<std::string> language = fields.language_present ? fields.language : row->OptionalText(9);
    connection.Execute(kUpdateWebhook, {fields.name.value_or(row->Text(1)), fields.url.value_or(row->Text(2)),
                                        format, storage::Nullable(secret), events.dump(),
                                        int64_t{enabled ? 1 : 0}, FormatInstant(clock_.Now()),
                                        storage::Nullable(language), webhook_id});
    answer = LoadWebhook(connection, webhook_id);
    Json audit_before = WebhookAuditView(before), audit_after = WebhookAuditView(answer);
    // A new secret or token is recorded as changed without showing either value.
    if (fields.secret_present) audit_after["secretChanged"] = true;
    if (fields.url && *fields.url != row->Text(2)) audit_after["urlChanged"] = true;
    KeepChangedFields(audit_before, audit_after);
    RecordAudit(connection, Actor::From(caller),
                {"webhook.update", "webhook", IdString(webhook_id), audit_before, audit_after}, clock_.Now());
  });
  return answer;
}

void NotificationService::DeleteWebhook(const Caller& caller, int64_t webhook_id) {
  Require(caller, "webhooks.manage");
  database_.InTransaction([&](storage::Connection& connection) {
    Json before = LoadWebhook(connection, webhook_id);
    // The delivery log goes with the webhook: it only describes that robot.
    connection.Execute(kDeleteDeliveries, {webhook_id});
    connection.Execute(kDeleteOutbox, {webhook_id});
    connection.Execute(kDeleteWebhook, {webhook_id});
    RecordAudit(connection, Actor::From(caller),
                {"webhook.delete", "webhook", IdString(webhook_id), WebhookAuditView(before), nullptr},
                clock_.Now());
  });
}

NotificationService::Attempt NotificationService::Send(const std::string& url, const std::string& format,
                                                       const std::optional<std::string>& secret,
                                                       const std::string& body) {
  WebhookRequest request;
  request.url = url;
  if (format == "dingtalk" && secret && !secret->empty()) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch()).count();
    request.url = SignedDingTalkUrl(url, *secret, ms);
  }
  request.body = body;
  auto started = std::chrono::steady_clock::now();
  Attempt attempt;
  attempt.response = sender_.Post(request);
  attempt.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  const auto& response = attempt.response;
  attempt.ok = response.error.empty() && response.status >= 200 && response.status < 300;
  // R-NOTIF-5: both robots answer 200 with {"errcode":N,"errmsg":…}; non-zero is a failure.
  if (attempt.ok) {
    Json answer = Json::parse(response.body, nullptr, false);
    if (answer.is_object() && answer.contains("errcode") && answer["errcode"].is_number_integer() &&
        answer["errcode"].get<int64_t>() != 0) {
      attempt.ok = false;
      attempt.response.error = "errcode " + std::to_string(answer["errcode"].get<int64_t>()) +
                               (answer.contains("errmsg") && answer["errmsg"].is_string()
                                    ? ": " + answer["errmsg"].get<std::string>()
                                    : "");
    }
  } else if (response.error.empty()) {
    attempt.response.error = "HTTP " + std::to_string(response.status);
  }
  return attempt;
}

void NotificationService::RecordAttempt(storage::Connection& connection, int64_t webhook_id,
                                        std::optional<int64_t> outbox_id, const std::string& event_kind,
                                        int attempt, const Attempt& result) {
  std::string excerpt = result.response.body.substr(0, kMaxExcerpt);
  if (!IsCleanText(excerpt)) excerpt.clear();
  connection.Execute(kInsertDelivery,
                     {webhook_id, storage::Nullable(outbox_id), event_kind, int64_t{attempt},
                      FormatInstant(clock_.Now()), int64_t{result.ok ? 1 : 0},
                      result.response.status ? storage::Value(int64_t{result.response.status}) : storage::Value(nullptr),
                      result.ok || result.response.error.empty() ? storage::Value(nullptr)
                                                                 : storage::Value(result.response.error.substr(0, kMaxExcerpt)),
                      result.duration_ms, excerpt.empty() ? storage::Value(nullptr) : storage::Value(excerpt)});
}

Json NotificationService::TestWebhook(const Caller& caller, int64_t webhook_id) {
  Require(caller, "webhooks.manage");
  std::string url, format;
  std::optional<std::string> secret;
  {
    auto connection = database_.Acquire();
    auto row = connection->QueryOne(kSelectWebhook, {webhook_id});
    if (!row) ThrowNotFound("webhooks", "webhook");
    url = row->Text(2);
    format = row->Text(3);
    secret = row->OptionalText(4);
  }
  // Sent on the request thread on purpose: the admin waits for the answer, bounded by
  // the sender's short timeout (R-NOTIF-7).
  std::string body = RobotBody(format, ContentFor("Webhook 测试消息 / test message"), "");
  Attempt attempt = Send(url, format, secret, body);
  database_.InTransaction([&](storage::Connection& connection) {
    LoadWebhook(connection, webhook_id);  // deleted meanwhile: not found
    RecordAttempt(connection, webhook_id, std::nullopt, "webhook.test", 1, attempt);
    RecordAudit(connection, Actor::From(caller),
                {"webhook.test", "webhook", IdString(webhook_id), nullptr,
                 {{"ok", attempt.ok}, {"statusCode", attempt.response.status}}},
                clock_.Now());
  });
  return {{"ok", attempt.ok},
          {"statusCode", attempt.response.status ? Json(attempt.response.status) : Json()},
          {"error", attempt.ok || attempt.response.error.empty() ? Json() : Json(attempt.response.error)},
          {"durationMs", attempt.duration_ms}};
}

Json NotificationService::ListDeliveries(const Caller& caller, int64_t webhook_id, int limit,
                                         std::optional<int64_t> before_id) {
  Require(caller, "webhooks.manage");
  auto connection = database_.Acquire();
  LoadWebhook(*connection, webhook_id);
  auto rows = connection->Query(kListDeliveries, {webhook_id, before_id.value_or(INT64_MAX), int64_t{limit + 1}}).rows;
  Json items = Json::array();
  for (size_t i = 0; i < rows.size() && static_cast<int>(i) < limit; ++i) {
    const auto& row = rows[i];
    items.push_back({{"id", IdString(row.Int(0))},
                     {"outboxId", row.IsNull(1) ? Json() : Json(IdString(row.Int(1)))},
                     {"event", row.Text(2)},
                     {"attempt", row.Int(3)},
                     {"at", row.Text(4)},
                     {"ok", row.Bool(5)},
                     {"statusCode", row.IsNull(6) ? Json() : Json(row.Int(6))},
                     {"error", row.IsNull(7) ? Json() : Json(row.Text(7))},
                     {"durationMs", row.Int(8)},
                     {"responseExcerpt", row.IsNull(9) ? Json() : Json(row.Text(9))}});
  }
  Json next = static_cast<int>(rows.size()) > limit ? Json(IdString(rows[limit - 1].Int(0))) : Json();
  return {{"items", std::move(items)}, {"nextCursor", next}};
}

// ---- delivery ----------------------------------------------------------------------------

DeliveryRunResult NotificationService::DeliverDue(int max_batch) {
  DeliveryRunResult result;
  Instant now = clock_.Now();
  std::vector<storage::Row> due;
  {
    auto connection = database_.Acquire();
    due = connection->Query(kDueOutbox, {FormatInstant(now), int64_t{max_batch}}).rows;
  }
  if (due.empty()) return result;
  Date today = policies_.Today();
  int64_t max_attempts = policies_.IntOn("notifications.webhook_max_attempts", today);
  int64_t base_seconds = policies_.IntOn("notifications.webhook_backoff_base_seconds", today);
  int64_t max_seconds = policies_.IntOn("notifications.webhook_backoff_max_seconds", today);
  for (const auto& row : due) {
    int64_t outbox_id = row.Int(0), webhook_id = row.Int(1);
    const std::string& event_kind = row.Text(2);
    int attempt_number = static_cast<int>(row.Int(4)) + 1;
    // Claim first, in its own short transaction, so no transaction spans the network call.
    bool claimed = false;
    bool enabled = row.Bool(9);
    database_.InTransaction([&](storage::Connection& connection) {
      std::string stamp = FormatInstant(clock_.Now());
      if (!enabled) {
        connection.Execute(kOutboxCancel, {stamp, outbox_id});
        return;
      }
      claimed = connection.Execute(kClaimOutbox, {FormatInstant(clock_.Now() + kClaim), stamp, outbox_id,
                                                  row.Text(5)}) == 1;
    });
    if (!claimed) continue;
    ++result.attempted;
    Attempt attempt = Send(row.Text(6), row.Text(7), row.OptionalText(8), row.Text(3));
    database_.InTransaction([&](storage::Connection& connection) {
      RecordAttempt(connection, webhook_id, outbox_id, event_kind, attempt_number, attempt);
      std::string stamp = FormatInstant(clock_.Now());
      if (attempt.ok) {
        connection.Execute(kOutboxDelivered, {int64_t{attempt_number}, stamp, outbox_id});
        return;
      }
      // R-NOTIF-6: back-off doubles from the base up to the maximum.
      bool give_up = attempt_number >= max_attempts;
      int64_t delay = base_seconds;
      for (int i = 1; i < attempt_number && delay < max_seconds; ++i) delay *= 2;
      delay = std::min(delay, max_seconds);
      connection.Execute(kOutboxRetry, {give_up ? "failed" : "pending", int64_t{attempt_number},
                                        FormatInstant(clock_.Now() + std::chrono::seconds(delay)),
                                        attempt.response.error.substr(0, kMaxExcerpt), stamp, outbox_id});
    });
    if (attempt.ok) {
      ++result.delivered;
    } else {
      ++result.failed;
      if (attempt_number >= max_attempts) ++result.given_up;
    }
  }
  return result;
}

}  // namespace tuoke::platform
