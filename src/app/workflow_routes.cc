// HTTP adapters for approvals, notifications and webhooks (docs/api-workflow.md): map
// query strings and JSON bodies to ApprovalService / NotificationService calls. No rules
// live here.
#include "app/app.h"
#include "platform/approval.h"
#include "platform/notification.h"

namespace tuoke::app {
namespace {

using http::Request;
using http::Response;
using http::RouteDoc;

const platform::Caller& CallerOf(const Request& request) { return *request.caller; }

Json Body(const Request& request) {
  // Bodiless POSTs ({comment} is optional) read as an empty object.
  if (request.body.view().find_first_not_of(" \t\r\n") == std::string::npos) return Json::object();
  return ParseJsonObject(request.body);
}

platform::ApprovalBox ParseBox(const Request& request) {
  auto box = request.Query("box");
  if (!box || box->empty() || *box == "inbox") return platform::ApprovalBox::kInbox;
  if (*box == "mine") return platform::ApprovalBox::kMine;
  if (*box == "decided") return platform::ApprovalBox::kDecided;
  ThrowValidation("box", "must be inbox, mine or decided");
}

bool ParseUnread(const Request& request) {
  auto unread = request.Query("unread");
  if (!unread || unread->empty() || *unread == "false") return false;
  if (*unread == "true") return true;
  ThrowValidation("unread", "must be true or false");
}

}  // namespace

void RegisterWorkflowRoutes(http::Router& router, platform::ApprovalService& approvals,
                            platform::NotificationService& notifications) {
  const std::string api = "/api/v1";

  // ---- approvals (R-APPR-n) ----
  router.Add("GET", api + "/approvals",
             [&approvals](Request& request) {
               return Response::JsonBody(
                   approvals.List(CallerOf(request), ParseBox(request), ListLimit(request), ListCursor(request)));
             },
             RouteDoc{"Approval requests: box=inbox (waiting for me), mine (I submitted), decided (I decided)",
                      "approvals", ""});
  router.Add("GET", api + "/approvals/{id}",
             [&approvals](Request& request) {
               return Response::JsonBody(approvals.Get(CallerOf(request), request.PathId("id", "approvals")));
             },
             RouteDoc{"One request with its steps, earlier rounds and the caller's possible actions", "approvals",
                      ""});
  for (const char* action : {"approve", "reject", "return", "register", "withdraw"}) {
    static const std::map<std::string, std::string> kSummaries = {
        {"approve", "Approve the step waiting for me (or for whom I stand in)"},
        {"reject", "Reject: ends the request (comment required by policy)"},
        {"return", "Return to the requester for changes (comment required by policy)"},
        {"register", "Register an approved request (报备; approvals.register)"},
        {"withdraw", "Withdraw my pending request"},
    };
    std::string name = action;
    router.Add("POST", api + "/approvals/{id}/" + name,
               [&approvals, name](Request& request) {
                 return Response::JsonBody(
                     approvals.Decide(CallerOf(request), request.PathId("id", "approvals"), name, Body(request)));
               },
               RouteDoc{kSummaries.at(name), "approvals", name == "register" ? "approvals.register" : "", true});
  }
  router.Add("GET", api + "/approval-delegation",
             [&approvals](Request& request) { return Response::JsonBody(approvals.GetDelegation(CallerOf(request))); },
             RouteDoc{"My delegation while away, or null", "approvals", ""});
  router.Add("PUT", api + "/approval-delegation",
             [&approvals](Request& request) {
               // A literal null body clears the delegation, like {"delegateId": null}.
               auto first = request.body.view().find_first_not_of(" \t\r\n");
               Json body = first != std::string::npos && request.body.view().compare(first, 4, "null") == 0 &&
                                   request.body.view().find_first_not_of(" \t\r\n", first + 4) == std::string::npos
                               ? Json{{"delegateId", nullptr}}
                               : ParseJsonObject(request.body);
               return Response::JsonBody(approvals.PutDelegation(CallerOf(request), body));
             },
             RouteDoc{"Name a delegate for a date range, or clear it", "approvals", "", true});

  // ---- notifications (R-NOTIF-1, 2) ----
  router.Add("GET", api + "/notifications",
             [&notifications](Request& request) {
               return Response::JsonBody(notifications.List(CallerOf(request), ParseUnread(request),
                                                            ListLimit(request), ListCursor(request)));
             },
             RouteDoc{"My notifications, newest first (unread=true for unread only)", "notifications", ""});
  router.Add("GET", api + "/notifications/unread-count",
             [&notifications](Request& request) {
               return Response::JsonBody(notifications.UnreadCount(CallerOf(request)));
             },
             RouteDoc{"How many of my notifications are unread", "notifications", ""});
  router.Add("POST", api + "/notifications/read-all",
             [&notifications](Request& request) {
               return Response::JsonBody(notifications.MarkAllRead(CallerOf(request)));
             },
             RouteDoc{"Mark all my notifications read", "notifications", ""});
  router.Add("POST", api + "/notifications/{id}/read",
             [&notifications](Request& request) {
               return Response::JsonBody(
                   notifications.MarkRead(CallerOf(request), request.PathId("id", "notifications")));
             },
             RouteDoc{"Mark one of my notifications read", "notifications", ""});

  // ---- webhooks (R-NOTIF-3..7) ----
  router.Add("GET", api + "/webhooks",
             [&notifications](Request& request) {
               return Response::JsonBody(notifications.ListWebhooks(CallerOf(request)));
             },
             RouteDoc{"Outgoing group-robot webhooks (secrets and URL tokens masked)", "webhooks", "webhooks.manage"});
  router.Add("POST", api + "/webhooks",
             [&notifications](Request& request) {
               return Response::JsonBody(notifications.CreateWebhook(CallerOf(request), Body(request)), 201);
             },
             RouteDoc{"Add a DingTalk or WeCom robot webhook", "webhooks", "webhooks.manage", true, 201});
  router.Add("PATCH", api + "/webhooks/{id}",
             [&notifications](Request& request) {
               return Response::JsonBody(
                   notifications.UpdateWebhook(CallerOf(request), request.PathId("id", "webhooks"), Body(request)));
             },
             RouteDoc{"Change a webhook (secret: write-only; null removes it)", "webhooks", "webhooks.manage", true});
  router.Add("DELETE", api + "/webhooks/{id}",
             [&notifications](Request& request) {
               notifications.DeleteWebhook(CallerOf(request), request.PathId("id", "webhooks"));
               return Response::NoContent();
             },
             RouteDoc{"Remove a webhook with its outbox and delivery log", "webhooks", "webhooks.manage", false, 204});
  router.Add("POST", api + "/webhooks/{id}/test",
             [&notifications](Request& request) {
               return Response::JsonBody(
                   notifications.TestWebhook(CallerOf(request), request.PathId("id", "webhooks")));
             },
             RouteDoc{"Send a test message now and answer the attempt", "webhooks", "webhooks.manage"});
  router.Add("GET", api + "/webhooks/{id}/deliveries",
             [&notifications](Request& request) {
               return Response::JsonBody(notifications.ListDeliveries(
                   CallerOf(request), request.PathId("id", "webhooks"), ListLimit(request), ListCursor(request)));
             },
             RouteDoc{"Delivery attempts, newest first (status, error, duration)", "webhooks", "webhooks.manage"});
}

}  // namespace tuoke::app
