// Routine checklists (§11, seed 001 §1: 每日/每周/每月/每季/每半年/每年必做; rules
// R-ROUTINE-n in README.md of this folder).
//
// Templates (a period and an ordered list of items) are company-wide: edited by holders of
// routines.manage with scope all. Assignments give a template to one user, or to the users
// of a unit subtree and/or a role; team-scoped managers assign within their subtree. Each
// assigned user gets one checklist instance per period (created on first sight, in the
// company time zone) holding a copy of the template's items, checked with optional
// notes; managers see completion per user of their scope.
#pragma once

#include <optional>
#include <string>

#include "core/json_util.h"
#include "core/time.h"
#include "modules/fieldreports/report_rules.h"
#include "platform/access.h"
#include "platform/policy.h"
#include "storage/database.h"

namespace tuoke::fieldreports {

class RoutineService {
 public:
  static constexpr size_t kMaxItems = 60;

  RoutineService(storage::Database& database, platform::PolicyService& policies, const Clock& clock)
      : database_(database), policies_(policies), clock_(clock) {}

  // routines.manage: {"items":[Template…]} with their items.
  Json ListTemplates(const platform::Caller& caller);
  Json GetTemplate(const platform::Caller& caller, int64_t template_id);
  // R-ROUTINE-1: routines.manage with scope all.
  Json CreateTemplate(const platform::Caller& caller, const Json& body);
  Json UpdateTemplate(const platform::Caller& caller, int64_t template_id, const Json& body);

  // R-ROUTINE-2: assignments of the caller's routines.manage scope.
  Json ListAssignments(const platform::Caller& caller, std::optional<int64_t> template_id);
  Json CreateAssignment(const platform::Caller& caller, const Json& body);
  void DeleteAssignment(const platform::Caller& caller, int64_t assignment_id);

  // R-ROUTINE-3, 4: the caller's checklists for the periods containing `date` (today
  // when empty; never a future date), created on first sight.
  Json Mine(const platform::Caller& caller, std::optional<Date> date);
  // R-ROUTINE-5: checks or unchecks one item of the caller's current checklist.
  Json Check(const platform::Caller& caller, int64_t item_id, const Json& body);
  // R-ROUTINE-6: per assigned user of the caller's routines.manage scope, the completion
  // of the checklists of `period` containing `date`. Cursor: the last user id.
  Json Completion(const platform::Caller& caller, Period period, std::optional<Date> date,
                  std::optional<int64_t> unit_id, int limit, std::optional<int64_t> cursor);

 private:
  Json RenderTemplate(storage::Connection& connection, int64_t template_id);
  Json RenderInstance(storage::Connection& connection, int64_t instance_id, Date today);

  storage::Database& database_;
  platform::PolicyService& policies_;
  const Clock& clock_;
};

}  // namespace tuoke::fieldreports
