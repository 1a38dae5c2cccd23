// The composition root: opens the database, applies migrations, wires the services
// and the routes, and turns an HTTP request into a response (authentication, CSRF,
// limits, errors, metrics, access log, static files of the web client).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "app/metrics.h"
#include "core/time.h"
#include "http/router.h"
#include "modules/customers/customer_attachments.h"
#include "modules/customers/customer_service.h"
#include "modules/customers/pool_reclaim_job.h"
#include "modules/fieldreports/competitor_service.h"
#include "modules/fieldreports/daily_report_service.h"
#include "modules/fieldreports/market_intel_service.h"
#include "modules/fieldreports/reminder_job.h"
#include "modules/fieldreports/reminder_service.h"
#include "modules/fieldreports/routine_service.h"
#include "modules/visits/field_routes.h"
#include "modules/visits/plans_routes.h"
#include "modules/visits/visit_report_job.h"
#include "platform/approval.h"
#include "platform/audit.h"
#include "platform/auth.h"
#include "platform/org.h"
#include "platform/notification.h"
#include "platform/policy.h"
#include "platform/webhook_worker.h"
#include "storage/database.h"

namespace tuoke::app {

struct AppConfig {
  std::string database_url;  // sqlite:PATH or postgres://…
  std::string web_dir;       // built web client (index.html); empty: API only
  size_t max_body_bytes = 1024 * 1024;
  int database_pool_size = 8;
  bool secure_cookies = false;  // set the Secure flag (behind HTTPS)
  bool access_log = true;
  // Reuse a verified session for this long without a database round trip
  // (see AuthService). 0 checks the database on every request.
  int session_cache_ms = 2000;
  // Customer attachments (R-CUST-27): "auto" (on disk beside a SQLite database, in
  // PostgreSQL otherwise), "disk" or "database"; the directory of "disk" (default:
  // <folder of the SQLite file>/attachments).
  std::string attachment_store = "auto";
  std::string attachments_dir;
};

class App {
 public:
  // Opens the database and migrates it. Throws tuoke::Error when the database is unreachable.
  App(AppConfig config, const Clock& clock);
  ~App();

  http::Response Handle(http::Request& request);

  storage::Database& database() { return *database_; }
  platform::PolicyService& policies() { return *policies_; }
  platform::OrgService& org() { return *org_; }
  platform::AuthService& auth() { return *auth_; }
  customers::CustomerService& customers() { return *customers_; }
  customers::CustomerAttachmentService& attachments() { return *attachments_; }
  fieldreports::ReportService& reports() { return *reports_; }
  fieldreports::RoutineService& routines() { return *routines_; }
  fieldreports::MarketIntelService& market_intel() { return *market_intel_; }
  fieldreports::CompetitorService& competitors() { return *competitors_; }
  fieldreports::ReminderService& reminders() { return *reminders_; }
  platform::NotificationService& notifications() { return *notifications_; }
  platform::ApprovalService& approvals() { return *approvals_; }
  visits::FieldServices& field() { return *field_; }
  visits::PlanServices& plans() { return *plans_; }
  const http::Router& router() const { return router_; }
  const AppConfig& config() const { return config_; }

  // Starts the scheduled jobs of `tuoke serve` (pool reclaim, R-CUST-10; the attachment
  // purge, R-CUST-51; …), each run every
  // `interval`; they stop when the App is destroyed. Tests and CLI commands do not call it.
  void StartBackgroundJobs(std::chrono::milliseconds interval);

 private:
  void RegisterRoutes();
  http::Response Dispatch(http::Request& request, std::string& route_name, int64_t& user_id);
  std::optional<http::Response> ServeStatic(const http::Request& request);
  std::string NewRequestId();

  AppConfig config_;
  const Clock& clock_;
  std::unique_ptr<storage::Database> database_;
  std::unique_ptr<platform::PolicyService> policies_;
  std::unique_ptr<platform::AuditService> audit_;
  std::unique_ptr<platform::AuthService> auth_;
  std::unique_ptr<platform::OrgService> org_;
  std::unique_ptr<customers::CustomerService> customers_;
  std::unique_ptr<customers::CustomerAttachmentService> attachments_;
  std::unique_ptr<fieldreports::ReportService> reports_;
  std::unique_ptr<fieldreports::RoutineService> routines_;
  std::unique_ptr<fieldreports::MarketIntelService> market_intel_;
  std::unique_ptr<fieldreports::CompetitorService> competitors_;
  std::unique_ptr<fieldreports::ReminderService> reminders_;
  std::unique_ptr<platform::WebhookSender> webhook_sender_;
  std::unique_ptr<platform::NotificationService> notifications_;
  std::unique_ptr<platform::ApprovalService> approvals_;
  std::unique_ptr<visits::PlanServices> plans_;
  std::unique_ptr<visits::FieldServices> field_;
  http::Router router_;
  Metrics metrics_;
  std::string openapi_json_;
  std::string request_id_prefix_;

  std::mutex static_mutex_;
  std::unordered_map<std::string, std::shared_ptr<const std::string>> static_cache_;  // guarded

  // Last: destroyed (stopped) first, while the services it calls still exist.
  std::unique_ptr<customers::PoolReclaimJob> pool_reclaim_job_;
  std::unique_ptr<platform::WebhookWorker> webhook_worker_;
  std::unique_ptr<visits::VisitReportJob> visit_report_job_;
  std::unique_ptr<fieldreports::ReminderJob> reminder_job_;
};

// Routes of the platform issue (auth, org, users, roles, policies, audit, ops).
void RegisterPlatformRoutes(App& app, http::Router& router, platform::AuditService& audit,
                            Metrics& metrics, const std::string* openapi_json);

// Routes of the customer archive (issue #3, docs/api-customers.md), attachments included
// (R-CUST-26..30).
void RegisterCustomerRoutes(http::Router& router, customers::CustomerService& service,
                            customers::CustomerAttachmentService& attachments);

// Routes of approvals, notifications and webhooks (issue #4, docs/api-workflow.md).
void RegisterWorkflowRoutes(http::Router& router, platform::ApprovalService& approvals,
                            platform::NotificationService& notifications);

// Routes of daily/period reports, morning notes, routines and market intelligence
// (issue #4 items 6, 9, 10; docs/api-fieldreports.md).
void RegisterFieldReportRoutes(http::Router& router, fieldreports::ReportService& reports,
                               fieldreports::RoutineService& routines, fieldreports::MarketIntelService& intel);
// Competitor profiles, offers and the side-by-side comparison (§13; docs/api-fieldreports.md).
void RegisterCompetitorRoutes(http::Router& router, fieldreports::CompetitorService& competitors);

// Builds the OpenAPI 3.0 document from the registered routes.
Json BuildOpenApi(const http::Router& router);

// Reads `limit` (1..200, default 50) and `cursor` (an id) from the query string.
int ListLimit(const http::Request& request);
std::optional<int64_t> ListCursor(const http::Request& request);

}  // namespace tuoke::app
