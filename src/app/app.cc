#include "app/app.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/text.h"
#include "modules/customers/customer_search.h"
#include "storage/migrator.h"

namespace tuoke::app {
namespace {

constexpr const char* kSessionCookie = "tuoke_session";

bool IsUnsafe(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

bool IsSaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

std::string ContentTypeFor(const std::filesystem::path& path) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},   {".json", "application/json"},
      {".svg", "image/svg+xml"},             {".png", "image/png"},
      {".jpg", "image/jpeg"},                {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},              {".woff", "font/woff"},
      {".ttf", "font/ttf"},                  {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"}};
  auto found = kTypes.find(path.extension().string());
  return found == kTypes.end() ? "application/octet-stream" : found->second;
}

// Paths the client may use while a password change is pending.
bool AllowedBeforePasswordChange(const std::string& pattern) {
  return pattern == "/api/v1/auth/me" || pattern == "/api/v1/auth/password" ||
         pattern == "/api/v1/auth/logout";
}

}  // namespace

App::App(AppConfig config, const Clock& clock) : config_(std::move(config)), clock_(clock) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  storage::DatabaseOptions options;
  options.url = config_.database_url;
  options.pool_size = config_.database_pool_size;
  database_ = storage::Database::Open(options);
  storage::Migrate(*database_);
  // R-CUST-39: search words of rows written before migration 0013 (once, in batches).
  if (int64_t filled = customers::FillSearchWords(*database_); filled > 0)
    spdlog::info("search words computed for {} customers and contacts", filled);
  policies_ = std::make_unique<platform::PolicyService>(*database_, clock_);
  policies_->EnsureDefaults();
  audit_ = std::make_unique<platform::AuditService>(*database_, policies_->TimeZone());
  auth_ = std::make_unique<platform::AuthService>(*database_, *policies_, clock_,
                                                  std::chrono::milliseconds(config_.session_cache_ms));
  org_ = std::make_unique<platform::OrgService>(*database_, clock_);
  org_->SetAccessChangedHook([auth = auth_.get()] { auth->ForgetCachedSessions(); });
  customers_ = std::make_unique<customers::CustomerService>(*database_, *policies_, clock_);
  attachments_ = std::make_unique<customers::CustomerAttachmentService>(
      *customers_, customers::ResolveAttachmentOptions(config_.attachment_store, config_.attachments_dir,
                                                       config_.database_url));
  webhook_sender_ = platform::MakeCurlWebhookSender();
  notifications_ = std::make_unique<platform::NotificationService>(*database_, *policies_, clock_, *webhook_sender_);
  approvals_ = std::make_unique<platform::ApprovalService>(*database_, *policies_, *notifications_, clock_);
  plans_ = std::make_unique<visits::PlanServices>(*database_, *policies_, *approvals_, clock_);
  field_ = std::make_unique<visits::FieldServices>(visits::FieldContext{
      *database_, *policies_, *customers_, clock_,
      // R-VISIT-20: a field check-in asks the plans module whether an application covers it.
      &visits::VisitApplicationService::CoveringApplicationQuery,
      [notifications = notifications_.get()](storage::Connection& tx, const visits::FieldNotice& notice) {
        notifications->Notify(tx, {notice.user_id, notice.kind, notice.title, notice.link, notice.data});
      },
      // R-VISIT-39: check-in photos in the store of customer attachments (--attachments).
      std::make_shared<const storage::BlobStore>(
          storage::ResolveBlobStoreOptions(config_.attachment_store, config_.attachments_dir, config_.database_url),
          database_->dialect())});
  // R-CUST-63: the owners hear of assignments and reclaims.
  customers_->set_notifier(
      [notifications = notifications_.get()](storage::Connection& tx, const platform::NotificationInput& input) {
        notifications->Notify(tx, input);
      });
  // R-CUST-61: a customer assigned with "handOver" takes its open follow-up items along.
  customers_->AddHandOver("followUpItems", &visits::HandOverFollowUps);
  reports_ = std::make_unique<fieldreports::ReportService>(
      *database_, *policies_, clock_,
      [notifications = notifications_.get()](storage::Connection& tx, const platform::NotificationInput& input) {
        notifications->Notify(tx, input);
      });
  routines_ = std::make_unique<fieldreports::RoutineService>(*database_, *policies_, clock_);
  market_intel_ = std::make_unique<fieldreports::MarketIntelService>(*database_, *policies_, *customers_, clock_);
  competitors_ = std::make_unique<fieldreports::CompetitorService>(*database_, *policies_, *customers_, clock_);
  reminders_ = std::make_unique<fieldreports::ReminderService>(
      *database_, *policies_, clock_,
      [notifications = notifications_.get()](storage::Connection& tx, const platform::NotificationInput& input) {
        notifications->Notify(tx, input);
      });
  unsigned char random[4];
  randombytes_buf(random, sizeof random);
  char prefix[9];
  std::snprintf(prefix, sizeof prefix, "%02x%02x%02x%02x", random[0], random[1], random[2], random[3]);
  request_id_prefix_ = prefix;
  RegisterRoutes();
}

App::~App() = default;

void App::RegisterRoutes() {
  RegisterPlatformRoutes(*this, router_, *audit_, metrics_, &openapi_json_);
  RegisterCustomerRoutes(router_, *customers_, *attachments_);
  RegisterWorkflowRoutes(router_, *approvals_, *notifications_);
  RegisterFieldRoutes(router_, *field_);
  RegisterPlanRoutes(router_, *plans_);
  RegisterFieldReportRoutes(router_, *reports_, *routines_, *market_intel_);
  RegisterCompetitorRoutes(router_, *competitors_);
  openapi_json_ = BuildOpenApi(router_).dump();
}

void App::StartBackgroundJobs(std::chrono::milliseconds interval) {
  if (!pool_reclaim_job_)
    pool_reclaim_job_ = std::make_unique<customers::PoolReclaimJob>(*customers_, *attachments_, clock_, interval);
  // R-NOTIF-6: the webhook outbox is polled often so robots hear of events within
  // seconds; an idle poll is one indexed query.
  if (!webhook_worker_)
    webhook_worker_ = std::make_unique<platform::WebhookWorker>(*notifications_, std::chrono::seconds(1));
  // R-VISIT-46: late visit reports are marked and notified on the pool-reclaim cadence.
  if (!visit_report_job_) visit_report_job_ = std::make_unique<visits::VisitReportJob>(field_->visits, interval);
  // R-REMIND-1, 2: the daily report reminder window is an hour by default, so the
  // five-minute cadence finds every rep in it.
  if (!reminder_job_) reminder_job_ = std::make_unique<fieldreports::ReminderJob>(*reminders_, interval);
}

std::string App::NewRequestId() {
  static std::atomic<uint64_t> counter{0};
  return request_id_prefix_ + "-" + std::to_string(++counter);
}

http::Response App::Handle(http::Request& request) {
  auto started = std::chrono::steady_clock::now();
  auto incoming = request.Header("x-request-id");
  request.request_id = incoming && IsSaneRequestId(*incoming) ? std::string(*incoming) : NewRequestId();

  std::string route_name = "unmatched";
  int64_t user_id = 0;
  http::Response response;
  try {
    response = Dispatch(request, route_name, user_id);
  } catch (const Error& error) {
    response = http::ErrorResponse(error, request.request_id);
  } catch (const storage::DatabaseError& error) {
    spdlog::error("request {} database error: {}", request.request_id, error.what());
    bool busy = error.kind() == storage::DatabaseError::Kind::kBusy ||
                error.kind() == storage::DatabaseError::Kind::kConnection;
    response = http::ErrorResponse(
        busy ? Error(ErrorKind::kUnavailable, "storage.busy", "the database is busy; try again")
             : Error(ErrorKind::kInternal, "internal", "internal error"),
        request.request_id);
  } catch (const std::exception& error) {
    spdlog::error("request {} failed: {}", request.request_id, error.what());
    response = http::ErrorResponse(Error(ErrorKind::kInternal, "internal", "internal error"),
                                   request.request_id);
  }
  response.headers.emplace_back("X-Request-Id", request.request_id);
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (route_name.rfind("/api/", 0) == 0) response.headers.emplace_back("Cache-Control", "no-store");

  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.RecordRequest(request.method, route_name, response.status, seconds);
  if (config_.access_log)
    spdlog::info(
        R"({{"msg":"request","requestId":"{}","method":"{}","path":{},"route":"{}","status":{},"ms":{:.2f},"ip":"{}","userId":{}}})",
        request.request_id, request.method, Json(request.path).dump(), route_name,
        response.status, seconds * 1000, request.remote_ip, user_id);
  return response;
}

http::Response App::Dispatch(http::Request& request, std::string& route_name, int64_t& user_id) {
  bool api = request.path.rfind("/api/", 0) == 0;
  if (!api && request.path != "/healthz" && request.path != "/readyz" && request.path != "/metrics") {
    if (auto file = ServeStatic(request)) {
      route_name = "static";
      return *file;
    }
  }
  const http::Route& route = router_.Match(request);
  route_name = route.pattern;
  // A route may allow a larger body than the default (attachment uploads, RouteDoc::max_body_bytes).
  size_t body_limit = route.doc.max_body_bytes ? route.doc.max_body_bytes : config_.max_body_bytes;
  if (request.body.size() > body_limit)
    throw Error(ErrorKind::kPayloadTooLarge, "request.body_too_large",
                "request body exceeds " + std::to_string(body_limit) + " bytes", {{"limit", body_limit}});
  if (route.doc.permission == "public") return route.handler(request);

  platform::RequestContext context{request.remote_ip, request.request_id,
                                   std::string(request.Header("user-agent").value_or(""))};
  std::optional<platform::Caller> caller;
  auto authorization = request.Header("authorization");
  // The scheme name is case-insensitive (RFC 9110 §11.1).
  if (authorization && authorization->size() > 7 && ToLowerAscii(authorization->substr(0, 7)) == "bearer ") {
    caller = auth_->Authenticate(authorization->substr(7), platform::SessionKind::kApi, context);
  } else if (auto cookie = request.Cookie(kSessionCookie)) {
    caller = auth_->Authenticate(*cookie, platform::SessionKind::kBrowser, context);
    // R-AUTH-3: cookie-authenticated writes must echo the session's CSRF token.
    if (caller && IsUnsafe(request.method) &&
        !auth_->CheckCsrf(*caller, request.Header("x-csrf-token").value_or("")))
      throw Error(ErrorKind::kForbidden, "auth.csrf_failed", "missing or wrong X-CSRF-Token header");
  }
  if (!caller)
    throw Error(ErrorKind::kUnauthenticated, "auth.unauthenticated", "please sign in");
  if (caller->must_change_password && !AllowedBeforePasswordChange(route.pattern))
    throw Error(ErrorKind::kForbidden, "auth.password_change_required",
                "change your password before going on");
  user_id = caller->user_id;
  request.caller = &*caller;
  http::Response response = route.handler(request);
  request.caller = nullptr;
  return response;
}

std::optional<http::Response> App::ServeStatic(const http::Request& request) {
  if (config_.web_dir.empty() || (request.method != "GET" && request.method != "HEAD"))
    return std::nullopt;
  std::string relative = request.path == "/" ? "index.html" : request.path.substr(1);
  // Refuse anything that could step outside the web directory.
  if (relative.find("..") != std::string::npos || relative.find('\\') != std::string::npos ||
      relative.find('\0') != std::string::npos)
    return std::nullopt;
  namespace fs = std::filesystem;
  fs::path file = fs::path(config_.web_dir) / relative;
  std::error_code error;
  bool is_asset = fs::is_regular_file(file, error);
  if (!is_asset) {
    // Client-side routes (/org/users …) get the app shell; missing assets get a 404.
    if (fs::path(relative).has_extension()) return std::nullopt;
    file = fs::path(config_.web_dir) / "index.html";
    if (!fs::is_regular_file(file, error)) return std::nullopt;
  }
  std::shared_ptr<const std::string> content;
  {
    std::lock_guard lock(static_mutex_);
    auto found = static_cache_.find(file.string());
    if (found != static_cache_.end()) content = found->second;
  }
  if (!content) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    content = std::make_shared<const std::string>(buffer.str());
    std::lock_guard lock(static_mutex_);
    // index.html is re-read so a rebuilt client shows up; hashed assets never change.
    if (file.filename() != "index.html") static_cache_[file.string()] = content;
  }
  http::Response response;
  response.content_type = ContentTypeFor(file);
  response.body = *content;
  bool hashed = relative.rfind("assets/", 0) == 0;
  response.headers.emplace_back("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
  if (file.filename() == "index.html")
    response.headers.emplace_back(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
        "connect-src 'self'; frame-ancestors 'none'");
  return response;
}

int ListLimit(const http::Request& request) {
  auto text = request.Query("limit");
  if (!text) return 50;
  auto value = ParseId(*text);
  if (!value || *value > 200) ThrowValidation("limit", "must be between 1 and 200");
  return static_cast<int>(*value);
}

std::optional<int64_t> ListCursor(const http::Request& request) {
  auto text = request.Query("cursor");
  if (!text || text->empty()) return std::nullopt;
  auto value = ParseId(*text);
  if (!value) ThrowValidation("cursor", "is not a cursor from this list");
  return value;
}

}  // namespace tuoke::app
