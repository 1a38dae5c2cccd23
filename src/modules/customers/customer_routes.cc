// HTTP adapters for the customer archive (docs/api-customers.md): map query strings and
// JSON bodies to CustomerService calls. No rules live here.
#include "app/app.h"
#include "core/text.h"
#include "modules/customers/customer_service.h"

namespace tuoke::app {
namespace {

using customers::CustomerService;
using http::Request;
using http::Response;
using http::RouteDoc;

const platform::Caller& CallerOf(const Request& request) { return *request.caller; }

Json Body(const Request& request) { return ParseJsonObject(request.body); }

std::optional<std::string> QueryText(const Request& request, const std::string& name, size_t max_length) {
  auto text = request.Query(name);
  if (!text || text->empty()) return std::nullopt;
  if (Utf8Length(*text) > max_length || !IsCleanText(*text)) ThrowValidation(name, "is too long or not text");
  return text;
}

std::optional<std::string> QueryEnum(const Request& request, const std::string& name,
                                     const std::set<std::string>& allowed) {
  auto text = QueryText(request, name, 64);
  if (text && !allowed.count(*text)) ThrowValidation(name, "is not a known value");
  return text;
}

std::optional<int64_t> QueryId(const Request& request, const std::string& name) {
  auto text = request.Query(name);
  if (!text || text->empty()) return std::nullopt;
  auto id = ParseId(*text);
  if (!id) ThrowValidation(name, "must be an id");
  return id;
}

std::optional<Date> QueryDate(const Request& request, const std::string& name) {
  auto text = request.Query(name);
  if (!text || text->empty()) return std::nullopt;
  auto date = ParseDate(*text);
  if (!date) ThrowValidation(name, "must be a date YYYY-MM-DD");
  return date;
}

customers::CustomerFilter ParseFilter(const Request& request) {
  customers::CustomerFilter filter;
  filter.query = QueryText(request, "q", 100);
  // Grades of both rule sets: a list filtered by a grade of the other set is simply empty.
  filter.grade = QueryEnum(request, "grade", {"key", "important", "general", "watch", "A", "B", "C", "D"});
  filter.status = QueryEnum(request, "status", customers::CustomerStatuses());
  filter.type = QueryEnum(request, "type", customers::CustomerTypes());
  filter.province = QueryText(request, "province", 32);
  filter.city = QueryText(request, "city", 32);
  filter.owner_id = QueryId(request, "ownerId");
  filter.unit_id = QueryId(request, "unitId");
  filter.tag = QueryText(request, "tag", 32);
  if (auto in_pool = request.Query("inPool"); in_pool && !in_pool->empty()) {
    if (*in_pool != "true" && *in_pool != "false") ThrowValidation("inPool", "must be true or false");
    filter.in_pool = *in_pool == "true";
  }
  filter.follow_up_before = QueryDate(request, "followUpBefore");
  filter.follow_up_after = QueryDate(request, "followUpAfter");
  if (auto sort = request.Query("sort"); sort && !sort->empty()) {
    auto parsed = customers::ParseCustomerSort(*sort);
    if (!parsed) ThrowValidation("sort", "must be one of: -updatedAt, name, lastFollowUpAt, -lastFollowUpAt");
    filter.sort = *parsed;
  }
  filter.limit = ListLimit(request);
  if (auto cursor = request.Query("cursor"); cursor && !cursor->empty()) filter.cursor = *cursor;
  return filter;
}

}  // namespace

void RegisterCustomerRoutes(http::Router& router, CustomerService& service) {
  const std::string base = "/api/v1/customers";
  router.Add("GET", base,
             [&service](Request& request) {
               return Response::JsonText(service.List(CallerOf(request), ParseFilter(request)));
             },
             RouteDoc{"Customers in the caller's scope and the pool: search, filters, sort", "customers",
                      "customers.read"});
  router.Add("POST", base + "/duplicate-check",
             [&service](Request& request) {
               return Response::JsonBody(service.DuplicateCheck(CallerOf(request), Body(request)));
             },
             RouteDoc{"Likely duplicates by name, phone and address", "customers", "customers.read", true});
  router.Add("POST", base,
             [&service](Request& request) {
               return Response::JsonText(service.Create(CallerOf(request), Body(request)), 201);
             },
             RouteDoc{"Create a customer owned by the caller", "customers", "customers.write", true, 201});
  router.Add("GET", base + "/{id}",
             [&service](Request& request) {
               return Response::JsonText(service.Get(CallerOf(request), request.PathId("id", "customers")));
             },
             RouteDoc{"One customer with its contacts", "customers", "customers.read"});
  router.Add("PATCH", base + "/{id}",
             [&service](Request& request) {
               return Response::JsonText(
                   service.Update(CallerOf(request), request.PathId("id", "customers"), Body(request)));
             },
             RouteDoc{"Edit a customer", "customers", "customers.write", true});
  router.Add("POST", base + "/{id}/grade-override",
             [&service](Request& request) {
               return Response::JsonText(
                   service.OverrideGrade(CallerOf(request), request.PathId("id", "customers"), Body(request)));
             },
             RouteDoc{"Override the computed grade with a reason", "customers", "customers.assign", true});
  router.Add("DELETE", base + "/{id}/grade-override",
             [&service](Request& request) {
               return Response::JsonText(
                   service.RemoveGradeOverride(CallerOf(request), request.PathId("id", "customers")));
             },
             RouteDoc{"Return to the computed grade", "customers", "customers.assign"});
  router.Add("GET", base + "/{id}/grade-history",
             [&service](Request& request) {
               return Response::JsonBody(service.GradeHistory(CallerOf(request), request.PathId("id", "customers")));
             },
             RouteDoc{"Changes of the grade, newest first", "customers", "customers.read"});
  router.Add("POST", base + "/{id}/assign",
             [&service](Request& request) {
               return Response::JsonText(
                   service.Assign(CallerOf(request), request.PathId("id", "customers"), Body(request)));
             },
             RouteDoc{"Assign or transfer to an owner", "customers", "customers.assign", true});
  router.Add("POST", base + "/{id}/release",
             [&service](Request& request) {
               return Response::JsonText(
                   service.Release(CallerOf(request), request.PathId("id", "customers"), Body(request)));
             },
             RouteDoc{"Return to the shared pool (owner or manager)", "customers", "customers.write", true});
  router.Add("POST", base + "/{id}/claim",
             [&service](Request& request) {
               return Response::JsonText(service.Claim(CallerOf(request), request.PathId("id", "customers")));
             },
             RouteDoc{"Claim from the shared pool", "customers", "customers.write"});
  router.Add("GET", base + "/{id}/timeline",
             [&service](Request& request) {
               return Response::JsonBody(service.Timeline(CallerOf(request), request.PathId("id", "customers"),
                                                          ListLimit(request), ListCursor(request)));
             },
             RouteDoc{"Activity timeline, newest first", "customers", "customers.read"});
  router.Add("POST", base + "/{id}/follow-ups",
             [&service](Request& request) {
               return Response::JsonBody(
                   service.AddFollowUp(CallerOf(request), request.PathId("id", "customers"), Body(request)), 201);
             },
             RouteDoc{"Record a follow-up", "customers", "customers.write", true, 201});
  router.Add("POST", base + "/{id}/contacts",
             [&service](Request& request) {
               return Response::JsonBody(
                   service.AddContact(CallerOf(request), request.PathId("id", "customers"), Body(request)), 201);
             },
             RouteDoc{"Add a contact", "customers", "customers.write", true, 201});
  router.Add("PATCH", "/api/v1/contacts/{id}",
             [&service](Request& request) {
               return Response::JsonBody(
                   service.UpdateContact(CallerOf(request), request.PathId("id", "contacts"), Body(request)));
             },
             RouteDoc{"Edit a contact", "customers", "customers.write", true});
  router.Add("DELETE", "/api/v1/contacts/{id}",
             [&service](Request& request) {
               service.DeleteContact(CallerOf(request), request.PathId("id", "contacts"));
               return Response::NoContent();
             },
             RouteDoc{"Delete a contact", "customers", "customers.write", false, 204});
}

}  // namespace tuoke::app
