#include "platform/approval.h"

#include <algorithm>
#include <regex>
#include <set>

#include "platform/audit.h"

namespace tuoke::platform {
namespace {

constexpr size_t kMaxTitle = 200;
constexpr size_t kMaxComment = 2000;
constexpr size_t kMaxSummaryBytes = 8 * 1024;
// Registrars notified when a registration step arrives: the sales assistants, a handful.
constexpr int64_t kMaxRegistrarsNotified = 50;
// Walking up the unit tree stops here even if the data had a cycle.
constexpr int kMaxUnitDepth = 32;

const storage::Sql kUserForChain{
    "approvals.user_for_chain",
    "SELECT u.manager_id, u.unit_id, u.active, u.name FROM users u WHERE u.id = ?"};
const storage::Sql kUserRoles{"approvals.user_roles", "SELECT role FROM user_roles WHERE user_id = ?"};
const storage::Sql kUnitForChain{"approvals.unit_for_chain",
                                 "SELECT manager_id, parent_id FROM org_units WHERE id = ?"};
const storage::Sql kAnyGeneralManager{
    "approvals.any_gm",
    "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = 'general_manager' "
    "AND u.active = 1 AND u.id <> ? ORDER BY u.id LIMIT 1"};
const storage::Sql kRegistrars{
    "approvals.registrars",
    "SELECT DISTINCT u.id FROM users u JOIN user_roles r ON r.user_id = u.id JOIN role_grants g "
    "ON g.role = r.role WHERE g.permission = 'approvals.register' AND u.active = 1 AND u.id <> ? "
    "ORDER BY u.id LIMIT ?"};

const storage::Sql kLatestForEntity{
    "approvals.latest_for_entity",
    "SELECT id FROM approval_requests WHERE kind = ? AND entity_id = ? ORDER BY id DESC LIMIT 1"};
const storage::Sql kInsertRequest{
    "approvals.insert_request",
    "INSERT INTO approval_requests (kind, entity_id, requester_id, title, summary_json, register_after, "
    "state, round, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 1, ?, ?) RETURNING id"};
// A returned request comes back as the next round (R-APPR-5); the guard keeps two
// resubmissions from both starting one.
const storage::Sql kResubmit{
    "approvals.resubmit",
    "UPDATE approval_requests SET title = ?, summary_json = ?, register_after = ?, state = 'pending', "
    "round = round + 1, updated_at = ?, closed_at = NULL WHERE id = ? AND state = 'returned'"};
const storage::Sql kInsertStep{
    "approvals.insert_step",
    "INSERT INTO approval_steps (request_id, round, seq, step_kind, approver_id, role, state, arrived_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"};

#define TUOKE_REQUEST_COLUMNS                                                                    \
  "r.id, r.kind, r.entity_id, r.requester_id, q.name, r.title, r.summary_json, r.register_after, " \
  "r.state, r.round, r.created_at, r.updated_at, r.closed_at, qu.path "                          \
  "FROM approval_requests r JOIN users q ON q.id = r.requester_id "                              \
  "JOIN org_units qu ON qu.id = q.unit_id "
enum RequestColumn : size_t {
  kRId, kRKind, kREntity, kRRequester, kRRequesterName, kRTitle, kRSummary, kRRegisterAfter,
  kRState, kRRound, kRCreated, kRUpdated, kRClosed, kRRequesterPath,
};
const storage::Sql kSelectRequest{"approvals.select_request",
                                  "SELECT " TUOKE_REQUEST_COLUMNS "WHERE r.id = ?"};

#define TUOKE_STEP_COLUMNS                                                                       \
  "s.id, s.round, s.seq, s.step_kind, s.approver_id, a.name, s.role, s.state, s.decided_by, "    \
  "d.name, s.on_behalf_of, b.name, s.comment, s.arrived_at, s.decided_at "                       \
  "FROM approval_steps s LEFT JOIN users a ON a.id = s.approver_id "                             \
  "LEFT JOIN users d ON d.id = s.decided_by LEFT JOIN users b ON b.id = s.on_behalf_of "
enum StepColumn : size_t {
  kSId, kSRound, kSSeq, kSKind, kSApprover, kSApproverName, kSRole, kSState, kSDecidedBy,
  kSDecidedByName, kSOnBehalfOf, kSOnBehalfOfName, kSComment, kSArrived, kSDecided,
};
const storage::Sql kSelectSteps{"approvals.select_steps",
                                "SELECT " TUOKE_STEP_COLUMNS "WHERE s.request_id = ? ORDER BY s.round, s.seq"};
const storage::Sql kPendingStep{
    "approvals.pending_step",
    "SELECT s.id, s.seq, s.step_kind, s.approver_id FROM approval_steps s "
    "WHERE s.request_id = ? AND s.round = ? AND s.state = 'pending'"};
const storage::Sql kNextStep{
    "approvals.next_step",
    "SELECT id, step_kind, approver_id FROM approval_steps WHERE request_id = ? AND round = ? "
    "AND seq > ? AND state = 'waiting' ORDER BY seq LIMIT 1"};
// R-APPR-10: the state guard makes a second decision of the same step change nothing.
const storage::Sql kDecideStep{
    "approvals.decide_step",
    "UPDATE approval_steps SET state = ?, decided_by = ?, on_behalf_of = ?, comment = ?, decided_at = ? "
    "WHERE id = ? AND state = 'pending'"};
const storage::Sql kArriveStep{
    "approvals.arrive_step",
    "UPDATE approval_steps SET state = 'pending', arrived_at = ? WHERE id = ? AND state = 'waiting'"};
const storage::Sql kSkipWaiting{
    "approvals.skip_waiting",
    "UPDATE approval_steps SET state = 'skipped' WHERE request_id = ? AND round = ? AND state = 'waiting'"};
const storage::Sql kSetRequestState{
    "approvals.set_request_state",
    "UPDATE approval_requests SET state = ?, updated_at = ?, closed_at = ? WHERE id = ? AND state = ?"};
const storage::Sql kWasApprover{
    "approvals.was_approver",
    "SELECT 1 FROM approval_steps WHERE request_id = ? AND (approver_id = ? OR decided_by = ? "
    "OR on_behalf_of = ?) LIMIT 1"};

const storage::Sql kActiveDelegate{
    "approvals.active_delegate",
    "SELECT d.delegate_id FROM approval_delegations d JOIN users u ON u.id = d.delegate_id "
    "WHERE d.user_id = ? AND d.from_date <= ? AND d.to_date >= ? AND u.active = 1"};
const storage::Sql kSelectDelegation{
    "approvals.select_delegation",
    "SELECT d.delegate_id, u.name, d.from_date, d.to_date FROM approval_delegations d "
    "JOIN users u ON u.id = d.delegate_id WHERE d.user_id = ?"};
const storage::Sql kDeleteDelegation{"approvals.delete_delegation",
                                     "DELETE FROM approval_delegations WHERE user_id = ?"};
const storage::Sql kInsertDelegation{
    "approvals.insert_delegation",
    "INSERT INTO approval_delegations (user_id, delegate_id, from_date, to_date, updated_at) "
    "VALUES (?, ?, ?, ?, ?)"};
const storage::Sql kActiveUser{"approvals.active_user", "SELECT active, name FROM users WHERE id = ?"};

// The three boxes share one SELECT; the WHERE differs.
#define TUOKE_LIST_SELECT                                                                        \
  "SELECT r.id, r.kind, r.entity_id, r.requester_id, q.name, r.title, r.summary_json, "          \
  "r.register_after, r.state, r.round, r.created_at, r.updated_at, r.closed_at, "                \
  "s.step_kind, s.role, s.approver_id, a.name FROM approval_requests r "                          \
  "JOIN users q ON q.id = r.requester_id "                                                        \
  "LEFT JOIN approval_steps s ON s.request_id = r.id AND s.round = r.round AND s.state = 'pending' " \
  "LEFT JOIN users a ON a.id = s.approver_id "
const storage::Sql kListInbox{
    "approvals.list_inbox",
    TUOKE_LIST_SELECT
    "WHERE r.state IN ('pending', 'approved') AND s.id IS NOT NULL AND r.requester_id <> ? AND "
    "((s.step_kind = 'approve' AND (s.approver_id = ? OR s.approver_id IN (SELECT d.user_id FROM "
    "approval_delegations d WHERE d.delegate_id = ? AND d.from_date <= ? AND d.to_date >= ?))) "
    "OR (s.step_kind = 'register' AND ? = 1)) AND r.id < ? ORDER BY r.id DESC LIMIT ?"};
const storage::Sql kListMine{
    "approvals.list_mine",
    TUOKE_LIST_SELECT "WHERE r.requester_id = ? AND r.id < ? ORDER BY r.id DESC LIMIT ?"};
const storage::Sql kListDecided{
    "approvals.list_decided",
    TUOKE_LIST_SELECT
    "WHERE r.id IN (SELECT x.request_id FROM approval_steps x WHERE x.decided_by = ?) AND r.id < ? "
    "ORDER BY r.id DESC LIMIT ?"};

bool HasRole(const std::vector<std::string>& roles, std::string_view role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::vector<std::string> RolesOf(storage::Connection& connection, int64_t user_id) {
  std::vector<std::string> roles;
  for (const auto& row : connection.Query(kUserRoles, {user_id}).rows) roles.push_back(row.Text(0));
  return roles;
}

bool IsActiveUser(storage::Connection& connection, int64_t user_id) {
  auto row = connection.QueryOne(kActiveUser, {user_id});
  return row && row->Bool(0);
}

Json OptionalIdJson(const std::optional<int64_t>& id) { return id ? Json(IdString(*id)) : Json(); }
Json OptionalTextJson(const std::optional<std::string>& text) { return text ? Json(*text) : Json(); }

Json StepJson(const storage::Row& row) {
  return {{"id", IdString(row.Int(kSId))},
          {"round", row.Int(kSRound)},
          {"seq", row.Int(kSSeq)},
          {"stepKind", row.Text(kSKind)},
          {"role", row.Text(kSRole)},
          {"approverId", OptionalIdJson(row.OptionalInt(kSApprover))},
          {"approverName", OptionalTextJson(row.OptionalText(kSApproverName))},
          {"state", row.Text(kSState)},
          {"decidedById", OptionalIdJson(row.OptionalInt(kSDecidedBy))},
          {"decidedByName", OptionalTextJson(row.OptionalText(kSDecidedByName))},
          {"onBehalfOfId", OptionalIdJson(row.OptionalInt(kSOnBehalfOf))},
          {"onBehalfOfName", OptionalTextJson(row.OptionalText(kSOnBehalfOfName))},
          {"comment", OptionalTextJson(row.OptionalText(kSComment))},
          {"arrivedAt", OptionalTextJson(row.OptionalText(kSArrived))},
          {"decidedAt", OptionalTextJson(row.OptionalText(kSDecided))}};
}

Json ParseStored(const std::string& text) {
  Json value = Json::parse(text, nullptr, false);
  return value.is_discarded() ? Json::object() : value;
}


// The superior of a user (R-APPR-2): their own manager, else the manager of their unit,
// else of the nearest ancestor unit — never the user themselves, never an inactive user.
std::optional<int64_t> FindSuperior(storage::Connection& connection, int64_t user_id) {
  auto user = connection.QueryOne(kUserForChain, {user_id});
  if (!user) return std::nullopt;
  if (auto manager = user->OptionalInt(0); manager && *manager != user_id && IsActiveUser(connection, *manager))
    return manager;
  std::optional<int64_t> unit = user->Int(1);
  for (int depth = 0; unit && depth < kMaxUnitDepth; ++depth) {
    auto row = connection.QueryOne(kUnitForChain, {*unit});
    if (!row) break;
    if (auto manager = row->OptionalInt(0); manager && *manager != user_id && IsActiveUser(connection, *manager))
      return manager;
    unit = row->OptionalInt(1);
  }
  return std::nullopt;
}

}  // namespace

// ---- set-up ------------------------------------------------------------------------------

void ApprovalService::OnOutcome(std::string kind,
                                std::function<void(storage::Connection&, const ApprovalEvent&)> listener) {
  listeners_[std::move(kind)].push_back(std::move(listener));
}

void ApprovalService::SetReadPermission(std::string kind, std::string permission) {
  read_permissions_[std::move(kind)] = std::move(permission);
}

std::optional<std::string> ApprovalService::ManagerNeedsGmPolicy(std::string_view kind) {
  // §3.3 [第7条 3]: a manager's own visit needs the GM. Other kinds go up the org tree.
  if (kind.starts_with("visit_")) return "visits.manager_visit_needs_gm";
  return std::nullopt;
}

void ApprovalService::Fire(storage::Connection& connection, const ApprovalEvent& event) {
  auto found = listeners_.find(event.kind);
  if (found == listeners_.end()) return;
  for (const auto& listener : found->second) listener(connection, event);
}

// ---- submit ------------------------------------------------------------------------------

std::vector<ApprovalService::PlannedStep> ApprovalService::ResolveChain(storage::Connection& connection,
                                                                        int64_t requester_id,
                                                                        std::string_view kind,
                                                                        bool register_after) {
  std::vector<PlannedStep> chain;
  auto roles = RolesOf(connection, requester_id);
  Date today = policies_.Today();
  // R-APPR-2: the general manager has nobody above; their own requests need no approval.
  if (!HasRole(roles, "general_manager")) {
    bool manager = HasRole(roles, "sales_manager");
    bool needs_gm = true;
    if (manager) {
      if (auto key = ManagerNeedsGmPolicy(kind)) needs_gm = policies_.ValueOn(*key, today).get<bool>();
    }
    if (manager && needs_gm) {
      // R-APPR-3: the approver is the general manager, found up the tree or by role.
      std::optional<int64_t> approver = FindSuperior(connection, requester_id);
      if (!approver || !HasRole(RolesOf(connection, *approver), "general_manager")) {
        auto gm = connection.QueryOne(kAnyGeneralManager, {requester_id});
        approver = gm ? std::optional<int64_t>(gm->Int(0)) : std::nullopt;
      }
      if (!approver)
        throw Error(ErrorKind::kConflict, "approvals.no_approver", "no active general manager can approve this");
      chain.push_back({"approve", approver, "general_manager"});
    } else if (!manager) {
      auto approver = FindSuperior(connection, requester_id);
      if (!approver)
        throw Error(ErrorKind::kConflict, "approvals.no_approver",
                    "nobody above the requester can approve: set their manager or their unit's manager");
      chain.push_back({"approve", approver, "manager"});
    }
  }
  if (register_after) chain.push_back({"register", std::nullopt, "sales_assistant"});
  return chain;
}

int64_t ApprovalService::Submit(storage::Connection& tx, const Caller& requester,
                                const ApprovalSubmission& submission) {
  static const std::regex kKind("^[a-z][a-z0-9_]{0,39}$");
  // Submissions come from modules, not clients: a bad one is a bug.
  if (!std::regex_match(submission.kind, kKind) || submission.entity_id <= 0 || submission.title.empty() ||
      !IsCleanText(submission.title) || Utf8Length(submission.title) > kMaxTitle ||
      !submission.summary.is_object() || submission.summary.dump().size() > kMaxSummaryBytes)
    throw std::logic_error("ApprovalService::Submit: invalid submission of kind " + submission.kind);

  Instant at = clock_.Now();
  std::string now = FormatInstant(at);
  std::optional<int64_t> request_id;
  int64_t round = 1;
  if (auto latest = LatestRequestFor(tx, submission.kind, submission.entity_id)) {
    auto row = tx.QueryOne(kSelectRequest, {*latest});
    const std::string& state = row->Text(kRState);
    if (state == "pending" || (state == "approved" && tx.QueryOne(kPendingStep, {*latest, row->Int(kRRound)})))
      throw Error(ErrorKind::kConflict, "approvals.already_pending", "this is already waiting for approval");
    if (state == "returned") {
      if (row->Int(kRRequester) != requester.user_id)
        throw Error(ErrorKind::kForbidden, "approvals.not_requester", "only the requester may resubmit");
      if (tx.Execute(kResubmit, {submission.title, submission.summary.dump(),
                                 int64_t{submission.register_after ? 1 : 0}, now, *latest}) != 1)
        throw Error(ErrorKind::kConflict, "approvals.already_pending", "this was resubmitted meanwhile");
      request_id = latest;
      round = row->Int(kRRound) + 1;
    }
  }
  auto chain = ResolveChain(tx, requester.user_id, submission.kind, submission.register_after);
  if (!request_id)
    request_id = tx.QueryOne(kInsertRequest, {submission.kind, submission.entity_id, requester.user_id,
                                              submission.title, submission.summary.dump(),
                                              int64_t{submission.register_after ? 1 : 0}, now, now})
                     ->Int(0);
  int64_t seq = 1;
  for (const auto& step : chain) {
    bool first = seq == 1;
    tx.QueryOne(kInsertStep, {*request_id, round, seq++, step.step_kind, storage::Nullable(step.approver_id),
                              step.role, first ? "pending" : "waiting",
                              first ? storage::Value(now) : storage::Value(nullptr)});
  }
  RecordAudit(tx, Actor::From(requester),
              {round == 1 ? "approval.submit" : "approval.resubmit", "approval_request", IdString(*request_id),
               nullptr,
               {{"kind", submission.kind}, {"entityId", IdString(submission.entity_id)}, {"round", round},
                {"chain", [&] {
                   Json steps = Json::array();
                   for (const auto& step : chain)
                     steps.push_back({{"stepKind", step.step_kind}, {"role", step.role},
                                      {"approverId", OptionalIdJson(step.approver_id)}});
                   return steps;
                 }()}}},
              at);
  ApprovalEvent event{*request_id, submission.kind, submission.entity_id, "", requester.user_id, "", at};
  bool approvals_done = chain.empty() || chain.front().step_kind == "register";
  if (approvals_done) {
    // R-APPR-2: nothing to approve (the GM's own request, or a manager's when the policy
    // lets them go without the GM): approved at once, audited as such.
    tx.Execute(kSetRequestState, {"approved", now, chain.empty() ? storage::Value(now) : storage::Value(nullptr),
                                  *request_id, "pending"});
    RecordAudit(tx, Actor::System("approvals"),
                {"approval.auto_approve", "approval_request", IdString(*request_id), nullptr,
                 {{"reason", "no approver above the requester is required"}}},
                at);
    event.outcome = "approved";
    Fire(tx, event);
  }
  if (!chain.empty()) NotifyArrival(tx, *request_id, submission.title, requester.user_id, chain.front().step_kind,
                                    chain.front().approver_id);
  return *request_id;
}

void ApprovalService::NotifyArrival(storage::Connection& connection, int64_t request_id, const std::string& title,
                                    int64_t requester_id, std::string_view step_kind,
                                    std::optional<int64_t> approver_id) {
  std::string link = "/approvals/" + IdString(request_id);
  Json data = {{"requestId", IdString(request_id)}, {"stepKind", step_kind}};
  if (step_kind == "register") {
    for (const auto& row : connection.Query(kRegistrars, {requester_id, kMaxRegistrarsNotified}).rows)
      notifications_.Notify(connection, {row.Int(0), "approval.register", "待报备：" + title, link, data});
    return;
  }
  if (!approver_id) return;
  notifications_.Notify(connection, {*approver_id, "approval.pending", "待审批：" + title, link, data});
  // R-APPR-8: while the approver is away their delegate hears of it too.
  std::string today = FormatDate(policies_.Today());
  if (auto delegate = connection.QueryOne(kActiveDelegate, {*approver_id, today, today});
      delegate && delegate->Int(0) != requester_id) {
    Json delegated = data;
    delegated["onBehalfOfId"] = IdString(*approver_id);
    notifications_.Notify(connection, {delegate->Int(0), "approval.pending", "待审批（代理）：" + title, link, delegated});
  }
}

std::optional<int64_t> ApprovalService::LatestRequestFor(storage::Connection& connection, std::string_view kind,
                                                         int64_t entity_id) {
  auto row = connection.QueryOne(kLatestForEntity, {std::string(kind), entity_id});
  if (!row) return std::nullopt;
  return row->Int(0);
}

// ---- reading -----------------------------------------------------------------------------

Json ApprovalService::Describe(storage::Connection& connection, int64_t request_id) {
  auto request = connection.QueryOne(kSelectRequest, {request_id});
  if (!request) ThrowNotFound("approvals", "approval request");
  Json steps = Json::array(), history = Json::array();
  for (const auto& row : connection.Query(kSelectSteps, {request_id}).rows)
    (row.Int(kSRound) == request->Int(kRRound) ? steps : history).push_back(StepJson(row));
  return {{"id", IdString(request_id)},
          {"kind", request->Text(kRKind)},
          {"entityId", IdString(request->Int(kREntity))},
          {"title", request->Text(kRTitle)},
          {"summary", ParseStored(request->Text(kRSummary))},
          {"state", request->Text(kRState)},
          {"round", request->Int(kRRound)},
          {"registerAfter", request->Bool(kRRegisterAfter)},
          {"requesterId", IdString(request->Int(kRRequester))},
          {"requesterName", request->Text(kRRequesterName)},
          {"createdAt", request->Text(kRCreated)},
          {"updatedAt", request->Text(kRUpdated)},
          {"closedAt", OptionalTextJson(request->OptionalText(kRClosed))},
          {"steps", std::move(steps)},
          {"history", std::move(history)}};
}

std::optional<int64_t> ApprovalService::ActingFor(storage::Connection& connection, const Caller& caller,
                                                  int64_t approver_id) {
  if (approver_id == caller.user_id) return approver_id;
  std::string today = FormatDate(policies_.Today());
  auto delegate = connection.QueryOne(kActiveDelegate, {approver_id, today, today});
  if (delegate && delegate->Int(0) == caller.user_id) return approver_id;
  return std::nullopt;
}

bool ApprovalService::CanSee(storage::Connection& connection, const Caller& caller, const storage::Row& request) {
  int64_t id = request.Int(kRId);
  if (request.Int(kRRequester) == caller.user_id) return true;
  if (connection.QueryOne(kWasApprover, {id, caller.user_id, caller.user_id, caller.user_id})) return true;
  if (auto pending = connection.QueryOne(kPendingStep, {id, request.Int(kRRound)})) {
    if (auto approver = pending->OptionalInt(3); approver && ActingFor(connection, caller, *approver)) return true;
  }
  if (request.Bool(kRRegisterAfter) && caller.Has("approvals.register")) return true;
  auto permission = read_permissions_.find(request.Text(kRKind));
  if (permission != read_permissions_.end()) {
    if (auto scope = caller.ScopeFor(permission->second);
        scope && InScope(caller, *scope, request.Int(kRRequester), request.Text(kRRequesterPath)))
      return true;
  }
  return false;
}

Json ApprovalService::ActionsFor(storage::Connection& connection, const Caller& caller, const storage::Row& request) {
  Json actions = Json::array();
  const std::string& state = request.Text(kRState);
  bool requester = request.Int(kRRequester) == caller.user_id;
  if (state == "pending" && requester) actions.push_back("withdraw");
  auto pending = connection.QueryOne(kPendingStep, {request.Int(kRId), request.Int(kRRound)});
  if (!pending || requester) return actions;
  if (pending->Text(2) == "register") {
    if (caller.Has("approvals.register")) actions.push_back("register");
  } else if (auto approver = pending->OptionalInt(3); approver && ActingFor(connection, caller, *approver)) {
    for (const char* action : {"approve", "reject", "return"}) actions.push_back(action);
  }
  return actions;
}

Json ApprovalService::Get(const Caller& caller, int64_t request_id) {
  auto connection = database_.Acquire();
  auto request = connection->QueryOne(kSelectRequest, {request_id});
  if (!request || !CanSee(*connection, caller, *request)) ThrowNotFound("approvals", "approval request");
  Json answer = Describe(*connection, request_id);
  answer["actions"] = ActionsFor(*connection, caller, *request);
  return answer;
}

Json ApprovalService::List(const Caller& caller, ApprovalBox box, int limit, std::optional<int64_t> before_id) {
  auto connection = database_.Acquire();
  int64_t cursor = before_id.value_or(INT64_MAX);
  std::vector<storage::Row> rows;
  switch (box) {
    case ApprovalBox::kInbox: {
      std::string today = FormatDate(policies_.Today());
      rows = connection
                 ->Query(kListInbox, {caller.user_id, caller.user_id, caller.user_id, today, today,
                                      int64_t{caller.Has("approvals.register") ? 1 : 0}, cursor, int64_t{limit + 1}})
                 .rows;
      break;
    }
    case ApprovalBox::kMine:
      rows = connection->Query(kListMine, {caller.user_id, cursor, int64_t{limit + 1}}).rows;
      break;
    case ApprovalBox::kDecided:
      rows = connection->Query(kListDecided, {caller.user_id, cursor, int64_t{limit + 1}}).rows;
      break;
  }
  Json items = Json::array();
  for (size_t i = 0; i < rows.size() && static_cast<int>(i) < limit; ++i) {
    const auto& row = rows[i];
    Json current;
    if (!row.IsNull(13))
      current = {{"stepKind", row.Text(13)},
                 {"role", row.Text(14)},
                 {"approverId", OptionalIdJson(row.OptionalInt(15))},
                 {"approverName", OptionalTextJson(row.OptionalText(16))}};
    Json item = {{"id", IdString(row.Int(0))},
                 {"kind", row.Text(1)},
                 {"entityId", IdString(row.Int(2))},
                 {"requesterId", IdString(row.Int(3))},
                 {"requesterName", row.Text(4)},
                 {"title", row.Text(5)},
                 {"summary", ParseStored(row.Text(6))},
                 {"registerAfter", row.Bool(7)},
                 {"state", row.Text(8)},
                 {"round", row.Int(9)},
                 {"createdAt", row.Text(10)},
                 {"updatedAt", row.Text(11)},
                 {"closedAt", OptionalTextJson(row.OptionalText(12))},
                 {"currentStep", current}};
    // In the inbox, a step of someone who delegated to the caller says so.
    if (box == ApprovalBox::kInbox && !row.IsNull(15) && row.Int(15) != caller.user_id)
      item["onBehalfOfId"] = IdString(row.Int(15));
    items.push_back(std::move(item));
  }
  Json next = static_cast<int>(rows.size()) > limit ? Json(IdString(rows[limit - 1].Int(0))) : Json();
  return {{"items", std::move(items)}, {"nextCursor", next}};
}

// ---- deciding ----------------------------------------------------------------------------

Json ApprovalService::Decide(const Caller& caller, int64_t request_id, std::string_view action, const Json& body) {
  static const std::set<std::string, std::less<>> kActions = {"approve", "reject", "return", "register", "withdraw"};
  if (!kActions.contains(action)) ThrowNotFound("approvals", "action");
  JsonReader reader(body);
  std::string comment = reader.String("comment", 0, kMaxComment).value_or("");
  reader.Finish();
  Date today = policies_.Today();
  if ((action == "reject" || action == "return") && comment.empty() &&
      policies_.ValueOn("approvals.comment_required_on_reject", today).get<bool>())
    ThrowValidation("comment", "a comment is required to reject or return");

  Json answer;
  database_.InTransaction([&](storage::Connection& connection) {
    auto request = connection.QueryOne(kSelectRequest, {request_id});
    if (!request || !CanSee(connection, caller, *request)) ThrowNotFound("approvals", "approval request");
    Instant at = clock_.Now();
    std::string now = FormatInstant(at);
    int64_t round = request->Int(kRRound);
    int64_t requester_id = request->Int(kRRequester);
    const std::string state = request->Text(kRState);
    const std::string title = request->Text(kRTitle);
    ApprovalEvent event{request_id, request->Text(kRKind), request->Int(kREntity), "", caller.user_id, comment, at};
    auto pending = connection.QueryOne(kPendingStep, {request_id, round});
    std::string link = "/approvals/" + IdString(request_id);
    Json note_data = {{"requestId", IdString(request_id)}, {"comment", comment}};

    auto set_state = [&](const std::string& from, const std::string& to, bool close) {
      // The guard on the request's state is a second line behind the step guard.
      if (connection.Execute(kSetRequestState, {to, now, close ? storage::Value(now) : storage::Value(nullptr),
                                                request_id, from}) != 1)
        throw Error(ErrorKind::kConflict, "approvals.already_decided", "this request was decided meanwhile");
    };
    auto audit = [&](const std::string& audit_action, Json after) {
      after["comment"] = comment;
      RecordAudit(connection, Actor::From(caller),
                  {audit_action, "approval_request", IdString(request_id), {{"state", state}}, after}, at);
    };

    if (action == "withdraw") {
      // R-APPR-6: the requester withdraws while approvals are under way.
      if (requester_id != caller.user_id)
        throw Error(ErrorKind::kForbidden, "approvals.not_requester", "only the requester may withdraw");
      if (state != "pending")
        throw Error(ErrorKind::kConflict, "approvals.not_pending", "only a pending request can be withdrawn");
      if (pending && connection.Execute(kDecideStep, {"withdrawn", caller.user_id, nullptr,
                                                      comment.empty() ? storage::Value(nullptr) : storage::Value(comment),
                                                      now, pending->Int(0)}) != 1)
        throw Error(ErrorKind::kConflict, "approvals.already_decided", "this request was decided meanwhile");
      connection.Execute(kSkipWaiting, {request_id, round});
      set_state("pending", "withdrawn", true);
      audit("approval.withdraw", {{"state", "withdrawn"}});
      event.outcome = "withdrawn";
      Fire(connection, event);
      if (pending && !pending->IsNull(3))
        notifications_.Notify(connection, {pending->Int(3), "approval.withdrawn", "已撤回：" + title, link, note_data});
      answer = Describe(connection, request_id);
      return;
    }

    if (!pending) throw Error(ErrorKind::kConflict, "approvals.not_pending", "nothing is waiting for a decision");
    // R-APPR-7: nobody decides their own request, not even as a delegate.
    if (requester_id == caller.user_id)
      throw Error(ErrorKind::kForbidden, "approvals.own_request", "you cannot decide your own request");
    int64_t step_id = pending->Int(0), seq = pending->Int(1);
    const std::string step_kind = pending->Text(2);
    std::optional<int64_t> on_behalf_of;
    if (action == "register") {
      if (step_kind != "register")
        throw Error(ErrorKind::kConflict, "approvals.not_pending", "the request is not waiting for registration");
      Require(caller, "approvals.register");
    } else {
      if (step_kind != "approve")
        throw Error(ErrorKind::kConflict, "approvals.not_pending", "the request is waiting for registration");
      auto acting = ActingFor(connection, caller, pending->Int(3));
      if (!acting)
        throw Error(ErrorKind::kForbidden, "approvals.not_your_step", "this step waits for another approver");
      if (*acting != caller.user_id) on_behalf_of = acting;
    }
    static const std::map<std::string, std::string, std::less<>> kStepState = {
        {"approve", "approved"}, {"reject", "rejected"}, {"return", "returned"}, {"register", "registered"}};
    const std::string& step_state = kStepState.find(action)->second;
    // R-APPR-10: a second click, tab or process finds the step decided and changes nothing.
    if (connection.Execute(kDecideStep, {step_state, caller.user_id, storage::Nullable(on_behalf_of),
                                         comment.empty() ? storage::Value(nullptr) : storage::Value(comment), now,
                                         step_id}) != 1)
      throw Error(ErrorKind::kConflict, "approvals.already_decided", "this step was decided meanwhile");
    Json audit_after = {{"step", IdString(step_id)}, {"stepState", step_state}};
    if (on_behalf_of) audit_after["onBehalfOfId"] = IdString(*on_behalf_of);

    if (action == "approve") {
      auto next = connection.QueryOne(kNextStep, {request_id, round, seq});
      if (next) connection.Execute(kArriveStep, {now, next->Int(0)});
      bool approvals_done = !next || next->Text(1) == "register";
      if (approvals_done) {
        set_state("pending", "approved", !next);
        audit_after["state"] = "approved";
        audit("approval.approve", audit_after);
        event.outcome = "approved";
        Fire(connection, event);
        notifications_.Notify(connection, {requester_id, "approval.approved", "已批准：" + title, link, note_data});
      } else {
        audit_after["state"] = "pending";
        audit("approval.approve", audit_after);
      }
      if (next) NotifyArrival(connection, request_id, title, requester_id, next->Text(1), next->OptionalInt(2));
    } else if (action == "register") {
      set_state("approved", "registered", true);
      audit_after["state"] = "registered";
      audit("approval.register", audit_after);
      event.outcome = "registered";
      Fire(connection, event);
      notifications_.Notify(connection, {requester_id, "approval.registered", "已报备：" + title, link, note_data});
    } else {
      // R-APPR-4, 5: reject ends the request; return sends it back for changes.
      connection.Execute(kSkipWaiting, {request_id, round});
      std::string outcome = action == "reject" ? "rejected" : "returned";
      set_state("pending", outcome, true);
      audit_after["state"] = outcome;
      audit(action == "reject" ? "approval.reject" : "approval.return", audit_after);
      event.outcome = outcome;
      Fire(connection, event);
      notifications_.Notify(connection, {requester_id, "approval." + outcome,
                                         (action == "reject" ? "已驳回：" : "已退回修改：") + title, link, note_data});
    }
    answer = Describe(connection, request_id);
    auto reread = connection.QueryOne(kSelectRequest, {request_id});
    answer["actions"] = ActionsFor(connection, caller, *reread);
  });
  return answer;
}

// ---- delegation --------------------------------------------------------------------------

Json ApprovalService::DelegationJson(storage::Connection& connection, int64_t user_id) {
  std::string today = FormatDate(policies_.Today());
  auto row = connection.QueryOne(kSelectDelegation, {user_id});
  if (!row) return nullptr;
  return {{"delegateId", IdString(row->Int(0))},
          {"delegateName", row->Text(1)},
          {"from", row->Text(2)},
          {"to", row->Text(3)},
          {"active", row->Text(2) <= today && today <= row->Text(3)}};
}

Json ApprovalService::GetDelegation(const Caller& caller) {
  auto connection = database_.Acquire();
  return DelegationJson(*connection, caller.user_id);
}

Json ApprovalService::PutDelegation(const Caller& caller, const Json& body) {
  JsonReader reader(body);
  bool delegate_present = false;
  auto delegate_id = reader.Id("delegateId", &delegate_present);
  auto from = reader.DateString("from");
  auto to = reader.DateString("to");
  if (!delegate_present) reader.Fail("delegateId", "is required (null clears the delegation)");
  if (delegate_id) {
    if (!reader.Has("from") && !from) reader.Fail("from", "is required");
    if (!reader.Has("to") && !to) reader.Fail("to", "is required");
  }
  reader.Finish();
  Date today = policies_.Today();
  if (delegate_id) {
    FieldErrors errors;
    if (!from) errors.Add("from", "is required");
    if (!to) errors.Add("to", "is required");
    errors.ThrowIfAny();
    auto from_date = *ParseDate(*from), to_date = *ParseDate(*to);
    int64_t max_days = policies_.IntOn("approvals.delegation_max_days", today);
    auto days = (std::chrono::sys_days(std::chrono::year_month_day{std::chrono::year(to_date.year),
                                                                   std::chrono::month(to_date.month),
                                                                   std::chrono::day(to_date.day)}) -
                 std::chrono::sys_days(std::chrono::year_month_day{std::chrono::year(from_date.year),
                                                                   std::chrono::month(from_date.month),
                                                                   std::chrono::day(from_date.day)}))
                    .count() +
                1;
    if (*delegate_id == caller.user_id) errors.Add("delegateId", "cannot delegate to yourself");
    if (to_date < from_date) errors.Add("to", "must not be before from");
    else if (days > max_days) errors.Add("to", "a delegation lasts at most " + std::to_string(max_days) + " days");
    if (to_date < today) errors.Add("to", "must not be in the past");
    errors.ThrowIfAny();
  }
  Json answer;
  database_.InTransaction([&](storage::Connection& connection) {
    Json before = DelegationJson(connection, caller.user_id);
    if (delegate_id && !IsActiveUser(connection, *delegate_id)) ThrowValidation("delegateId", "must be an active user");
    connection.Execute(kDeleteDelegation, {caller.user_id});
    if (delegate_id)
      connection.Execute(kInsertDelegation,
                         {caller.user_id, *delegate_id, *from, *to, FormatInstant(clock_.Now())});
    answer = DelegationJson(connection, caller.user_id);
    RecordAudit(connection, Actor::From(caller),
                {delegate_id ? "approval.delegation_set" : "approval.delegation_clear", "approval_delegation",
                 IdString(caller.user_id), before, answer},
                clock_.Now());
    if (delegate_id)
      notifications_.Notify(connection, {*delegate_id, "approval.delegated",
                                         caller.name + " 委托你代为审批（" + *from + " 至 " + *to + "）",
                                         "/approvals?box=inbox",
                                         {{"userId", IdString(caller.user_id)}, {"from", *from}, {"to", *to}}});
  });
  return answer;
}

}  // namespace tuoke::platform
