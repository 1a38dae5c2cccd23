// HTTP adapters for check-ins, visits, follow-up items and the day views
// (docs/api-visits.md "Check-ins, visits, follow-ups"). No rules live here.
#include "app/app.h"
#include "modules/visits/checkin_service.h"
#include "modules/visits/field_routes.h"
#include "modules/visits/followup_service.h"
#include "modules/visits/visit_service.h"

namespace tuoke::app {
namespace {

using http::Request;
using http::Response;
using http::RouteDoc;

const platform::Caller& CallerOf(const Request& request) { return *request.caller; }

// Transitions may come with no body at all (the web client posts none).
Json BodyOrEmpty(const Request& request) {
  if (request.body.view().find_first_not_of(" \t\r\n") == std::string::npos) return Json::object();
  return ParseJsonObject(request.body);
}

std::optional<int64_t> QueryId(const Request& request, const std::string& name) {
  auto text = request.Query(name);
  if (!text || text->empty()) return std::nullopt;
  auto id = ParseId(*text);
  if (!id) ThrowValidation(name, "must be an id");
  return id;
}

// ?view=full (default) or summary (R-VISIT-58).
visits::VisitService::TeamDayView TeamDayViewOf(const Request& request) {
  auto text = request.Query("view");
  if (!text || *text == "full") return visits::VisitService::TeamDayView::kFull;
  if (*text == "summary") return visits::VisitService::TeamDayView::kSummary;
  ThrowValidation("view", "must be full or summary");
}

}  // namespace

void RegisterFieldRoutes(http::Router& router, visits::FieldServices& field) {
  auto& check_ins = field.check_ins;
  auto& visits_service = field.visits;
  auto& follow_ups = field.follow_ups;
  const std::string api = "/api/v1";

  // ---- check-ins ----
  router.Add("POST", api + "/check-ins",
             [&check_ins](Request& request) {
               auto result = check_ins.Record(CallerOf(request), ParseJsonObject(request.body));
               return Response::JsonText(std::move(result.json), result.created ? 201 : 200);
             },
             RouteDoc{"Check in or out (idempotent by clientId; a resend answers 200)", "visits", "visits.write",
                      true, 201});
  router.Add("GET", api + "/check-ins",
             [&check_ins](Request& request) {
               return Response::JsonText(check_ins.List(CallerOf(request), QueryId(request, "repId"),
                                                        visits::QueryDate(request.Query("date"), "date")));
             },
             RouteDoc{"One rep's check-ins of one day", "visits", "visits.read"});
  router.Add("GET", api + "/check-ins/{id}",
             [&check_ins](Request& request) {
               return Response::JsonText(check_ins.Get(CallerOf(request), request.PathId("id", "visits")));
             },
             RouteDoc{"One check-in", "visits", "visits.read"});
  router.Add("GET", api + "/check-ins/{id}/photo",
             [&check_ins](Request& request) {
               auto photo = check_ins.GetPhoto(CallerOf(request), request.PathId("id", "visits"));
               Response response;
               response.content_type = photo.content_type;
               response.body = std::move(photo.bytes);
               return response;
             },
             RouteDoc{"The photo of a check-in (JPEG or PNG)", "visits", "visits.read"});
  router.Add("POST", api + "/check-ins/{id}/pin-customer",
             [&check_ins](Request& request) {
               return Response::JsonText(check_ins.PinCustomer(CallerOf(request), request.PathId("id", "visits")));
             },
             RouteDoc{"Pin the check-in's unpinned customer at the check-in's position", "visits",
                      "visits.write"});

  // ---- visits ----
  router.Add("GET", api + "/visits",
             [&visits_service](Request& request) {
               visits::VisitFilter filter;
               filter.rep_id = QueryId(request, "repId");
               filter.customer_id = QueryId(request, "customerId");
               filter.unit_id = QueryId(request, "unitId");
               if (auto date = visits::QueryDate(request.Query("date"), "date")) filter.from = filter.to = date;
               if (auto from = visits::QueryDate(request.Query("from"), "from")) filter.from = from;
               if (auto to = visits::QueryDate(request.Query("to"), "to")) filter.to = to;
               if (auto status = request.Query("reportStatus"); status && !status->empty()) {
                 if (*status != "open" && *status != "late" && *status != "submitted" && *status != "reviewed")
                   ThrowValidation("reportStatus", "must be open, late, submitted or reviewed");
                 filter.report_status = *status;
               }
               filter.limit = ListLimit(request);
               filter.before_id = ListCursor(request);
               return Response::JsonText(visits_service.List(CallerOf(request), filter));
             },
             RouteDoc{"Visits in the caller's scope, newest first", "visits", "visits.read"});
  router.Add("GET", api + "/visits/{id}",
             [&visits_service](Request& request) {
               return Response::JsonText(visits_service.Get(CallerOf(request), request.PathId("id", "visits")));
             },
             RouteDoc{"One visit with its report and check-ins", "visits", "visits.read"});
  router.Add("PATCH", api + "/visits/{id}",
             [&visits_service](Request& request) {
               return Response::JsonText(visits_service.UpdateReport(CallerOf(request), request.PathId("id", "visits"),
                                                                     ParseJsonObject(request.body)));
             },
             RouteDoc{"Edit the visit report (the rep, before submission)", "visits", "visits.write", true});
  router.Add("POST", api + "/visits/{id}/submit-report",
             [&visits_service](Request& request) {
               return Response::JsonText(visits_service.SubmitReport(CallerOf(request), request.PathId("id", "visits"),
                                                                     BodyOrEmpty(request)));
             },
             RouteDoc{"Submit the visit report; promises become follow-up items", "visits", "visits.write", true});
  router.Add("POST", api + "/visits/{id}/review",
             [&visits_service](Request& request) {
               return Response::JsonText(
                   visits_service.Review(CallerOf(request), request.PathId("id", "visits"), ParseJsonObject(request.body)));
             },
             RouteDoc{"Review a submitted report with a comment (notifies the rep)", "visits", "visits.review", true});

  // ---- follow-up items ----
  router.Add("GET", api + "/follow-up-items",
             [&follow_ups](Request& request) {
               visits::FollowUpFilter filter;
               if (auto status = request.Query("status"); status && !status->empty()) filter.status = *status;
               if (auto overdue = request.Query("overdue"); overdue && *overdue == "true") filter.status = "overdue";
               filter.owner_id = QueryId(request, "ownerId");
               filter.customer_id = QueryId(request, "customerId");
               filter.visit_id = QueryId(request, "visitId");
               filter.unit_id = QueryId(request, "unitId");
               filter.limit = ListLimit(request);
               if (auto cursor = request.Query("cursor"); cursor && !cursor->empty()) filter.cursor = *cursor;
               return Response::JsonText(follow_ups.List(CallerOf(request), filter));
             },
             RouteDoc{"Follow-up items by due date: open, due_today, overdue, done, cancelled, all", "visits",
                      "visits.read"});
  router.Add("POST", api + "/follow-up-items",
             [&follow_ups](Request& request) {
               return Response::JsonText(follow_ups.Create(CallerOf(request), ParseJsonObject(request.body)), 201);
             },
             RouteDoc{"Create a follow-up item for a customer", "visits", "visits.write", true, 201});
  router.Add("PATCH", api + "/follow-up-items/{id}",
             [&follow_ups](Request& request) {
               return Response::JsonText(
                   follow_ups.Update(CallerOf(request), request.PathId("id", "visits"), ParseJsonObject(request.body)));
             },
             RouteDoc{"Edit or cancel an open follow-up item", "visits", "visits.write", true});
  router.Add("POST", api + "/follow-up-items/{id}/done",
             [&follow_ups](Request& request) {
               return Response::JsonText(
                   follow_ups.Done(CallerOf(request), request.PathId("id", "visits"), BodyOrEmpty(request)));
             },
             RouteDoc{"Mark a follow-up item done", "visits", "visits.write", true});

  // ---- day views ----
  router.Add("GET", api + "/team-day",
             [&visits_service](Request& request) {
               return Response::JsonText(visits_service.TeamDay(CallerOf(request),
                                                                 visits::QueryDate(request.Query("date"), "date"),
                                                                 QueryId(request, "unitId"), TeamDayViewOf(request)));
             },
             RouteDoc{"Every rep of the scope with the day's check-ins, visits and flags (view=full), or counts "
                      "per rep (view=summary)",
                      "visits", "visits.read"});
  router.Add("GET", api + "/my-day",
             [&visits_service](Request& request) {
               return Response::JsonText(
                   visits_service.MyDay(CallerOf(request), visits::QueryDate(request.Query("date"), "date")));
             },
             RouteDoc{"The caller's day: check-ins, visits, reports and follow-ups due", "visits", "visits.read"});
}

}  // namespace tuoke::app
