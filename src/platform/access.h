// Access control: a permission catalogue (`module.action`) granted per role, each
// grant with a data scope. Services call Require() first and then filter rows by the
// scope it returns; the UI only hides what the server would refuse anyway.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_util.h"
#include "storage/database.h"

namespace tuoke::platform {

// own: records the caller owns; team: the caller's org-unit subtree; all: everything.
enum class Scope : uint8_t { kOwn = 0, kTeam = 1, kAll = 2 };
std::string_view ScopeName(Scope scope);
std::optional<Scope> ParseScope(std::string_view name);

struct PermissionInfo {
  std::string key;     // "users.read"
  std::string module;  // "users"
  bool scoped;         // whether own/team/all changes what the permission covers
};
const std::vector<PermissionInfo>& PermissionCatalogue();
bool IsKnownPermission(std::string_view key);
// nullptr when unknown.
const PermissionInfo* FindPermission(std::string_view key);

// Roles of §1 of the domain spec; persisted codes.
const std::vector<std::string>& AllRoles();
bool IsKnownRole(std::string_view role);

struct RequestContext {
  std::string ip;
  std::string request_id;
  std::string user_agent;
};

// Who is asking. Built once per request by authentication.
struct Caller {
  int64_t user_id = 0;
  std::string name;
  std::vector<std::string> roles;
  int64_t unit_id = 0;
  std::string unit_path;  // "/1/4/9/"
  std::map<std::string, Scope, std::less<>> grants;  // widest scope over the caller's roles
  int64_t session_id = 0;
  bool via_cookie = false;
  bool must_change_password = false;
  RequestContext request;

  std::optional<Scope> ScopeFor(std::string_view permission) const;
  bool Has(std::string_view permission) const { return ScopeFor(permission).has_value(); }
};

// Throws access.denied (403) when the caller lacks the permission; returns its scope.
Scope Require(const Caller& caller, std::string_view permission);

// Whether a record owned by `owner_user_id`, placed in the unit with `owner_unit_path`,
// is visible under `scope`.
bool InScope(const Caller& caller, Scope scope, int64_t owner_user_id,
             std::string_view owner_unit_path);

// Loads the widest grant per permission over `roles`.
std::map<std::string, Scope, std::less<>> LoadGrants(storage::Connection& connection,
                                                      const std::vector<std::string>& roles);

// The menu the web client shows, in order, derived from the caller's permissions.
Json MenuFor(const Caller& caller);
Json GrantsJson(const Caller& caller);

}  // namespace tuoke::platform
