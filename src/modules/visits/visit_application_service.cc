#include "modules/visits/visit_application_service.h"

#include <algorithm>
#include <set>

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

// Technical bounds of one trip's application.
constexpr size_t kMaxCustomers = 20;
constexpr size_t kMaxExpenseLines = 20;
constexpr size_t kMaxNotesLength = 2000;
constexpr size_t kMaxDescriptionLength = 200;

const std::set<std::string>& ExpenseCategories() {
  // §3.3 [第8条 3–4, 第9条 4]: gifts, entertainment and other expenses of a visit.
  static const std::set<std::string> categories = {"gift", "entertainment", "meal", "travel", "samples", "other"};
  return categories;
}

#define TUOKE_APPLICATION_COLUMNS                                                                \
  "a.id, a.rep_id, u.name, o.path, a.visit_date, a.status, a.comes_to_office_first, a.purposes, " \
  "a.notes, a.expected_total_fen, a.deadline_at, a.submitted_at, a.submitted_late, "             \
  "a.needs_registration, a.approval_request_id, a.decided_at, a.decision_comment, a.created_at, " \
  "a.updated_at FROM visit_applications a JOIN users u ON u.id = a.rep_id JOIN org_units o ON "  \
  "o.id = u.unit_id "

enum Column : size_t {
  kId, kRepId, kRepName, kRepPath, kVisitDate, kStatus, kComesFirst, kPurposes, kNotes, kTotalFen,
  kDeadlineAt, kSubmittedAt, kSubmittedLate, kNeedsRegistration, kApprovalId, kDecidedAt,
  kDecisionComment, kCreatedAt, kUpdatedAt,
};

const storage::Sql kSelect{"visit_applications.select", "SELECT " TUOKE_APPLICATION_COLUMNS "WHERE a.id = ?"};
const storage::Sql kSelectCustomers{
    "visit_applications.customers",
    "SELECT c.id, c.name FROM visit_application_customers ac JOIN customers c ON c.id = ac.customer_id "
    "WHERE ac.application_id = ? ORDER BY c.id"};
const storage::Sql kSelectExpenses{
    "visit_applications.expenses",
    "SELECT category, description, amount_fen FROM visit_application_expenses WHERE application_id = ? "
    "ORDER BY position"};
const storage::Sql kInsert{
    "visit_applications.insert",
    "INSERT INTO visit_applications (rep_id, visit_date, status, comes_to_office_first, purposes, notes, "
    "expected_total_fen, deadline_at, created_at, updated_at) VALUES (?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?) "
    "RETURNING id"};
const storage::Sql kUpdate{
    "visit_applications.update",
    "UPDATE visit_applications SET visit_date = ?, comes_to_office_first = ?, purposes = ?, notes = ?, "
    "expected_total_fen = ?, deadline_at = ?, updated_at = ? WHERE id = ?"};
const storage::Sql kDeleteCustomers{"visit_applications.delete_customers",
                                    "DELETE FROM visit_application_customers WHERE application_id = ?"};
const storage::Sql kInsertCustomer{"visit_applications.insert_customer",
                                   "INSERT INTO visit_application_customers (application_id, customer_id) VALUES (?, ?)"};
const storage::Sql kDeleteExpenses{"visit_applications.delete_expenses",
                                   "DELETE FROM visit_application_expenses WHERE application_id = ?"};
const storage::Sql kInsertExpense{
    "visit_applications.insert_expense",
    "INSERT INTO visit_application_expenses (application_id, position, category, description, amount_fen) "
    "VALUES (?, ?, ?, ?, ?)"};
const storage::Sql kMarkSubmitted{
    "visit_applications.mark_submitted",
    "UPDATE visit_applications SET status = 'pending', approval_request_id = ?, submitted_at = ?, "
    "submitted_late = ?, deadline_at = ?, needs_registration = ?, decided_at = NULL, decision_comment = NULL, "
    "updated_at = ? WHERE id = ?"};
const storage::Sql kMarkDecided{
    "visit_applications.mark_decided",
    "UPDATE visit_applications SET status = ?, decided_at = ?, decision_comment = COALESCE(?, decision_comment), "
    "updated_at = ? WHERE id = ? AND status IN ('pending', 'approved')"};
// R-VISIT-20: registered, or approved when no registration was required at submission.
const storage::Sql kCovering{
    "visit_applications.covering",
    "SELECT 1 FROM visit_applications a WHERE a.rep_id = ? AND a.visit_date = ? AND (a.status = 'registered' "
    "OR (a.status = 'approved' AND a.needs_registration = 0)) LIMIT 1"};
const storage::Sql kCoveringCustomer{
    "visit_applications.covering_customer",
    "SELECT 1 FROM visit_applications a JOIN visit_application_customers ac ON ac.application_id = a.id "
    "WHERE a.rep_id = ? AND a.visit_date = ? AND ac.customer_id = ? AND (a.status = 'registered' OR "
    "(a.status = 'approved' AND a.needs_registration = 0)) LIMIT 1"};

struct ExpenseLine {
  std::string category;
  std::string description;
  int64_t amount_fen = 0;
};

struct ApplicationInput {
  std::optional<Date> visit_date;
  std::optional<std::vector<int64_t>> customer_ids;
  std::optional<std::vector<std::string>> purposes;
  bool notes_present = false;
  std::optional<std::string> notes;
  std::optional<std::vector<ExpenseLine>> expenses;
  std::optional<bool> comes_to_office_first;
};

ApplicationInput ReadBody(const Json& body, bool create, const std::string& currency) {
  JsonReader reader(body);
  ApplicationInput input;
  if (create && !reader.Has("visitDate")) reader.Fail("visitDate", "is required");
  if (auto date = reader.DateString("visitDate")) input.visit_date = ParseDate(*date);
  if (const Json* ids = reader.Raw("customerIds")) {
    if (!ids->is_array() || ids->empty() || ids->size() > kMaxCustomers) {
      reader.Fail("customerIds", "must list 1 to " + std::to_string(kMaxCustomers) + " customers");
    } else {
      input.customer_ids.emplace();
      for (const auto& id : *ids) {
        std::optional<int64_t> parsed;
        if (id.is_string()) parsed = ParseId(id.get<std::string>());
        if (!parsed) {
          reader.Fail("customerIds", "must be ids");
          break;
        }
        if (std::find(input.customer_ids->begin(), input.customer_ids->end(), *parsed) == input.customer_ids->end())
          input.customer_ids->push_back(*parsed);
      }
    }
  } else if (create) {
    reader.Fail("customerIds", "is required");
  }
  if (reader.Has("purposes")) {
    input.purposes = reader.StringList("purposes", PurposeCodes().size(), PurposeCodes());
    if (input.purposes && input.purposes->empty()) reader.Fail("purposes", "must name at least one purpose");
  } else if (create) {
    reader.Fail("purposes", "is required");
  }
  input.notes = reader.NullableString("notes", kMaxNotesLength, &input.notes_present);
  if (input.notes && input.notes->empty()) input.notes.reset();
  if (const Json* expenses = reader.Raw("expenses")) {
    if (!expenses->is_array() || expenses->size() > kMaxExpenseLines) {
      reader.Fail("expenses", "must be a list of at most " + std::to_string(kMaxExpenseLines) + " lines");
    } else {
      input.expenses.emplace();
      for (size_t index = 0; index < expenses->size(); ++index) {
        std::string prefix = "expenses[" + std::to_string(index) + "]";
        ExpenseLine line;
        ReadNested(reader, prefix, (*expenses)[index], [&](JsonReader& nested) {
          if (!nested.Has("category")) nested.Fail("category", "is required");
          line.category = nested.Enum("category", ExpenseCategories()).value_or("");
          line.description = nested.RequiredString("description", 1, kMaxDescriptionLength).value_or("");
          const Json* amount = nested.Raw("amount");
          if (!amount || amount->is_null()) {
            nested.Fail("amount", "is required");
          } else {
            FieldErrors money_errors;
            auto fen = ReadMoney(*amount, "amount", currency, money_errors);
            if (fen) line.amount_fen = *fen;
            else nested.Fail("amount", "must be {\"amount\": fen as a string, \"currency\": \"" + currency + "\"}");
          }
        });
        input.expenses->push_back(std::move(line));
      }
    }
  }
  if (reader.Has("comesToOfficeFirst")) input.comes_to_office_first = reader.Bool("comesToOfficeFirst");
  reader.Finish();
  return input;
}

Json Optional(const std::optional<std::string>& text) { return text ? Json(*text) : Json(); }

}  // namespace

struct VisitApplicationService::ApplicationRow {
  int64_t id = 0;
  int64_t rep_id = 0;
  std::string status;
  Date visit_date;
  bool comes_to_office_first = false;
};

VisitApplicationService::VisitApplicationService(storage::Database& database, platform::PolicyService& policies,
                                                 platform::ApprovalService& approvals, const Clock& clock)
    : database_(database), policies_(policies), approvals_(approvals), clock_(clock) {
  approvals_.OnOutcome("visit_application",
                       [this](storage::Connection& connection, const platform::ApprovalEvent& event) {
                         OnOutcome(connection, event);
                       });
}

VisitApplicationService::ApplicationRow VisitApplicationService::LoadReadable(storage::Connection& connection,
                                                                              const Caller& caller, int64_t id) {
  Scope scope = platform::Require(caller, "visits.read");
  auto row = connection.QueryOne(kSelect, {id});
  if (!row || !platform::InScope(caller, scope, row->Int(kRepId), row->Text(kRepPath)))
    throw Error(ErrorKind::kNotFound, "visits.application_not_found", "visit application not found");
  return ApplicationRow{row->Int(kId), row->Int(kRepId), row->Text(kStatus), *ParseDate(row->Text(kVisitDate)),
                        row->Bool(kComesFirst)};
}

VisitApplicationService::ApplicationRow VisitApplicationService::LoadEditable(storage::Connection& connection,
                                                                              const Caller& caller, int64_t id) {
  platform::Require(caller, "visits.write");
  ApplicationRow application = LoadReadable(connection, caller, id);
  if (application.rep_id != caller.user_id)
    throw Error(ErrorKind::kForbidden, "access.denied", "only the applicant edits and submits an application",
                {{"permission", "visits.write"}});
  // R-VISIT-19: a rejected application is final; the rep files a new one.
  if (application.status != "draft" && application.status != "returned" && application.status != "withdrawn")
    throw Error(ErrorKind::kConflict, "visits.application_not_editable", "the application is " + application.status,
                {{"status", application.status}});
  return application;
}

Json VisitApplicationService::Render(storage::Connection& connection, int64_t id) {
  auto row = connection.QueryOne(kSelect, {id});
  if (!row) throw Error(ErrorKind::kNotFound, "visits.application_not_found", "visit application not found");
  std::string currency = policies_.StringOn("company.currency", policies_.Today());
  Json customers = Json::array(), customer_ids = Json::array();
  for (const auto& customer : connection.Query(kSelectCustomers, {id}).rows) {
    customers.push_back({{"id", IdString(customer.Int(0))}, {"name", customer.Text(1)}});
    customer_ids.push_back(IdString(customer.Int(0)));
  }
  Json expenses = Json::array();
  for (const auto& line : connection.Query(kSelectExpenses, {id}).rows)
    expenses.push_back({{"category", line.Text(0)},
                        {"description", line.Text(1)},
                        {"amount", MoneyJson(line.Int(2), currency)}});
  auto approval = row->OptionalInt(kApprovalId);
  return {{"id", IdString(row->Int(kId))},
          {"repId", IdString(row->Int(kRepId))},
          {"repName", row->Text(kRepName)},
          {"visitDate", row->Text(kVisitDate)},
          {"status", row->Text(kStatus)},
          {"comesToOfficeFirst", row->Bool(kComesFirst)},
          {"customerIds", std::move(customer_ids)},
          {"customers", std::move(customers)},
          {"purposes", SplitCodes(row->Text(kPurposes))},
          {"notes", Optional(row->OptionalText(kNotes))},
          {"expenses", std::move(expenses)},
          {"expectedTotal", MoneyJson(row->Int(kTotalFen), currency)},
          {"deadlineAt", row->Text(kDeadlineAt)},
          {"submittedAt", Optional(row->OptionalText(kSubmittedAt))},
          {"late", row->Bool(kSubmittedLate)},
          {"needsRegistration", row->Bool(kNeedsRegistration)},
          {"approvalId", approval ? Json(IdString(*approval)) : Json()},
          {"decidedAt", Optional(row->OptionalText(kDecidedAt))},
          {"decisionComment", Optional(row->OptionalText(kDecisionComment))},
          {"createdAt", row->Text(kCreatedAt)},
          {"updatedAt", row->Text(kUpdatedAt)}};
}

Json VisitApplicationService::List(const Caller& caller, const ApplicationFilter& filter) {
  Scope scope = platform::Require(caller, "visits.read");
  storage::Params params;
  std::string sql = "SELECT a.id FROM visit_applications a JOIN users u ON u.id = a.rep_id JOIN org_units o ON "
                    "o.id = u.unit_id WHERE " +
                    UserScopeCondition(caller, scope, "a.rep_id", "o.path", params);
  if (filter.rep_id) sql += " AND a.rep_id = ?", params.push_back(*filter.rep_id);
  if (filter.status) {
    static const std::set<std::string> kStatuses = {"draft",    "pending",  "approved", "registered",
                                                    "rejected", "returned", "withdrawn"};
    if (!kStatuses.count(*filter.status)) ThrowValidation("status", "is not an application status");
    sql += " AND a.status = ?", params.push_back(*filter.status);
  }
  if (filter.from) sql += " AND a.visit_date >= ?", params.push_back(FormatDate(*filter.from));
  if (filter.to) sql += " AND a.visit_date <= ?", params.push_back(FormatDate(*filter.to));
  if (filter.before_id) sql += " AND a.id < ?", params.push_back(*filter.before_id);
  sql += " ORDER BY a.id DESC LIMIT ?";
  params.push_back(static_cast<int64_t>(filter.limit + 1));
  auto connection = database_.Acquire();
  const storage::Sql query{"visit_applications.list", sql.c_str()};
  auto rows = connection->Query(query, params).rows;
  Json items = Json::array();
  for (size_t i = 0; i < rows.size() && static_cast<int>(i) < filter.limit; ++i)
    items.push_back(Render(*connection, rows[i].Int(0)));
  Json next = static_cast<int>(rows.size()) > filter.limit ? Json(IdString(rows[filter.limit - 1].Int(0))) : Json();
  return {{"items", std::move(items)}, {"nextCursor", next}};
}

Json VisitApplicationService::Get(const Caller& caller, int64_t id) {
  auto connection = database_.Acquire();
  LoadReadable(*connection, caller, id);
  return Render(*connection, id);
}

namespace {

void CheckCustomers(storage::Connection& connection, const Caller& caller, const std::vector<int64_t>& ids) {
  auto nameable = NameableCustomers(connection, caller, ids);
  for (int64_t id : ids)
    if (!nameable.count(id)) ThrowValidation("customerIds", "customer " + IdString(id) + " is not one you can visit");
}

void WriteLines(storage::Connection& connection, int64_t id, const std::optional<std::vector<int64_t>>& customers,
                const std::optional<std::vector<ExpenseLine>>& expenses) {
  if (customers) {
    connection.Execute(kDeleteCustomers, {id});
    for (int64_t customer : *customers) connection.Execute(kInsertCustomer, {id, customer});
  }
  if (expenses) {
    connection.Execute(kDeleteExpenses, {id});
    int64_t position = 0;
    for (const auto& line : *expenses)
      connection.Execute(kInsertExpense, {id, position++, line.category, line.description, line.amount_fen});
  }
}

int64_t Total(const std::vector<ExpenseLine>& expenses) {
  int64_t total = 0;
  for (const auto& line : expenses) total += line.amount_fen;  // ≤ 20 × 10^15: no overflow
  return total;
}

}  // namespace

Json VisitApplicationService::Create(const Caller& caller, const Json& body) {
  platform::Require(caller, "visits.write");
  Date today = policies_.Today();
  ApplicationInput input = ReadBody(body, true, policies_.StringOn("company.currency", today));
  if (*input.visit_date < today) ThrowValidation("visitDate", "must not be in the past");
  bool comes_first = input.comes_to_office_first.value_or(false);
  Instant deadline = ApplicationDeadline(*input.visit_date, comes_first,
                                         policies_.StringOn("visits.application_deadline_time_day_before", today),
                                         policies_.TimeZone());
  Json answer;
  database_.InTransaction([&](storage::Connection& connection) {
    CheckCustomers(connection, caller, *input.customer_ids);
    std::string now = FormatInstant(clock_.Now());
    int64_t total = input.expenses ? Total(*input.expenses) : 0;
    int64_t id = connection
                     .Query(kInsert, {caller.user_id, FormatDate(*input.visit_date), static_cast<int64_t>(comes_first),
                                      JoinCodes(*input.purposes), storage::Nullable(input.notes), total,
                                      FormatInstant(deadline), now, now})
                     .rows.at(0)
                     .Int(0);
    WriteLines(connection, id, input.customer_ids, input.expenses);
    answer = Render(connection, id);
    platform::RecordAudit(connection, Actor::From(caller),
                          {"visit_application.create", "visit_application", IdString(id), Json(),
                           {{"visitDate", answer["visitDate"]},
                            {"customerIds", answer["customerIds"]},
                            {"expectedTotal", answer["expectedTotal"]}}},
                          clock_.Now());
  });
  return answer;
}

Json VisitApplicationService::Update(const Caller& caller, int64_t id, const Json& body) {
  Date today = policies_.Today();
  ApplicationInput input = ReadBody(body, false, policies_.StringOn("company.currency", today));
  if (input.visit_date && *input.visit_date < today) ThrowValidation("visitDate", "must not be in the past");
  Json answer;
  database_.InTransaction([&](storage::Connection& connection) {
    ApplicationRow current = LoadEditable(connection, caller, id);
    Json before = Render(connection, id);
    if (input.customer_ids) CheckCustomers(connection, caller, *input.customer_ids);
    Date visit_date = input.visit_date.value_or(current.visit_date);
    bool comes_first = input.comes_to_office_first.value_or(current.comes_to_office_first);
    Instant deadline = ApplicationDeadline(visit_date, comes_first,
                                           policies_.StringOn("visits.application_deadline_time_day_before", today),
                                           policies_.TimeZone());
    std::vector<std::string> purposes =
        input.purposes ? *input.purposes : before["purposes"].get<std::vector<std::string>>();
    std::optional<std::string> notes = input.notes_present ? input.notes : std::nullopt;
    if (!input.notes_present && before["notes"].is_string()) notes = before["notes"].get<std::string>();
    int64_t total = input.expenses ? Total(*input.expenses) : std::stoll(before["expectedTotal"]["amount"].get<std::string>());
    connection.Execute(kUpdate, {FormatDate(visit_date), static_cast<int64_t>(comes_first), JoinCodes(purposes),
                                 storage::Nullable(notes), total, FormatInstant(deadline), FormatInstant(clock_.Now()), id});
    WriteLines(connection, id, input.customer_ids, input.expenses);
    answer = Render(connection, id);
    Json old_view = before, new_view = answer;
    for (const char* key : {"updatedAt", "deadlineAt", "customers", "repName"}) {
      old_view.erase(key);
      new_view.erase(key);
    }
    platform::KeepChangedFields(old_view, new_view);
    platform::RecordAudit(connection, Actor::From(caller),
                          {"visit_application.update", "visit_application", IdString(id), old_view, new_view},
                          clock_.Now());
  });
  return answer;
}

Json VisitApplicationService::Submit(const Caller& caller, int64_t id) {
  Json answer;
  database_.InTransaction([&](storage::Connection& connection) {
    ApplicationRow application = LoadEditable(connection, caller, id);
    Instant now = clock_.Now();
    Date today = policies_.Today();
    if (application.visit_date < today)
      throw Error(ErrorKind::kConflict, "visits.application_date_past", "the visit day has passed; file a new application");
    // R-VISIT-16, 17: the deadline with the policies of today; filed after it, the
    // application still goes to the approver, flagged late (the approver decides).
    Instant deadline = ApplicationDeadline(application.visit_date, application.comes_to_office_first,
                                           policies_.StringOn("visits.application_deadline_time_day_before", today),
                                           policies_.TimeZone());
    bool late = now >= deadline;
    // R-VISIT-18: registration by the sales assistant when visits.application_required.
    bool needs_registration = policies_.ValueOn("visits.application_required", today).get<bool>();
    Json current = Render(connection, id);
    platform::ApprovalSubmission submission;
    submission.kind = "visit_application";
    submission.entity_id = id;
    submission.title = caller.name + " " + FormatDate(application.visit_date) + " 拜访申请";
    Json names = Json::array();
    for (const auto& customer : current["customers"]) names.push_back(customer["name"]);
    submission.summary = {{"visitDate", current["visitDate"]},
                          {"customers", names},
                          {"purposes", current["purposes"]},
                          {"expectedTotal", current["expectedTotal"]},
                          {"comesToOfficeFirst", current["comesToOfficeFirst"]},
                          {"deadlineAt", FormatInstant(deadline)},
                          {"late", late}};
    submission.register_after = needs_registration;
    int64_t request_id = approvals_.Submit(connection, caller, submission);
    std::string at = FormatInstant(now);
    connection.Execute(kMarkSubmitted, {request_id, at, static_cast<int64_t>(late), FormatInstant(deadline),
                                        static_cast<int64_t>(needs_registration), at, id});
    answer = Render(connection, id);
    platform::RecordAudit(connection, Actor::From(caller),
                          {"visit_application.submit", "visit_application", IdString(id),
                           {{"status", application.status}},
                           {{"status", "pending"}, {"approvalId", IdString(request_id)}, {"late", late}}},
                          now);
  });
  return answer;
}

void VisitApplicationService::OnOutcome(storage::Connection& connection, const platform::ApprovalEvent& event) {
  static const std::set<std::string> kOutcomes = {"approved", "registered", "rejected", "returned", "withdrawn"};
  if (!kOutcomes.count(event.outcome)) return;
  std::optional<std::string> comment;
  if (!event.comment.empty()) comment = event.comment;
  std::string at = FormatInstant(event.at);
  if (connection.Execute(kMarkDecided, {event.outcome, at, storage::Nullable(comment), at, event.entity_id}) == 0) return;
  platform::RecordAudit(connection, platform::Actor{event.actor_id, "", "", ""},
                        {"visit_application." + event.outcome, "visit_application", IdString(event.entity_id), Json(),
                         {{"status", event.outcome}, {"approvalId", IdString(event.request_id)}}},
                        event.at);
}

bool VisitApplicationService::HasCoveringApplication(storage::Connection& connection, int64_t rep_id,
                                                     std::string_view date, std::optional<int64_t> customer_id) {
  auto query = CoveringApplicationQuery(rep_id, date, customer_id);
  return !connection.Query(*query.sql, query.params).empty();
}

storage::BoundQuery VisitApplicationService::CoveringApplicationQuery(int64_t rep_id, std::string_view date,
                                                                      std::optional<int64_t> customer_id) {
  if (customer_id) return {&kCoveringCustomer, {rep_id, std::string(date), *customer_id}};
  return {&kCovering, {rep_id, std::string(date)}};
}

}  // namespace tuoke::visits
