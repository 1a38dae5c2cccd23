// Monthly visit plans (拜访计划书, issue #4 item 2; §3.2, §3.1, §8; README.md R-VISIT-5..14):
// a rep drafts a month's plan (customers, dates, purposes, sales and administrative
// targets), sees its coverage against the visit norms, submits it through the approvals
// engine (kind "visit_plan"); during the month, plan against actual per rep and team.
//
// Scopes: visits.read over the plan's rep (own / team / all); plans outside it are
// visits.plan_not_found (404). Only the rep edits and submits their own plan
// (visits.write). Every write runs in one transaction with its audit entry.
// Thread-safe: no mutable state after construction.
#pragma once

#include <optional>
#include <string>

#include "core/json_util.h"
#include "core/time.h"
#include "platform/access.h"
#include "platform/approval.h"
#include "platform/policy.h"
#include "storage/database.h"

namespace tuoke::visits {

struct PlanFilter {
  std::optional<int64_t> rep_id;
  std::optional<std::string> month;   // "YYYY-MM"
  std::optional<std::string> status;
  int limit = 50;
  std::optional<int64_t> before_id;   // cursor
};

class VisitPlanService {
 public:
  // Registers the "visit_plan" outcome listener with `approvals`.
  VisitPlanService(storage::Database& database, platform::PolicyService& policies,
                   platform::ApprovalService& approvals, const Clock& clock);

  // {"items":[Plan…],"nextCursor":…}, newest first; without items (see Get).
  Json List(const platform::Caller& caller, const PlanFilter& filter);
  // Plan with "items" and a "coverageSummary".
  Json Get(const platform::Caller& caller, int64_t plan_id);
  // Body {"month","items":[…],"targets":{"salesTargetFen","adminTargets"},"note"}; the
  // caller is the rep. visits.plan_exists (409) when the rep has a plan for that month.
  Json Create(const platform::Caller& caller, const Json& body);
  // Same fields but month; "items" replaces the list. Only draft, returned, withdrawn or
  // rejected plans (visits.plan_not_editable, 409).
  Json Update(const platform::Caller& caller, int64_t plan_id, const Json& body);
  // R-VISIT-9, 10: through the approvals engine; late submissions are flagged.
  Json Submit(const platform::Caller& caller, int64_t plan_id);
  // R-VISIT-6..8: {"month","items":[CoverageEntry…],"summary":{…}}.
  Json Coverage(const platform::Caller& caller, int64_t plan_id);
  // R-VISIT-13, 14: {"month","today","reps":[Row…],"team":Row}; an empty month is the current one.
  Json Progress(const platform::Caller& caller, const std::string& month,
                std::optional<int64_t> unit_id);

 private:
  struct PlanRow;
  PlanRow LoadReadable(storage::Connection& connection, const platform::Caller& caller, int64_t plan_id);
  PlanRow LoadEditable(storage::Connection& connection, const platform::Caller& caller, int64_t plan_id);
  Json Render(storage::Connection& connection, int64_t plan_id, bool with_items);
  Json ComputeCoverage(storage::Connection& connection, int64_t plan_id);
  void OnOutcome(storage::Connection& connection, const platform::ApprovalEvent& event);

  storage::Database& database_;
  platform::PolicyService& policies_;
  platform::ApprovalService& approvals_;
  const Clock& clock_;
};

}  // namespace tuoke::visits
