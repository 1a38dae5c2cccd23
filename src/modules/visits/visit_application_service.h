// Visit applications (拜访申请, issue #4 item 3; §3.3; README.md R-VISIT-15..22): before a
// field trip the rep applies (customers, day, purposes, expected expenses and gifts in
// fen); the approvals engine runs the chain (kind "visit_application"; a manager's own
// application goes to the GM; the sales assistant registers when policy requires it).
//
// Scopes as for plans: visits.read over the applicant; outside it is
// visits.application_not_found (404); only the applicant edits and submits.
// Thread-safe: no mutable state after construction.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/json_util.h"
#include "core/time.h"
#include "platform/access.h"
#include "platform/approval.h"
#include "platform/policy.h"
#include "storage/database.h"

namespace tuoke::visits {

struct ApplicationFilter {
  std::optional<int64_t> rep_id;
  std::optional<std::string> status;
  std::optional<Date> from;  // visit dates, inclusive
  std::optional<Date> to;
  int limit = 50;
  std::optional<int64_t> before_id;
};

class VisitApplicationService {
 public:
  // Registers the "visit_application" outcome listener with `approvals`.
  VisitApplicationService(storage::Database& database, platform::PolicyService& policies,
                          platform::ApprovalService& approvals, const Clock& clock);

  // {"items":[Application…],"nextCursor":…}, newest first.
  Json List(const platform::Caller& caller, const ApplicationFilter& filter);
  Json Get(const platform::Caller& caller, int64_t application_id);
  // Body {"visitDate","customerIds","purposes","notes","expenses":[{"category",
  // "description","amount":Money}],"comesToOfficeFirst"}: a draft of the caller's.
  Json Create(const platform::Caller& caller, const Json& body);
  // Same fields, each optional; only draft, returned or withdrawn applications.
  Json Update(const platform::Caller& caller, int64_t application_id, const Json& body);
  // R-VISIT-16..18: through the approvals engine; filed after the deadline is flagged.
  Json Submit(const platform::Caller& caller, int64_t application_id);

  // R-VISIT-20 (for the field engineer's check-in): whether an application of `rep_id`
  // for `date` ("YYYY-MM-DD") is approved — and registered when it needed registration —
  // and, when `customer_id` is given, names that customer. Inside the caller's transaction.
  bool HasCoveringApplication(storage::Connection& connection, int64_t rep_id, std::string_view date,
                              std::optional<int64_t> customer_id);
  // The same question as a statement that returns a row when covered, for a caller that
  // reads it together with its own (Connection::QueryMany, ADR 0017).
  static storage::BoundQuery CoveringApplicationQuery(int64_t rep_id, std::string_view date,
                                                      std::optional<int64_t> customer_id);

 private:
  struct ApplicationRow;
  ApplicationRow LoadReadable(storage::Connection& connection, const platform::Caller& caller, int64_t id);
  ApplicationRow LoadEditable(storage::Connection& connection, const platform::Caller& caller, int64_t id);
  Json Render(storage::Connection& connection, int64_t id);
  void OnOutcome(storage::Connection& connection, const platform::ApprovalEvent& event);

  storage::Database& database_;
  platform::PolicyService& policies_;
  platform::ApprovalService& approvals_;
  const Clock& clock_;
};

}  // namespace tuoke::visits
