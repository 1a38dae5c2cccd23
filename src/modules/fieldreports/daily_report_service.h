// Daily reports, weekly and monthly summaries and the morning note (§3.4, §11 reporting
// cadence; rules R-REPORT-n in README.md of this folder).
//
// A report belongs to one rep and one period (a day, a week from Monday, a month). The
// rep drafts it from the period's field data (check-ins, visits and follow-up items of
// the field module, new customers of the archive), edits it and submits it to their
// manager; submission freezes the facts and flags it late after the policy's due time.
// Managers read the reports of their scope (visits.read), comment (visits.review) and
// list the reps whose daily report is missing. Drafts are private to their rep.
//
// Every method checks the permission first; reports outside the caller's scope are
// reports.not_found (404). Writes run in one transaction with their audit entry and the
// notifications they cause. Thread-safe: no mutable state.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/json_util.h"
#include "core/time.h"
#include "modules/fieldreports/report_rules.h"
#include "platform/access.h"
#include "platform/notification.h"
#include "platform/policy.h"
#include "storage/database.h"

namespace tuoke::fieldreports {

// R-REPORT-11 (§10 reporting cadence [001 §1]): quarterly, half-year and annual summaries
// are the same report as weekly and monthly ones over a longer period.
enum class ReportKind : uint8_t { kDay, kWeek, kMonth, kQuarter, kHalfYear, kYear };
// "day" | "week" | "month" | "quarter" | "half_year" | "year" (persisted and in URLs).
std::string_view ReportKindCode(ReportKind kind);
std::optional<ReportKind> ParseReportKind(std::string_view code);
// The period of a summary kind (kWeek … kYear); a day report is Period::kDay.
Period PeriodOf(ReportKind kind);

// Sends one in-app notification inside the caller's transaction (NotificationService::Notify
// in the app; a recorder in tests).
using Notifier = std::function<void(storage::Connection&, const platform::NotificationInput&)>;

struct ReportFilter {
  ReportKind kind = ReportKind::kDay;
  std::optional<Date> from;  // period_start, inclusive
  std::optional<Date> to;
  std::optional<int64_t> rep_id;
  std::optional<int64_t> unit_id;  // the unit's subtree
  std::optional<std::string> status;
  std::optional<bool> late;
  int limit = 50;
  std::optional<std::string> cursor;
};

class ReportService {
 public:
  ReportService(storage::Database& database, platform::PolicyService& policies, const Clock& clock,
                Notifier notifier)
      : database_(database), policies_(policies), clock_(clock), notifier_(std::move(notifier)) {}

  // R-REPORT-1, 7: the caller's report of the period starting `start` (a Monday for a
  // week, the 1st for a month) with live facts: the saved texts when a draft exists, else
  // texts drafted from the facts. A submitted report answers as stored.
  Json Draft(const platform::Caller& caller, ReportKind kind, Date start);
  // Saves the caller's draft (summary, problems, nextPlan, sections). reports.already_submitted
  // (409) once submitted.
  Json Save(const platform::Caller& caller, ReportKind kind, Date start, const Json& body);
  // R-REPORT-2..4: saves the fields given, then submits: facts frozen, late flag, the
  // manager notified.
  Json Submit(const platform::Caller& caller, ReportKind kind, Date start, const Json& body);
  // One report with its comments (visits.read scope; others' drafts are not found).
  Json Get(const platform::Caller& caller, ReportKind kind, int64_t report_id);
  // Get / Comment of a period summary of any kind (week … year): the id decides.
  Json GetSummary(const platform::Caller& caller, int64_t report_id);
  Json CommentSummary(const platform::Caller& caller, int64_t report_id, const Json& body);
  // {"items":[…],"nextCursor":…}, newest period first.
  Json List(const platform::Caller& caller, const ReportFilter& filter);
  // R-REPORT-5: a reviewer (visits.review over the rep) comments on a submitted report;
  // the report becomes reviewed and the rep is notified.
  Json Comment(const platform::Caller& caller, ReportKind kind, int64_t report_id, const Json& body);
  // R-REPORT-6: active reps of the caller's visits.review scope (and unit) without a
  // submitted daily report for `date`; {"items":[…],"nextCursor":…}.
  Json Missing(const platform::Caller& caller, Date date, std::optional<int64_t> unit_id, int limit,
               std::optional<int64_t> cursor);

  // R-REPORT-9, 10: today's morning note of the caller (upsert) and the notes of a day.
  Json PutMorningNote(const platform::Caller& caller, const Json& body);
  Json ListMorningNotes(const platform::Caller& caller, Date date, std::optional<int64_t> rep_id,
                        std::optional<int64_t> unit_id, int limit, std::optional<int64_t> cursor);

  // Today in the company time zone (the default date of the routes).
  Date Today() { return policies_.Today(); }
  // R-REPORT-2, 8, 11: the first late instant of the report of `kind` whose period
  // contains `date`, and that period (for reminders).
  std::pair<DateRange, Instant> DueOfPeriod(ReportKind kind, Date date) {
    DateRange range = PeriodContaining(PeriodOf(kind), date);
    return {range, DueFor(kind, range)};
  }

  // The facts of a period for one rep, read from the field tables (daily_report_facts.cc).
  Json DayFacts(storage::Connection& connection, int64_t rep_id, Date day);
  Json PeriodFacts(storage::Connection& connection, int64_t rep_id, DateRange range);

 private:
  // The period of a report starting on `start`; validation.failed when `start` is not
  // the first day of such a period or lies in the future.
  DateRange RangeFor(ReportKind kind, Date start);
  // R-REPORT-2, 8: the first late instant of the report of `range`.
  Instant DueFor(ReportKind kind, DateRange range);
  Json Facts(storage::Connection& connection, ReportKind kind, int64_t rep_id, DateRange range);
  std::optional<storage::Row> LoadOwn(storage::Connection& connection, int64_t rep_id, ReportKind kind, Date start);
  // Inserts or updates the caller's draft from the body; returns the report id.
  int64_t Upsert(storage::Connection& connection, const platform::Caller& caller, ReportKind kind,
                 DateRange range, const Json& body, bool submitting);
  Json Render(storage::Connection& connection, int64_t report_id, bool with_comments);
  // Get and Comment of a report of `kind`, or of any summary kind when nullopt.
  Json GetOf(const platform::Caller& caller, std::optional<ReportKind> kind, int64_t report_id);
  Json CommentOn(const platform::Caller& caller, std::optional<ReportKind> kind, int64_t report_id, const Json& body);

  storage::Database& database_;
  platform::PolicyService& policies_;
  const Clock& clock_;
  Notifier notifier_;
};

}  // namespace tuoke::fieldreports
