#include "modules/visits/plan_demo.h"

#include "modules/visits/visit_rules.h"
#include "platform/demo_seed.h"

namespace tuoke::visits {
void SeedPlanDemo(storage::Database& database, platform::PolicyService& policies, PlanServices& plans,
                  platform::ApprovalService& approvals) {
  static const storage::Sql kCustomersOf{"visits.plan_demo_customers",
                                         "SELECT id FROM customers WHERE owner_id = ? AND merged_into_id IS NULL "
                                         "ORDER BY id LIMIT 4"};
  platform::Caller rep1 = platform::DemoCaller(database, "rep1"), mgr1 = platform::DemoCaller(database, "mgr1");
  std::vector<std::string> customers;
  for (const auto& row : database.Acquire()->Query(kCustomersOf, {rep1.user_id}).rows)
    customers.push_back(IdString(row.Int(0)));
  if (customers.empty()) return;  // nothing to plan without the field demo's customers

  // The current month's plan (drafted late, as a demo made mid-month must be): every
  // customer twice, on the 3rd/17th, 10th/24th … of the month.
  Date today = policies.Today();
  Month month = MonthOf(today);
  Json items = Json::array();
  static const std::vector<std::string> kPurposes[] = {{"relationship"}, {"new_product", "coverage"},
                                                       {"market_research"}, {"competitor_intel"}};
  for (size_t index = 0; index < customers.size(); ++index)
    for (unsigned day : {3u + 7u * static_cast<unsigned>(index % 2), 17u + 7u * static_cast<unsigned>(index % 2)})
      items.push_back({{"customerId", customers[index]},
                       {"date", FormatDate(Date{month.year, month.month, std::min(day + static_cast<unsigned>(index / 2), month.Last().day)})},
                       {"purposes", kPurposes[index % 4]}});
  Json plan = plans.plans.Create(rep1, {{"month", FormatMonth(month)},
                                        {"items", items},
                                        {"targets", {{"salesTargetFen", "30000000"}, {"adminTargets", "回收 10 月货款；传达新价格政策"}}}});
  Json submitted = plans.plans.Submit(rep1, *ParseId(plan["id"].get<std::string>()));
  approvals.Decide(mgr1, *ParseId(submitted["approvalId"].get<std::string>()), "approve", {{"comment", "同意，注意月底回款"}});

  // Tomorrow's trip, waiting for the manager.
  Json application = plans.applications.Create(
      rep1, {{"visitDate", FormatDate(ShiftDays(today, 1))},
             {"customerIds", {customers.front()}},
             {"purposes", {"relationship", "new_product"}},
             {"notes", "新品推介，带样品"},
             {"expenses",
              {{{"category", "samples"}, {"description", "新品样品 2 箱"}, {"amount", {{"amount", "36000"}, {"currency", "CNY"}}}},
               {{"category", "meal"}, {"description", "午餐招待"}, {"amount", {{"amount", "30000"}, {"currency", "CNY"}}}}}}});
  plans.applications.Submit(rep1, *ParseId(application["id"].get<std::string>()));
}

}  // namespace tuoke::visits
