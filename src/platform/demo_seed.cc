#include "platform/demo_seed.h"

namespace tuoke::platform {

std::vector<DemoLogin> SeedDemo(OrgService& org) {
  Actor actor = Actor::System("seed-demo");
  int64_t company = org.CreateRootUnit("拓客示范有限公司", actor);
  int64_t sales = org.CreateUnitAs(actor, company, "销售部", "department", std::nullopt);
  int64_t east = org.CreateUnitAs(actor, sales, "华东一组", "team", std::nullopt);
  int64_t south = org.CreateUnitAs(actor, sales, "华南组", "team", std::nullopt);
  int64_t office = org.CreateUnitAs(actor, company, "综合管理部", "department", std::nullopt);
  int64_t finance = org.CreateUnitAs(actor, company, "财务部", "department", std::nullopt);
  int64_t service = org.CreateUnitAs(actor, company, "客服部", "department", std::nullopt);

  std::vector<DemoLogin> logins;
  int phone_suffix = 0;
  auto add = [&](const std::string& username, const std::string& name, const std::string& role,
                 int64_t unit, std::optional<int64_t> manager, const std::string& status,
                 const std::string& hired_on) {
    NewUser user;
    user.username = username;
    user.name = name;
    char phone[16];
    std::snprintf(phone, sizeof phone, "138%08d", phone_suffix++);
    user.phone = phone;
    user.email = username + "@demo.tuoke.example";
    user.roles = {role};
    user.unit_id = unit;
    user.manager_id = manager;
    user.employment_status = status;
    user.hired_on = hired_on;
    if (status == "regular") user.regular_on = hired_on.substr(0, 4) == "2026" ? "2026-10-01" : hired_on;
    user.password = kDemoPassword;
    int64_t id = org.CreateUserAs(actor, user);
    logins.push_back({username, name, user.phone, role});
    return id;
  };

  add("admin", "系统管理员", "admin", office, std::nullopt, "regular", "2020-01-06");
  int64_t gm = add("gm", "王总", "general_manager", company, std::nullopt, "regular", "2018-03-01");
  org.SetUnitManagerAs(actor, company, gm);
  org.SetUnitManagerAs(actor, sales, gm);
  int64_t mgr1 = add("mgr1", "李明", "sales_manager", east, gm, "regular", "2019-05-20");
  int64_t mgr2 = add("mgr2", "赵强", "sales_manager", south, gm, "regular", "2020-07-13");
  org.SetUnitManagerAs(actor, east, mgr1);
  org.SetUnitManagerAs(actor, south, mgr2);
  add("rep1", "张伟", "rep", east, mgr1, "regular", "2021-02-22");
  add("rep2", "王芳", "rep", east, mgr1, "regular", "2022-09-05");
  add("rep3", "刘洋", "rep", east, mgr1, "probation", "2026-10-12");
  add("rep4", "陈静", "rep", south, mgr2, "regular", "2021-11-08");
  add("rep5", "杨磊", "rep", south, mgr2, "regular", "2023-04-17");
  add("rep6", "黄婷", "rep", south, mgr2, "probation", "2026-11-02");
  add("assistant", "周敏", "sales_assistant", sales, gm, "regular", "2022-03-14");
  add("finance", "吴刚", "finance", finance, gm, "regular", "2019-08-19");
  add("cs", "孙丽", "customer_service", service, gm, "regular", "2023-06-26");
  return logins;
}

Caller DemoCaller(storage::Database& database, const std::string& username) {
  static const storage::Sql kUser{"demo.caller",
                                  "SELECT u.id, u.name, u.unit_id, o.path FROM users u JOIN org_units o "
                                  "ON o.id = u.unit_id WHERE u.username = ?"};
  static const storage::Sql kRoles{"demo.caller_roles", "SELECT role FROM user_roles WHERE user_id = ? ORDER BY role"};
  auto connection = database.Acquire();
  auto row = connection->QueryOne(kUser, {username});
  if (!row) throw Error(ErrorKind::kNotFound, "users.not_found", "demo user " + username + " is missing");
  Caller caller;
  caller.user_id = row->Int(0);
  caller.name = row->Text(1);
  caller.unit_id = row->Int(2);
  caller.unit_path = row->Text(3);
  for (const auto& role : connection->Query(kRoles, {caller.user_id}).rows) caller.roles.push_back(role.Text(0));
  caller.grants = LoadGrants(*connection, caller.roles);
  caller.request = {"cli", "seed-demo", "tuoke seed-demo"};
  return caller;
}

}  // namespace tuoke::platform
