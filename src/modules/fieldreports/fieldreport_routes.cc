// HTTP adapters of the field reports (docs/api-fieldreports.md): daily reports, weekly and
// monthly summaries, morning notes, routine checklists and market intelligence. They map
// query strings and bodies to the services; no rules live here.
#include "app/app.h"
#include "core/text.h"
#include "modules/fieldreports/competitor_service.h"
#include "modules/fieldreports/daily_report_service.h"
#include "modules/fieldreports/market_intel_service.h"
#include "modules/fieldreports/routine_service.h"

namespace tuoke::app {
namespace {

using fieldreports::ReportKind;
using http::Request;
using http::Response;
using http::RouteDoc;

const platform::Caller& CallerOf(const Request& request) { return *request.caller; }
Json Body(const Request& request) { return ParseJsonObject(request.body); }

std::optional<Date> DateParameter(const Request& request, const std::string& name) {
  auto text = request.Query(name);
  if (!text || text->empty()) return std::nullopt;
  auto date = ParseDate(*text);
  if (!date) ThrowValidation(name, "must be a date YYYY-MM-DD");
  return date;
}

Date PathDate(const Request& request, const std::string& name) {
  auto date = ParseDate(request.path_params.at(name));
  if (!date) ThrowValidation(name, "must be a date YYYY-MM-DD");
  return *date;
}

std::optional<int64_t> IdParameter(const Request& request, const std::string& name) {
  auto text = request.Query(name);
  if (!text || text->empty()) return std::nullopt;
  auto id = ParseId(*text);
  if (!id) ThrowValidation(name, "must be an id");
  return id;
}

std::optional<std::string> TextParameter(const Request& request, const std::string& name, size_t max_length) {
  auto text = request.Query(name);
  if (!text || text->empty()) return std::nullopt;
  if (Utf8Length(*text) > max_length || !IsCleanText(*text)) ThrowValidation(name, "is too long or not text");
  return text;
}

// R-REPORT-7, 11: the summary kinds (every kind but the day's).
ReportKind PeriodKind(const std::string& text, const std::string& name) {
  auto kind = fieldreports::ParseReportKind(text);
  if (!kind || *kind == ReportKind::kDay) ThrowValidation(name, "must be week, month, quarter, half_year or year");
  return *kind;
}

fieldreports::ReportFilter ReportFilterOf(const Request& request, ReportKind kind) {
  fieldreports::ReportFilter filter;
  filter.kind = kind;
  if (auto date = DateParameter(request, kind == ReportKind::kDay ? "date" : "start")) filter.from = filter.to = date;
  if (auto from = DateParameter(request, "from")) filter.from = from;
  if (auto to = DateParameter(request, "to")) filter.to = to;
  filter.rep_id = IdParameter(request, "repId");
  filter.unit_id = IdParameter(request, "unitId");
  if (auto status = TextParameter(request, "status", 20)) {
    if (*status != "submitted" && *status != "reviewed" && *status != "draft")
      ThrowValidation("status", "must be draft, submitted or reviewed");
    filter.status = status;
  }
  if (auto late = request.Query("late"); late && !late->empty()) {
    if (*late != "true" && *late != "false") ThrowValidation("late", "must be true or false");
    filter.late = *late == "true";
  }
  filter.limit = ListLimit(request);
  if (auto cursor = request.Query("cursor"); cursor && !cursor->empty()) filter.cursor = *cursor;
  return filter;
}

void RegisterDailyReportRoutes(http::Router& router, fieldreports::ReportService& reports) {
  const std::string base = "/api/v1/daily-reports";
  router.Add("GET", base,
             [&reports](Request& request) {
               return Response::JsonBody(reports.List(CallerOf(request), ReportFilterOf(request, ReportKind::kDay)));
             },
             RouteDoc{"Daily reports of the caller's scope (drafts only one's own); filters date, from, to, repId, "
                      "unitId, status, late",
                      "reports", "visits.read"});
  router.Add("GET", base + "/draft",
             [&reports](Request& request) {
               Date date = DateParameter(request, "date").value_or(reports.Today());
               return Response::JsonBody(reports.Draft(CallerOf(request), ReportKind::kDay, date));
             },
             RouteDoc{"The caller's daily report for a date, drafted from the day's check-ins, visits and follow-ups",
                      "reports", "visits.write"});
  router.Add("GET", base + "/missing",
             [&reports](Request& request) {
               Date date = DateParameter(request, "date").value_or(reports.Today());
               return Response::JsonBody(reports.Missing(CallerOf(request), date, IdParameter(request, "unitId"),
                                                         ListLimit(request), ListCursor(request)));
             },
             RouteDoc{"Reps of the caller's review scope without a submitted daily report for a date", "reports",
                      "visits.review"});
  router.Add("GET", base + "/{id}",
             [&reports](Request& request) {
               return Response::JsonBody(
                   reports.Get(CallerOf(request), ReportKind::kDay, request.PathId("id", "reports")));
             },
             RouteDoc{"One daily report with its facts and comments", "reports", "visits.read"});
  router.Add("PUT", base + "/{date}",
             [&reports](Request& request) {
               return Response::JsonBody(
                   reports.Save(CallerOf(request), ReportKind::kDay, PathDate(request, "date"), Body(request)));
             },
             RouteDoc{"Save the caller's daily report draft (summary, problems, nextPlan, sections)", "reports",
                      "visits.write", true});
  router.Add("POST", base + "/{date}/submit",
             [&reports](Request& request) {
               return Response::JsonBody(
                   reports.Submit(CallerOf(request), ReportKind::kDay, PathDate(request, "date"), Body(request)));
             },
             RouteDoc{"Submit the caller's daily report to their manager (late after the due time)", "reports",
                      "visits.write", true});
  router.Add("POST", base + "/{id}/comment",
             [&reports](Request& request) {
               return Response::JsonBody(reports.Comment(CallerOf(request), ReportKind::kDay,
                                                         request.PathId("id", "reports"), Body(request)),
                                         201);
             },
             RouteDoc{"Comment on a submitted daily report (the rep is notified)", "reports", "visits.review", true,
                      201});

  const std::string notes = "/api/v1/morning-notes";
  router.Add("GET", notes,
             [&reports](Request& request) {
               Date date = DateParameter(request, "date").value_or(reports.Today());
               return Response::JsonBody(reports.ListMorningNotes(CallerOf(request), date, IdParameter(request, "repId"),
                                                                  IdParameter(request, "unitId"), ListLimit(request),
                                                                  ListCursor(request)));
             },
             RouteDoc{"Morning notes (where I go today) of a date in the caller's scope", "reports", "visits.read"});
  router.Add("PUT", notes,
             [&reports](Request& request) {
               return Response::JsonBody(reports.PutMorningNote(CallerOf(request), Body(request)));
             },
             RouteDoc{"Write today's morning note of the caller (late after the due time)", "reports", "visits.write",
                      true});
}

void RegisterPeriodReportRoutes(http::Router& router, fieldreports::ReportService& reports) {
  const std::string base = "/api/v1/period-reports";
  router.Add("GET", base,
             [&reports](Request& request) {
               auto period = request.Query("period");
               if (!period || period->empty())
                 ThrowValidation("period", "is required (week, month, quarter, half_year or year)");
               return Response::JsonBody(
                   reports.List(CallerOf(request), ReportFilterOf(request, PeriodKind(*period, "period"))));
             },
             RouteDoc{"Weekly, monthly, quarterly, half-year or annual summaries of the caller's scope (period); "
                      "filters start, from, to, repId, unitId, status, late",
                      "reports", "visits.read"});
  router.Add("GET", base + "/draft",
             [&reports](Request& request) {
               auto period = request.Query("period");
               if (!period || period->empty())
                 ThrowValidation("period", "is required (week, month, quarter, half_year or year)");
               ReportKind kind = PeriodKind(*period, "period");
               Date start = DateParameter(request, "start")
                                .value_or(fieldreports::PeriodContaining(fieldreports::PeriodOf(kind), reports.Today())
                                              .first);
               return Response::JsonBody(reports.Draft(CallerOf(request), kind, start));
             },
             RouteDoc{"The caller's summary of a period (week … year), drafted from the period's field data, "
                      "market reports and plan against actual",
                      "reports", "visits.write"});
  router.Add("GET", base + "/{id}",
             [&reports](Request& request) {
               // Any summary kind: the id decides.
               return Response::JsonBody(reports.GetSummary(CallerOf(request), request.PathId("id", "reports")));
             },
             RouteDoc{"One period summary with its facts and comments", "reports", "visits.read"});
  router.Add("PUT", base + "/{period}/{start}",
             [&reports](Request& request) {
               return Response::JsonBody(reports.Save(CallerOf(request),
                                                      PeriodKind(request.path_params.at("period"), "period"),
                                                      PathDate(request, "start"), Body(request)));
             },
             RouteDoc{"Save the caller's draft summary of a period (week, month, quarter, half_year, year)", "reports",
                      "visits.write", true});
  router.Add("POST", base + "/{period}/{start}/submit",
             [&reports](Request& request) {
               return Response::JsonBody(reports.Submit(CallerOf(request),
                                                        PeriodKind(request.path_params.at("period"), "period"),
                                                        PathDate(request, "start"), Body(request)));
             },
             RouteDoc{"Submit the caller's summary of a period to their manager", "reports", "visits.write", true});
  router.Add("POST", base + "/{id}/comment",
             [&reports](Request& request) {
               return Response::JsonBody(
                   reports.CommentSummary(CallerOf(request), request.PathId("id", "reports"), Body(request)), 201);
             },
             RouteDoc{"Comment on a submitted period summary (the rep is notified)", "reports", "visits.review", true,
                      201});
}

void RegisterRoutineRoutes(http::Router& router, fieldreports::RoutineService& routines) {
  const std::string templates = "/api/v1/routine-templates";
  router.Add("GET", templates,
             [&routines](Request& request) { return Response::JsonBody(routines.ListTemplates(CallerOf(request))); },
             RouteDoc{"Routine checklist templates with their items", "routines", "routines.manage"});
  router.Add("POST", templates,
             [&routines](Request& request) {
               return Response::JsonBody(routines.CreateTemplate(CallerOf(request), Body(request)), 201);
             },
             RouteDoc{"Create a template (company-wide: routines.manage over all)", "routines", "routines.manage", true,
                      201});
  router.Add("GET", templates + "/{id}",
             [&routines](Request& request) {
               return Response::JsonBody(routines.GetTemplate(CallerOf(request), request.PathId("id", "routines")));
             },
             RouteDoc{"One template", "routines", "routines.manage"});
  router.Add("PATCH", templates + "/{id}",
             [&routines](Request& request) {
               return Response::JsonBody(
                   routines.UpdateTemplate(CallerOf(request), request.PathId("id", "routines"), Body(request)));
             },
             RouteDoc{"Edit a template: name, active, items (from the next period on)", "routines", "routines.manage",
                      true});
  const std::string assignments = "/api/v1/routine-assignments";
  router.Add("GET", assignments,
             [&routines](Request& request) {
               return Response::JsonBody(routines.ListAssignments(CallerOf(request), IdParameter(request, "templateId")));
             },
             RouteDoc{"Assignments of templates in the caller's scope", "routines", "routines.manage"});
  router.Add("POST", assignments,
             [&routines](Request& request) {
               return Response::JsonBody(routines.CreateAssignment(CallerOf(request), Body(request)), 201);
             },
             RouteDoc{"Assign a template to a user, or to a unit subtree and/or a role", "routines", "routines.manage",
                      true, 201});
  router.Add("DELETE", assignments + "/{id}",
             [&routines](Request& request) {
               routines.DeleteAssignment(CallerOf(request), request.PathId("id", "routines"));
               return Response::NoContent();
             },
             RouteDoc{"Remove an assignment", "routines", "routines.manage", false, 204});
  router.Add("GET", "/api/v1/routines/mine",
             [&routines](Request& request) {
               return Response::JsonBody(routines.Mine(CallerOf(request), DateParameter(request, "date")));
             },
             RouteDoc{"The caller's checklists of the periods containing a date (today by default)", "routines", ""});
  router.Add("POST", "/api/v1/routines/items/{id}/check",
             [&routines](Request& request) {
               return Response::JsonBody(
                   routines.Check(CallerOf(request), request.PathId("id", "routines"), Body(request)));
             },
             RouteDoc{"Check or uncheck an item of one's current checklist, with an optional note", "routines", "",
                      true});
  router.Add("GET", "/api/v1/routines/completion",
             [&routines](Request& request) {
               auto code = request.Query("period").value_or("daily");
               auto period = fieldreports::ParsePeriod(code);
               if (!period) ThrowValidation("period", "must be daily, weekly, monthly, quarterly, half_yearly or yearly");
               return Response::JsonBody(routines.Completion(CallerOf(request), *period, DateParameter(request, "date"),
                                                             IdParameter(request, "unitId"), ListLimit(request),
                                                             ListCursor(request)));
             },
             RouteDoc{"Checklist completion per assigned user of the caller's scope", "routines", "routines.manage"});
}

void RegisterMarketIntelRoutes(http::Router& router, fieldreports::MarketIntelService& intel) {
  const std::string base = "/api/v1/market-reports";
  router.Add("GET", base,
             [&intel](Request& request) {
               fieldreports::MarketReportFilter filter;
               if (auto kind = TextParameter(request, "kind", 40)) {
                 if (!fieldreports::MarketReportKinds().count(*kind)) ThrowValidation("kind", "is not a known kind");
                 filter.kind = kind;
               }
               filter.customer_id = IdParameter(request, "customerId");
               filter.province = TextParameter(request, "province", 32);
               filter.city = TextParameter(request, "city", 32);
               if (auto month = request.Query("month"); month && !month->empty()) {
                 filter.month = fieldreports::ParseMonth(*month);
                 if (!filter.month) ThrowValidation("month", "must be a month YYYY-MM");
               }
               filter.reporter_id = IdParameter(request, "reporterId");
               filter.unit_id = IdParameter(request, "unitId");
               filter.competitor = TextParameter(request, "competitor", 100);
               filter.tag = TextParameter(request, "tag", 20);
               filter.limit = ListLimit(request);
               filter.cursor = ListCursor(request);
               return Response::JsonBody(intel.List(CallerOf(request), filter));
             },
             RouteDoc{"Market reports of the caller's scope; filters kind, customerId, province, city, month, "
                      "reporterId, unitId, competitor, tag",
                      "intel", "intel.read"});
  router.Add("POST", base,
             [&intel](Request& request) {
               return Response::JsonBody(intel.Create(CallerOf(request), Body(request)), 201);
             },
             RouteDoc{"Report a competitor move, distributor stock or flow, or customer feedback", "intel",
                      "intel.write", true, 201});
  router.Add("GET", base + "/rollup",
             [&intel](Request& request) {
               if (auto quarter = request.Query("quarter"); quarter && !quarter->empty()) {
                 // "YYYY-Qn": the quarterly market summary (R-INTEL-6).
                 auto year = quarter->size() == 7 && quarter->substr(4, 2) == "-Q" ? ParseDate(quarter->substr(0, 4) + "-01-01")
                                                                                  : std::nullopt;
                 char digit = quarter->size() == 7 ? (*quarter)[6] : '0';
                 if (!year || digit < '1' || digit > '4') ThrowValidation("quarter", "must be a quarter YYYY-Qn (n = 1..4)");
                 Date start{year->year, static_cast<unsigned>((digit - '1') * 3 + 1), 1};
                 return Response::JsonBody(intel.QuarterRollup(CallerOf(request), start, IdParameter(request, "unitId")));
               }
               auto text = request.Query("month");
               if (!text || text->empty()) ThrowValidation("month", "is required (YYYY-MM), or quarter (YYYY-Qn)");
               auto month = fieldreports::ParseMonth(*text);
               if (!month) ThrowValidation("month", "must be a month YYYY-MM");
               return Response::JsonBody(intel.Rollup(CallerOf(request), *month, IdParameter(request, "unitId")));
             },
             RouteDoc{"The market summary of a month (month=YYYY-MM) or a quarter (quarter=YYYY-Qn): reports counted "
                      "by kind, region and competitor, with price ranges",
                      "intel", "intel.read"});
  router.Add("GET", base + "/{id}",
             [&intel](Request& request) {
               return Response::JsonBody(intel.Get(CallerOf(request), request.PathId("id", "intel")));
             },
             RouteDoc{"One market report", "intel", "intel.read"});
  router.Add("PATCH", base + "/{id}",
             [&intel](Request& request) {
               return Response::JsonBody(intel.Update(CallerOf(request), request.PathId("id", "intel"), Body(request)));
             },
             RouteDoc{"Edit a market report (reporter or their manager)", "intel", "intel.write", true});
  router.Add("DELETE", base + "/{id}",
             [&intel](Request& request) {
               intel.Delete(CallerOf(request), request.PathId("id", "intel"));
               return Response::NoContent();
             },
             RouteDoc{"Delete a market report (reporter or their manager)", "intel", "intel.write", false, 204});
}

}  // namespace

// R-INTEL-7..12 (docs/api-fieldreports.md "Competitor profiles").
void RegisterCompetitorRoutes(http::Router& router, fieldreports::CompetitorService& competitors) {
  const std::string base = "/api/v1/competitor-profiles";
  router.Add("GET", base,
             [&competitors](Request& request) {
               fieldreports::CompetitorFilter filter;
               filter.query = TextParameter(request, "q", 100);
               filter.limit = ListLimit(request);
               filter.cursor = ListCursor(request);
               return Response::JsonBody(competitors.List(CallerOf(request), filter));
             },
             RouteDoc{"Competitor profiles (company-wide); filter q (name or alias)", "intel", "intel.read"});
  router.Add("POST", base,
             [&competitors](Request& request) {
               return Response::JsonBody(competitors.Create(CallerOf(request), Body(request)), 201);
             },
             RouteDoc{"Create a competitor profile: strength, weak points, price floor, notes, aliases", "intel",
                      "intel.write", true, 201});
  router.Add("GET", base + "/{id}",
             [&competitors](Request& request) {
               return Response::JsonBody(competitors.Get(CallerOf(request), request.PathId("id", "intel")));
             },
             RouteDoc{"One competitor profile with the offers to customers the caller may read and the newest "
                      "market reports naming it",
                      "intel", "intel.read"});
  router.Add("PATCH", base + "/{id}",
             [&competitors](Request& request) {
               return Response::JsonBody(
                   competitors.Update(CallerOf(request), request.PathId("id", "intel"), Body(request)));
             },
             RouteDoc{"Edit a competitor profile (its author or their manager)", "intel", "intel.write", true});
  router.Add("DELETE", base + "/{id}",
             [&competitors](Request& request) {
               competitors.Delete(CallerOf(request), request.PathId("id", "intel"));
               return Response::NoContent();
             },
             RouteDoc{"Delete a competitor profile and its offers (its author or their manager)", "intel",
                      "intel.write", false, 204});
  router.Add("POST", base + "/{id}/offers",
             [&competitors](Request& request) {
               return Response::JsonBody(
                   competitors.AddOffer(CallerOf(request), request.PathId("id", "intel"), Body(request)), 201);
             },
             RouteDoc{"Record what the competitor offers one customer, beside our offer and the customer's data",
                      "intel", "intel.write", true, 201});
  router.Add("PATCH", "/api/v1/competitor-offers/{id}",
             [&competitors](Request& request) {
               return Response::JsonBody(
                   competitors.UpdateOffer(CallerOf(request), request.PathId("id", "intel"), Body(request)));
             },
             RouteDoc{"Edit a competitor offer (its author or their manager)", "intel", "intel.write", true});
  router.Add("DELETE", "/api/v1/competitor-offers/{id}",
             [&competitors](Request& request) {
               competitors.DeleteOffer(CallerOf(request), request.PathId("id", "intel"));
               return Response::NoContent();
             },
             RouteDoc{"Delete a competitor offer (its author or their manager)", "intel", "intel.write", false, 204});
  router.Add("GET", "/api/v1/competitor-comparison",
             [&competitors](Request& request) {
               return Response::JsonBody(competitors.Compare(CallerOf(request), IdParameter(request, "profileId"),
                                                             IdParameter(request, "customerId")));
             },
             RouteDoc{"Side by side: ours, the competitor's and the customer's data, per profileId and/or customerId",
                      "intel", "intel.read"});
}

void RegisterFieldReportRoutes(http::Router& router, fieldreports::ReportService& reports,
                               fieldreports::RoutineService& routines, fieldreports::MarketIntelService& intel) {
  RegisterDailyReportRoutes(router, reports);
  RegisterPeriodReportRoutes(router, reports);
  RegisterRoutineRoutes(router, routines);
  RegisterMarketIntelRoutes(router, intel);
}

}  // namespace tuoke::app
