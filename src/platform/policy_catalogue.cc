// The policy catalogue: every number of docs/spec (shared/spec/domain.md) as a
// company policy default. `section` cites where the default comes from; values the
// documents leave open carry "product default" and are chosen to be conservative.
#include <algorithm>

#include "platform/policy.h"

namespace tuoke::platform {
namespace {

using T = PolicyType;

Json CallbackTable() {
  // §8 table: calls by the rep (per period), on-site visits per month, manager visits per month.
  return Json::parse(R"({
    "A1": {"repCalls": 2, "repCallPeriodDays": 7,  "repVisitsPerMonth": 4, "managerVisitsPerMonth": 1},
    "A2": {"repCalls": 1, "repCallPeriodDays": 7,  "repVisitsPerMonth": 3, "managerVisitsPerMonth": 1},
    "B1": {"repCalls": 1, "repCallPeriodDays": 7,  "repVisitsPerMonth": 2, "managerVisitsPerMonth": 1},
    "B2": {"repCalls": 1, "repCallPeriodDays": 14, "repVisitsPerMonth": 1, "managerVisitsPerMonth": 1},
    "C":  {"repCalls": 1, "repCallPeriodDays": 14, "repVisitsPerMonth": 0, "managerVisitsPerMonth": 0}
  })");
}

Json RouteWeeks() {
  // §3.6: A in the first week and in the morning, B second, C/D third, week four for
  // service, display, collections and next month's plan.
  return Json::parse(R"({"A": 1, "B": 2, "C": 3, "D": 3, "serviceWeek": 4, "aInMorning": true})");
}

Json GradeFrequencyRows() {
  // §8's table is keyed A1/A2/B1/B2/C; the grades a company uses (§2.1: A/B/C/D or
  // key/important/general/watch) map to a row. A and B take their weaker half (A2, B2):
  // the table states minimums, and the split needs the callback data we do not have.
  return Json::parse(R"({"A": "A2", "B": "B2", "C": "C", "D": "C",
    "key": "A2", "important": "B2", "general": "C", "watch": "C"})");
}

std::vector<PolicyDefinition> Build() {
  std::vector<PolicyDefinition> c;
  auto add = [&](std::string key, std::string group, T type, std::string unit, std::string section,
                 Json value, std::optional<int64_t> min, std::optional<int64_t> max,
                 std::string zh, std::string en, std::vector<std::string> options = {}) {
    c.push_back(PolicyDefinition{std::move(key), std::move(group), type, std::move(unit),
                                 std::move(section), std::move(value), min, max,
                                 std::move(options), std::move(zh), std::move(en)});
  };

  // Company
  add("company.time_zone", "company", T::kEnum, "", "architecture: company calendar",
      "Asia/Shanghai", {}, {}, "公司时区", "Company time zone",
      {"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo",
       "Asia/Seoul", "UTC"});
  add("company.currency", "company", T::kEnum, "", "§9", "CNY", {}, {}, "记账币种",
      "Accounting currency", {"CNY", "USD", "EUR", "HKD"});

  // Authentication (platform)
  add("auth.lockout_threshold", "auth", T::kInteger, "times", "product default", 5, 3, 20,
      "连续登录失败锁定次数", "Failed logins before lock-out");
  add("auth.lockout_minutes", "auth", T::kInteger, "minutes", "product default", 15, 1, 1440,
      "账户锁定时长", "Lock-out duration");
  add("auth.session_idle_minutes", "auth", T::kInteger, "minutes", "product default", 720, 5,
      10080, "会话空闲超时", "Session idle timeout");
  add("auth.session_absolute_hours", "auth", T::kInteger, "hours", "product default", 168, 1,
      2160, "会话最长有效期", "Session maximum lifetime");

  // §2 Customers
  add("customers.grading_rule_set", "customers", T::kEnum, "", "§2.1", "horizon", {}, {},
      "客户分级规则", "Customer grading rule set", {"horizon", "abcd"});
  add("customers.horizon_key_months", "customers", T::kInteger, "months", "§2.1", 1, 0, 24,
      "关键客户：预计决策月数以内", "Key customer: decision within months");
  add("customers.horizon_important_months", "customers", T::kInteger, "months", "§2.1", 3, 0, 24,
      "重要客户：预计决策月数以内", "Important customer: decision within months");
  add("customers.horizon_general_months", "customers", T::kInteger, "months", "§2.1", 6, 0, 36,
      "一般客户：预计决策月数以内", "General customer: decision within months");
  add("customers.pool_reclaim_days", "customers", T::kInteger, "days", "§2.2 (N: product default)",
      30, 1, 3650, "无跟进退回公海天数", "Days without follow-up before return to pool");
  add("customers.pool_claim_limit_per_day", "customers", T::kInteger, "customers",
      "§2.2 (product default)", 5, 0, 1000, "每日公海领取上限", "Pool claims per rep per day");
  add("customers.max_held_per_rep", "customers", T::kInteger, "customers", "product default", 300,
      1, 1000000, "每人最多持有客户数", "Customers held per rep at most");
  add("customers.pool_reclaim_cooldown_days", "customers", T::kInteger, "days", "product default",
      7, 0, 365, "原负责人重新领取冷却天数", "Cool-down before the previous owner reclaims");
  add("customers.attachment_max_bytes", "customers", T::kInteger, "bytes", "§2 (product default)",
      10 * 1024 * 1024, 1024, 20 * 1024 * 1024, "客户附件大小上限", "Largest customer attachment");
  add("customers.attachments_per_customer", "customers", T::kInteger, "files", "§2 (product default)", 50,
      1, 500, "每个客户附件数上限", "Attachments per customer at most");
  add("customers.deleted_attachment_retention_days", "customers", T::kInteger, "days", "§2 (product default)",
      30, 0, 3650, "已删除附件文件保留天数", "Days a deleted attachment's file is kept");

  // §3 Visits
  add("visits.frequency_same_city_months", "visits", T::kInteger, "months", "§3.1 [003 2.3]", 1,
      1, 24, "同城客户拜访周期", "Visit interval, same city");
  add("visits.frequency_same_province_months", "visits", T::kInteger, "months", "§3.1 [003 2.3]",
      3, 1, 24, "同省客户拜访周期", "Visit interval, same province");
  add("visits.frequency_other_region_months", "visits", T::kInteger, "months", "§3.1 [003 2.3]",
      6, 1, 36, "外省客户拜访周期", "Visit interval, other regions");
  add("visits.plan_submit_days_before_month_end", "visits", T::kInteger, "days", "§3.2", 0, 0, 20,
      "月度拜访计划提交截止（月末前天数）", "Monthly plan due (days before month end)");
  add("visits.application_required", "visits", T::kBoolean, "", "§3.3 [第7条 2]", true, {}, {},
      "外出拜访须先申请并报备", "Field visits need an approved, registered application");
  add("visits.application_deadline_time_day_before", "visits", T::kTime, "", "§3.3 [第7条 2]",
      "18:00", {}, {}, "不回公司时前一天申请截止时间", "Application cut-off on the day before");
  add("visits.unapproved_visit_is_absence", "visits", T::kBoolean, "", "§3.3 [第7条 注]", true,
      {}, {}, "未经批准报备外出按旷工处理", "Unapproved field visit counts as absence");
  add("visits.manager_visit_needs_gm", "visits", T::kBoolean, "", "§3.3 [第7条 3]", true, {}, {},
      "经理拜访须总经理批准", "A manager's visit needs the GM's approval");
  add("visits.geofence_radius_m", "visits", T::kInteger, "m", "§3.4 (product default)", 500, 50,
      20000, "签到地理围栏半径", "Check-in geofence radius");
  add("visits.checkin_max_accuracy_m", "visits", T::kInteger, "m", "§3.4 (product default)", 200,
      10, 5000, "签到定位精度要求", "Required check-in accuracy");
  add("visits.checkin_max_speed_kmh", "visits", T::kInteger, "km/h", "§3.4 (product default)", 120,
      10, 1000, "连续签到合理最高速度", "Plausible speed between check-ins");
  add("visits.checkin_max_clock_skew_minutes", "visits", T::kInteger, "minutes",
      "§3.4 (product default)", 10, 1, 1440, "设备时间允许偏差", "Allowed device clock skew");
  add("visits.checkin_offline_max_age_hours", "visits", T::kInteger, "hours",
      "§3.4 (product default)", 72, 1, 720, "离线签到最长延迟", "Offline check-in accepted unflagged within");
  add("visits.checkin_photo_max_kb", "visits", T::kInteger, "KB", "§3.4 (product default)", 512, 16,
      700, "签到照片大小上限", "Check-in photo size limit");
  add("visits.pin_from_check_in", "visits", T::kBoolean, "", "§3.4 (product default)", true, {}, {},
      "可用签到位置补录客户坐标", "A rep may pin an unpinned customer from a check-in");
  add("visits.pin_max_accuracy_m", "visits", T::kInteger, "m", "§3.4 (product default)", 50, 5, 1000,
      "补录客户坐标的定位精度要求", "Accuracy needed to pin a customer from a check-in");
  add("visits.report_due_days", "visits", T::kInteger, "days", "§3.5 [003 4.1]", 2, 0, 30,
      "拜访报告提交期限", "Visit report due within");
  add("visits.daily_report_due_time", "visits", T::kTime, "", "§3.4 [第7条 4]", "23:59", {}, {},
      "日报提交截止时间", "Daily report due by");
  add("visits.morning_note_due_time", "visits", T::kTime, "", "§3.4 [000 §2 一]", "09:30", {}, {},
      "早间行程报告截止时间", "Morning whereabouts note due by");
  add("visits.weekly_summary_due_weekday", "visits", T::kInteger, "weekday (1=Mon)",
      "§10 [000 §2 四]", 6, 1, 7, "周总结提交日", "Weekly summary due on weekday");
  add("visits.monthly_report_due_days_after_month_end", "visits", T::kInteger, "days",
      "§3.6 reporting cadence (product default)", 1, 0, 15, "月报提交期限（月末后天数）",
      "Monthly report due days after month end");
  add("visits.quarterly_summary_due_days_after_end", "visits", T::kInteger, "days",
      "§10 reporting cadence [001 §1] (product default)", 5, 0, 31, "季度总结提交期限（季末后天数）",
      "Quarterly summary due days after quarter end");
  add("visits.half_year_summary_due_days_after_end", "visits", T::kInteger, "days",
      "§10 reporting cadence [001 §1] (product default)", 7, 0, 31, "半年总结提交期限（半年末后天数）",
      "Half-year summary due days after the half's end");
  add("visits.annual_summary_due_days_after_end", "visits", T::kInteger, "days",
      "§10 reporting cadence [001 §1] (product default)", 10, 0, 31, "年度总结提交期限（年末后天数）",
      "Annual summary due days after year end");
  add("visits.route_weeks_by_grade", "visits", T::kJson, "", "§3.6 [003 (三) 1]", RouteWeeks(),
      {}, {}, "按客户等级安排拜访周次", "Visit week by customer grade");
  // §3.1 [003 2.3] counts 本市 / 本省 / 其它地区 from the company's seat; empty = not set,
  // then every customer counts as same city (the strictest norm, R-VISIT-2).
  add("visits.home_province", "visits", T::kString, "", "§3.1 [003 2.3] (company's seat)", "", {},
      {}, "公司所在省份（本省）", "Company's home province");
  add("visits.home_city", "visits", T::kString, "", "§3.1 [003 2.3] (company's seat)", "", {}, {},
      "公司所在城市（本市）", "Company's home city");
  add("visits.grade_frequency_rows", "visits", T::kJson, "", "§3.1, §8 (product default)",
      GradeFrequencyRows(), {}, {}, "客户等级对应回访频率表行", "Callback-table row per customer grade");
  add("visits.norms_due_window_days", "visits", T::kInteger, "days", "§3.1 (product default)", 7,
      0, 90, "拜访提醒提前天数", "Visits shown as due this many days ahead");

  // Approvals and notifications (platform; docs/modules/platform.md R-APPR-n, R-NOTIF-n)
  add("approvals.delegation_max_days", "approvals", T::kInteger, "days", "§1 (product default)", 90,
      1, 366, "审批委托最长天数", "Approval delegation lasts at most");
  add("approvals.comment_required_on_reject", "approvals", T::kBoolean, "",
      "§3.2 (return with comments; product default)", true, {}, {}, "驳回或退回须填写意见",
      "A comment is required to reject or return");
  add("notifications.webhook_max_attempts", "notifications", T::kInteger, "attempts",
      "product default", 5, 1, 20, "Webhook 最多投递次数", "Webhook delivery attempts at most");
  add("notifications.webhook_backoff_base_seconds", "notifications", T::kInteger, "seconds",
      "product default", 30, 1, 3600, "Webhook 重试初始间隔（之后每次加倍）",
      "Webhook retry: first back-off (doubles each time)");
  add("notifications.webhook_backoff_max_seconds", "notifications", T::kInteger, "seconds",
      "product default", 3600, 1, 86400, "Webhook 重试最长间隔", "Webhook retry: longest back-off");
  // Reminders (issue #4 item 11; src/modules/fieldreports/README.md R-REMIND-n) and the
  // language of webhook messages (R-NOTIF-8).
  add("reminders.daily_report_minutes_before", "notifications", T::kInteger, "minutes",
      "§3.4 [第7条 4] (daily report by end of day; product default)", 60, 0, 720,
      "日报截止前提醒（分钟，0 为不提醒）", "Remind reps this many minutes before the daily report is due (0 = off)");
  add("reminders.summary_hours_before", "notifications", T::kInteger, "hours",
      "§10 reporting cadence [000 §2 四] (product default)", 24, 0, 168,
      "周总结至年度总结截止前提醒（小时，0 为不提醒）",
      "Remind reps this many hours before a weekly … annual summary is due (0 = off)");
  add("reminders.followup_overdue", "notifications", T::kBoolean, "", "§3.5 [第10条 1] (product default)", true, {},
      {}, "跟进事项逾期提醒", "Remind the owner when a follow-up item becomes overdue");
  add("reminders.followup_overdue_lookback_days", "notifications", T::kInteger, "days",
      "§3.5 [第10条 1] (product default)", 7, 1, 365, "逾期提醒回溯天数",
      "Overdue reminders only for items due within the last N days");
  add("notifications.webhook_language", "notifications", T::kEnum, "", "§1 (zh-CN first; product default)",
      "zh-CN", {}, {}, "Webhook 消息语言", "Webhook message language", {"zh-CN", "en"});

  // §5 Quotes
  add("quotes.vat_rate_bp", "quotes", T::kBasisPoints, "bp", "§5", 1700, 0, 10000, "增值税率",
      "VAT rate");
  add("quotes.export_rebate_rate_bp", "quotes", T::kBasisPoints, "bp", "§5", 1300, 0, 10000,
      "出口退税率", "Export VAT rebate rate");
  add("quotes.approval_below_margin_bp", "quotes", T::kBasisPoints, "bp", "§5 (product default)",
      1000, 0, 10000, "低于此毛利率须审批", "Approval needed below margin");

  // §7 Complaints and suggestions
  add("complaints.first_response_hours", "complaints", T::kInteger, "hours", "§7 [001 §3 7]", 24,
      1, 720, "投诉首次响应时限", "First response to a complaint within");
  add("complaints.inquiry_answer_hours", "complaints", T::kInteger, "hours", "§7", 24, 1, 720,
      "咨询答复时限", "Inquiry answered within");
  add("complaints.product_visit_working_days", "complaints", T::kInteger, "working days", "§7", 2,
      0, 30, "产品投诉上门调查时限", "Product complaint: visit within");
  add("suggestions.answer_days", "complaints", T::kInteger, "days", "§7.1", 14, 1, 365,
      "客户提案答复期限", "Customer suggestion answered within");
  add("suggestions.saving_share_customer_bp", "complaints", T::kBasisPoints, "bp", "§7.1", 6000, 0,
      10000, "提案节约分成（客户）", "Customer's share of a suggestion's saving");
  add("suggestions.saving_share_months", "complaints", T::kInteger, "months", "§7.1", 12, 0, 120,
      "提案节约分成期限", "Saving shared for months");
  add("surveys.interval_months", "complaints", T::kInteger, "months", "§7.2", 12, 1, 60,
      "满意度调查周期", "Satisfaction survey interval");

  // §8 Callbacks
  add("callbacks.frequency_by_grade", "callbacks", T::kJson, "", "§8 [大客户拜访管理制度]",
      CallbackTable(), {}, {}, "按等级回访频率", "Callback frequency by grade");
  add("callbacks.cs_weekly_minimum", "callbacks", T::kInteger, "customers", "§8", 18, 0, 1000,
      "客服每周最少回访客户数", "Callbacks per CS agent per week at least");
  add("callbacks.same_day_close", "callbacks", T::kBoolean, "", "§8 (日清日结)", true, {}, {},
      "回访日清日结", "Close each day's callbacks the same day");
  add("callbacks.weekly_summary_weekday", "callbacks", T::kInteger, "weekday (1=Mon)", "§8", 6, 1,
      7, "客服周总结提交日", "CS weekly summary due on weekday");
  add("callbacks.payment_reminder_days_before", "callbacks", T::kInteger, "days", "§8", 3, 0, 60,
      "合同付款到期前提醒天数", "Payment reminder days before due");

  // §9 Money
  add("money.handover_same_day", "money", T::kBoolean, "", "§9 [000 §1 四]", true, {}, {},
      "收款当日交财务", "Collected money handed over the same day");
  add("money.late_handover_fine_bp", "money", T::kBasisPoints, "bp", "§9 [000 §1 四 2]", 10, 0,
      10000, "延迟交款罚款比例（1‰ = 10bp）", "Late handover fine (1‰ = 10 bp)");
  add("money.misuse_small_threshold", "money", T::kMoney, "fen", "§9 [四 3]", 50000, 0, {},
      "挪用小额上限", "Misuse: small amount below");
  add("money.misuse_small_fine", "money", T::kMoney, "fen", "§9 [四 3]", 10000, 0, {},
      "挪用小额每次罚款", "Misuse: fine per time, small amount");
  add("money.misuse_authorities_threshold", "money", T::kMoney, "fen", "§9 [四 3]", 202500, 0, {},
      "挪用移交司法机关金额", "Misuse: handed to the authorities above");
  add("money.misuse_middle_fine", "money", T::kMoney, "fen", "§9 (500–2025 left open: product default)",
      50000, 0, {}, "挪用中等金额每次罚款", "Misuse: fine per time, middle amount");

  // §10 Performance
  add("performance.quota_stores_probation", "performance", T::kInteger, "stores/month",
      "§10 [000 §1 四 4]", 2, 0, 1000, "试用期每月开发门店数", "Stores to develop per month, probation");
  add("performance.quota_stores_regular", "performance", T::kInteger, "stores/month",
      "§10 [000 §1 四 4]", 4, 0, 1000, "正式员工每月开发门店数", "Stores to develop per month, regular");
  add("performance.quota_shortfall_fine", "performance", T::kMoney, "fen", "§10 [000 §1 四 4]",
      20000, 0, {}, "每少一家扣款", "Fine per store short");
  add("performance.quota_excess_reward", "performance", T::kMoney, "fen", "§10 [000 §1 四 4]",
      20000, 0, {}, "每多一家奖励", "Reward per store over");
  add("performance.conduct_repeat_fine", "performance", T::kMoney, "fen", "§10 [三 2–5]", 10000, 0,
      {}, "违规再犯每次罚款", "Conduct breach fine per repeat");
  add("performance.points_month_no_error", "performance", T::kInteger, "points", "§10 [003 06-25 六]",
      100, -10000, 10000, "当月无差错加分", "Points for a month with no error");
  add("performance.points_unreported_problem", "performance", T::kInteger, "points",
      "§10 [003 06-25 六]", -20, -10000, 10000, "越权问题未上报扣分", "Points per unreported problem");
  add("performance.points_rule_breach", "performance", T::kInteger, "points", "§10 [003 06-25 六]",
      -10, -10000, 10000, "违反制度扣分", "Points per rule breached");
  add("performance.manager_points_no_error", "performance", T::kInteger, "points",
      "§10 [003 06-25 六]", 30, -10000, 10000, "主管连带加分", "Manager points, team month with no error");
  add("performance.manager_points_penalty", "performance", T::kInteger, "points",
      "§10 [003 06-25 六]", -2, -10000, 10000, "主管连带扣分", "Manager points per team breach");
  return c;
}

}  // namespace

const std::vector<PolicyDefinition>& PolicyCatalogue() {
  static const std::vector<PolicyDefinition> catalogue = Build();
  return catalogue;
}

const PolicyDefinition* FindPolicy(std::string_view key) {
  const auto& catalogue = PolicyCatalogue();
  auto found = std::find_if(catalogue.begin(), catalogue.end(),
                            [&](const PolicyDefinition& d) { return d.key == key; });
  return found == catalogue.end() ? nullptr : &*found;
}

}  // namespace tuoke::platform
