// Demo company for `tuoke seed-demo` and `make run`: a general manager, two sales
// managers with teams, six reps (two on probation), an assistant, finance, customer
// service and an admin. Every demo login uses kDemoPassword.
#pragma once

#include <string>
#include <vector>

#include "platform/access.h"
#include "platform/org.h"
#include "storage/database.h"

namespace tuoke::platform {

inline constexpr const char* kDemoPassword = "tuoke2026";

struct DemoLogin {
  std::string username;
  std::string name;
  std::string phone;
  std::string role;
};

// Seeds the demo company into an empty database. Throws org.company_exists otherwise.
std::vector<DemoLogin> SeedDemo(OrgService& org);

// A demo user as a signed-in caller (roles, grants, unit as a session would have them), so
// the modules' demo seeds go through their services. Throws users.not_found when missing.
Caller DemoCaller(storage::Database& database, const std::string& username);

}  // namespace tuoke::platform
