// Organisation: the unit tree (company → departments → teams) and the users in it,
// with roles, managers, employment status and the history of team moves.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/json_util.h"
#include "core/time.h"
#include "platform/access.h"
#include "platform/audit.h"
#include "platform/policy.h"
#include "storage/database.h"

namespace tuoke::platform {

struct NewUser {
  std::string username;
  std::string name;
  std::string phone;
  std::optional<std::string> email;
  std::vector<std::string> roles;
  int64_t unit_id = 0;
  std::optional<int64_t> manager_id;
  std::string employment_status = "regular";
  std::optional<std::string> hired_on;
  std::optional<std::string> regular_on;
  std::string password;
  bool must_change_password = false;
};

struct UserFilter {
  std::optional<std::string> query;
  std::optional<int64_t> unit_id;  // the unit's whole subtree
  std::optional<std::string> role;
  std::optional<bool> active;
  int limit = 50;
  std::optional<int64_t> after_id;  // cursor
};

class OrgService {
 public:
  OrgService(storage::Database& database, const Clock& clock) : database_(database), clock_(clock) {}

  // Called after every committed change that can alter what a signed-in user may do
  // (roles, unit, activity, password), so cached sessions are dropped.
  void SetAccessChangedHook(std::function<void()> hook) { access_changed_ = std::move(hook); }

  // Units (org.read / org.manage).
  Json ListUnits(const Caller& caller);
  Json CreateUnit(const Caller& caller, const Json& body);
  Json UpdateUnit(const Caller& caller, int64_t unit_id, const Json& body);

  // Users (users.read scoped / users.manage scoped). Users outside the caller's scope
  // are reported as users.not_found.
  // Both answer JSON text: {"items":[User…],"nextCursor":…} and one User.
  std::string ListUsers(const Caller& caller, const UserFilter& filter);
  std::string GetUser(const Caller& caller, int64_t user_id);
  Json CreateUser(const Caller& caller, const Json& body);
  Json UpdateUser(const Caller& caller, int64_t user_id, const Json& body);
  Json MoveUser(const Caller& caller, int64_t user_id, const Json& body);
  Json UnitHistory(const Caller& caller, int64_t user_id);
  void ResetPassword(const Caller& caller, int64_t user_id, const Json& body);
  Json SetActive(const Caller& caller, int64_t user_id, bool active);
  Json Unlock(const Caller& caller, int64_t user_id);

  // The user as the API shows it, with no access check (for /auth/me).
  Json UserJson(int64_t user_id);

  // Used by the CLI and demo seeding: no caller, the actor is recorded as given.
  int64_t CreateRootUnit(const std::string& company_name, const Actor& actor);
  int64_t CreateUnitAs(const Actor& actor, int64_t parent_id, const std::string& name,
                       const std::string& kind, std::optional<int64_t> manager_id);
  void SetUnitManagerAs(const Actor& actor, int64_t unit_id, int64_t manager_id);
  int64_t CreateUserAs(const Actor& actor, const NewUser& user);
  void ResetPasswordAs(const Actor& actor, int64_t user_id, const std::string& password,
                       bool must_change);
  void SetActiveAs(const Actor& actor, int64_t user_id, bool active);
  std::optional<int64_t> FindUserId(const std::string& login);
  std::optional<int64_t> RootUnitId();

 private:
  Json ReadUser(storage::Connection& connection, int64_t user_id);
  // Loads the user and checks the caller may see (permission) it; throws not_found.
  Json VisibleUser(storage::Connection& connection, const Caller& caller, int64_t user_id,
                   std::string_view permission);
  Json ReadUnit(storage::Connection& connection, int64_t unit_id);
  void ValidateNewUser(storage::Connection& connection, const NewUser& user,
                       FieldErrors& errors, std::optional<int64_t> existing_id);

  void AccessChanged() const {
    if (access_changed_) access_changed_();
  }

  storage::Database& database_;
  const Clock& clock_;
  std::function<void()> access_changed_;
};

}  // namespace tuoke::platform
