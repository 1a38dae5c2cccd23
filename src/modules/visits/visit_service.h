// Visits and their reports (issue #4 item 5, §3.5; R-VISIT-40..49 in README.md of this
// folder), and the day views: the manager's team day and the rep's own day (R-VISIT-56..59).
//
// Visits are opened and closed by check-ins (checkin_service.h). The rep writes the
// report (visits.write, own visits only), submits it within visits.report_due_days
// calendar days of the visit date; promises become follow-up items on submission. A
// manager with visits.review over the rep reviews it with a comment, which notifies the
// rep. Reads need visits.read; visits of reps outside the scope are visits.not_found.
// Thread-safe: the only mutable state, the team day's rep lists (R-VISIT-49), is
// guarded by a mutex.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "modules/visits/field_common.h"
#include "modules/visits/followup_service.h"

namespace tuoke::visits {

struct VisitFilter {
  std::optional<int64_t> rep_id;
  std::optional<int64_t> customer_id;
  std::optional<int64_t> unit_id;  // R-VISIT-55: the reps of that unit's subtree
  std::optional<Date> from;  // business dates, inclusive
  std::optional<Date> to;
  std::optional<std::string> report_status;  // open | late | submitted | reviewed (as read)
  int limit = 50;
  std::optional<int64_t> before_id;  // cursor: newest first
};

struct LateReportRun {
  int marked = 0;    // visits whose open report went past its due date
  int notified = 0;  // notices sent (rep and manager)
};

class VisitService {
 public:
  VisitService(FieldContext& context, FollowUpService& follow_ups) : context_(context), follow_ups_(follow_ups) {}

  std::string List(const platform::Caller& caller, const VisitFilter& filter);
  // The visit with its check-ins and follow-up items.
  std::string Get(const platform::Caller& caller, int64_t visit_id);
  // R-VISIT-41: edits the report draft (the rep, before submission).
  std::string UpdateReport(const platform::Caller& caller, int64_t visit_id, const Json& body);
  // R-VISIT-42..44: applies the body's fields (if any) and submits.
  std::string SubmitReport(const platform::Caller& caller, int64_t visit_id, const Json& body);
  // R-VISIT-45: {comment}; visits.review over the rep; notifies the rep.
  std::string Review(const platform::Caller& caller, int64_t visit_id, const Json& body);

  // R-VISIT-46: marks open reports past their due date "late" and notifies the rep and
  // their manager once. Idempotent; run by the background job and by hand.
  LateReportRun FlagLateReports();

  // R-VISIT-56..58: every rep of the scope (optionally one unit's subtree) with that
  // day's check-ins, visits, report states and flag counts (kFull), or only the counts
  // per rep (kSummary, for departments of thousands of reps). Three queries, streamed JSON.
  enum class TeamDayView { kFull, kSummary };
  std::string TeamDay(const platform::Caller& caller, std::optional<Date> date, std::optional<int64_t> unit_id,
                      TeamDayView view = TeamDayView::kFull);
  // R-VISIT-59: the caller's day: check-ins, visits, reports still due, follow-ups due.
  std::string MyDay(const platform::Caller& caller, std::optional<Date> date);

 private:
  struct Loaded;
  Loaded LoadOwnOpen(storage::Connection& connection, const platform::Caller& caller, int64_t visit_id);
  void ApplyReport(storage::Connection& connection, int64_t visit_id, const Json& body, bool submitting);
  std::string Render(storage::Connection& connection, int64_t visit_id);

  // R-VISIT-49: the users a team day lists (its users query's rows) and which of them are
  // reps, in the order shown, as read under one authentication epoch.
  struct TeamDayUsers {
    int64_t epoch = 0;
    storage::ResultSet users;  // (id, name, unit id)
    std::vector<size_t> reps;  // indexes into users.rows, sorted for display
  };
  std::shared_ptr<const TeamDayUsers> CachedTeamDayUsers(const std::string& key, int64_t epoch);
  void CacheTeamDayUsers(const std::string& key, std::shared_ptr<const TeamDayUsers> entry);

  FieldContext& context_;
  FollowUpService& follow_ups_;
  std::mutex team_day_mutex_;  // guards team_day_users_
  // Key: the users query with its parameters (scope and subtree); a few entries at most.
  std::unordered_map<std::string, std::shared_ptr<const TeamDayUsers>> team_day_users_;
  // Held (try_lock) by the one team day at a time that reads its visits on a second
  // connection: with one such reader no request can hold a connection while it waits for
  // another one held by a request doing the same, so the pool cannot deadlock.
  std::mutex team_day_second_read_;
};

}  // namespace tuoke::visits
