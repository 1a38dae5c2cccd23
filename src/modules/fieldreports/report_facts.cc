// The facts of a report: what the field data of the period says (R-REPORT-1, 7). Reads
// the tables of the field module (check_ins, visits, follow_up_items, columns of the
// contract in coord/contract-visit-loop.md) and of the archive (customers), never writes.
#include <algorithm>
#include <map>
#include <set>

#include "modules/fieldreports/daily_report_service.h"

namespace tuoke::fieldreports {
namespace {

// Bound on every list of a day's facts; a rep's day never comes near it.
constexpr int64_t kMaxFactRows = 200;

Json OptionalId(const storage::Row& row, size_t column) {
  auto id = row.OptionalInt(column);
  return id ? Json(IdString(*id)) : Json();
}
Json OptionalText(const storage::Row& row, size_t column) {
  auto text = row.OptionalText(column);
  return text ? Json(*text) : Json();
}

std::vector<std::string> SplitFlags(const std::optional<std::string>& flags) {
  std::vector<std::string> codes;
  if (!flags) return codes;
  size_t start = 0;
  while (start <= flags->size()) {
    size_t comma = flags->find(',', start);
    if (comma == std::string::npos) comma = flags->size();
    if (comma > start) codes.push_back(flags->substr(start, comma - start));
    start = comma + 1;
  }
  return codes;
}

const storage::Sql kDayCheckIns{
    "field_reports.facts.check_ins",
    "SELECT ci.id, ci.kind, ci.at, ci.customer_id, c.name, ci.flags, ci.delayed FROM check_ins ci "
    "LEFT JOIN customers c ON c.id = ci.customer_id WHERE ci.rep_id = ? AND ci.at >= ? AND ci.at < ? "
    "ORDER BY ci.at, ci.id LIMIT ?"};
const storage::Sql kDayVisits{
    "field_reports.facts.visits",
    "SELECT v.id, v.customer_id, c.name, v.checked_in_at, v.checked_out_at, v.report_status FROM visits v "
    "JOIN customers c ON c.id = v.customer_id WHERE v.rep_id = ? AND v.visit_date = ? ORDER BY v.id LIMIT ?"};
// Done during the day, or still open and due by tomorrow (today's, tomorrow's and overdue).
const storage::Sql kDayFollowUps{
    "field_reports.facts.follow_ups",
    "SELECT f.id, f.title, f.customer_id, c.name, f.due_on, f.status, f.done_at FROM follow_up_items f "
    "LEFT JOIN customers c ON c.id = f.customer_id WHERE f.owner_id = ? AND "
    "((f.status = 'done' AND f.done_at >= ? AND f.done_at < ?) OR (f.status = 'open' AND f.due_on <= ?)) "
    "ORDER BY f.due_on, f.id LIMIT ?"};
const storage::Sql kNewCustomers{
    "field_reports.facts.new_customers",
    "SELECT id, name FROM customers WHERE created_by = ? AND created_at >= ? AND created_at < ? "
    "AND merged_into_id IS NULL ORDER BY id LIMIT ?"};

const storage::Sql kPeriodVisits{
    "field_reports.facts.period_visits",
    "SELECT COUNT(*), COUNT(DISTINCT customer_id), "
    "COALESCE(SUM(CASE WHEN report_status = 'late' THEN 1 ELSE 0 END), 0) FROM visits "
    "WHERE rep_id = ? AND visit_date >= ? AND visit_date <= ?"};
const storage::Sql kPeriodTopCustomers{
    "field_reports.facts.period_top_customers",
    "SELECT v.customer_id, c.name, COUNT(*) FROM visits v JOIN customers c ON c.id = v.customer_id "
    "WHERE v.rep_id = ? AND v.visit_date >= ? AND v.visit_date <= ? GROUP BY v.customer_id, c.name "
    "ORDER BY COUNT(*) DESC, v.customer_id LIMIT 20"};
const storage::Sql kPeriodCheckIns{
    "field_reports.facts.period_check_ins",
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN COALESCE(flags, '') <> '' THEN 1 ELSE 0 END), 0) FROM check_ins "
    "WHERE rep_id = ? AND at >= ? AND at < ?"};
const storage::Sql kPeriodNewCustomers{
    "field_reports.facts.period_new_customers",
    "SELECT COUNT(*) FROM customers WHERE created_by = ? AND created_at >= ? AND created_at < ? "
    "AND merged_into_id IS NULL"};
const storage::Sql kPeriodFollowUpsDone{
    "field_reports.facts.period_follow_ups_done",
    "SELECT COUNT(*) FROM follow_up_items WHERE owner_id = ? AND status = 'done' AND done_at >= ? AND done_at < ?"};
// Open items due within the period whose due date has passed.
const storage::Sql kPeriodFollowUpsOverdue{
    "field_reports.facts.period_follow_ups_overdue",
    "SELECT COUNT(*) FROM follow_up_items WHERE owner_id = ? AND status = 'open' AND due_on >= ? AND due_on <= ? "
    "AND due_on < ?"};
// R-REPORT-12: the rep's market reports observed in the period, by kind.
const storage::Sql kPeriodIntel{
    "field_reports.facts.period_intel",
    "SELECT kind, COUNT(*) FROM market_reports WHERE reporter_id = ? AND observed_on >= ? AND observed_on <= ? "
    "GROUP BY kind ORDER BY kind"};
// R-REPORT-12: plan against actual: the items of the rep's approved monthly plans dated in
// the period, and how many of them met a visit to that customer on that date.
const storage::Sql kPeriodPlan{
    "field_reports.facts.period_plan",
    "SELECT COUNT(*), COUNT(DISTINCT i.customer_id), "
    "COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM visits v WHERE v.rep_id = p.rep_id AND "
    "v.customer_id = i.customer_id AND v.visit_date = i.visit_date) THEN 1 ELSE 0 END), 0) "
    "FROM visit_plan_items i JOIN visit_plans p ON p.id = i.plan_id "
    "WHERE p.rep_id = ? AND p.status = 'approved' AND i.visit_date >= ? AND i.visit_date <= ?"};
const storage::Sql kPeriodDailyReports{
    "field_reports.facts.period_daily_reports",
    "SELECT period_start, late FROM field_reports WHERE rep_id = ? AND kind = 'day' AND status <> 'draft' "
    "AND period_start >= ? AND period_start <= ?"};

}  // namespace

Json ReportService::DayFacts(storage::Connection& connection, int64_t rep_id, Date day) {
  std::string zone = policies_.TimeZone();
  std::string from = FormatInstant(StartOfBusinessDate(day, zone));
  std::string to = FormatInstant(StartOfBusinessDate(AddDays(day, 1), zone));
  std::string day_text = FormatDate(day);
  std::string tomorrow = FormatDate(AddDays(day, 1));

  Json check_ins = Json::array();
  std::map<std::string, int64_t> flag_counts;
  int64_t flagged = 0;
  for (const auto& row : connection.Query(kDayCheckIns, {rep_id, from, to, kMaxFactRows}).rows) {
    Json flags = Json::array();
    for (const auto& code : SplitFlags(row.OptionalText(5))) {
      flags.push_back(code);
      ++flag_counts[code];
    }
    if (!flags.empty()) ++flagged;
    check_ins.push_back({{"id", IdString(row.Int(0))},
                         {"kind", row.Text(1)},
                         {"at", row.Text(2)},
                         {"customerId", OptionalId(row, 3)},
                         {"customerName", OptionalText(row, 4)},
                         {"flags", flags},
                         {"delayed", row.OptionalInt(6).value_or(0) != 0}});
  }
  Json visits = Json::array();
  std::set<int64_t> customers_visited;
  for (const auto& row : connection.Query(kDayVisits, {rep_id, day_text, kMaxFactRows}).rows) {
    customers_visited.insert(row.Int(1));
    visits.push_back({{"id", IdString(row.Int(0))},
                      {"customerId", IdString(row.Int(1))},
                      {"customerName", row.Text(2)},
                      {"checkedInAt", OptionalText(row, 3)},
                      {"checkedOutAt", OptionalText(row, 4)},
                      {"reportStatus", row.Text(5)}});
  }
  Json done = Json::array(), due = Json::array(), overdue = Json::array(), due_tomorrow = Json::array();
  for (const auto& row : connection.Query(kDayFollowUps, {rep_id, from, to, tomorrow, kMaxFactRows}).rows) {
    Json item = {{"id", IdString(row.Int(0))},     {"title", row.Text(1)},       {"customerId", OptionalId(row, 2)},
                 {"customerName", OptionalText(row, 3)}, {"dueOn", row.Text(4)}, {"doneAt", OptionalText(row, 6)}};
    const std::string& due_on = row.Text(4);
    if (row.Text(5) == "done") done.push_back(item);
    else if (due_on < day_text) overdue.push_back(item);
    else if (due_on == day_text) due.push_back(item);
    else due_tomorrow.push_back(item);
  }
  Json new_customers = Json::array();
  for (const auto& row : connection.Query(kNewCustomers, {rep_id, from, to, kMaxFactRows}).rows)
    new_customers.push_back({{"id", IdString(row.Int(0))}, {"name", row.Text(1)}});
  Json flags = Json::array();
  for (const auto& [code, count] : flag_counts) flags.push_back({{"code", code}, {"count", count}});

  Json counts = {{"checkIns", check_ins.size()},
                 {"flaggedCheckIns", flagged},
                 {"visits", visits.size()},
                 {"customersVisited", customers_visited.size()},
                 {"newCustomers", new_customers.size()},
                 {"followUpsDone", done.size()},
                 {"followUpsDue", due.size()},
                 {"followUpsOverdue", overdue.size()}};
  return {{"date", day_text},
          {"counts", counts},
          {"checkIns", check_ins},
          {"visits", visits},
          {"followUps", {{"done", done}, {"due", due}, {"overdue", overdue}, {"dueTomorrow", due_tomorrow}}},
          {"newCustomers", new_customers},
          {"flags", flags}};
}

Json ReportService::PeriodFacts(storage::Connection& connection, int64_t rep_id, DateRange range) {
  std::string zone = policies_.TimeZone();
  std::string first = FormatDate(range.first), last = FormatDate(range.last);
  std::string from = FormatInstant(StartOfBusinessDate(range.first, zone));
  std::string to = FormatInstant(StartOfBusinessDate(AddDays(range.last, 1), zone));
  Date today = BusinessDate(clock_.Now(), zone);

  auto visits = connection.QueryOne(kPeriodVisits, {rep_id, first, last});
  auto check_ins = connection.QueryOne(kPeriodCheckIns, {rep_id, from, to});
  int64_t new_customers = connection.QueryOne(kPeriodNewCustomers, {rep_id, from, to})->Int(0);
  int64_t follow_ups_done = connection.QueryOne(kPeriodFollowUpsDone, {rep_id, from, to})->Int(0);
  int64_t follow_ups_overdue =
      connection.QueryOne(kPeriodFollowUpsOverdue, {rep_id, first, last, FormatDate(today)})->Int(0);
  Json customers = Json::array();
  for (const auto& row : connection.Query(kPeriodTopCustomers, {rep_id, first, last}).rows)
    customers.push_back({{"id", IdString(row.Int(0))}, {"name", row.Text(1)}, {"visits", row.Int(2)}});

  // Daily reports of the period: submitted, late, and missing among the days already due.
  std::set<std::string> submitted_days;
  int64_t late_daily = 0;
  for (const auto& row : connection.Query(kPeriodDailyReports, {rep_id, first, last}).rows) {
    submitted_days.insert(row.Text(0));
    if (row.Bool(1)) ++late_daily;
  }
  int64_t missing_daily = 0;
  Instant now = clock_.Now();
  for (Date day = range.first; day <= range.last; day = AddDays(day, 1)) {
    auto minutes = ParseClockTime(policies_.StringOn("visits.daily_report_due_time", day)).value_or(23 * 60 + 59);
    if (!IsLate(now, DueInstant(day, minutes, zone))) break;
    if (!submitted_days.count(FormatDate(day))) ++missing_daily;
  }

  Json intel_by_kind = Json::array();
  int64_t intel_total = 0;
  for (const auto& row : connection.Query(kPeriodIntel, {rep_id, first, last}).rows) {
    intel_by_kind.push_back({{"kind", row.Text(0)}, {"count", row.Int(1)}});
    intel_total += row.Int(1);
  }
  auto plan = connection.QueryOne(kPeriodPlan, {rep_id, first, last});
  int64_t planned = plan->Int(0), planned_done = plan->Int(2);
  Json plan_facts = {{"plannedVisits", planned},
                     {"plannedCustomers", plan->Int(1)},
                     {"plannedVisitsDone", planned_done},
                     // Percent rounded down; null without a plan.
                     {"completionPercent", planned > 0 ? Json(planned_done * 100 / planned) : Json()},
                     {"unplannedVisits", std::max<int64_t>(0, visits->Int(0) - planned_done)}};

  Json counts = {{"visits", visits->Int(0)},
                 {"customersVisited", visits->Int(1)},
                 {"lateVisitReports", visits->Int(2)},
                 {"checkIns", check_ins->Int(0)},
                 {"flaggedCheckIns", check_ins->Int(1)},
                 {"newCustomers", new_customers},
                 {"followUpsDone", follow_ups_done},
                 {"followUpsOverdue", follow_ups_overdue},
                 {"dailyReportsSubmitted", static_cast<int64_t>(submitted_days.size())},
                 {"dailyReportsLate", late_daily},
                 {"dailyReportsMissing", missing_daily},
                 {"intelReports", intel_total}};
  return {{"periodStart", first}, {"periodEnd", last}, {"counts", counts}, {"customers", customers},
          {"intel", intel_by_kind}, {"plan", plan_facts}};
}

}  // namespace tuoke::fieldreports
