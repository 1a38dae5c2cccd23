// HTTP adapters for monthly plans, visit applications and visit norms
// (docs/api-visits.md "Plans, applications, norms"). No rules live here.
#include "modules/visits/plans_routes.h"

#include "app/app.h"

namespace tuoke::app {
namespace {

using http::Request;
using http::Response;
using http::RouteDoc;

const platform::Caller& CallerOf(const Request& request) { return *request.caller; }

Json Body(const Request& request) { return ParseJsonObject(request.body); }

std::optional<int64_t> QueryId(const Request& request, const std::string& name) {
  auto text = request.Query(name);
  if (!text || text->empty()) return std::nullopt;
  auto id = ParseId(*text);
  if (!id) ThrowValidation(name, "must be an id");
  return id;
}

std::optional<std::string> QueryText(const Request& request, const std::string& name) {
  auto text = request.Query(name);
  if (!text || text->empty()) return std::nullopt;
  return text;
}

std::optional<Date> QueryDate(const Request& request, const std::string& name) {
  auto text = QueryText(request, name);
  if (!text) return std::nullopt;
  auto date = ParseDate(*text);
  if (!date) ThrowValidation(name, "must be a date YYYY-MM-DD");
  return date;
}

}  // namespace

void RegisterPlanRoutes(http::Router& router, visits::PlanServices& services) {
  auto& plans = services.plans;
  auto& applications = services.applications;
  auto& norms = services.norms;
  const std::string api = "/api/v1";

  // ---- monthly plans; "/progress" before "/{id}": the router takes the first match ----
  router.Add("GET", api + "/visit-plans",
             [&plans](Request& request) {
               visits::PlanFilter filter;
               filter.rep_id = QueryId(request, "repId");
               filter.month = QueryText(request, "month");
               filter.status = QueryText(request, "status");
               filter.limit = ListLimit(request);
               filter.before_id = ListCursor(request);
               return Response::JsonBody(plans.List(CallerOf(request), filter));
             },
             RouteDoc{"Monthly visit plans in the caller's scope, newest first", "visits", "visits.read"});
  router.Add("POST", api + "/visit-plans",
             [&plans](Request& request) { return Response::JsonBody(plans.Create(CallerOf(request), Body(request)), 201); },
             RouteDoc{"Draft the caller's plan for this or next month", "visits", "visits.write", true, 201});
  router.Add("GET", api + "/visit-plans/progress",
             [&plans](Request& request) {
               std::string month = QueryText(request, "month").value_or("");
               return Response::JsonBody(plans.Progress(CallerOf(request), month, QueryId(request, "unitId")));
             },
             RouteDoc{"Plan against actual visits per rep and team for a month", "visits", "visits.read"});
  router.Add("GET", api + "/visit-plans/{id}",
             [&plans](Request& request) {
               return Response::JsonBody(plans.Get(CallerOf(request), request.PathId("id", "visits")));
             },
             RouteDoc{"A plan with its items and coverage summary", "visits", "visits.read"});
  router.Add("PATCH", api + "/visit-plans/{id}",
             [&plans](Request& request) {
               return Response::JsonBody(plans.Update(CallerOf(request), request.PathId("id", "visits"), Body(request)));
             },
             RouteDoc{"Edit one's draft or returned plan (items replace the list)", "visits", "visits.write", true});
  router.Add("GET", api + "/visit-plans/{id}/coverage",
             [&plans](Request& request) {
               return Response::JsonBody(plans.Coverage(CallerOf(request), request.PathId("id", "visits")));
             },
             RouteDoc{"Coverage of the visit norms: customers left out or under-covered", "visits", "visits.read"});
  router.Add("POST", api + "/visit-plans/{id}/submit",
             [&plans](Request& request) {
               return Response::JsonBody(plans.Submit(CallerOf(request), request.PathId("id", "visits")));
             },
             RouteDoc{"Submit one's plan to the approval chain (late ones are flagged)", "visits", "visits.write"});

  // ---- visit applications ----
  router.Add("GET", api + "/visit-applications",
             [&applications](Request& request) {
               visits::ApplicationFilter filter;
               filter.rep_id = QueryId(request, "repId");
               filter.status = QueryText(request, "status");
               filter.from = QueryDate(request, "from");
               filter.to = QueryDate(request, "to");
               filter.limit = ListLimit(request);
               filter.before_id = ListCursor(request);
               return Response::JsonBody(applications.List(CallerOf(request), filter));
             },
             RouteDoc{"Visit applications in the caller's scope, newest first", "visits", "visits.read"});
  router.Add("POST", api + "/visit-applications",
             [&applications](Request& request) {
               return Response::JsonBody(applications.Create(CallerOf(request), Body(request)), 201);
             },
             RouteDoc{"Draft a visit application (customers, day, purposes, expenses)", "visits", "visits.write", true,
                      201});
  router.Add("GET", api + "/visit-applications/{id}",
             [&applications](Request& request) {
               return Response::JsonBody(applications.Get(CallerOf(request), request.PathId("id", "visits")));
             },
             RouteDoc{"One visit application", "visits", "visits.read"});
  router.Add("PATCH", api + "/visit-applications/{id}",
             [&applications](Request& request) {
               return Response::JsonBody(
                   applications.Update(CallerOf(request), request.PathId("id", "visits"), Body(request)));
             },
             RouteDoc{"Edit one's draft or returned application", "visits", "visits.write", true});
  router.Add("POST", api + "/visit-applications/{id}/submit",
             [&applications](Request& request) {
               return Response::JsonBody(applications.Submit(CallerOf(request), request.PathId("id", "visits")));
             },
             RouteDoc{"Submit one's application to the approval chain (late ones are flagged)", "visits",
                      "visits.write"});

  // ---- visit norms ----
  router.Add("GET", api + "/visit-norms",
             [&norms](Request& request) {
               visits::NormsFilter filter;
               filter.unit_id = QueryId(request, "unitId");
               filter.rep_id = QueryId(request, "repId");
               filter.state = QueryText(request, "state");
               if (filter.state && *filter.state != "due" && *filter.state != "overdue")
                 ThrowValidation("state", "must be due or overdue");
               filter.limit = ListLimit(request);
               filter.cursor = QueryText(request, "cursor");
               return Response::JsonBody(norms.List(CallerOf(request), filter));
             },
             RouteDoc{"Customers due or overdue for a visit, most overdue first", "visits", "visits.read"});
}

}  // namespace tuoke::app
