// R-NOTIF-8: notification texts in a language other than the stored zh-CN title, for
// webhook messages. The web client renders the same kinds from its locale files
// (web/src/locales/*/notifications.json, "kind"); both take the params from `data`.
#include <map>

#include "platform/notification.h"

namespace tuoke::platform {
namespace {

// English templates by kind; {name} is data[name]. Kinds without a template, or whose
// data lacks a param, keep the zh-CN title.
const std::map<std::string, std::string, std::less<>>& EnglishTemplates() {
  static const std::map<std::string, std::string, std::less<>> templates{
      {"approval.pending", "Approval waiting: {subject}"},
      {"approval.register", "Registration due: {subject}"},
      {"approval.approved", "Approved: {subject}"},
      {"approval.registered", "Registered: {subject}"},
      {"approval.rejected", "Rejected: {subject}"},
      {"approval.returned", "Returned for changes: {subject}"},
      {"approval.withdrawn", "Withdrawn: {subject}"},
      {"approval.delegated", "Approvals delegated to you from {from} to {to}"},
      {"visit.report_late", "Visit report of {repName} for {visitDate} is overdue"},
      {"visit.report_reviewed", "Visit report reviewed by {reviewerName}: {subject}"},
      {"field_report.submitted", "{repName} submitted the {reportKind} of {periodStart}{lateMark}"},
      {"field_report.commented", "{authorName} commented on your {reportKind} of {periodStart}"},
      {"field_report.due_soon", "Your daily report of {date} is due at {dueTime}"},
      {"field_report.summary_due_soon", "Your {reportKind} from {periodStart} is due soon"},
      {"followup.overdue", "Follow-up overdue since {dueOn}: {title}"},
      {"customer.assigned", "{actorName} gave you the customer {customerName}"},
      {"customer.assigned_many", "{actorName} gave you {count} customers"},
      {"customer.transferred", "{actorName} transferred your customer {customerName} to {ownerName}"},
      {"customer.transferred_many", "{actorName} transferred {count} of your customers to {ownerName}"},
      {"customer.reclaimed", "{count} of your customers returned to the shared pool after {idleDays} days without follow-up"},
  };
  return templates;
}

std::string EnglishReportKind(const std::string& code) {
  static const std::map<std::string, std::string, std::less<>> names{
      {"day", "daily report"},         {"week", "weekly summary"},       {"month", "monthly report"},
      {"quarter", "quarterly summary"}, {"half_year", "half-year summary"}, {"year", "annual summary"}};
  auto found = names.find(code);
  return found == names.end() ? code : found->second;
}

std::string ParamText(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump();
}

}  // namespace

std::string SubjectOfTitle(const std::string& title) {
  // "待审批：<subject>": the part after the first full-width colon.
  static const std::string kColon = "\xEF\xBC\x9A";  // U+FF1A
  auto at = title.find(kColon);
  return at == std::string::npos ? std::string() : title.substr(at + kColon.size());
}

std::optional<std::string> NotificationText(std::string_view kind, const Json& data, std::string_view language) {
  if (language != "en") return std::nullopt;
  auto found = EnglishTemplates().find(kind);
  if (found == EnglishTemplates().end() || !data.is_object()) return std::nullopt;
  // Derived params: the report kind's name and the late mark.
  Json params = data;
  if (params.contains("kind") && params["kind"].is_string())
    params["reportKind"] = EnglishReportKind(params["kind"].get<std::string>());
  params["lateMark"] = params.value("late", false) == true ? " (late)" : "";
  const std::string& pattern = found->second;
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{') {
      out += pattern[i];
      continue;
    }
    size_t end = pattern.find('}', i);
    std::string name = pattern.substr(i + 1, end - i - 1);
    if (!params.contains(name) || params[name].is_null()) return std::nullopt;
    out += ParamText(params[name]);
    i = end;
  }
  return out;
}

}  // namespace tuoke::platform
