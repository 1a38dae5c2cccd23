#include "modules/visits/visit_demo.h"

#include "modules/visits/field_routes.h"
#include "platform/demo_seed.h"

namespace tuoke::visits {
namespace {

using namespace std::chrono_literals;

std::string Customer(customers::CustomerService& customers, const platform::Caller& owner, const std::string& name,
                     const std::string& address, std::optional<std::pair<double, double>> pin) {
  Json body = {{"name", name}, {"type", "distributor"}, {"status", "active"}, {"province", "浙江"},
               {"city", "杭州"}, {"address", address}, {"acknowledgeDuplicates", true}};
  if (pin) body["location"] = {{"lat", pin->first}, {"lng", pin->second}};
  return Json::parse(customers.Create(owner, body))["id"].get<std::string>();
}

Json CheckIn(FieldServices& field, const platform::Caller& rep, const std::string& client_id, const Json& fields,
             const Clock& clock) {
  Json body = {{"clientId", client_id}, {"kind", "in"}, {"accuracyM", 18},
               {"capturedAt", FormatInstant(clock.Now() - 2s)}};
  body.update(fields);
  return Json::parse(field.check_ins.Record(rep, body).json);
}

}  // namespace

void SeedFieldDemo(storage::Database& database, platform::PolicyService& policies,
                   customers::CustomerService& customers, const Clock& clock) {
  platform::Caller rep1 = platform::DemoCaller(database, "rep1"), rep2 = platform::DemoCaller(database, "rep2");
  platform::Caller mgr1 = platform::DemoCaller(database, "mgr1");
  std::string qinghe = Customer(customers, rep1, "杭州青禾建材", "西湖区文三路 90 号",
                                std::pair{kDemoCustomerLatitude, kDemoCustomerLongitude});
  std::string yuanhang = Customer(customers, rep1, "杭州远航商贸", "拱墅区湖墅南路 208 号", std::pair{30.2905, 120.1560});
  std::string lvyuan = Customer(customers, rep1, "杭州绿源家居", "滨江区江南大道 3688 号", std::pair{30.2084, 120.2119});
  Customer(customers, rep1, "杭州新锐装饰", "余杭区（未定位）", std::nullopt);
  std::string dongfang = Customer(customers, rep2, "杭州东方建材", "上城区解放路 58 号", std::pair{30.2560, 120.1760});

  // Yesterday, as the phone would have sent it then: services on a clock of yesterday.
  Date today = policies.Today();
  std::string time_zone = policies.TimeZone();
  FakeClock yesterday_clock(StartOfBusinessDate(AddDays(today, -1), time_zone) + 9h + 30min);
  FieldServices yesterday(FieldContext{database, policies, customers, yesterday_clock, {}, {}, nullptr});
  Json visit_check_in = CheckIn(yesterday, rep1, "demo-rep1-y1",
                                {{"customerId", qinghe}, {"lat", kDemoCustomerLatitude + 0.0006},
                                 {"lng", kDemoCustomerLongitude}}, yesterday_clock);
  yesterday_clock.Advance(50min);
  CheckIn(yesterday, rep1, "demo-rep1-y2",
          {{"kind", "out"}, {"customerId", qinghe}, {"lat", kDemoCustomerLatitude + 0.0005},
           {"lng", kDemoCustomerLongitude}}, yesterday_clock);
  int64_t visit_id = *ParseId(visit_check_in["visitId"].get<std::string>());
  yesterday_clock.Advance(5h);
  yesterday.visits.SubmitReport(
      rep1, visit_id,
      {{"purposes", {"relationship", "new_product"}},
       {"targets", {{"sales", "新品试销 50 箱"}, {"administrative", "对账 10 月货款"}}},
       {"results", "店主同意试销新品，下周下单"},
       {"distributorCheck", {{"prices", "零售价稳定"}, {"stock", "我司产品库存约 30 箱，快销两款缺货"},
                             {"accounts", {{"creditLimitFen", 5000000}, {"receivableFen", 1250000}}}}},
       {"objections", {{{"text", "进价比竞品高 5%"}, {"category", "price"}, {"outcome", "resolved"}}}},
       {"promises", {{{"title", "寄送新品样品"}, {"dueOn", FormatDate(today)}},
                     {{"title", "发送 12 月促销政策"}, {"dueOn", FormatDate(AddDays(today, 3))}}}}});
  yesterday.visits.Review(mgr1, visit_id, {{"comment", "跟进样品，周五前确认订单"}});
  yesterday_clock.Advance(1h);
  // A second visit yesterday checked in outside the radius, report still to write.
  CheckIn(yesterday, rep1, "demo-rep1-y3",
          {{"customerId", lvyuan}, {"lat", 30.2200}, {"lng", 120.2119}}, yesterday_clock);

  // Today: rep1 at the office, then at a customer; rep2 at a customer.
  FakeClock today_clock(clock.Now() - 90min);
  FieldServices field(FieldContext{database, policies, customers, today_clock, {}, {}, nullptr});
  CheckIn(field, rep1, "demo-rep1-t1", {{"place", "office"}, {"lat", 30.2669}, {"lng", 120.1530}}, today_clock);
  today_clock.Set(clock.Now());
  CheckIn(field, rep1, "demo-rep1-t2",
          {{"customerId", yuanhang}, {"lat", 30.2908}, {"lng", 120.1562}, {"accuracyM", 35}}, today_clock);
  CheckIn(field, rep2, "demo-rep2-t1", {{"customerId", dongfang}, {"lat", 30.2563}, {"lng", 120.1757}},
          today_clock);
  field.follow_ups.Create(rep1, {{"customerId", yuanhang}, {"title", "报价单发给采购经理"},
                                 {"dueOn", FormatDate(AddDays(today, 1))}});
}

}  // namespace tuoke::visits
