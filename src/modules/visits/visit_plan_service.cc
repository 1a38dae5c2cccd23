#include "modules/visits/visit_plan_service.h"

#include <algorithm>
#include <map>

#include "core/text.h"
#include "modules/visits/visit_norms.h"
#include "modules/visits/visit_plan_common.h"
#include "modules/visits/visit_rules.h"
#include "platform/audit.h"

namespace tuoke::visits {
namespace {

using platform::Actor;
using platform::Caller;
using platform::Scope;

// Technical bounds: a month has at most ~31 working days of a handful of visits each.
constexpr size_t kMaxPlanItems = 500;
constexpr size_t kMaxNoteLength = 500;
constexpr size_t kMaxTargetsLength = 2000;
// Progress answers one row per rep; a larger company narrows it with ?unitId=.
constexpr int64_t kMaxProgressReps = 5000;

#define TUOKE_PLAN_COLUMNS                                                                       \
  "p.id, p.rep_id, u.name, o.path, p.month, p.status, p.sales_target_fen, p.admin_targets, "     \
  "p.note, p.approval_request_id, p.first_submitted_at, p.submitted_at, p.submitted_late, "      \
  "p.decided_at, p.decision_comment, p.created_at, p.updated_at FROM visit_plans p JOIN users u " \
  "ON u.id = p.rep_id JOIN org_units o ON o.id = u.unit_id "

enum Column : size_t {
  kId, kRepId, kRepName, kRepPath, kMonth, kStatus, kSalesFen, kAdminTargets, kNote, kApprovalId,
  kFirstSubmittedAt, kSubmittedAt, kSubmittedLate, kDecidedAt, kDecisionComment, kCreatedAt, kUpdatedAt,
};

const storage::Sql kSelectPlan{"visit_plans.select", "SELECT " TUOKE_PLAN_COLUMNS "WHERE p.id = ?"};
const storage::Sql kSelectItems{
    "visit_plans.items",
    "SELECT i.id, i.customer_id, c.name, i.visit_date, i.purposes, i.note FROM visit_plan_items i "
    "JOIN customers c ON c.id = i.customer_id WHERE i.plan_id = ? ORDER BY i.position"};
const storage::Sql kPlanOfRepMonth{"visit_plans.of_rep_month",
                                   "SELECT id FROM visit_plans WHERE rep_id = ? AND month = ?"};
const storage::Sql kInsertPlan{
    "visit_plans.insert",
    "INSERT INTO visit_plans (rep_id, month, status, sales_target_fen, admin_targets, note, "
    "created_at, updated_at) VALUES (?, ?, 'draft', ?, ?, ?, ?, ?) RETURNING id"};
const storage::Sql kUpdatePlan{
    "visit_plans.update",
    "UPDATE visit_plans SET sales_target_fen = ?, admin_targets = ?, note = ?, updated_at = ? WHERE id = ?"};
const storage::Sql kDeleteItems{"visit_plans.delete_items", "DELETE FROM visit_plan_items WHERE plan_id = ?"};
const storage::Sql kInsertItem{
    "visit_plans.insert_item",
    "INSERT INTO visit_plan_items (plan_id, position, customer_id, visit_date, purposes, note) "
    "VALUES (?, ?, ?, ?, ?, ?)"};
const storage::Sql kItemCount{"visit_plans.item_count", "SELECT COUNT(*) FROM visit_plan_items WHERE plan_id = ?"};
const storage::Sql kMarkSubmitted{
    "visit_plans.mark_submitted",
    "UPDATE visit_plans SET status = 'pending', approval_request_id = ?, submitted_at = ?, "
    "first_submitted_at = COALESCE(first_submitted_at, ?), submitted_late = CASE WHEN "
    "first_submitted_at IS NULL THEN ? ELSE submitted_late END, decided_at = NULL, "
    "decision_comment = NULL, updated_at = ? WHERE id = ?"};
const storage::Sql kMarkDecided{
    "visit_plans.mark_decided",
    "UPDATE visit_plans SET status = ?, decided_at = ?, decision_comment = ?, updated_at = ? "
    "WHERE id = ? AND status = 'pending'"};

struct ItemInput {
  int64_t customer_id = 0;
  Date date;
  std::vector<std::string> purposes;
  std::optional<std::string> note;
};

struct PlanInput {
  std::optional<Month> month;
  std::optional<std::vector<ItemInput>> items;
  bool sales_present = false;
  std::optional<int64_t> sales_target_fen;
  bool admin_present = false;
  std::optional<std::string> admin_targets;
  bool note_present = false;
  std::optional<std::string> note;
};

bool Editable(const std::string& status) {
  // R-VISIT-11: a returned, withdrawn or rejected plan is revised and submitted again;
  // the rep must still have a plan for the month.
  return status == "draft" || status == "returned" || status == "withdrawn" || status == "rejected";
}

std::string OutcomeStatus(const std::string& outcome) {
  if (outcome == "approved" || outcome == "registered") return "approved";
  if (outcome == "rejected" || outcome == "returned" || outcome == "withdrawn") return outcome;
  return "";
}

Json Optional(const std::optional<std::string>& text) { return text ? Json(*text) : Json(); }

}  // namespace

struct VisitPlanService::PlanRow {
  int64_t id = 0;
  int64_t rep_id = 0;
  std::string rep_path;
  Month month;
  std::string status;
};

VisitPlanService::VisitPlanService(storage::Database& database, platform::PolicyService& policies,
                                   platform::ApprovalService& approvals, const Clock& clock)
    : database_(database), policies_(policies), approvals_(approvals), clock_(clock) {
  approvals_.OnOutcome("visit_plan", [this](storage::Connection& connection, const platform::ApprovalEvent& event) {
    OnOutcome(connection, event);
  });
}

namespace {

// Parses a create (with month) or update body. Customers and dates are checked against
// the month and the caller's customers afterwards, when the month is known.
PlanInput ReadPlanBody(const Json& body, bool create) {
  JsonReader reader(body);
  PlanInput input;
  if (create) {
    if (auto month = reader.RequiredString("month", 7, 7)) {
      input.month = ParseMonth(*month);
      if (!input.month) reader.Fail("month", "must be a month YYYY-MM");
    }
  }
  if (const Json* items = reader.Raw("items")) {
    if (!items->is_array() || items->size() > kMaxPlanItems) {
      reader.Fail("items", "must be a list of at most " + std::to_string(kMaxPlanItems) + " items");
    } else {
      input.items.emplace();
      for (size_t index = 0; index < items->size(); ++index) {
        ItemInput item;
        std::string prefix = "items[" + std::to_string(index) + "]";
        ReadNested(reader, prefix, (*items)[index], [&](JsonReader& nested) {
          if (!nested.Has("customerId")) nested.Fail("customerId", "is required");
          if (auto id = nested.Id("customerId")) item.customer_id = *id;
          if (!nested.Has("date")) nested.Fail("date", "is required");
          if (auto date = nested.DateString("date")) item.date = *ParseDate(*date);
          auto purposes = nested.StringList("purposes", PurposeCodes().size(), PurposeCodes());
          if (!purposes || purposes->empty()) {
            if (!nested.Has("purposes") || (purposes && purposes->empty()))
              nested.Fail("purposes", "must name at least one purpose");
          } else {
            item.purposes = *purposes;
          }
          item.note = nested.String("note", 0, kMaxNoteLength);
          if (item.note && item.note->empty()) item.note.reset();
        });
        input.items->push_back(std::move(item));
      }
    }
  }
  if (const Json* targets = reader.Raw("targets")) {
    ReadNested(reader, "targets", *targets, [&](JsonReader& nested) {
      input.sales_present = nested.Has("salesTargetFen");
      input.sales_target_fen = ReadFenString(nested, "salesTargetFen");
      input.admin_targets = nested.NullableString("adminTargets", kMaxTargetsLength, &input.admin_present);
      if (input.admin_targets && input.admin_targets->empty()) input.admin_targets.reset();
    });
  }
  input.note = reader.NullableString("note", kMaxNoteLength, &input.note_present);
  if (input.note && input.note->empty()) input.note.reset();
  reader.Finish();
  return input;
}

// R-VISIT-5: every item names a customer the rep may see, on a day of the plan's month.
void CheckItems(storage::Connection& connection, const Caller& caller, Month month,
                const std::vector<ItemInput>& items) {
  std::vector<int64_t> ids;
  for (const auto& item : items) ids.push_back(item.customer_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  auto nameable = NameableCustomers(connection, caller, ids);
  FieldErrors errors;
  for (size_t index = 0; index < items.size(); ++index) {
    std::string prefix = "items[" + std::to_string(index) + "]";
    if (!nameable.count(items[index].customer_id))
      errors.Add(prefix + ".customerId", "is not a customer you can visit");
    if (MonthOf(items[index].date) != month) errors.Add(prefix + ".date", "must be a day of " + FormatMonth(month));
  }
  errors.ThrowIfAny();
}

void WriteItems(storage::Connection& connection, int64_t plan_id, const std::vector<ItemInput>& items) {
  connection.Execute(kDeleteItems, {plan_id});
  int64_t position = 0;
  for (const auto& item : items)
    connection.Execute(kInsertItem, {plan_id, position++, item.customer_id, FormatDate(item.date),
                                     JoinCodes(item.purposes), storage::Nullable(item.note)});
}

}  // namespace

VisitPlanService::PlanRow VisitPlanService::LoadReadable(storage::Connection& connection, const Caller& caller,
                                                         int64_t plan_id) {
  Scope scope = platform::Require(caller, "visits.read");
  auto row = connection.QueryOne(kSelectPlan, {plan_id});
  // R-VISIT-1: outside the scope is the same answer as missing.
  if (!row || !platform::InScope(caller, scope, row->Int(kRepId), row->Text(kRepPath)))
    throw Error(ErrorKind::kNotFound, "visits.plan_not_found", "visit plan not found");
  return PlanRow{row->Int(kId), row->Int(kRepId), row->Text(kRepPath), *ParseMonth(row->Text(kMonth)),
                 row->Text(kStatus)};
}

VisitPlanService::PlanRow VisitPlanService::LoadEditable(storage::Connection& connection, const Caller& caller,
                                                         int64_t plan_id) {
  platform::Require(caller, "visits.write");
  PlanRow plan = LoadReadable(connection, caller, plan_id);
  // R-VISIT-5: the plan is the rep's own commitment; the manager answers through the approval.
  if (plan.rep_id != caller.user_id)
    throw Error(ErrorKind::kForbidden, "access.denied", "only the rep edits and submits their plan",
                {{"permission", "visits.write"}});
  if (!Editable(plan.status))
    throw Error(ErrorKind::kConflict, "visits.plan_not_editable", "the plan is " + plan.status,
                {{"status", plan.status}});
  return plan;
}

Json VisitPlanService::Render(storage::Connection& connection, int64_t plan_id, bool with_items) {
  auto row = connection.QueryOne(kSelectPlan, {plan_id});
  if (!row) throw Error(ErrorKind::kNotFound, "visits.plan_not_found", "visit plan not found");
  Month month = *ParseMonth(row->Text(kMonth));
  Date today = policies_.Today();
  int days_before = static_cast<int>(policies_.IntOn("visits.plan_submit_days_before_month_end", today));
  auto approval = row->OptionalInt(kApprovalId);
  auto sales = row->OptionalInt(kSalesFen);
  Json plan = {
      {"id", IdString(row->Int(kId))},
      {"repId", IdString(row->Int(kRepId))},
      {"repName", row->Text(kRepName)},
      {"month", FormatMonth(month)},
      {"status", row->Text(kStatus)},
      {"targets",
       {{"salesTargetFen", sales ? Json(std::to_string(*sales)) : Json()},
        {"adminTargets", Optional(row->OptionalText(kAdminTargets))}}},
      {"note", Optional(row->OptionalText(kNote))},
      {"approvalId", approval ? Json(IdString(*approval)) : Json()},
      {"deadlineAt", FormatInstant(PlanSubmitDeadline(month, days_before, policies_.TimeZone()))},
      {"firstSubmittedAt", Optional(row->OptionalText(kFirstSubmittedAt))},
      {"submittedAt", Optional(row->OptionalText(kSubmittedAt))},
      {"late", row->Bool(kSubmittedLate)},
      {"decidedAt", Optional(row->OptionalText(kDecidedAt))},
      {"decisionComment", Optional(row->OptionalText(kDecisionComment))},
      {"createdAt", row->Text(kCreatedAt)},
      {"updatedAt", row->Text(kUpdatedAt)},
  };
  if (with_items) {
    Json items = Json::array();
    for (const auto& item : connection.Query(kSelectItems, {plan_id}).rows)
      items.push_back({{"id", IdString(item.Int(0))},
                       {"customerId", IdString(item.Int(1))},
                       {"customerName", item.Text(2)},
                       {"date", item.Text(3)},
                       {"purposes", SplitCodes(item.Text(4))},
                       {"note", Optional(item.OptionalText(5))}});
    plan["items"] = std::move(items);
    plan["coverageSummary"] = ComputeCoverage(connection, plan_id)["summary"];
  }
  return plan;
}

Json VisitPlanService::List(const Caller& caller, const PlanFilter& filter) {
  Scope scope = platform::Require(caller, "visits.read");
  storage::Params params;
  std::string sql = "SELECT p.id FROM visit_plans p JOIN users u ON u.id = p.rep_id JOIN org_units o ON "
                    "o.id = u.unit_id WHERE " +
                    UserScopeCondition(caller, scope, "p.rep_id", "o.path", params);
  if (filter.rep_id) sql += " AND p.rep_id = ?", params.push_back(*filter.rep_id);
  if (filter.month) {
    if (!ParseMonth(*filter.month)) ThrowValidation("month", "must be a month YYYY-MM");
    sql += " AND p.month = ?", params.push_back(*filter.month);
  }
  if (filter.status) {
    static const std::set<std::string> kStatuses = {"draft", "pending", "approved", "returned", "rejected", "withdrawn"};
    if (!kStatuses.count(*filter.status)) ThrowValidation("status", "is not a plan status");
    sql += " AND p.status = ?", params.push_back(*filter.status);
  }
  if (filter.before_id) sql += " AND p.id < ?", params.push_back(*filter.before_id);
  sql += " ORDER BY p.id DESC LIMIT ?";
  params.push_back(static_cast<int64_t>(filter.limit + 1));
  auto connection = database_.Acquire();
  const storage::Sql query{"visit_plans.list", sql.c_str()};
  auto rows = connection->Query(query, params).rows;
  Json items = Json::array();
  Json next = nullptr;
  for (size_t i = 0; i < rows.size() && static_cast<int>(i) < filter.limit; ++i)
    items.push_back(Render(*connection, rows[i].Int(0), false));
  if (static_cast<int>(rows.size()) > filter.limit) next = IdString(rows[filter.limit - 1].Int(0));
  return {{"items", std::move(items)}, {"nextCursor", next}};
}

Json VisitPlanService::Get(const Caller& caller, int64_t plan_id) {
  auto connection = database_.Acquire();
  LoadReadable(*connection, caller, plan_id);
  return Render(*connection, plan_id, true);
}

Json VisitPlanService::Create(const Caller& caller, const Json& body) {
  platform::Require(caller, "visits.write");
  PlanInput input = ReadPlanBody(body, true);
  Date today = policies_.Today();
  // R-VISIT-5: a plan is drafted for next month (§3.2) or, late, for the current one.
  Month current = MonthOf(today);
  if (*input.month != current && *input.month != current.Next())
    ThrowValidation("month", "must be this month or the next");
  Json answer;
  database_.InTransaction([&](storage::Connection& connection) {
    if (auto existing = connection.QueryOne(kPlanOfRepMonth, {caller.user_id, FormatMonth(*input.month)}))
      throw Error(ErrorKind::kConflict, "visits.plan_exists", "you already have a plan for this month",
                  {{"planId", IdString(existing->Int(0))}});
    if (input.items) CheckItems(connection, caller, *input.month, *input.items);
    std::string now = FormatInstant(clock_.Now());
    int64_t id = 0;
    try {
      id = connection
               .Query(kInsertPlan, {caller.user_id, FormatMonth(*input.month), storage::Nullable(input.sales_target_fen),
                                    storage::Nullable(input.admin_targets), storage::Nullable(input.note), now, now})
               .rows.at(0)
               .Int(0);
    } catch (const storage::DatabaseError& error) {
      if (error.kind() != storage::DatabaseError::Kind::kUniqueViolation) throw;
      throw Error(ErrorKind::kConflict, "visits.plan_exists", "you already have a plan for this month");
    }
    if (input.items) WriteItems(connection, id, *input.items);
    answer = Render(connection, id, true);
    platform::RecordAudit(connection, Actor::From(caller),
                          {"visit_plan.create", "visit_plan", IdString(id), Json(),
                           {{"month", answer["month"]}, {"items", answer["items"].size()}, {"targets", answer["targets"]}}},
                          clock_.Now());
  });
  return answer;
}

Json VisitPlanService::Update(const Caller& caller, int64_t plan_id, const Json& body) {
  PlanInput input = ReadPlanBody(body, false);
  Json answer;
  database_.InTransaction([&](storage::Connection& connection) {
    PlanRow plan = LoadEditable(connection, caller, plan_id);
    Json before = Render(connection, plan_id, true);
    if (input.items) CheckItems(connection, caller, plan.month, *input.items);
    std::optional<int64_t> sales = input.sales_present ? input.sales_target_fen : std::nullopt;
    if (!input.sales_present && before["targets"]["salesTargetFen"].is_string())
      sales = std::stoll(before["targets"]["salesTargetFen"].get<std::string>());
    std::optional<std::string> admin = input.admin_present ? input.admin_targets : std::nullopt;
    if (!input.admin_present && before["targets"]["adminTargets"].is_string())
      admin = before["targets"]["adminTargets"].get<std::string>();
    std::optional<std::string> note = input.note_present ? input.note : std::nullopt;
    if (!input.note_present && before["note"].is_string()) note = before["note"].get<std::string>();
    connection.Execute(kUpdatePlan, {storage::Nullable(sales), storage::Nullable(admin), storage::Nullable(note),
                                     FormatInstant(clock_.Now()), plan_id});
    if (input.items) WriteItems(connection, plan_id, *input.items);
    answer = Render(connection, plan_id, true);
    Json old_view = {{"items", before["items"]}, {"targets", before["targets"]}, {"note", before["note"]}};
    Json new_view = {{"items", answer["items"]}, {"targets", answer["targets"]}, {"note", answer["note"]}};
    platform::KeepChangedFields(old_view, new_view);
    platform::RecordAudit(connection, Actor::From(caller),
                          {"visit_plan.update", "visit_plan", IdString(plan_id), old_view, new_view}, clock_.Now());
  });
  return answer;
}

Json VisitPlanService::Submit(const Caller& caller, int64_t plan_id) {
  Json answer;
  database_.InTransaction([&](storage::Connection& connection) {
    PlanRow plan = LoadEditable(connection, caller, plan_id);
    Date today = policies_.Today();
    if (plan.month < MonthOf(today))
      throw Error(ErrorKind::kConflict, "visits.plan_month_over", "the plan's month is over");
    if (connection.QueryOne(kItemCount, {plan_id})->Int(0) == 0)
      throw Error(ErrorKind::kConflict, "visits.plan_empty", "a plan needs at least one visit");
    // R-VISIT-9: late plans are accepted and flagged, so the rep still has a plan and the
    // manager decides knowing it was late.
    Instant now = clock_.Now();
    int days_before = static_cast<int>(policies_.IntOn("visits.plan_submit_days_before_month_end", today));
    Instant deadline = PlanSubmitDeadline(plan.month, days_before, policies_.TimeZone());
    bool late = now >= deadline;
    Json coverage = ComputeCoverage(connection, plan_id)["summary"];
    auto current = connection.QueryOne(kSelectPlan, {plan_id});
    bool already_late = current->Bool(kSubmittedLate) && !current->IsNull(kFirstSubmittedAt);
    platform::ApprovalSubmission submission;
    submission.kind = "visit_plan";
    submission.entity_id = plan_id;
    submission.title = caller.name + " " + FormatMonth(plan.month) + " 月度拜访计划";
    auto sales = current->OptionalInt(kSalesFen);
    submission.summary = {{"month", FormatMonth(plan.month)},
                          {"items", connection.QueryOne(kItemCount, {plan_id})->Int(0)},
                          {"salesTargetFen", sales ? Json(std::to_string(*sales)) : Json()},
                          {"late", current->IsNull(kFirstSubmittedAt) ? late : already_late},
                          {"coverage", coverage}};
    int64_t request_id = approvals_.Submit(connection, caller, submission);
    std::string at = FormatInstant(now);
    connection.Execute(kMarkSubmitted, {request_id, at, at, static_cast<int64_t>(late ? 1 : 0), at, plan_id});
    answer = Render(connection, plan_id, true);
    platform::RecordAudit(connection, Actor::From(caller),
                          {"visit_plan.submit", "visit_plan", IdString(plan_id), {{"status", plan.status}},
                           {{"status", "pending"}, {"approvalId", IdString(request_id)}, {"late", answer["late"]}}},
                          now);
  });
  return answer;
}

void VisitPlanService::OnOutcome(storage::Connection& connection, const platform::ApprovalEvent& event) {
  std::string status = OutcomeStatus(event.outcome);
  if (status.empty()) return;
  // R-VISIT-10: the engine's outcome is the plan's status; a plan no longer pending
  // (cannot happen while the engine holds one request per entity) is left alone.
  std::optional<std::string> comment;
  if (!event.comment.empty()) comment = event.comment;
  int64_t changed = connection.Execute(
      kMarkDecided, {status, FormatInstant(event.at), storage::Nullable(comment), FormatInstant(event.at), event.entity_id});
  if (changed == 0) return;
  platform::Actor actor{event.actor_id, "", "", ""};
  platform::RecordAudit(connection, actor,
                        {"visit_plan." + event.outcome, "visit_plan", IdString(event.entity_id), {{"status", "pending"}},
                         {{"status", status}, {"approvalId", IdString(event.request_id)}}},
                        event.at);
}

Json VisitPlanService::ComputeCoverage(storage::Connection& connection, int64_t plan_id) {
  auto row = connection.QueryOne(kSelectPlan, {plan_id});
  Month month = *ParseMonth(row->Text(kMonth));
  int64_t rep_id = row->Int(kRepId);
  Date policy_day = std::max(month.First(), policies_.Today());
  FrequencyPolicy policy = LoadFrequencyPolicy(policies_, policy_day);
  // R-VISIT-6: the rep's customers with their last visit before the month begins.
  auto cadences = LoadCadences(connection, policy, policies_.TimeZone(), "c.owner_id = ?", {rep_id}, month.First());
  std::map<int64_t, std::pair<std::string, int>> planned;  // customer → name, visits planned
  for (const auto& item : connection.Query(kSelectItems, {plan_id}).rows) {
    auto& entry = planned[item.Int(1)];
    entry.first = item.Text(2);
    entry.second++;
  }
  struct Entry {
    CoverageState state;
    Json json;
  };
  std::vector<Entry> entries;
  int64_t customers = 0, covered = 0, short_count = 0, missing = 0, required_total = 0, planned_total = 0;
  for (const auto& cadence : cadences) {
    int required = RequiredVisitsInMonth(month, cadence.base, cadence.interval_months, cadence.visits_per_month);
    int planned_visits = 0;
    if (auto found = planned.find(cadence.customer_id); found != planned.end()) {
      planned_visits = found->second.second;
      planned.erase(found);
    }
    CoverageState state = CoverageOf(required, planned_visits);
    if (required > 0) {
      ++customers;
      required_total += required;
      planned_total += std::min(required, planned_visits);
      if (state == CoverageState::kOk) ++covered;
      if (state == CoverageState::kShort) ++short_count;
      if (state == CoverageState::kMissing) ++missing;
    } else if (planned_visits == 0) {
      continue;  // not due this month and not planned: nothing to show
    }
    entries.push_back({state,
                       {{"customerId", IdString(cadence.customer_id)},
                        {"customerName", cadence.name},
                        {"grade", cadence.grade},
                        {"region", RegionRelationCode(cadence.region)},
                        {"lastVisitOn", cadence.last_visit_on ? Json(FormatDate(*cadence.last_visit_on)) : Json()},
                        {"countedFrom", FormatDate(cadence.base)},
                        {"required", required},
                        {"planned", planned_visits},
                        {"state", CoverageStateCode(state)}}});
  }
  // Planned customers the rep does not own (pool customers, a colleague's on a joint visit).
  for (const auto& [customer_id, entry] : planned)
    entries.push_back({CoverageState::kOk,
                       {{"customerId", IdString(customer_id)},
                        {"customerName", entry.first},
                        {"grade", nullptr},
                        {"region", nullptr},
                        {"lastVisitOn", nullptr},
                        {"countedFrom", nullptr},
                        {"required", 0},
                        {"planned", entry.second},
                        {"state", "ok"}}});
  // R-VISIT-8: left-out customers first, then under-covered ones.
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    auto rank = [](CoverageState s) { return s == CoverageState::kMissing ? 0 : s == CoverageState::kShort ? 1 : 2; };
    return rank(a.state) < rank(b.state);
  });
  Json items = Json::array();
  for (auto& entry : entries) items.push_back(std::move(entry.json));
  return {{"month", FormatMonth(month)},
          {"items", std::move(items)},
          {"summary",
           {{"customers", customers},
            {"covered", covered},
            {"short", short_count},
            {"missing", missing},
            {"requiredVisits", required_total},
            {"plannedTowardNorm", planned_total},
            {"coveragePercent", required_total ? Json(planned_total * 100 / required_total) : Json()}}}};
}

Json VisitPlanService::Coverage(const Caller& caller, int64_t plan_id) {
  auto connection = database_.Acquire();
  LoadReadable(*connection, caller, plan_id);
  return ComputeCoverage(*connection, plan_id);
}

Json VisitPlanService::Progress(const Caller& caller, const std::string& month_text, std::optional<int64_t> unit_id) {
  Scope scope = platform::Require(caller, "visits.read");
  Date today = policies_.Today();
  // Without a month: the current one.
  auto month = month_text.empty() ? std::optional<Month>(MonthOf(today)) : ParseMonth(month_text);
  if (!month) ThrowValidation("month", "must be a month YYYY-MM");
  std::string first = FormatDate(month->First()), last = FormatDate(month->Last());
  std::string to_date = FormatDate(std::min(today, month->Last()));
  auto connection = database_.Acquire();

  // The same user condition for every query: scope and unit filter on alias u / ou.
  storage::Params scope_params;
  std::string condition = UserScopeCondition(caller, scope, "u.id", "ou.path", scope_params);
  if (unit_id) {
    condition += " AND ou.path LIKE ? ESCAPE '\\'";
    scope_params.push_back(EscapeLike(UnitPath(*connection, *unit_id)) + "%");
  }
  auto with = [&](storage::Params head) {
    head.insert(head.end(), scope_params.begin(), scope_params.end());
    return head;
  };

  struct Row {
    std::string name;
    std::optional<int64_t> plan_id;
    std::string plan_status;
    int64_t planned = 0, planned_to_date = 0, actual = 0, on_plan = 0, unplanned = 0;
  };
  std::map<int64_t, Row> reps;
  std::vector<int64_t> order;

  // R-VISIT-13: the reps of the scope, and anyone in it with a plan for the month.
  std::string reps_sql =
      "SELECT u.id, u.name FROM users u JOIN org_units ou ON ou.id = u.unit_id WHERE u.active = 1 AND "
      "(EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'rep') OR EXISTS "
      "(SELECT 1 FROM visit_plans p WHERE p.rep_id = u.id AND p.month = ?)) AND " +
      condition + " ORDER BY u.name, u.id LIMIT ?";
  auto reps_params = with({FormatMonth(*month)});
  reps_params.push_back(kMaxProgressReps + 1);
  const storage::Sql reps_query{"visit_plans.progress_reps", reps_sql.c_str()};
  for (const auto& row : connection->Query(reps_query, reps_params).rows) {
    reps[row.Int(0)].name = row.Text(1);
    order.push_back(row.Int(0));
  }
  if (static_cast<int64_t>(order.size()) > kMaxProgressReps)
    throw Error(ErrorKind::kValidation, "visits.progress_too_large", "too many reps: filter by unitId",
                {{"fields", {{"unitId", "narrow the list to a unit"}}}});

  std::string plans_sql =
      "SELECT p.rep_id, p.id, p.status, COUNT(i.id), COALESCE(SUM(CASE WHEN i.visit_date <= ? THEN 1 ELSE 0 END), 0) "
      "FROM visit_plans p JOIN users u ON u.id = p.rep_id JOIN org_units ou ON ou.id = u.unit_id "
      "LEFT JOIN visit_plan_items i ON i.plan_id = p.id WHERE p.month = ? AND " +
      condition + " GROUP BY p.rep_id, p.id, p.status";
  const storage::Sql plans_query{"visit_plans.progress_plans", plans_sql.c_str()};
  for (const auto& row : connection->Query(plans_query, with({to_date, FormatMonth(*month)})).rows) {
    Row& rep = reps[row.Int(0)];
    rep.plan_id = row.Int(1);
    rep.plan_status = row.Text(2);
    rep.planned = row.Int(3);
    rep.planned_to_date = row.Int(4);
  }
  // R-VISIT-14: a planned visit is done on plan when the rep visited that customer that day.
  std::string on_plan_sql =
      "SELECT p.rep_id, COUNT(*) FROM visit_plan_items i JOIN visit_plans p ON p.id = i.plan_id JOIN users u "
      "ON u.id = p.rep_id JOIN org_units ou ON ou.id = u.unit_id WHERE p.month = ? AND EXISTS (SELECT 1 "
      "FROM visits v WHERE v.rep_id = p.rep_id AND v.customer_id = i.customer_id AND v.visit_date = "
      "i.visit_date) AND " +
      condition + " GROUP BY p.rep_id";
  const storage::Sql on_plan_query{"visit_plans.progress_on_plan", on_plan_sql.c_str()};
  for (const auto& row : connection->Query(on_plan_query, with({FormatMonth(*month)})).rows)
    reps[row.Int(0)].on_plan = row.Int(1);
  std::string visits_sql =
      "SELECT v.rep_id, COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM visit_plan_items i JOIN "
      "visit_plans p ON p.id = i.plan_id WHERE p.rep_id = v.rep_id AND p.month = ? AND i.customer_id = "
      "v.customer_id AND i.visit_date = v.visit_date) THEN 0 ELSE 1 END), 0) FROM visits v JOIN users u ON "
      "u.id = v.rep_id JOIN org_units ou ON ou.id = u.unit_id WHERE v.visit_date >= ? AND v.visit_date <= ? "
      "AND " +
      condition + " GROUP BY v.rep_id";
  const storage::Sql visits_query{"visit_plans.progress_visits", visits_sql.c_str()};
  for (const auto& row : connection->Query(visits_query, with({FormatMonth(*month), first, last})).rows) {
    Row& rep = reps[row.Int(0)];
    rep.actual = row.Int(1);
    rep.unplanned = row.Int(2);
  }

  auto percent = [](int64_t part, int64_t whole) { return whole > 0 ? Json(part * 100 / whole) : Json(); };
  auto render = [&](const Row& row, Json rep_id) {
    return Json{{"repId", rep_id},
                {"repName", row.name.empty() ? Json() : Json(row.name)},
                {"planId", row.plan_id ? Json(IdString(*row.plan_id)) : Json()},
                {"planStatus", row.plan_status.empty() ? Json() : Json(row.plan_status)},
                {"planned", row.planned},
                {"plannedToDate", row.planned_to_date},
                {"actual", row.actual},
                {"onPlan", row.on_plan},
                {"unplanned", row.unplanned},
                {"actualPercent", percent(row.actual, row.planned)},
                {"onPlanPercent", percent(row.on_plan, row.planned_to_date)}};
  };
  Json rows = Json::array();
  Row team;
  team.name = "";
  for (int64_t rep_id : order) {
    const Row& row = reps[rep_id];
    rows.push_back(render(row, IdString(rep_id)));
    team.planned += row.planned;
    team.planned_to_date += row.planned_to_date;
    team.actual += row.actual;
    team.on_plan += row.on_plan;
    team.unplanned += row.unplanned;
  }
  return {{"month", FormatMonth(*month)}, {"today", FormatDate(today)}, {"reps", std::move(rows)},
          {"team", render(team, nullptr)}};
}

}  // namespace tuoke::visits
