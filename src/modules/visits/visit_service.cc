#include "modules/visits/visit_service.h"

#include <algorithm>
#include <future>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "core/json_writer.h"
#include "core/text.h"
#include "modules/visits/checkin_rules.h"
#include "modules/visits/visit_render.h"
#include "platform/audit.h"

namespace tuoke::visits {
namespace {

using platform::Actor;
using platform::Caller;
using platform::Scope;

// §3.1 purposes [003 第4条] and the six resistance points of §6 [004] as stable codes.
// The codes the plans use too (visit_rules.cc), so a plan's purposes carry over.
const std::set<std::string> kPurposeCodes = {"market_research", "competitor_intel", "relationship",
                                             "new_customer",    "new_product",      "coverage"};
const std::set<std::string> kObjectionCategories = {"price", "effect", "after_sales", "competitor",
                                                    "support_system", "guarantee"};
const std::set<std::string> kVisitKinds = {"on_site", "phone", "night", "home", "outing"};
constexpr size_t kMaxListItems = 20;
constexpr size_t kMaxText = 2000;
// R-VISIT-58: the team day is bounded. The full view (every check-in and visit) stays
// readable for a team or a small department; the summary (counts per rep) covers a
// department of a few thousand reps; a larger scope is narrowed with ?unitId=.
constexpr int64_t kTeamDayFullMaxReps = 1000;
constexpr int64_t kTeamDaySummaryMaxReps = 5000;
// From this many reps on, the summary reads the day's rows of the whole company (index
// only) rather than joining each row to its rep's unit for the scope.
constexpr size_t kTeamDayWholeDayReps = 500;

const storage::Sql kVisitScopeRow{
    "visits.visit_scope_row",
    "SELECT v.rep_id, o.path, v.report_status, v.report_due_on, v.visit_date, v.customer_id, v.kind, "
    "v.purposes, v.targets_json, v.results, v.distributor_check_json, v.objections_json, v.promises_json "
    "FROM visits v JOIN users u ON u.id = v.rep_id JOIN org_units o ON o.id = u.unit_id WHERE v.id = ?"};
enum ScopeColumn : size_t {
  kRepId, kRepPath, kStatus, kDueOn, kVisitDate, kCustomerId, kKind, kPurposes, kTargets, kResults,
  kDistributorCheck, kObjections, kPromises,
};
// The units of a subtree (id, name, path): the team day's user rows name their unit by id.
const storage::Sql kSubtreeUnits{"visits.team_day_units",
                                 "SELECT o.id, o.name, o.path FROM org_units o WHERE o.path LIKE ? ESCAPE '\\'"};
// The team day's rep check (R-VISIT-56): the users with the role rep among an id range,
// read from user_roles' key (user_id, role) in one range scan.
const storage::Sql kRepRolesBetween{
    "visits.team_day_rep_roles",
    "SELECT user_id FROM user_roles WHERE user_id BETWEEN ? AND ? AND role = 'rep'"};
// R-VISIT-49: the authentication epoch (migration 0014), which every change of the users,
// roles and unit paths that the team day's rep list depends on bumps.
const storage::Sql kAuthEpoch{"visits.team_day_epoch", "SELECT version FROM auth_epoch WHERE id = 1"};
// R-VISIT-49: the team day's cached rep lists (one per scope and subtree asked for).
constexpr size_t kTeamDayCachedLists = 16;
const storage::Sql kUpdateReport{
    "visits.update_report",
    "UPDATE visits SET kind = ?, purposes = ?, targets_json = ?, results = ?, distributor_check_json = ?, "
    "objections_json = ?, promises_json = ?, updated_at = ? WHERE id = ?"};
const storage::Sql kSubmitReport{
    "visits.submit_report",
    "UPDATE visits SET report_status = 'submitted', report_submitted_at = ?, report_submitted_late = ?, "
    "updated_at = ? WHERE id = ? AND report_status IN ('open', 'late')"};
const storage::Sql kReviewReport{
    "visits.review_report",
    "UPDATE visits SET report_status = 'reviewed', reviewed_by = ?, reviewed_at = ?, review_comment = ?, "
    "updated_at = ? WHERE id = ? AND report_status = 'submitted'"};
// R-VISIT-59: the plan's items of the day (approved plan) and the customers of the day's
// approved or registered applications; plan rows first, in plan order.
const storage::Sql kPlannedCustomers{
    "visits.my_day_planned",
    "SELECT 'plan' AS source, i.customer_id, cu.name, cu.latitude, cu.longitude, i.purposes, NULL AS application_id, "
    "NULL AS application_status, 0 AS kind_order, i.position AS position FROM visit_plan_items i "
    "JOIN visit_plans p ON p.id = i.plan_id JOIN customers cu ON cu.id = i.customer_id "
    "WHERE p.rep_id = ? AND p.status = 'approved' AND i.visit_date = ? "
    "UNION ALL "
    "SELECT 'application', ac.customer_id, cu.name, cu.latitude, cu.longitude, a.purposes, a.id, a.status, 1, a.id "
    "FROM visit_application_customers ac JOIN visit_applications a ON a.id = ac.application_id "
    "JOIN customers cu ON cu.id = ac.customer_id "
    "WHERE a.rep_id = ? AND a.visit_date = ? AND a.status IN ('approved', 'registered') "
    "ORDER BY kind_order, position LIMIT 200"};
const storage::Sql kMarkLate{
    "visits.mark_late",
    "UPDATE visits SET report_status = 'late', late_notified = 1, updated_at = ? "
    "WHERE report_status = 'open' AND report_due_on < ? RETURNING id, rep_id, customer_id, visit_date, report_due_on"};

std::string CheckInsOfVisitSql() { return std::string(kCheckInSelect) + "WHERE c.visit_id = ? ORDER BY c.at, c.id"; }

// Runs `read` over the nested object at `field`, reporting its field errors as
// "field.inner" (or "field[i].inner") on the outer reader.
template <typename Read>
void ReadNested(JsonReader& outer, const std::string& prefix, const Json& value, Read read) {  // NOLINT
  if (!value.is_object()) {
    outer.Fail(prefix, "must be an object");
    return;
  }
  JsonReader inner(value);
  read(inner);
  try {
    inner.Finish();
  } catch (const Error& error) {
    Json fields = error.details().value("fields", Json::object());  // kept: the loop reads into it
    for (const auto& [field, message] : fields.items()) outer.Fail(prefix + "." + field, message.template get<std::string>());
  }
}

struct ReportDraft {
  std::string kind, purposes, targets, distributor_check, objections, promises;
  std::optional<std::string> results;
  bool distributor_check_null = true;
};

// R-VISIT-41: every report field is optional in a PATCH; present fields replace.
void ReadReport(JsonReader& reader, ReportDraft& draft, Date visit_date) {
  if (auto kind = reader.Enum("kind", kVisitKinds)) draft.kind = *kind;
  if (auto purposes = reader.StringList("purposes", kPurposeCodes.size(), kPurposeCodes)) draft.purposes = Json(*purposes).dump();
  if (const Json* targets = reader.Raw("targets")) {
    Json value = Json::object();
    ReadNested(reader, "targets", *targets, [&](JsonReader& inner) {
      if (auto sales = inner.String("sales", 1, 500)) value["sales"] = *sales;
      if (auto administrative = inner.String("administrative", 1, 500)) value["administrative"] = *administrative;
    });
    draft.targets = value.dump();
  }
  bool results_present = false;
  auto results = reader.NullableString("results", 4000, &results_present);
  if (results_present) draft.results = results;
  if (const Json* check = reader.Raw("distributorCheck")) {
    if (check->is_null()) {
      draft.distributor_check = "";
    } else {
      Json value = Json::object();
      ReadNested(reader, "distributorCheck", *check, [&](JsonReader& inner) {
        // §3.5 [003 一–八]: prices, stock of our products, their sales, accounts,
        // after-sales and promotion policies, cross-region selling and price disorder.
        for (const char* text_field : {"prices", "stock", "sales", "policies", "competitors"})
          if (auto text = inner.String(text_field, 1, kMaxText)) value[text_field] = *text;
        if (auto cross_region = inner.Bool("crossRegionSelling")) value["crossRegionSelling"] = *cross_region;
        if (auto disorder = inner.Bool("priceDisorder")) value["priceDisorder"] = *disorder;
        if (const Json* accounts = inner.Raw("accounts")) {
          Json account = Json::object();
          ReadNested(inner, "accounts", *accounts, [&](JsonReader& fields) {
            for (const char* money : {"creditLimitFen", "creditUsedFen", "paidFen", "receivableFen", "overdueFen"})
              if (auto fen = fields.Int(money, 0, 1'000'000'000'000)) account[money] = *fen;
            if (auto note = fields.String("note", 1, kMaxText)) account["note"] = *note;
          });
          value["accounts"] = account;
        }
      });
      draft.distributor_check = value.dump();
    }
    draft.distributor_check_null = check->is_null();
  }
  if (const Json* objections = reader.Raw("objections")) {
    Json list = Json::array();
    if (!objections->is_array() || objections->size() > kMaxListItems) {
      reader.Fail("objections", "must be a list of at most 20 objections");
    } else {
      for (size_t i = 0; i < objections->size(); ++i) {
        Json item = Json::object();
        ReadNested(reader, "objections[" + std::to_string(i) + "]", (*objections)[i], [&](JsonReader& inner) {
          if (auto text = inner.RequiredString("text", 1, 500)) item["text"] = *text;
          if (auto category = inner.Enum("category", kObjectionCategories)) item["category"] = *category;
          if (auto answer = inner.String("answer", 1, 500)) item["answer"] = *answer;
          if (auto outcome = inner.Enum("outcome", {"resolved", "open", "lost"})) item["outcome"] = *outcome;
        });
        list.push_back(item);
      }
    }
    draft.objections = list.dump();
  }
  if (const Json* promises = reader.Raw("promises")) {
    Json list = Json::array();
    if (!promises->is_array() || promises->size() > kMaxListItems) {
      reader.Fail("promises", "must be a list of at most 20 promises");
    } else {
      for (size_t i = 0; i < promises->size(); ++i) {
        Json item = Json::object();
        std::string prefix = "promises[" + std::to_string(i) + "]";
        ReadNested(reader, prefix, (*promises)[i], [&](JsonReader& inner) {
          if (auto title = inner.RequiredString("title", 1, 200)) item["title"] = *title;
          if (auto due = inner.DateString("dueOn")) {
            if (*ParseDate(*due) < visit_date) inner.Fail("dueOn", "cannot be before the visit");
            item["dueOn"] = *due;
          } else if (!inner.Has("dueOn")) {
            inner.Fail("dueOn", "is required");
          }
          if (auto owner = inner.Id("ownerId")) item["ownerId"] = IdString(*owner);
        });
        list.push_back(item);
      }
    }
    draft.promises = list.dump();
  }
}

// Calls `use` with each flag of a stored flag text ("a,b"), as views into it: the team
// day counts ~36,000 flags of a department's day without a string per flag (SplitFlags).
template <typename Use>
void ForEachFlag(std::string_view text, Use use) {  // NOLINT
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view flag = text.substr(0, comma);
    if (!flag.empty()) use(flag);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
}

Error ReportClosed(const std::string& status) {
  return Error(ErrorKind::kConflict, "visits.report_closed", "the report is already " + status);
}

void WriteFlagCounts(JsonWriter& out, const std::map<std::string_view, int>& counts) {
  out.BeginObject();
  for (const auto& [flag, count] : counts) {
    out.Key(flag);
    out.Int(count);
  }
  out.EndObject();
}

}  // namespace

struct VisitService::Loaded {
  storage::Row row;
};

VisitService::Loaded VisitService::LoadOwnOpen(storage::Connection& connection, const Caller& caller,
                                               int64_t visit_id) {
  Scope read_scope = platform::Require(caller, "visits.read");
  auto row = connection.QueryOne(kVisitScopeRow, {visit_id});
  if (!row || !platform::InScope(caller, read_scope, row->Int(kRepId), row->Text(kRepPath)))
    ThrowNotFound("visits", "visit");
  platform::Require(caller, "visits.write");
  // R-VISIT-40: the report is the visiting rep's own.
  if (row->Int(kRepId) != caller.user_id)
    throw Error(ErrorKind::kForbidden, "visits.not_your_visit", "only the rep who made the visit writes its report");
  const std::string& status = row->Text(kStatus);
  if (status != "open" && status != "late") throw ReportClosed(status);
  return {*row};
}

void VisitService::ApplyReport(storage::Connection& connection, int64_t visit_id, const Json& body, bool submitting) {
  (void)submitting;
  auto loaded = connection.QueryOne(kVisitScopeRow, {visit_id});
  const storage::Row& row = *loaded;
  ReportDraft draft;
  draft.kind = row.Text(kKind);
  draft.purposes = row.Text(kPurposes);
  draft.targets = row.Text(kTargets);
  draft.results = row.OptionalText(kResults);
  draft.distributor_check = row.OptionalText(kDistributorCheck).value_or("");
  draft.distributor_check_null = row.IsNull(kDistributorCheck);
  draft.objections = row.Text(kObjections);
  draft.promises = row.Text(kPromises);
  JsonReader reader(body);
  ReadReport(reader, draft, *ParseDate(row.Text(kVisitDate)));
  reader.Finish();
  Instant now = context_.clock.Now();
  connection.Execute(kUpdateReport,
                     {draft.kind, draft.purposes, draft.targets, storage::Nullable(draft.results),
                      draft.distributor_check_null || draft.distributor_check.empty()
                          ? storage::Value(nullptr)
                          : storage::Value(draft.distributor_check),
                      draft.objections, draft.promises, FormatInstant(now), visit_id});
}

std::string VisitService::UpdateReport(const Caller& caller, int64_t visit_id, const Json& body) {
  context_.database.InTransaction([&](storage::Connection& connection) {
    LoadOwnOpen(connection, caller, visit_id);
    ApplyReport(connection, visit_id, body, false);
    platform::RecordAudit(connection, Actor::From(caller),
                          {"visit.report_edit", "visit", IdString(visit_id), Json(), body}, context_.clock.Now());
  });
  auto connection = context_.database.Acquire();
  return Render(*connection, visit_id);
}

std::string VisitService::SubmitReport(const Caller& caller, int64_t visit_id, const Json& body) {
  context_.database.InTransaction([&](storage::Connection& connection) {
    LoadOwnOpen(connection, caller, visit_id);
    if (!body.empty()) ApplyReport(connection, visit_id, body, true);
    storage::Row row = *connection.QueryOne(kVisitScopeRow, {visit_id});
    // R-VISIT-42: a report states its purposes and what came of the visit.
    FieldErrors errors;
    if (Json::parse(row.Text(kPurposes)).empty()) errors.Add("purposes", "at least one purpose is required");
    if (!row.OptionalText(kResults)) errors.Add("results", "is required");
    errors.ThrowIfAny();
    Instant now = context_.clock.Now();
    // R-VISIT-43: due within visits.report_due_days calendar days of the visit date.
    std::string today = FormatDate(BusinessDate(now, context_.policies.TimeZone()));
    bool late = today > row.Text(kDueOn);
    std::string now_text = FormatInstant(now);
    if (connection.Execute(kSubmitReport, {now_text, int64_t{late}, now_text, visit_id}) != 1)
      throw ReportClosed("submitted");
    // R-VISIT-44: every promise becomes a follow-up item with an owner and a due date.
    Actor actor = Actor::From(caller);
    Scope write_scope = *caller.ScopeFor("visits.write");
    Json item_ids = Json::array();
    for (const auto& promise : Json::parse(row.Text(kPromises))) {
      int64_t owner = caller.user_id;
      if (promise.contains("ownerId"))
        owner = RequireRepInScope(connection, caller, write_scope, *ParseId(promise["ownerId"].get<std::string>())).id;
      int64_t item = follow_ups_.Insert(connection, actor,
                                        {row.Int(kCustomerId), visit_id, owner, promise["title"].get<std::string>(),
                                         std::nullopt, *ParseDate(promise["dueOn"].get<std::string>())});
      item_ids.push_back(IdString(item));
    }
    context_.customers.AppendEvent(connection, row.Int(kCustomerId), "visit_report", actor,
                                   late ? "拜访报告（逾期提交）" : "拜访报告",
                                   {{"visitId", IdString(visit_id)}, {"late", late}});
    platform::RecordAudit(connection, actor,
                          {"visit.report_submit", "visit", IdString(visit_id), {{"reportStatus", row.Text(kStatus)}},
                           {{"reportStatus", "submitted"}, {"late", late}, {"followUpItems", item_ids}}},
                          now);
  });
  auto connection = context_.database.Acquire();
  return Render(*connection, visit_id);
}

std::string VisitService::Review(const Caller& caller, int64_t visit_id, const Json& body) {
  JsonReader reader(body);
  auto comment = reader.RequiredString("comment", 1, kMaxText);
  reader.Finish();
  context_.database.InTransaction([&](storage::Connection& connection) {
    Scope read_scope = platform::Require(caller, "visits.read");
    auto row = connection.QueryOne(kVisitScopeRow, {visit_id});
    if (!row || !platform::InScope(caller, read_scope, row->Int(kRepId), row->Text(kRepPath)))
      ThrowNotFound("visits", "visit");
    Scope review_scope = platform::Require(caller, "visits.review");
    // R-VISIT-45: the manager over the rep reviews; nobody reviews their own visit.
    if (row->Int(kRepId) == caller.user_id || !platform::InScope(caller, review_scope, row->Int(kRepId), row->Text(kRepPath)))
      throw Error(ErrorKind::kForbidden, "access.denied", "you do not review this rep's visits",
                  {{"permission", "visits.review"}});
    const std::string& status = row->Text(kStatus);
    if (status != "submitted")
      throw Error(ErrorKind::kConflict, status == "reviewed" ? "visits.report_closed" : "visits.report_not_submitted",
                  status == "reviewed" ? "the report is already reviewed" : "the report has not been submitted");
    Instant now = context_.clock.Now();
    std::string now_text = FormatInstant(now);
    if (connection.Execute(kReviewReport, {caller.user_id, now_text, *comment, now_text, visit_id}) != 1)
      throw ReportClosed("reviewed");
    if (context_.notify)
      context_.notify(connection, {row->Int(kRepId), "visit.report_reviewed", "拜访报告已批阅：" + *comment,
                                   "/visits/" + IdString(visit_id),
                                   {{"visitId", IdString(visit_id)}, {"reviewerName", caller.name}}});
    platform::RecordAudit(connection, Actor::From(caller),
                          {"visit.review", "visit", IdString(visit_id), {{"reportStatus", "submitted"}},
                           {{"reportStatus", "reviewed"}, {"comment", *comment}}},
                          now);
  });
  auto connection = context_.database.Acquire();
  return Render(*connection, visit_id);
}

LateReportRun VisitService::FlagLateReports() {
  LateReportRun run;
  Instant now = context_.clock.Now();
  std::string today = FormatDate(BusinessDate(now, context_.policies.TimeZone()));
  context_.database.InTransaction([&](storage::Connection& connection) {
    // One guarded UPDATE: a second run (or another process) finds nothing left.
    auto rows = connection.Query(kMarkLate, {FormatInstant(now), today});
    for (const auto& row : rows.rows) {
      ++run.marked;
      auto rep = LoadRep(connection, row.Int(1));
      if (!context_.notify || !rep) continue;
      Json data = {{"visitId", IdString(row.Int(0))}, {"repId", IdString(rep->id)}, {"repName", rep->name},
                   {"visitDate", row.Text(3)}, {"dueOn", row.Text(4)}};
      std::string link = "/visits/" + IdString(row.Int(0));
      context_.notify(connection, {rep->id, "visit.report_late", "拜访报告已逾期（" + row.Text(3) + "）", link, data});
      ++run.notified;
      if (rep->manager_id) {
        context_.notify(connection,
                        {*rep->manager_id, "visit.report_late", rep->name + " 的拜访报告逾期未交（" + row.Text(3) + "）",
                         link, data});
        ++run.notified;
      }
    }
    if (run.marked > 0)
      platform::RecordAudit(connection, Actor::System("visits.report_late_job"),
                            {"visit.reports_late", "visit", "", Json(), {{"count", run.marked}, {"today", today}}},
                            now);
  });
  return run;
}

std::string VisitService::Render(storage::Connection& connection, int64_t visit_id) {
  auto rows = connection.Query(kSelectVisitById, {visit_id});
  if (rows.empty()) ThrowNotFound("visits", "visit");
  std::string today = FormatDate(context_.policies.Today());
  JsonWriter out;
  WriteVisit(out, rows.rows[0], today, /*close=*/false);
  std::string check_ins_sql = CheckInsOfVisitSql();
  out.Key("checkIns");
  out.BeginArray();
  for (const auto& row : connection.Query({"visits.check_ins_of_visit", check_ins_sql.c_str()}, {visit_id}).rows)
    WriteCheckIn(out, row, true);
  out.EndArray();
  out.EndObject();
  return out.Take();
}

std::string VisitService::Get(const Caller& caller, int64_t visit_id) {
  Scope scope = platform::Require(caller, "visits.read");
  auto connection = context_.database.Acquire();
  auto row = connection->QueryOne(kVisitScopeRow, {visit_id});
  if (!row || !platform::InScope(caller, scope, row->Int(kRepId), row->Text(kRepPath))) ThrowNotFound("visits", "visit");
  return Render(*connection, visit_id);
}

std::string VisitService::List(const Caller& caller, const VisitFilter& filter) {
  Scope scope = platform::Require(caller, "visits.read");
  std::string today = FormatDate(context_.policies.Today());
  storage::Params params;
  auto connection = context_.database.Acquire();
  std::string sql = std::string(kVisitSelect) + "JOIN org_units o ON o.id = u.unit_id WHERE " +
                    RepScopeCondition(caller, scope, "v.rep_id", "o.path", params);
  if (filter.unit_id) {
    sql += " AND o.path LIKE ? ESCAPE '\\'";
    params.push_back(EscapeLike(UnitSubtreeInScope(*connection, caller, scope, *filter.unit_id)) + "%");
  }
  if (filter.rep_id) sql += " AND v.rep_id = ?", params.push_back(*filter.rep_id);
  if (filter.customer_id) sql += " AND v.customer_id = ?", params.push_back(*filter.customer_id);
  if (filter.from) sql += " AND v.visit_date >= ?", params.push_back(FormatDate(*filter.from));
  if (filter.to) sql += " AND v.visit_date <= ?", params.push_back(FormatDate(*filter.to));
  if (filter.report_status) {
    // As read (R-VISIT-43): "late" includes open reports past due that the job has not marked yet.
    const std::string& status = *filter.report_status;
    if (status == "late") {
      sql += " AND (v.report_status = 'late' OR (v.report_status = 'open' AND v.report_due_on < ?))";
      params.push_back(today);
    } else if (status == "open") {
      sql += " AND v.report_status = 'open' AND v.report_due_on >= ?";
      params.push_back(today);
    } else {
      sql += " AND v.report_status = ?";
      params.push_back(status);
    }
  }
  if (filter.before_id) sql += " AND v.id < ?", params.push_back(*filter.before_id);
  sql += " ORDER BY v.id DESC LIMIT ?";
  params.push_back(int64_t{filter.limit + 1});
  auto rows = connection->Query({"visits.list", sql.c_str()}, params);
  JsonWriter out;
  out.BeginObject();
  out.Key("items");
  out.BeginArray();
  size_t shown = std::min(rows.rows.size(), static_cast<size_t>(filter.limit));
  for (size_t i = 0; i < shown; ++i) WriteVisit(out, rows.rows[i], today, true);
  out.EndArray();
  out.Key("nextCursor");
  if (rows.rows.size() > shown) out.Id(rows.rows[shown - 1].Int(0));
  else out.Null();
  out.EndObject();
  return out.Take();
}

// ---- day views -----------------------------------------------------------------------------

std::shared_ptr<const VisitService::TeamDayUsers> VisitService::CachedTeamDayUsers(const std::string& key,
                                                                                    int64_t epoch) {
  std::lock_guard lock(team_day_mutex_);
  auto found = team_day_users_.find(key);
  if (found == team_day_users_.end() || found->second->epoch != epoch) return nullptr;
  return found->second;
}

void VisitService::CacheTeamDayUsers(const std::string& key, std::shared_ptr<const TeamDayUsers> entry) {
  std::lock_guard lock(team_day_mutex_);
  // Entries of an older epoch are useless; past the bound the few lists start over (a
  // manager's screen asks for one or two subtrees, never many).
  std::erase_if(team_day_users_, [&](const auto& item) { return item.second->epoch != entry->epoch; });
  if (team_day_users_.size() >= kTeamDayCachedLists) team_day_users_.clear();
  team_day_users_[key] = std::move(entry);
}

std::string VisitService::TeamDay(const Caller& caller, std::optional<Date> date, std::optional<int64_t> unit_id,
                                  TeamDayView view) {
  Scope scope = platform::Require(caller, "visits.read");
  Date day = date.value_or(context_.policies.Today());
  std::string day_text = FormatDate(day);
  std::string today = FormatDate(context_.policies.Today());
  bool summary_only = view == TeamDayView::kSummary;
  auto connection = context_.database.Acquire();
  // The subtree shown: the unit asked for (which must lie in the scope), else the scope.
  std::string subtree = unit_id ? UnitSubtreeInScope(*connection, caller, scope, *unit_id) : "/";
  auto scoped = [&](const std::string& rep_column, storage::Params& params) {
    std::string condition =
        RepScopeCondition(caller, scope, rep_column, "o.path", params) + " AND o.path LIKE ? ESCAPE '\\'";
    params.push_back(EscapeLike(subtree) + "%");
    return condition;
  };
  // 1. The reps (R-VISIT-56: every active rep of the scope, even without a check-in),
  // bounded (R-VISIT-58): one more rep than allowed tells that the answer is too large.
  // The subtree's active users first (units first: CROSS JOIN keeps that order on SQLite;
  // the subtree's units, then their users through users_unit, instead of every user of
  // the company), bounded at twice the reps allowed (managers and assistants are users
  // too); then which of them are reps, in one range scan of user_roles' key over their
  // ids: PostgreSQL probed the key once per user (5,000 probes, ~10 ms of the 14 ms the
  // query took; the scan reads the same 5,000 entries in ~2 ms).
  int64_t max_reps = summary_only ? kTeamDaySummaryMaxReps : kTeamDayFullMaxReps;
  int64_t max_users = 2 * max_reps;
  auto too_large = [&] {
    return Error(ErrorKind::kValidation, "visits.team_day_too_large",
                 summary_only ? "more than " + std::to_string(max_reps) + " reps: narrow by unitId"
                              : "more than " + std::to_string(max_reps) +
                                    " reps for the full view: ask view=summary or narrow by unitId",
                 {{"maxReps", max_reps}, {"view", summary_only ? "summary" : "full"}});
  };
  // The users name their unit by id; the subtree's few units come once, in their own
  // query (the unit's name and path on each of 5,000 user rows were 10,000 of the
  // query's 25,000 cells, each converted into a string of the result set).
  std::unordered_map<int64_t, const storage::Row*> unit_of;  // id → (id, name, path)
  auto units = connection->Query(kSubtreeUnits, {EscapeLike(subtree) + "%"});
  for (const auto& unit : units.rows) unit_of.emplace(unit.Int(0), &unit);
  // A unit moved out of the subtree between the two reads (they are not one snapshot)
  // shows with an empty name rather than failing the answer.
  static const std::string kNoText;
  auto unit_text = [&](const storage::Row* rep, size_t column) -> const std::string& {
    auto found = unit_of.find(rep->Int(2));
    return found == unit_of.end() ? kNoText : found->second->Text(column);
  };
  auto unit_name = [&](const storage::Row* rep) -> const std::string& { return unit_text(rep, 1); };
  auto unit_path = [&](const storage::Row* rep) -> const std::string& { return unit_text(rep, 2); };
  storage::Params user_params;
  std::string user_sql = "SELECT u.id, u.name, u.unit_id FROM org_units o CROSS JOIN users u "
                         "WHERE u.unit_id = o.id AND u.active = 1 AND " +
                         scoped("u.id", user_params) + " LIMIT ?";
  user_params.push_back(max_users + 1);
  // R-VISIT-49: the listed users and reps are reused while the authentication epoch
  // stands still (every change of a user's name, activity or unit, of a role or of a
  // unit's path bumps it in its own transaction, migration 0014). The epoch is read
  // first: a change committed after it is at worst cached under the older epoch and
  // re-read by the next request, never missed.
  int64_t epoch = connection->QueryOne(kAuthEpoch)->Int(0);
  std::string cache_key = user_sql;
  for (const auto& param : user_params) {
    cache_key += '\x1f';
    if (const auto* number = std::get_if<int64_t>(&param)) cache_key += std::to_string(*number);
    else if (const auto* text = std::get_if<std::string>(&param)) cache_key += *text;
  }
  std::shared_ptr<const TeamDayUsers> listed = CachedTeamDayUsers(cache_key, epoch);
  if (!listed) {
    auto fresh = std::make_shared<TeamDayUsers>();
    fresh->epoch = epoch;
    fresh->users = connection->Query({"visits.team_day_users", user_sql.c_str()}, user_params);
    const auto& users = fresh->users;
    if (static_cast<int64_t>(users.rows.size()) > max_users) throw too_large();
    std::vector<size_t> rep_rows;
    if (!users.rows.empty()) {
      int64_t low = users.rows[0].Int(0), high = low;
      for (const auto& user : users.rows) low = std::min(low, user.Int(0)), high = std::max(high, user.Int(0));
      std::vector<int64_t> rep_ids;  // sorted: a search instead of a hash node per rep
      auto roles = connection->Query(kRepRolesBetween, {low, high});
      rep_ids.reserve(roles.rows.size());
      for (const auto& row : roles.rows) rep_ids.push_back(row.Int(0));
      std::sort(rep_ids.begin(), rep_ids.end());
      rep_rows.reserve(users.rows.size());
      for (size_t i = 0; i < users.rows.size(); ++i)
        if (std::binary_search(rep_ids.begin(), rep_ids.end(), users.rows[i].Int(0))) rep_rows.push_back(i);
    }
    if (static_cast<int64_t>(rep_rows.size()) > max_reps) throw too_large();
    // Sorted here (unit path, name, id by bytes) rather than by the database: PostgreSQL
    // sorted 5,000 rows by its collation in ~15 ms (strcoll per comparison), and the byte
    // order is the same on both backends whatever collation a PostgreSQL database has.
    // The few units are ranked by path first, so the reps compare a number, then the name.
    // (Unit paths only change with an epoch bump, so the order holds for the cache entry.)
    std::map<std::string_view, int64_t> unit_rank;  // path → rank
    for (size_t i : rep_rows) unit_rank.emplace(unit_path(&users.rows[i]), 0);
    int64_t rank = 0;
    for (auto& entry : unit_rank) entry.second = rank++;
    struct Key {
      int64_t unit_rank;
      std::string_view name;
      int64_t id;
      size_t row;
    };
    std::vector<Key> keys;
    keys.reserve(rep_rows.size());
    for (size_t i : rep_rows) {
      const storage::Row& user = users.rows[i];
      keys.push_back({unit_rank[unit_path(&user)], user.Text(1), user.Int(0), i});
    }
    std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
      return std::tie(a.unit_rank, a.name, a.id) < std::tie(b.unit_rank, b.name, b.id);
    });
    fresh->reps.reserve(keys.size());
    for (const Key& key : keys) fresh->reps.push_back(key.row);
    CacheTeamDayUsers(cache_key, fresh);
    listed = std::move(fresh);
  }
  std::vector<const storage::Row*> reps;
  reps.reserve(listed->reps.size());
  for (size_t i : listed->reps) reps.push_back(&listed->users.rows[i]);

  // 2. The day's check-ins of the same reps, in one query: every row for the full view;
  // units → users → the day index per rep (CROSS JOIN fixes that order on SQLite, which
  // would otherwise walk the whole company's day and join every row back to its unit);
  // for the summary only (rep, flags, time) from the covering day index, unordered and
  // counted here (R-VISIT-58: SQLite's GROUP BY over the flag texts cost three times the
  // plain read).
  // A summary of many reps reads the company's day from the index without joining each
  // row to its rep and unit for the scope, in one range scan over the listed reps' ids
  // (the day index is (date, rep, …)): only the reps listed above are counted and
  // rendered, so rows of other reps in that id range are read and dropped, never shown
  // (cheaper from a few hundred reps on; a smaller scope joins and reads only its own
  // rows). A department whose reps were created together is one id range: it reads its
  // own rows, not the other departments' (PostgreSQL: 33,000 rows of the day → 15,000).
  bool whole_day = summary_only && reps.size() > kTeamDayWholeDayReps;
  int64_t low_rep = 0, high_rep = 0;
  if (!reps.empty()) {
    low_rep = high_rep = reps[0]->Int(0);
    for (const storage::Row* rep : reps) low_rep = std::min(low_rep, rep->Int(0)), high_rep = std::max(high_rep, rep->Int(0));
  }
  // On PostgreSQL the summary's rows are grouped by the database (R-VISIT-58): one row
  // per rep of check-ins, one per rep and report state of visits, instead of one per
  // check-in and per visit (a department's day: ~36,000 rows → ~10,000). PostgreSQL walks
  // the day indexes in rep order and aggregates as it goes (no sort); the aggregates cost
  // it more than the plain read, but less than the server spent converting the plain rows
  // into text cells and counting them (docs/benchmarks.md, "Team day and check-in,
  // session 9": the database and server CPU per answer, each variant measured). SQLite
  // keeps the plain read (its GROUP BY cost three times as much, above).
  bool grouped_by_database = summary_only && connection->dialect() == storage::Dialect::kPostgres;
  storage::Params check_in_params{day_text};
  if (whole_day) check_in_params.insert(check_in_params.end(), {low_rep, high_rep});
  // (rep, check-ins, first, last, the non-empty flag texts joined by commas); times and
  // dates compare by bytes (COLLATE "C"), as the plain read compares them here.
  const char* check_in_counts =
      grouped_by_database ? "SELECT c.rep_id, count(*), min(c.at COLLATE \"C\"), max(c.at COLLATE \"C\"), "
                          "string_agg(c.flags, ',') FILTER (WHERE c.flags <> '') "
                        : "SELECT c.rep_id, c.flags, c.at ";
  const char* per_rep = grouped_by_database ? " GROUP BY c.rep_id" : "";
  std::string check_in_sql =
      whole_day ? std::string(check_in_counts) + "FROM check_ins c WHERE c.business_date = ? "
                                                 "AND c.rep_id BETWEEN ? AND ?" + per_rep
      : summary_only
          ? std::string(check_in_counts) + "FROM org_units o CROSS JOIN users u CROSS JOIN check_ins c "
            "WHERE u.unit_id = o.id AND c.rep_id = u.id AND c.business_date = ? AND " +
                scoped("c.rep_id", check_in_params) + per_rep
          : "SELECT c.rep_id, c.id, c.kind, c.place, c.at, c.customer_id, cu.name, c.distance_m, c.geofence, c.flags, "
            "c.delayed, c.visit_id, c.accuracy_m FROM org_units o CROSS JOIN users u CROSS JOIN check_ins c "
            "LEFT JOIN customers cu ON cu.id = c.customer_id "
            "WHERE u.unit_id = o.id AND c.rep_id = u.id AND c.business_date = ? AND " +
                scoped("c.rep_id", check_in_params) + " ORDER BY c.rep_id, c.at, c.id";
  // 3. The day's visits with their report state (summary: only the state and due date;
  // grouped by PostgreSQL into (rep, state, due date, visits), the day index's order:
  // counting per rep with FILTER expressions cost it more, 18-22 against 14-15 ms).
  storage::Params visit_params{day_text};
  if (whole_day) visit_params.insert(visit_params.end(), {low_rep, high_rep});
  const char* visit_counts = grouped_by_database ? "SELECT v.rep_id, v.report_status, v.report_due_on, count(*) "
                                                 : "SELECT v.rep_id, v.report_status, v.report_due_on ";
  const char* visits_per_rep = grouped_by_database ? " GROUP BY v.rep_id, v.report_status, v.report_due_on" : "";
  std::string visit_sql =
      whole_day ? std::string(visit_counts) + "FROM visits v WHERE v.visit_date = ? "
                                              "AND v.rep_id BETWEEN ? AND ?" + visits_per_rep
      : summary_only
          ? std::string(visit_counts) + "FROM org_units o CROSS JOIN users u CROSS JOIN visits v "
            "WHERE u.unit_id = o.id AND v.rep_id = u.id AND v.visit_date = ? AND " +
                scoped("v.rep_id", visit_params) + visits_per_rep
          : "SELECT v.rep_id, v.id, v.customer_id, cu.name, v.checked_in_at, v.checked_out_at, v.duration_minutes, "
            "v.flags, v.report_status, v.report_due_on FROM org_units o CROSS JOIN users u CROSS JOIN visits v "
            "JOIN customers cu ON cu.id = v.customer_id "
            "WHERE u.unit_id = o.id AND v.rep_id = u.id AND v.visit_date = ? AND " +
                scoped("v.rep_id", visit_params) + " ORDER BY v.rep_id, v.checked_in_at, v.id";
  storage::Sql check_in_statement{
      summary_only ? "visits.team_day_check_in_counts" : "visits.team_day_check_ins", check_in_sql.c_str()};
  storage::Sql visit_statement{summary_only ? "visits.team_day_visit_counts" : "visits.team_day_visits",
                               visit_sql.c_str()};
  // The summary of many reps reads its visits on a second connection while this one reads
  // the check-ins: the two reads (the database's work and the conversion of its rows, each
  // 10-30 ms for a department of 5,000 reps) overlap instead of adding up. One team day
  // at a time does so (team_day_second_read_); the others read both here, in turn.
  std::unique_lock second_read(team_day_second_read_, std::defer_lock);
  std::future<storage::ResultSet> visits_read;
  if (whole_day && second_read.try_lock()) {
    visits_read = std::async(std::launch::async, [this, &visit_statement, &visit_params] {
      auto second = context_.database.Acquire();
      return second->Query(visit_statement, visit_params);
    });
  }
  auto check_ins = connection->Query(check_in_statement, check_in_params);
  auto visits = visits_read.valid() ? visits_read.get() : connection->Query(visit_statement, visit_params);
  if (second_read.owns_lock()) second_read.unlock();

  // The counts of one rep's day; the summary fills them from its unordered rows before
  // rendering, the full view while it writes the rows. The texts are views into the
  // result sets, which outlive the rendering (no copy per check-in or flag).
  struct RepDay {
    int check_ins = 0, visits = 0, pending = 0, late = 0;
    std::string_view first_at, last_at;  // empty: no check-in
    std::map<std::string_view, int> flags;
  };
  std::map<std::string_view, int> team_flags;
  auto count_flags = [&](RepDay& day_of, std::string_view flags) {
    ForEachFlag(flags, [&](std::string_view flag) {
      ++day_of.flags[flag];
      ++team_flags[flag];
    });
  };
  // The summary's days, in the reps' order, found by rep id in a sorted index.
  std::vector<RepDay> days(summary_only ? reps.size() : 0);
  std::vector<std::pair<int64_t, size_t>> day_index;
  auto day_of_rep = [&](int64_t rep_id) -> RepDay* {
    auto found = std::lower_bound(day_index.begin(), day_index.end(), std::pair<int64_t, size_t>{rep_id, 0});
    return found != day_index.end() && found->first == rep_id ? &days[found->second] : nullptr;
  };
  if (summary_only) {
    day_index.reserve(reps.size());
    for (size_t i = 0; i < reps.size(); ++i) day_index.emplace_back(reps[i]->Int(0), i);
    std::sort(day_index.begin(), day_index.end());
    // Rows (rep, flags, at), or per rep (rep, count, first, last, flags) when grouped by
    // the database; rows of reps not listed (the whole day) are skipped.
    for (const auto& row : check_ins.rows) {
      RepDay* day_of = day_of_rep(row.Int(0));
      if (!day_of) continue;
      if (grouped_by_database) {
        day_of->check_ins = static_cast<int>(row.Int(1));
        day_of->first_at = row.Text(2);
        day_of->last_at = row.Text(3);
        if (!row.IsNull(4)) count_flags(*day_of, row.Text(4));
        continue;
      }
      ++day_of->check_ins;
      count_flags(*day_of, row.Text(1));
      std::string_view at = row.Text(2);
      if (day_of->first_at.empty() || at < day_of->first_at) day_of->first_at = at;
      if (day_of->last_at.empty() || at > day_of->last_at) day_of->last_at = at;
    }
    // Rows (rep, stored report status, due date), or with the visits of that state when
    // grouped by the database; the state as read (EffectiveReportStatus).
    for (const auto& row : visits.rows) {
      RepDay* day_of = day_of_rep(row.Int(0));
      if (!day_of) continue;
      int count = grouped_by_database ? static_cast<int>(row.Int(3)) : 1;
      day_of->visits += count;
      std::string status = EffectiveReportStatus(row.Text(1), row.Text(2), today);
      if (status == "late") day_of->late += count;
      if (status == "open" || status == "late") day_of->pending += count;
    }
  }
  // Full view: rows are sorted by rep; index the first row of each rep.
  auto index = [](const storage::ResultSet& rows) {
    std::unordered_map<int64_t, std::pair<size_t, size_t>> ranges;
    ranges.reserve(rows.rows.size());
    for (size_t i = 0; i < rows.rows.size(); ++i) {
      int64_t rep = rows.rows[i].Int(0);
      auto [it, inserted] = ranges.try_emplace(rep, i, i + 1);
      if (!inserted) it->second.second = i + 1;
    }
    return ranges;
  };
  std::unordered_map<int64_t, std::pair<size_t, size_t>> check_in_ranges, visit_ranges;
  if (!summary_only) {
    check_in_ranges = index(check_ins);
    visit_ranges = index(visits);
  }

  JsonWriter out;
  int reps_checked_in = 0, total_check_ins = 0, total_visits = 0, reports_late = 0, reports_pending = 0;
  out.BeginObject();
  out.Key("date"); out.String(day_text);
  out.Key("unitId"); out.OptionalId(unit_id);
  out.Key("view"); out.String(summary_only ? "summary" : "full");
  // R-VISIT-58: the units of the listed reps once, in the reps' order; a summary row names
  // its unit by id only (5,000 repeated unit names were a tenth of the answer).
  out.Key("units");
  out.BeginArray();
  {
    int64_t previous_unit = 0;
    for (const storage::Row* rep : reps) {
      if (rep->Int(2) == previous_unit) continue;
      previous_unit = rep->Int(2);
      out.BeginObject();
      out.Key("id"); out.Id(previous_unit);
      out.Key("name"); out.String(unit_name(rep));
      out.EndObject();
    }
  }
  out.EndArray();
  out.Key("reps");
  out.BeginArray();
  for (size_t rep_index = 0; rep_index < reps.size(); ++rep_index) {
    const storage::Row* rep_row = reps[rep_index];
    const storage::Row& rep = *rep_row;
    int64_t rep_id = rep.Int(0);
    RepDay full_day;
    RepDay& day_of = summary_only ? days[rep_index] : full_day;
    out.BeginObject();
    out.Key("repId"); out.Id(rep_id);
    out.Key("repName"); out.String(rep.Text(1));
    out.Key("unitId"); out.Id(rep.Int(2));
    if (!summary_only) {
      out.Key("unitName"); out.String(unit_name(rep_row));
      auto check_in_range = check_in_ranges.find(rep_id);
      auto visit_range = visit_ranges.find(rep_id);
      out.Key("checkIns");
      out.BeginArray();
      if (check_in_range != check_in_ranges.end()) {
        for (size_t i = check_in_range->second.first; i < check_in_range->second.second; ++i) {
          const auto& row = check_ins.rows[i];
          ++day_of.check_ins;
          if (day_of.first_at.empty()) day_of.first_at = row.Text(4);
          day_of.last_at = row.Text(4);
          out.BeginObject();
          out.Key("id"); out.Id(row.Int(1));
          out.Key("kind"); out.String(row.Text(2));
          out.Key("place"); out.String(row.Text(3));
          out.Key("at"); out.String(row.Text(4));
          out.Key("customerId"); out.OptionalId(row.OptionalInt(5));
          out.Key("customerName"); out.OptionalString(row.OptionalText(6));
          out.Key("distanceM");
          if (auto distance = row.OptionalInt(7)) out.Int(*distance);
          else out.Null();
          out.Key("geofence"); out.String(row.Text(8));
          out.Key("accuracyM"); out.Int(row.Int(12));
          out.Key("flags");
          out.BeginArray();
          ForEachFlag(row.Text(9), [&](std::string_view flag) {
            out.String(flag);
            ++day_of.flags[flag];
            ++team_flags[flag];
          });
          out.EndArray();
          out.Key("delayed"); out.Bool(row.Bool(10));
          out.Key("visitId"); out.OptionalId(row.OptionalInt(11));
          out.EndObject();
        }
      }
      out.EndArray();
      out.Key("visits");
      out.BeginArray();
      if (visit_range != visit_ranges.end()) {
        for (size_t i = visit_range->second.first; i < visit_range->second.second; ++i) {
          const auto& row = visits.rows[i];
          ++day_of.visits;
          std::string status = EffectiveReportStatus(row.Text(8), row.Text(9), today);
          if (status == "late") ++day_of.late;
          if (status == "open" || status == "late") ++day_of.pending;
          out.BeginObject();
          out.Key("id"); out.Id(row.Int(1));
          out.Key("customerId"); out.Id(row.Int(2));
          out.Key("customerName"); out.String(row.Text(3));
          out.Key("checkedInAt"); out.String(row.Text(4));
          out.Key("checkedOutAt"); out.OptionalString(row.OptionalText(5));
          out.Key("durationMinutes");
          if (auto minutes = row.OptionalInt(6)) out.Int(*minutes);
          else out.Null();
          out.Key("flags");
          out.BeginArray();
          ForEachFlag(row.Text(7), [&](std::string_view flag) { out.String(flag); });
          out.EndArray();
          out.Key("reportStatus"); out.String(status);
          out.Key("reportDueOn"); out.String(row.Text(9));
          out.EndObject();
        }
      }
      out.EndArray();
    }
    if (day_of.check_ins > 0) ++reps_checked_in;
    total_check_ins += day_of.check_ins;
    total_visits += day_of.visits;
    reports_late += day_of.late;
    reports_pending += day_of.pending;
    out.Key("checkInCount"); out.Int(day_of.check_ins);
    out.Key("firstCheckInAt");
    if (day_of.first_at.empty()) out.Null();
    else out.String(day_of.first_at);
    out.Key("lastCheckInAt");
    if (day_of.last_at.empty()) out.Null();
    else out.String(day_of.last_at);
    out.Key("visitCount"); out.Int(day_of.visits);
    out.Key("reportsPending"); out.Int(day_of.pending);
    out.Key("reportsLate"); out.Int(day_of.late);
    out.Key("flagCounts");
    WriteFlagCounts(out, day_of.flags);
    out.EndObject();
  }
  out.EndArray();
  out.Key("summary");
  out.BeginObject();
  out.Key("reps"); out.Int(static_cast<int64_t>(reps.size()));
  out.Key("repsCheckedIn"); out.Int(reps_checked_in);
  out.Key("checkIns"); out.Int(total_check_ins);
  out.Key("visits"); out.Int(total_visits);
  out.Key("reportsPending"); out.Int(reports_pending);
  out.Key("reportsLate"); out.Int(reports_late);
  out.Key("flagCounts");
  WriteFlagCounts(out, team_flags);
  out.EndObject();
  out.EndObject();
  return out.Take();
}

std::string VisitService::MyDay(const Caller& caller, std::optional<Date> date) {
  platform::Require(caller, "visits.read");
  Date day = date.value_or(context_.policies.Today());
  std::string day_text = FormatDate(day);
  std::string today = FormatDate(context_.policies.Today());
  auto connection = context_.database.Acquire();
  JsonWriter out;
  out.BeginObject();
  out.Key("date"); out.String(day_text);
  out.Key("checkIns");
  out.BeginArray();
  for (const auto& row : connection->Query(kSelectCheckInsOfRepDay, {caller.user_id, day_text}).rows)
    WriteCheckIn(out, row, true);
  out.EndArray();
  // The day's visits, and any earlier visit whose report is still to write.
  std::string visit_sql = std::string(kVisitSelect) +
                          "WHERE v.rep_id = ? AND (v.visit_date = ? OR v.report_status IN ('open', 'late')) "
                          "ORDER BY v.visit_date DESC, v.checked_in_at DESC LIMIT 100";
  auto visits = connection->Query({"visits.my_day_visits", visit_sql.c_str()}, {caller.user_id, day_text});
  out.Key("visits");
  out.BeginArray();
  for (const auto& row : visits.rows)
    if (row.Text(5) == day_text) WriteVisit(out, row, today, true);
  out.EndArray();
  out.Key("reportsDue");
  out.BeginArray();
  for (const auto& row : visits.rows) {
    std::string status = EffectiveReportStatus(row.Text(17), row.Text(18), today);
    if (status == "open" || status == "late") WriteVisit(out, row, today, true);
  }
  out.EndArray();
  // R-VISIT-59: the customers planned for the day, from the approved monthly plan and the
  // approved (or registered) applications, one entry per customer, plan order first.
  struct Planned {
    int64_t customer_id = 0;
    std::string customer_name;
    std::optional<std::string> lat, lng;
    bool in_plan = false;
    std::optional<int64_t> application_id;
    std::optional<std::string> application_status;
    std::vector<std::string> purposes;
  };
  std::vector<Planned> planned;
  std::unordered_map<int64_t, size_t> planned_index;
  for (const auto& row :
       connection->Query(kPlannedCustomers, {caller.user_id, day_text, caller.user_id, day_text}).rows) {
    int64_t customer_id = row.Int(1);
    auto [found, inserted] = planned_index.try_emplace(customer_id, planned.size());
    if (inserted) {
      Planned entry;
      entry.customer_id = customer_id;
      entry.customer_name = row.Text(2);
      entry.lat = row.OptionalText(3);
      entry.lng = row.OptionalText(4);
      planned.push_back(std::move(entry));
    }
    Planned& entry = planned[found->second];
    if (row.Text(0) == "plan") entry.in_plan = true;
    else if (!entry.application_id) entry.application_id = row.Int(6), entry.application_status = row.Text(7);
    for (const auto& purpose : SplitFlags(row.Text(5)))
      if (std::find(entry.purposes.begin(), entry.purposes.end(), purpose) == entry.purposes.end())
        entry.purposes.push_back(purpose);
  }
  // The day's visit at each planned customer (the latest), so the screen can show it done.
  std::unordered_map<int64_t, int64_t> visit_of_customer;
  for (const auto& row : visits.rows)
    if (row.Text(5) == day_text) visit_of_customer.try_emplace(row.Int(3), row.Int(0));
  out.Key("planned");
  out.BeginArray();
  for (const auto& entry : planned) {
    out.BeginObject();
    out.Key("customerId"); out.Id(entry.customer_id);
    out.Key("customerName"); out.String(entry.customer_name);
    out.Key("location");
    if (entry.lat && entry.lng) {
      out.BeginObject();
      out.Key("lat"); out.Double(std::stod(*entry.lat));
      out.Key("lng"); out.Double(std::stod(*entry.lng));
      out.EndObject();
    } else {
      out.Null();
    }
    out.Key("inPlan"); out.Bool(entry.in_plan);
    out.Key("applicationId"); out.OptionalId(entry.application_id);
    out.Key("applicationStatus"); out.OptionalString(entry.application_status);
    out.Key("purposes");
    out.BeginArray();
    for (const auto& purpose : entry.purposes) out.String(purpose);
    out.EndArray();
    auto visit = visit_of_customer.find(entry.customer_id);
    out.Key("visitId");
    if (visit != visit_of_customer.end()) out.Id(visit->second);
    else out.Null();
    out.EndObject();
  }
  out.EndArray();
  out.EndObject();
  std::string head = out.Take();
  // Follow-ups open and due by the day (overdue first), rendered by the follow-up service.
  FollowUpFilter filter;
  filter.status = "open";
  filter.owner_id = caller.user_id;
  filter.limit = 100;
  Json items = Json::parse(follow_ups_.List(caller, filter))["items"];
  Json due = Json::array();
  for (auto& item : items)
    if (item["dueOn"].get<std::string>() <= day_text) due.push_back(std::move(item));
  head.pop_back();  // the closing brace: append the follow-ups
  return head + ",\"followUpsDue\":" + EncodeJson(due) + "}";
}

}  // namespace tuoke::visits
