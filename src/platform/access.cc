#include "platform/access.h"

#include <algorithm>

namespace tuoke::platform {

std::string_view ScopeName(Scope scope) {
  switch (scope) {
    case Scope::kOwn: return "own";
    case Scope::kTeam: return "team";
    case Scope::kAll: return "all";
  }
  return "own";
}

std::optional<Scope> ParseScope(std::string_view name) {
  if (name == "own") return Scope::kOwn;
  if (name == "team") return Scope::kTeam;
  if (name == "all") return Scope::kAll;
  return std::nullopt;
}

const std::vector<PermissionInfo>& PermissionCatalogue() {
  static const std::vector<PermissionInfo> catalogue = {
      {"org.read", "org", false},         {"org.manage", "org", false},
      {"users.read", "users", true},      {"users.manage", "users", true},
      {"roles.read", "roles", false},     {"roles.manage", "roles", false},
      {"policies.read", "policies", false}, {"policies.manage", "policies", false},
      {"audit.read", "audit", false},
      {"customers.read", "customers", true}, {"customers.write", "customers", true},
      {"customers.assign", "customers", true},
      {"visits.read", "visits", true},       {"visits.write", "visits", true},
      {"visits.review", "visits", true},
      {"approvals.register", "approvals", false}, {"webhooks.manage", "webhooks", false},
      {"routines.manage", "routines", true},  {"intel.read", "intel", true},
      {"intel.write", "intel", true},
  };
  return catalogue;
}

const PermissionInfo* FindPermission(std::string_view key) {
  for (const auto& info : PermissionCatalogue())
    if (info.key == key) return &info;
  return nullptr;
}

bool IsKnownPermission(std::string_view key) { return FindPermission(key) != nullptr; }

const std::vector<std::string>& AllRoles() {
  static const std::vector<std::string> roles = {"rep",     "sales_manager",    "general_manager",
                                                 "sales_assistant", "finance", "customer_service",
                                                 "admin"};
  return roles;
}

bool IsKnownRole(std::string_view role) {
  const auto& roles = AllRoles();
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::optional<Scope> Caller::ScopeFor(std::string_view permission) const {
  auto found = grants.find(permission);
  if (found == grants.end()) return std::nullopt;
  return found->second;
}

Scope Require(const Caller& caller, std::string_view permission) {
  auto scope = caller.ScopeFor(permission);
  if (!scope)
    throw Error(ErrorKind::kForbidden, "access.denied",
                "permission " + std::string(permission) + " is required",
                {{"permission", permission}});
  return *scope;
}

bool InScope(const Caller& caller, Scope scope, int64_t owner_user_id,
             std::string_view owner_unit_path) {
  switch (scope) {
    case Scope::kAll: return true;
    case Scope::kTeam:
      if (owner_user_id == caller.user_id) return true;
      return !caller.unit_path.empty() && owner_unit_path.substr(0, caller.unit_path.size()) ==
                                              caller.unit_path;
    case Scope::kOwn: return owner_user_id == caller.user_id;
  }
  return false;
}

std::map<std::string, Scope, std::less<>> LoadGrants(storage::Connection& connection,
                                                      const std::vector<std::string>& roles) {
  static const storage::Sql kGrants{"access.grants_for_role",
                                    "SELECT permission, scope FROM role_grants WHERE role = ?"};
  std::map<std::string, Scope, std::less<>> grants;
  for (const auto& role : roles) {
    for (const auto& row : connection.Query(kGrants, {role}).rows) {
      auto scope = ParseScope(row.Text(1)).value_or(Scope::kOwn);
      auto [it, inserted] = grants.emplace(row.Text(0), scope);
      if (!inserted && scope > it->second) it->second = scope;
    }
  }
  return grants;
}

Json MenuFor(const Caller& caller) {
  struct Item {
    const char* key;
    const char* path;
    const char* icon;
    const char* permission;  // nullptr: everyone
  };
  static const Item kItems[] = {
      {"dashboard", "/", "House", nullptr},
      {"customers", "/customers", "Avatar", "customers.read"},
      {"pool", "/customers/pool", "Collection", "customers.read"},
      // Visit loop (issue #4): the rep's field screens, then the manager's; approvals and
      // notifications for everyone (deciding needs no permission, only being the approver).
      {"today", "/field/today", "Position", "visits.write"},
      {"followUps", "/field/follow-ups", "Finished", "visits.read"},
      {"dailyReport", "/reports/daily", "EditPen", "visits.write"},
      {"visitPlans", "/field/plans", "Calendar", "visits.write"},
      {"visitApplications", "/field/applications", "Promotion", "visits.write"},
      {"teamDay", "/field/team-day", "Location", "visits.review"},
      {"teamCalendar", "/field/team-calendar", "Memo", "visits.review"},
      {"planProgress", "/field/progress", "TrendCharts", "visits.review"},
      {"overdue", "/field/overdue", "Warning", "visits.review"},
      {"dailyReview", "/reports/review", "DocumentChecked", "visits.review"},
      {"routines", "/reports/routines", "Checked", "visits.read"},
      {"marketIntel", "/reports/intel", "DataLine", "intel.read"},
      {"summaries", "/reports/summaries", "Files", "visits.read"},
      {"competitors", "/reports/competitors", "DataAnalysis", "intel.read"},
      {"approvals", "/approvals", "Stamp", nullptr},
      {"notifications", "/notifications", "Bell", nullptr},
      {"units", "/org/units", "OfficeBuilding", "org.read"},
      {"users", "/org/users", "User", "users.read"},
      {"roles", "/org/roles", "Lock", "roles.read"},
      {"policies", "/settings/policies", "Setting", "policies.read"},
      {"audit", "/settings/audit", "Document", "audit.read"},
      {"webhooks", "/settings/webhooks", "Link", "webhooks.manage"},
  };
  Json menu = Json::array();
  for (const auto& item : kItems)
    if (!item.permission || caller.Has(item.permission))
      menu.push_back({{"key", item.key}, {"path", item.path}, {"icon", item.icon}});
  return menu;
}

Json GrantsJson(const Caller& caller) {
  Json grants = Json::object();
  for (const auto& [permission, scope] : caller.grants) grants[permission] = ScopeName(scope);
  return grants;
}

}  // namespace tuoke::platform
