#include "modules/fieldreports/demo_data.h"

#include <chrono>

#include "modules/fieldreports/competitor_service.h"
#include "modules/fieldreports/daily_report_service.h"
#include "modules/fieldreports/market_intel_service.h"
#include "modules/fieldreports/routine_service.h"
#include "platform/demo_seed.h"

namespace tuoke::fieldreports {
void SeedFieldReportsDemo(storage::Database& database, platform::PolicyService& policies,
                          customers::CustomerService& customers, platform::NotificationService& notifications,
                          const Clock& clock) {
  Date today = BusinessDate(clock.Now(), policies.TimeZone());
  Date yesterday = AddDays(today, -1);
  // Yesterday 18:00 in the company zone: rep1 wrote the report before the due time.
  FakeClock evening(StartOfBusinessDate(yesterday, policies.TimeZone()) + std::chrono::hours(18));
  Notifier notify = [&notifications](storage::Connection& tx, const platform::NotificationInput& input) {
    notifications.Notify(tx, input);
  };
  ReportService reports(database, policies, evening, notify);
  RoutineService routines(database, policies, clock);
  MarketIntelService intel(database, policies, customers, clock);

  platform::Caller gm = platform::DemoCaller(database, "gm");
  platform::Caller rep1 = platform::DemoCaller(database, "rep1"), rep2 = platform::DemoCaller(database, "rep2");
  platform::Caller rep4 = platform::DemoCaller(database, "rep4");

  Json templates = routines.ListTemplates(gm);
  for (const auto& item : templates["items"])
    if (item["period"] == "daily" || item["period"] == "monthly")
      routines.CreateAssignment(gm, {{"templateId", item["id"]}, {"role", "rep"}});

  reports.Submit(rep1, ReportKind::kDay, yesterday,
                 {{"summary", "拜访杭州两家经销商，了解到竞品立邦净味系列降价约 8%；青禾建材本月备货偏少。"},
                  {"problems", "青禾建材对账有一笔 3 月的差额未清，需要财务协助核对。"},
                  {"nextPlan", "上午回访宁波东方五金，下午整理本周报价单。"},
                  {"sections", {{{"title", "竞品动态"}, {"body", "立邦在建材市场做满赠活动，持续到月底。"}}}}});

  std::string observed = FormatDate(yesterday);
  intel.Create(rep1, {{"kind", "competitor_price"}, {"competitor", "立邦"}, {"product", "净味墙面漆 18L"},
                      {"price", {{"amount", "45800"}, {"currency", "CNY"}}}, {"observedOn", observed},
                      {"province", "浙江"}, {"city", "杭州"}, {"tags", {"降价"}},
                      {"description", "经销商零售价由 498 元降到 458 元。"}});
  intel.Create(rep2, {{"kind", "competitor_promotion"}, {"competitor", "多乐士"}, {"observedOn", observed},
                      {"province", "浙江"}, {"city", "宁波"}, {"tags", {"促销"}},
                      {"description", "买两桶送一套滚筒工具，门店海报已张贴。"}});
  intel.Create(rep4, {{"kind", "distributor_stock"}, {"product", "外墙乳胶漆 20L"}, {"quantity", 120},
                      {"quantityUnit", "桶"}, {"observedOn", observed}, {"province", "广东"}, {"city", "佛山"},
                      {"description", "经销商库存约 120 桶，够卖三周。"}});
}

void SeedCompetitorDemo(storage::Database& database, platform::PolicyService& policies,
                        customers::CustomerService& customers, const Clock& clock) {
  // §13: a competitor profile with what it offers one of rep1's customers, beside ours.
  platform::Caller rep1 = platform::DemoCaller(database, "rep1");
  std::string observed = FormatDate(AddDays(BusinessDate(clock.Now(), policies.TimeZone()), -1));
  CompetitorService competitors(database, policies, customers, clock);
  Json profile = competitors.Create(rep1, {{"name", "立邦"},
                                           {"aliases", {"Nippon"}},
                                           {"strength", "品牌知名度高，门店覆盖广，广告投入大。"},
                                           {"weakPoints", "经销商账期短，售后响应慢；工程渠道价格不灵活。"},
                                           {"floor", {{"amount", "42000"}, {"currency", "CNY"}}},
                                           {"floorNote", "净味墙面漆 18L 每桶"},
                                           {"notes", "本季度在杭州、宁波连续降价和满赠。"}});
  customers::CustomerFilter first;
  first.owner_id = rep1.user_id;
  first.limit = 1;
  Json listed = Json::parse(customers.List(rep1, first));
  if (!listed["items"].empty())
    competitors.AddOffer(rep1, *ParseId(profile["id"].get<std::string>()),
                         {{"customerId", listed["items"][0]["id"]},
                          {"product", "净味墙面漆 18L"},
                          {"theirPrice", {{"amount", "45800"}, {"currency", "CNY"}}},
                          {"theirTerms", "月结 30 天，满 50 桶送滚筒工具"},
                          {"ourPrice", {{"amount", "47500"}, {"currency", "CNY"}}},
                          {"ourTerms", "月结 60 天，季度返点 2%"},
                          {"customerVolume", 80},
                          {"volumeUnit", "桶/月"},
                          {"customerNote", "更看重账期和送货速度。"},
                          {"observedOn", observed}});
}

}  // namespace tuoke::fieldreports
