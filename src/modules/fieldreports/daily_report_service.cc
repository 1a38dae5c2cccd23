#include "modules/fieldreports/daily_report_service.h"

#include "core/text.h"
#include "platform/audit.h"

namespace tuoke::fieldreports {
namespace {

using platform::Caller;
using platform::Scope;

constexpr size_t kMaxText = 4000;
constexpr size_t kMaxSections = 10;
constexpr size_t kMaxSectionTitle = 50;
constexpr size_t kMaxComment = 2000;
constexpr size_t kMaxNotePlan = 2000;
constexpr size_t kMaxReason = 500;

#define TUOKE_REPORT_COLUMNS                                                                             \
  "r.id, r.rep_id, u.name, u.unit_id, o.name, o.path, r.kind, r.period_start, r.period_end, r.status, " \
  "r.summary, r.problems, r.next_plan, r.sections, r.facts, r.due_at, r.submitted_at, r.late, "          \
  "r.manager_id, r.reviewed_at, r.comment_count, r.created_at, r.updated_at "                            \
  "FROM field_reports r JOIN users u ON u.id = r.rep_id JOIN org_units o ON o.id = u.unit_id "
enum ReportColumn : size_t {
  kId, kRepId, kRepName, kUnitId, kUnitName, kUnitPath, kKind, kPeriodStart, kPeriodEnd, kStatus,
  kSummary, kProblems, kNextPlan, kSections, kFacts, kDueAt, kSubmittedAt, kLate, kManagerId,
  kReviewedAt, kCommentCount, kCreatedAt, kUpdatedAt
};

const storage::Sql kSelectById{"field_reports.select", "SELECT " TUOKE_REPORT_COLUMNS "WHERE r.id = ?"};
const storage::Sql kSelectOwn{"field_reports.select_own",
                              "SELECT " TUOKE_REPORT_COLUMNS "WHERE r.rep_id = ? AND r.kind = ? AND r.period_start = ?"};
const storage::Sql kInsert{
    "field_reports.insert",
    "INSERT INTO field_reports (rep_id, kind, period_start, period_end, status, summary, problems, next_plan, "
    "sections, due_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?) RETURNING id"};
const storage::Sql kUpdateTexts{
    "field_reports.update_texts",
    "UPDATE field_reports SET summary = ?, problems = ?, next_plan = ?, sections = ?, updated_at = ? "
    "WHERE id = ? AND status = 'draft'"};
const storage::Sql kMarkSubmitted{
    "field_reports.submit",
    "UPDATE field_reports SET status = 'submitted', facts = ?, due_at = ?, submitted_at = ?, late = ?, "
    "manager_id = ?, updated_at = ? WHERE id = ? AND status = 'draft'"};
const storage::Sql kComments{
    "field_reports.comments",
    "SELECT c.id, c.author_id, u.name, c.body, c.created_at FROM field_report_comments c "
    "JOIN users u ON u.id = c.author_id WHERE c.report_id = ? ORDER BY c.id LIMIT 200"};
const storage::Sql kInsertComment{
    "field_reports.insert_comment",
    "INSERT INTO field_report_comments (report_id, author_id, body, created_at) VALUES (?, ?, ?, ?) RETURNING id"};
const storage::Sql kMarkReviewed{
    "field_reports.mark_reviewed",
    "UPDATE field_reports SET status = 'reviewed', reviewed_at = COALESCE(reviewed_at, ?), "
    "comment_count = comment_count + 1, updated_at = ? WHERE id = ?"};
const storage::Sql kRepInfo{"field_reports.rep_info",
                            "SELECT u.name, u.manager_id, m.active FROM users u LEFT JOIN users m ON m.id = u.manager_id "
                            "WHERE u.id = ?"};

[[noreturn]] void ThrowReportNotFound() {
  throw Error(ErrorKind::kNotFound, "reports.not_found", "report not found");
}

std::string KindLabel(ReportKind kind) {
  switch (kind) {
    case ReportKind::kDay: return "日报";
    case ReportKind::kWeek: return "周总结";
    case ReportKind::kMonth: return "月报";
    case ReportKind::kQuarter: return "季度总结";
    case ReportKind::kHalfYear: return "半年总结";
    case ReportKind::kYear: return "年度总结";
  }
  return "日报";
}

// How the drafted summary names its period.
std::string PeriodLabel(ReportKind kind) {
  switch (kind) {
    case ReportKind::kWeek: return "本周";
    case ReportKind::kMonth: return "本月";
    case ReportKind::kQuarter: return "本季度";
    case ReportKind::kHalfYear: return "本半年";
    case ReportKind::kYear: return "本年度";
    case ReportKind::kDay: break;
  }
  return "今日";
}

// Does a stored kind code answer a request for `kind` (nullopt: any summary kind)?
bool KindAccepted(std::optional<ReportKind> kind, const std::string& code) {
  if (kind) return code == ReportKindCode(*kind);
  auto parsed = ParseReportKind(code);
  return parsed && *parsed != ReportKind::kDay;
}

Json ReportJson(const storage::Row& row) {
  Json report = {{"id", IdString(row.Int(kId))},
                 {"kind", row.Text(kKind)},
                 {"periodStart", row.Text(kPeriodStart)},
                 {"periodEnd", row.Text(kPeriodEnd)},
                 {"repId", IdString(row.Int(kRepId))},
                 {"repName", row.Text(kRepName)},
                 {"unitId", IdString(row.Int(kUnitId))},
                 {"unitName", row.Text(kUnitName)},
                 {"status", row.Text(kStatus)},
                 {"late", row.Bool(kLate)},
                 {"dueAt", row.Text(kDueAt)},
                 {"submittedAt", row.OptionalText(kSubmittedAt) ? Json(*row.OptionalText(kSubmittedAt)) : Json()},
                 {"reviewedAt", row.OptionalText(kReviewedAt) ? Json(*row.OptionalText(kReviewedAt)) : Json()},
                 {"managerId", row.OptionalInt(kManagerId) ? Json(IdString(*row.OptionalInt(kManagerId))) : Json()},
                 {"summary", row.Text(kSummary)},
                 {"problems", row.Text(kProblems)},
                 {"nextPlan", row.Text(kNextPlan)},
                 {"sections", Json::parse(row.Text(kSections))},
                 {"commentCount", row.Int(kCommentCount)},
                 {"createdAt", row.Text(kCreatedAt)},
                 {"updatedAt", row.Text(kUpdatedAt)}};
  if (row.Text(kKind) == "day") report["date"] = row.Text(kPeriodStart);
  return report;
}

// The editable texts of a report.
struct Texts {
  std::string summary, problems, next_plan;
  Json sections = Json::array();
};

void ReadTexts(JsonReader& reader, Texts& texts) {
  if (reader.Has("summary")) {
    if (auto value = reader.String("summary", 0, kMaxText)) texts.summary = *value;
  }
  if (reader.Has("problems")) {
    if (auto value = reader.String("problems", 0, kMaxText)) texts.problems = *value;
  }
  if (reader.Has("nextPlan")) {
    if (auto value = reader.String("nextPlan", 0, kMaxText)) texts.next_plan = *value;
  }
  if (const Json* sections = reader.Raw("sections")) {
    if (!sections->is_array() || sections->size() > kMaxSections) {
      reader.Fail("sections", "must be a list of at most 10 {title, body} sections");
      return;
    }
    Json cleaned = Json::array();
    for (size_t i = 0; i < sections->size(); ++i) {
      const Json& section = (*sections)[i];
      std::string field = "sections[" + std::to_string(i) + "]";
      if (!section.is_object()) {
        reader.Fail(field, "must be an object {title, body}");
        continue;
      }
      JsonReader inner(section);
      auto title = inner.RequiredString("title", 1, kMaxSectionTitle);
      auto body = inner.String("body", 0, kMaxText);
      try {
        inner.Finish();
        cleaned.push_back({{"title", *title}, {"body", body.value_or("")}});
      } catch (const Error& error) {
        for (const auto& [name, message] : error.details()["fields"].items())
          reader.Fail(field + "." + name, message.get<std::string>());
      }
    }
    texts.sections = cleaned;
  }
}

// R-REPORT-1: the drafted texts when the rep has written nothing yet.
Texts DraftTexts(ReportKind kind, const Json& facts) {
  Texts texts;
  const Json& counts = facts["counts"];
  if (kind == ReportKind::kDay) {
    std::string customers;
    for (const auto& visit : facts["visits"]) {
      if (!customers.empty()) customers += "、";
      customers += visit["customerName"].get<std::string>();
    }
    texts.summary = "今日拜访客户 " + std::to_string(counts["customersVisited"].get<int64_t>()) + " 家";
    if (!customers.empty()) texts.summary += "：" + customers;
    texts.summary += "；签到 " + std::to_string(counts["checkIns"].get<int64_t>()) + " 次；完成跟进事项 " +
                     std::to_string(counts["followUpsDone"].get<int64_t>()) + " 项；新增客户 " +
                     std::to_string(counts["newCustomers"].get<int64_t>()) + " 家。";
    if (counts["followUpsOverdue"].get<int64_t>() > 0)
      texts.problems = "逾期跟进事项 " + std::to_string(counts["followUpsOverdue"].get<int64_t>()) + " 项。";
    for (const auto& item : facts["followUps"]["dueTomorrow"]) {
      if (!texts.next_plan.empty()) texts.next_plan += "\n";
      texts.next_plan += "跟进：" + item["title"].get<std::string>();
      if (item["customerName"].is_string()) texts.next_plan += "（" + item["customerName"].get<std::string>() + "）";
    }
  } else {
    auto count = [&](const char* key) { return std::to_string(counts[key].get<int64_t>()); };
    texts.summary = PeriodLabel(kind) + "拜访 " + count("visits") + " 次，覆盖客户 " + count("customersVisited") +
                    " 家；新增客户 " + count("newCustomers") + " 家；完成跟进事项 " + count("followUpsDone") +
                    " 项，逾期 " + count("followUpsOverdue") + " 项；市场信息 " + count("intelReports") + " 条。";
    // R-REPORT-12: plan against actual when the period had approved monthly plans.
    if (const Json& plan = facts["plan"]; plan.is_object() && plan["plannedVisits"].get<int64_t>() > 0)
      texts.summary += "计划拜访 " + std::to_string(plan["plannedVisits"].get<int64_t>()) + " 次，已完成 " +
                       std::to_string(plan["plannedVisitsDone"].get<int64_t>()) + " 次。";
    if (counts["dailyReportsMissing"].get<int64_t>() > 0 || counts["followUpsOverdue"].get<int64_t>() > 0)
      texts.problems = "缺交日报 " + count("dailyReportsMissing") + " 份；逾期跟进事项 " + count("followUpsOverdue") + " 项。";
  }
  return texts;
}

}  // namespace

std::string_view ReportKindCode(ReportKind kind) {
  switch (kind) {
    case ReportKind::kDay: return "day";
    case ReportKind::kWeek: return "week";
    case ReportKind::kMonth: return "month";
    case ReportKind::kQuarter: return "quarter";
    case ReportKind::kHalfYear: return "half_year";
    case ReportKind::kYear: return "year";
  }
  return "day";
}

std::optional<ReportKind> ParseReportKind(std::string_view code) {
  for (ReportKind kind : {ReportKind::kDay, ReportKind::kWeek, ReportKind::kMonth, ReportKind::kQuarter,
                          ReportKind::kHalfYear, ReportKind::kYear})
    if (ReportKindCode(kind) == code) return kind;
  return std::nullopt;
}

Period PeriodOf(ReportKind kind) {
  switch (kind) {
    case ReportKind::kDay: return Period::kDay;
    case ReportKind::kWeek: return Period::kWeek;
    case ReportKind::kMonth: return Period::kMonth;
    case ReportKind::kQuarter: return Period::kQuarter;
    case ReportKind::kHalfYear: return Period::kHalfYear;
    case ReportKind::kYear: return Period::kYear;
  }
  return Period::kDay;
}

DateRange ReportService::RangeFor(ReportKind kind, Date start) {
  DateRange range = PeriodContaining(PeriodOf(kind), start);
  if (range.first != start) {
    // R-REPORT-8, 11: a summary names its period by the period's first day.
    if (kind == ReportKind::kWeek) ThrowValidation("start", "must be a Monday");
    if (kind == ReportKind::kMonth) ThrowValidation("start", "must be the first day of a month");
    ThrowValidation("start", "must be the first day of a " + std::string(ReportKindCode(kind)) +
                                 " (quarters start on January, April, July and October 1st, halves on January and "
                                 "July 1st)");
  }
  // Reports are about days that have begun; a future period has nothing to report yet.
  if (start > policies_.Today())
    ThrowValidation(kind == ReportKind::kDay ? "date" : "start", "is in the future");
  return range;
}

Instant ReportService::DueFor(ReportKind kind, DateRange range) {
  std::string zone = policies_.TimeZone();
  // R-REPORT-2: by visits.daily_report_due_time on the day; R-REPORT-8: summaries by the
  // same time of day on their due date. Policies are read on the report's due date.
  Date due_date = range.first;
  if (kind == ReportKind::kWeek)
    due_date = WeeklyDueDate(range.first, static_cast<int>(policies_.IntOn("visits.weekly_summary_due_weekday", range.first)));
  else if (kind == ReportKind::kMonth)
    due_date = MonthlyDueDate(range.first,
                              static_cast<int>(policies_.IntOn("visits.monthly_report_due_days_after_month_end", range.first)));
  else if (kind == ReportKind::kQuarter)
    due_date = DueAfterEnd(range, static_cast<int>(policies_.IntOn("visits.quarterly_summary_due_days_after_end", range.first)));
  else if (kind == ReportKind::kHalfYear)
    due_date = DueAfterEnd(range, static_cast<int>(policies_.IntOn("visits.half_year_summary_due_days_after_end", range.first)));
  else if (kind == ReportKind::kYear)
    due_date = DueAfterEnd(range, static_cast<int>(policies_.IntOn("visits.annual_summary_due_days_after_end", range.first)));
  auto minutes = ParseClockTime(policies_.StringOn("visits.daily_report_due_time", due_date)).value_or(23 * 60 + 59);
  return DueInstant(due_date, minutes, zone);
}

Json ReportService::Facts(storage::Connection& connection, ReportKind kind, int64_t rep_id, DateRange range) {
  if (kind == ReportKind::kDay) return DayFacts(connection, rep_id, range.first);
  return PeriodFacts(connection, rep_id, range);
}

std::optional<storage::Row> ReportService::LoadOwn(storage::Connection& connection, int64_t rep_id, ReportKind kind,
                                                   Date start) {
  return connection.QueryOne(kSelectOwn, {rep_id, std::string(ReportKindCode(kind)), FormatDate(start)});
}

Json ReportService::Render(storage::Connection& connection, int64_t report_id, bool with_comments) {
  auto row = connection.QueryOne(kSelectById, {report_id});
  if (!row) ThrowReportNotFound();
  Json report = ReportJson(*row);
  if (auto facts = row->OptionalText(kFacts)) report["facts"] = Json::parse(*facts);
  if (with_comments) {
    Json comments = Json::array();
    for (const auto& comment : connection.Query(kComments, {report_id}).rows)
      comments.push_back({{"id", IdString(comment.Int(0))},
                          {"authorId", IdString(comment.Int(1))},
                          {"authorName", comment.Text(2)},
                          {"body", comment.Text(3)},
                          {"createdAt", comment.Text(4)}});
    report["comments"] = comments;
  }
  return report;
}

Json ReportService::Draft(const Caller& caller, ReportKind kind, Date start) {
  platform::Require(caller, "visits.write");
  DateRange range = RangeFor(kind, start);
  auto connection = database_.Acquire();
  auto row = LoadOwn(*connection, caller.user_id, kind, start);
  if (row && row->Text(kStatus) != "draft") return Render(*connection, row->Int(kId), true);
  Json facts = Facts(*connection, kind, caller.user_id, range);
  Json report;
  if (row) {
    report = Render(*connection, row->Int(kId), true);
  } else {
    Texts texts = DraftTexts(kind, facts);
    report = {{"id", nullptr},
              {"kind", ReportKindCode(kind)},
              {"periodStart", FormatDate(range.first)},
              {"periodEnd", FormatDate(range.last)},
              {"repId", IdString(caller.user_id)},
              {"repName", caller.name},
              {"status", "new"},
              {"late", false},
              {"summary", texts.summary},
              {"problems", texts.problems},
              {"nextPlan", texts.next_plan},
              {"sections", Json::array()},
              {"commentCount", 0},
              {"comments", Json::array()}};
    if (kind == ReportKind::kDay) report["date"] = FormatDate(range.first);
  }
  Instant due = DueFor(kind, range);
  report["dueAt"] = FormatInstant(due);
  // Submitting now would be late: the client warns before the rep sends it.
  report["lateIfSubmittedNow"] = IsLate(clock_.Now(), due);
  report["facts"] = facts;
  return report;
}

int64_t ReportService::Upsert(storage::Connection& connection, const Caller& caller, ReportKind kind,
                              DateRange range, const Json& body, bool submitting) {
  auto row = LoadOwn(connection, caller.user_id, kind, range.first);
  if (row && row->Text(kStatus) != "draft")
    throw Error(ErrorKind::kConflict, "reports.already_submitted", "the report was submitted and can no longer change",
                {{"reportId", IdString(row->Int(kId))}});
  Texts texts;
  if (row) {
    texts = {row->Text(kSummary), row->Text(kProblems), row->Text(kNextPlan), Json::parse(row->Text(kSections))};
  } else {
    // R-REPORT-1, 3: the first save or a submission without a saved draft starts from the
    // drafted texts, completed by the body (saving only `problems` keeps the summary).
    texts = DraftTexts(kind, Facts(connection, kind, caller.user_id, range));
  }
  JsonReader reader(body);
  ReadTexts(reader, texts);
  reader.Finish();
  // R-REPORT-3: a submitted report says something.
  if (submitting && texts.summary.empty()) ThrowValidation("summary", "is required to submit");
  std::string now = FormatInstant(clock_.Now());
  platform::Actor actor = platform::Actor::From(caller);
  Json after = {{"summary", texts.summary}, {"problems", texts.problems}, {"nextPlan", texts.next_plan},
                {"sections", texts.sections}};
  if (row) {
    Json before = {{"summary", row->Text(kSummary)}, {"problems", row->Text(kProblems)},
                   {"nextPlan", row->Text(kNextPlan)}, {"sections", Json::parse(row->Text(kSections))}};
    if (before == after) return row->Int(kId);
    connection.Execute(kUpdateTexts, {texts.summary, texts.problems, texts.next_plan, texts.sections.dump(), now,
                                      row->Int(kId)});
    platform::KeepChangedFields(before, after);
    platform::RecordAudit(connection, actor,
                          {"field_report.save", "field_report", IdString(row->Int(kId)), before, after}, clock_.Now());
    return row->Int(kId);
  }
  int64_t id = connection
                   .QueryOne(kInsert, {caller.user_id, std::string(ReportKindCode(kind)), FormatDate(range.first),
                                       FormatDate(range.last), texts.summary, texts.problems, texts.next_plan,
                                       texts.sections.dump(), FormatInstant(DueFor(kind, range)), now, now})
                   ->Int(0);
  after["kind"] = ReportKindCode(kind);
  after["periodStart"] = FormatDate(range.first);
  platform::RecordAudit(connection, actor, {"field_report.create", "field_report", IdString(id), Json(), after},
                        clock_.Now());
  return id;
}

Json ReportService::Save(const Caller& caller, ReportKind kind, Date start, const Json& body) {
  platform::Require(caller, "visits.write");
  DateRange range = RangeFor(kind, start);
  Json result;
  database_.InTransaction([&](storage::Connection& connection) {
    int64_t id = Upsert(connection, caller, kind, range, body, false);
    result = Render(connection, id, true);
  });
  return result;
}

Json ReportService::Submit(const Caller& caller, ReportKind kind, Date start, const Json& body) {
  platform::Require(caller, "visits.write");
  DateRange range = RangeFor(kind, start);
  Json result;
  database_.InTransaction([&](storage::Connection& connection) {
    int64_t id = Upsert(connection, caller, kind, range, body, true);
    Instant now = clock_.Now();
    // R-REPORT-2, 4: late after the due instant; the facts are frozen as they are now.
    Instant due = DueFor(kind, range);
    bool late = IsLate(now, due);
    Json facts = Facts(connection, kind, caller.user_id, range);
    auto rep = connection.QueryOne(kRepInfo, {caller.user_id});
    std::optional<int64_t> manager_id = rep->OptionalInt(1);
    if (manager_id && !rep->Bool(2)) manager_id.reset();
    if (connection.Execute(kMarkSubmitted, {facts.dump(), FormatInstant(due), FormatInstant(now),
                                            int64_t{late ? 1 : 0}, storage::Nullable(manager_id),
                                            FormatInstant(now), id}) != 1)
      throw Error(ErrorKind::kConflict, "reports.already_submitted", "the report was submitted meanwhile");
    platform::RecordAudit(connection, platform::Actor::From(caller),
                          {"field_report.submit", "field_report", IdString(id), Json(),
                           {{"late", late}, {"dueAt", FormatInstant(due)}, {"managerId", manager_id ? Json(IdString(*manager_id)) : Json()}}},
                          now);
    if (manager_id && notifier_) {
      std::string title = caller.name + " 提交了" + FormatDate(range.first) + KindLabel(kind) + (late ? "（迟交）" : "");
      notifier_(connection, {*manager_id, "field_report.submitted", title,
                             "/reports/" + std::string(ReportKindCode(kind)) + "/" + IdString(id),
                             {{"reportId", IdString(id)}, {"kind", ReportKindCode(kind)},
                              {"periodStart", FormatDate(range.first)}, {"repId", IdString(caller.user_id)},
                              {"repName", caller.name}, {"late", late}}});
    }
    result = Render(connection, id, true);
  });
  return result;
}

Json ReportService::Get(const Caller& caller, ReportKind kind, int64_t report_id) {
  return GetOf(caller, kind, report_id);
}

Json ReportService::GetSummary(const Caller& caller, int64_t report_id) { return GetOf(caller, std::nullopt, report_id); }

Json ReportService::GetOf(const Caller& caller, std::optional<ReportKind> kind, int64_t report_id) {
  Scope scope = platform::Require(caller, "visits.read");
  auto connection = database_.Acquire();
  auto row = connection->QueryOne(kSelectById, {report_id});
  // R-REPORT-5: drafts are private to their rep; other kinds' ids are not found here.
  if (!row || !KindAccepted(kind, row->Text(kKind)) ||
      !platform::InScope(caller, scope, row->Int(kRepId), row->Text(kUnitPath)) ||
      (row->Text(kStatus) == "draft" && row->Int(kRepId) != caller.user_id))
    ThrowReportNotFound();
  return Render(*connection, report_id, true);
}

Json ReportService::List(const Caller& caller, const ReportFilter& filter) {
  Scope scope = platform::Require(caller, "visits.read");
  storage::Params params{std::string(ReportKindCode(filter.kind)), caller.user_id};
  std::string sql = "SELECT " TUOKE_REPORT_COLUMNS "WHERE r.kind = ? AND (r.status <> 'draft' OR r.rep_id = ?)";
  if (scope == Scope::kOwn) {
    sql += " AND r.rep_id = ?";
    params.push_back(caller.user_id);
  } else if (scope == Scope::kTeam) {
    sql += " AND (r.rep_id = ? OR o.path LIKE ? ESCAPE '\\')";
    params.push_back(caller.user_id);
    params.push_back(EscapeLike(caller.unit_path) + "%");
  }
  if (filter.from) sql += " AND r.period_start >= ?", params.push_back(FormatDate(*filter.from));
  if (filter.to) sql += " AND r.period_start <= ?", params.push_back(FormatDate(*filter.to));
  if (filter.rep_id) sql += " AND r.rep_id = ?", params.push_back(*filter.rep_id);
  if (filter.unit_id) {
    sql += " AND o.path LIKE (SELECT replace(replace(path, '%', '\\%'), '_', '\\_') || '%' FROM org_units "
           "WHERE id = ?) ESCAPE '\\'";
    params.push_back(*filter.unit_id);
  }
  if (filter.status) sql += " AND r.status = ?", params.push_back(*filter.status);
  if (filter.late) sql += " AND r.late = ?", params.push_back(int64_t{*filter.late ? 1 : 0});
  if (filter.cursor) {
    // Keyset: "<period start>.<id>" of the last row of the previous page.
    size_t dot = filter.cursor->find('.');
    auto date = dot == std::string::npos ? std::nullopt : ParseDate(filter.cursor->substr(0, dot));
    auto id = dot == std::string::npos ? std::nullopt : ParseId(filter.cursor->substr(dot + 1));
    if (!date || !id) ThrowValidation("cursor", "is not a cursor of this list");
    sql += " AND (r.period_start < ? OR (r.period_start = ? AND r.id < ?))";
    params.insert(params.end(), {FormatDate(*date), FormatDate(*date), *id});
  }
  sql += " ORDER BY r.period_start DESC, r.id DESC LIMIT ?";
  params.push_back(int64_t{filter.limit + 1});
  const storage::Sql query{"field_reports.list", sql.c_str()};
  auto connection = database_.Acquire();
  auto rows = connection->Query(query, params).rows;
  Json items = Json::array();
  Json next = nullptr;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (static_cast<int>(i) == filter.limit) {
      next = rows[i - 1].Text(kPeriodStart) + "." + IdString(rows[i - 1].Int(kId));
      break;
    }
    items.push_back(ReportJson(rows[i]));
  }
  return {{"items", items}, {"nextCursor", next}};
}

Json ReportService::Comment(const Caller& caller, ReportKind kind, int64_t report_id, const Json& body) {
  return CommentOn(caller, kind, report_id, body);
}

Json ReportService::CommentSummary(const Caller& caller, int64_t report_id, const Json& body) {
  return CommentOn(caller, std::nullopt, report_id, body);
}

Json ReportService::CommentOn(const Caller& caller, std::optional<ReportKind> requested, int64_t report_id,
                              const Json& body) {
  Scope read_scope = platform::Require(caller, "visits.read");
  JsonReader reader(body);
  auto text = reader.RequiredString("body", 1, kMaxComment);
  reader.Finish();
  Json result;
  database_.InTransaction([&](storage::Connection& connection) {
    auto row = connection.QueryOne(kSelectById, {report_id});
    if (!row || !KindAccepted(requested, row->Text(kKind)) ||
        !platform::InScope(caller, read_scope, row->Int(kRepId), row->Text(kUnitPath)) ||
        (row->Text(kStatus) == "draft" && row->Int(kRepId) != caller.user_id))
      ThrowReportNotFound();
    // R-REPORT-5: reviewers comment on the reports of their scope, never on their own.
    Scope review_scope = platform::Require(caller, "visits.review");
    if (row->Int(kRepId) == caller.user_id ||
        !platform::InScope(caller, review_scope, row->Int(kRepId), row->Text(kUnitPath)))
      throw Error(ErrorKind::kForbidden, "access.denied", "only a reviewer of the rep comments on a report");
    if (row->Text(kStatus) == "draft")
      throw Error(ErrorKind::kConflict, "reports.not_submitted", "the report has not been submitted");
    ReportKind kind = *ParseReportKind(row->Text(kKind));
    Instant now = clock_.Now();
    int64_t comment_id =
        connection.QueryOne(kInsertComment, {report_id, caller.user_id, *text, FormatInstant(now)})->Int(0);
    connection.Execute(kMarkReviewed, {FormatInstant(now), FormatInstant(now), report_id});
    platform::RecordAudit(connection, platform::Actor::From(caller),
                          {"field_report.comment", "field_report", IdString(report_id), Json(),
                           {{"commentId", IdString(comment_id)}, {"body", *text}}},
                          now);
    if (notifier_) {
      std::string title = caller.name + " 点评了你的" + row->Text(kPeriodStart) + KindLabel(kind);
      notifier_(connection, {row->Int(kRepId), "field_report.commented", title,
                             "/reports/" + std::string(ReportKindCode(kind)) + "/" + IdString(report_id),
                             {{"reportId", IdString(report_id)}, {"kind", ReportKindCode(kind)},
                              {"periodStart", row->Text(kPeriodStart)}, {"commentId", IdString(comment_id)},
                              {"authorName", caller.name}}});
    }
    result = Render(connection, report_id, true);
  });
  return result;
}

Json ReportService::Missing(const Caller& caller, Date date, std::optional<int64_t> unit_id, int limit,
                            std::optional<int64_t> cursor) {
  Scope scope = platform::Require(caller, "visits.review");
  storage::Params params{FormatDate(date)};
  std::string sql =
      "SELECT u.id, u.name, u.unit_id, o.name, r.id, r.status FROM users u "
      "JOIN user_roles ur ON ur.user_id = u.id AND ur.role = 'rep' JOIN org_units o ON o.id = u.unit_id "
      "LEFT JOIN field_reports r ON r.rep_id = u.id AND r.kind = 'day' AND r.period_start = ? "
      "WHERE u.active = 1 AND (r.id IS NULL OR r.status = 'draft')";
  if (scope == Scope::kOwn) {
    sql += " AND u.id = ?";
    params.push_back(caller.user_id);
  } else if (scope == Scope::kTeam) {
    sql += " AND o.path LIKE ? ESCAPE '\\'";
    params.push_back(EscapeLike(caller.unit_path) + "%");
  }
  if (unit_id) {
    sql += " AND o.path LIKE (SELECT replace(replace(path, '%', '\\%'), '_', '\\_') || '%' FROM org_units "
           "WHERE id = ?) ESCAPE '\\'";
    params.push_back(*unit_id);
  }
  if (cursor) sql += " AND u.id > ?", params.push_back(*cursor);
  sql += " ORDER BY u.id LIMIT ?";
  params.push_back(int64_t{limit + 1});
  const storage::Sql query{"field_reports.missing", sql.c_str()};
  Instant due = DueFor(ReportKind::kDay, {date, date});
  bool overdue = IsLate(clock_.Now(), due);
  auto connection = database_.Acquire();
  auto rows = connection->Query(query, params).rows;
  Json items = Json::array();
  Json next = nullptr;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (static_cast<int>(i) == limit) {
      next = IdString(rows[i - 1].Int(0));
      break;
    }
    const auto& row = rows[i];
    items.push_back({{"repId", IdString(row.Int(0))},
                     {"repName", row.Text(1)},
                     {"unitId", IdString(row.Int(2))},
                     {"unitName", row.Text(3)},
                     {"draftId", row.OptionalInt(4) ? Json(IdString(*row.OptionalInt(4))) : Json()},
                     // R-REPORT-6: missing once the due time has passed; before it, pending.
                     {"overdue", overdue}});
  }
  return {{"date", FormatDate(date)}, {"dueAt", FormatInstant(due)}, {"items", items}, {"nextCursor", next}};
}

// ---- morning notes (R-REPORT-9, 10) ------------------------------------------------------

namespace {

const storage::Sql kSelectNote{"morning_notes.select_own",
                               "SELECT id, plan, back_by_end_of_day, reason_not_back FROM morning_notes "
                               "WHERE rep_id = ? AND note_date = ?"};
const storage::Sql kInsertNote{
    "morning_notes.insert",
    "INSERT INTO morning_notes (rep_id, note_date, plan, back_by_end_of_day, reason_not_back, due_at, "
    "first_submitted_at, late, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"};
const storage::Sql kUpdateNote{
    "morning_notes.update",
    "UPDATE morning_notes SET plan = ?, back_by_end_of_day = ?, reason_not_back = ?, updated_at = ? WHERE id = ?"};
#define TUOKE_NOTE_COLUMNS                                                                                    \
  "n.id, n.rep_id, u.name, u.unit_id, o.name, n.note_date, n.plan, n.back_by_end_of_day, n.reason_not_back, " \
  "n.due_at, n.first_submitted_at, n.late, n.updated_at FROM morning_notes n JOIN users u ON u.id = n.rep_id " \
  "JOIN org_units o ON o.id = u.unit_id "
const storage::Sql kSelectNoteById{"morning_notes.select", "SELECT " TUOKE_NOTE_COLUMNS "WHERE n.id = ?"};

Json NoteJson(const storage::Row& row) {
  return {{"id", IdString(row.Int(0))},
          {"repId", IdString(row.Int(1))},
          {"repName", row.Text(2)},
          {"unitId", IdString(row.Int(3))},
          {"unitName", row.Text(4)},
          {"date", row.Text(5)},
          {"plan", row.Text(6)},
          {"backByEndOfDay", row.Bool(7)},
          {"reasonNotBack", row.OptionalText(8) ? Json(*row.OptionalText(8)) : Json()},
          {"dueAt", row.Text(9)},
          {"firstSubmittedAt", row.Text(10)},
          {"late", row.Bool(11)},
          {"updatedAt", row.Text(12)}};
}

}  // namespace

Json ReportService::PutMorningNote(const Caller& caller, const Json& body) {
  platform::Require(caller, "visits.write");
  JsonReader reader(body);
  auto plan = reader.RequiredString("plan", 1, kMaxNotePlan);
  auto back = reader.Bool("backByEndOfDay");
  if (!reader.Has("backByEndOfDay")) reader.Fail("backByEndOfDay", "is required");
  bool reason_present = false;
  auto reason = reader.NullableString("reasonNotBack", kMaxReason, &reason_present);
  // R-REPORT-9 (§3.4 [000 §2 一]): a rep who will not be back by the end of the day says why.
  if (back && !*back && (!reason || reason->empty())) reader.Fail("reasonNotBack", "is required when not back by the end of the day");
  reader.Finish();
  if (*back) reason.reset();
  Date today = policies_.Today();
  Instant now = clock_.Now();
  Json result;
  database_.InTransaction([&](storage::Connection& connection) {
    auto row = connection.QueryOne(kSelectNote, {caller.user_id, FormatDate(today)});
    platform::Actor actor = platform::Actor::From(caller);
    Json after = {{"plan", *plan}, {"backByEndOfDay", *back}, {"reasonNotBack", reason ? Json(*reason) : Json()}};
    int64_t id;
    if (row) {
      id = row->Int(0);
      Json before = {{"plan", row->Text(1)}, {"backByEndOfDay", row->Bool(2)},
                     {"reasonNotBack", row->OptionalText(3) ? Json(*row->OptionalText(3)) : Json()}};
      connection.Execute(kUpdateNote, {*plan, int64_t{*back ? 1 : 0}, storage::Nullable(reason), FormatInstant(now), id});
      platform::KeepChangedFields(before, after);
      platform::RecordAudit(connection, actor, {"morning_note.update", "morning_note", IdString(id), before, after}, now);
    } else {
      // R-REPORT-10: late when first written after visits.morning_note_due_time.
      auto minutes = ParseClockTime(policies_.StringOn("visits.morning_note_due_time", today)).value_or(9 * 60 + 30);
      Instant due = DueInstant(today, minutes, policies_.TimeZone());
      bool late = IsLate(now, due);
      id = connection
               .QueryOne(kInsertNote, {caller.user_id, FormatDate(today), *plan, int64_t{*back ? 1 : 0},
                                       storage::Nullable(reason), FormatInstant(due), FormatInstant(now),
                                       int64_t{late ? 1 : 0}, FormatInstant(now)})
               ->Int(0);
      after["late"] = late;
      platform::RecordAudit(connection, actor, {"morning_note.create", "morning_note", IdString(id), Json(), after}, now);
    }
    result = NoteJson(*connection.QueryOne(kSelectNoteById, {id}));
  });
  return result;
}

Json ReportService::ListMorningNotes(const Caller& caller, Date date, std::optional<int64_t> rep_id,
                                     std::optional<int64_t> unit_id, int limit, std::optional<int64_t> cursor) {
  Scope scope = platform::Require(caller, "visits.read");
  storage::Params params{FormatDate(date)};
  std::string sql = "SELECT " TUOKE_NOTE_COLUMNS "WHERE n.note_date = ?";
  if (scope == Scope::kOwn) {
    sql += " AND n.rep_id = ?";
    params.push_back(caller.user_id);
  } else if (scope == Scope::kTeam) {
    sql += " AND (n.rep_id = ? OR o.path LIKE ? ESCAPE '\\')";
    params.push_back(caller.user_id);
    params.push_back(EscapeLike(caller.unit_path) + "%");
  }
  if (rep_id) sql += " AND n.rep_id = ?", params.push_back(*rep_id);
  if (unit_id) {
    sql += " AND o.path LIKE (SELECT replace(replace(path, '%', '\\%'), '_', '\\_') || '%' FROM org_units "
           "WHERE id = ?) ESCAPE '\\'";
    params.push_back(*unit_id);
  }
  if (cursor) sql += " AND n.id > ?", params.push_back(*cursor);
  sql += " ORDER BY n.id LIMIT ?";
  params.push_back(int64_t{limit + 1});
  const storage::Sql query{"morning_notes.list", sql.c_str()};
  auto connection = database_.Acquire();
  auto rows = connection->Query(query, params).rows;
  Json items = Json::array();
  Json next = nullptr;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (static_cast<int>(i) == limit) {
      next = IdString(rows[i - 1].Int(0));
      break;
    }
    items.push_back(NoteJson(rows[i]));
  }
  return {{"items", items}, {"nextCursor", next}};
}

}  // namespace tuoke::fieldreports
