// The approvals engine (issue #4 item 1; rules R-APPR-n in docs/modules/platform.md,
// API in docs/api-workflow.md). Modules submit an entity (a visit plan, an application,
// later quotes and expenses) with Submit() inside their own transaction; the chain of
// approvers is resolved from the org tree and policy; approvers decide from their inbox;
// the module learns the outcome through its OnOutcome listener, called inside the
// deciding transaction so the module's state and the request's state never disagree.
//
// Thread-safe after start-up: register listeners before serving requests.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/json_util.h"
#include "core/time.h"
#include "platform/access.h"
#include "platform/notification.h"
#include "platform/policy.h"
#include "storage/database.h"

namespace tuoke::platform {

struct ApprovalSubmission {
  std::string kind;               // stable code: "visit_plan", "visit_application", later "quote"…
  int64_t entity_id = 0;          // row id in the submitting module's table
  std::string title;              // one line for the approver's inbox (zh-CN text is fine)
  Json summary = Json::object();  // small object shown to approvers
  bool register_after = false;    // §3.3: the sales assistant registers as the final step
};

struct ApprovalEvent {
  int64_t request_id = 0;
  std::string kind;
  int64_t entity_id = 0;
  std::string outcome;  // "approved" (final approval, before registration if any),
                        // "registered", "rejected", "returned", "withdrawn"
  int64_t actor_id = 0;
  std::string comment;
  Instant at;
};

// Which list GET /approvals answers.
enum class ApprovalBox : uint8_t {
  kInbox,    // pending steps waiting for the caller (as approver or delegate)
  kMine,     // requests the caller submitted
  kDecided,  // steps the caller decided (also as a delegate)
};

class ApprovalService {
 public:
  ApprovalService(storage::Database& database, PolicyService& policies,
                  NotificationService& notifications, const Clock& clock)
      : database_(database), policies_(policies), notifications_(notifications), clock_(clock) {
    // R-APPR-9: reviewers of visits see visit requests in their scope.
    SetReadPermission("visit_plan", "visits.review");
    SetReadPermission("visit_application", "visits.review");
  }

  // Inside the submitting module's transaction. Resolves the chain from the org tree and
  // policy (rep → their manager; a sales manager → the general manager when
  // visits.manager_visit_needs_gm; + sales assistant registration when register_after),
  // records it, audits and notifies the first approver. Returns the request id.
  // A module resubmitting after "returned" calls Submit again: the same request gets a
  // new round. Throws approvals.no_approver (409) when nobody can approve,
  // approvals.already_pending (409) when the entity has a pending request.
  int64_t Submit(storage::Connection& tx, const Caller& requester, const ApprovalSubmission& submission);
  // Modules react inside the deciding transaction (e.g. mark the plan approved).
  void OnOutcome(std::string kind, std::function<void(storage::Connection&, const ApprovalEvent&)> listener);
  // {"id","state","steps":[{"approverId","approverName","role","state","comment","decidedAt"}…]}
  Json Describe(storage::Connection& connection, int64_t request_id);

  // Holders of `permission` whose scope covers the requester may read requests of `kind`
  // (besides requester, approvers and delegates). Register at start-up.
  void SetReadPermission(std::string kind, std::string permission);

  // The latest request of an entity, if any (for modules showing the approval state).
  std::optional<int64_t> LatestRequestFor(storage::Connection& connection, std::string_view kind,
                                          int64_t entity_id);

  // ---- API (docs/api-workflow.md) ----
  // {"items":[ApprovalSummary…],"nextCursor":…}
  Json List(const Caller& caller, ApprovalBox box, int limit, std::optional<int64_t> before_id);
  // The full request with steps and history; approvals.not_found outside the caller's scope.
  Json Get(const Caller& caller, int64_t request_id);
  // action: "approve" | "reject" | "return" | "register" | "withdraw"; body {"comment"}.
  Json Decide(const Caller& caller, int64_t request_id, std::string_view action, const Json& body);
  // The caller's delegation: {"delegateId","delegateName","from","to","active"} or null.
  Json GetDelegation(const Caller& caller);
  // Body {"delegateId","from","to"}; {"delegateId":null} (or a null body) clears it.
  Json PutDelegation(const Caller& caller, const Json& body);

 private:
  using Listener = std::function<void(storage::Connection&, const ApprovalEvent&)>;
  struct PlannedStep {
    std::string step_kind;  // approve | register
    std::optional<int64_t> approver_id;
    std::string role;  // manager | general_manager | sales_assistant
  };
  void Fire(storage::Connection& connection, const ApprovalEvent& event);
  static std::optional<std::string> ManagerNeedsGmPolicy(std::string_view kind);
  std::vector<PlannedStep> ResolveChain(storage::Connection& connection, int64_t requester_id,
                                        std::string_view kind, bool register_after);
  void NotifyArrival(storage::Connection& connection, int64_t request_id, const std::string& title,
                     int64_t requester_id, std::string_view step_kind, std::optional<int64_t> approver_id);
  // The approver the caller acts for on a step of `approver_id`: themselves, or the absent
  // approver whose active delegate they are; nullopt otherwise.
  std::optional<int64_t> ActingFor(storage::Connection& connection, const Caller& caller, int64_t approver_id);
  bool CanSee(storage::Connection& connection, const Caller& caller, const storage::Row& request);
  Json ActionsFor(storage::Connection& connection, const Caller& caller, const storage::Row& request);
  Json DelegationJson(storage::Connection& connection, int64_t user_id);

  storage::Database& database_;
  PolicyService& policies_;
  NotificationService& notifications_;
  const Clock& clock_;
  std::map<std::string, std::vector<Listener>, std::less<>> listeners_;
  std::map<std::string, std::string, std::less<>> read_permissions_;  // kind → permission
};

}  // namespace tuoke::platform
