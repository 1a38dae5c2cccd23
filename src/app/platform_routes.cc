// HTTP adapters for the platform: map JSON and query strings to service calls and
// results to responses. No rules live here.
#include <chrono>

#include "app/app.h"
#include "storage/migrator.h"

namespace tuoke::app {
namespace {

using http::Request;
using http::Response;
using platform::Caller;

const Caller& CallerOf(const Request& request) { return *request.caller; }

Json Body(const Request& request) { return ParseJsonObject(request.body); }

std::optional<bool> QueryBool(const Request& request, const std::string& name) {
  auto text = request.Query(name);
  if (!text || text->empty()) return std::nullopt;
  if (*text == "true") return true;
  if (*text == "false") return false;
  ThrowValidation(name, "must be true or false");
}

std::optional<int64_t> QueryId(const Request& request, const std::string& name) {
  auto text = request.Query(name);
  if (!text || text->empty()) return std::nullopt;
  auto id = ParseId(*text);
  if (!id) ThrowValidation(name, "must be an id");
  return id;
}

std::optional<Date> QueryDate(const Request& request, const std::string& name) {
  auto text = request.Query(name);
  if (!text || text->empty()) return std::nullopt;
  auto date = ParseDate(*text);
  if (!date) ThrowValidation(name, "must be a date YYYY-MM-DD");
  return date;
}

std::optional<std::string> QueryText(const Request& request, const std::string& name, size_t max) {
  auto text = request.Query(name);
  if (!text || text->empty()) return std::nullopt;
  if (text->size() > max || !IsCleanText(*text)) ThrowValidation(name, "is too long or not text");
  return text;
}

Json MeJson(App& app, const Caller& caller) {
  return {{"user", app.org().UserJson(caller.user_id)},
          {"permissions", platform::GrantsJson(caller)},
          {"menu", platform::MenuFor(caller)},
          {"csrfToken", app.auth().CsrfTokenOf(caller)}};
}

std::string SessionCookie(const std::string& value, int64_t max_age_seconds, bool secure) {
  return "tuoke_session=" + value + "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" +
         std::to_string(max_age_seconds) + (secure ? "; Secure" : "");
}

}  // namespace

void RegisterPlatformRoutes(App& app, http::Router& router, platform::AuditService& audit,
                            Metrics& metrics, const std::string* openapi_json) {
  using http::RouteDoc;
  const bool secure = app.config().secure_cookies;

  // ---- operations -----------------------------------------------------------------
  router.Add("GET", "/healthz", [](Request&) { return Response::JsonBody({{"status", "ok"}}); },
             RouteDoc{"Process is alive", "operations", "public"});
  router.Add("GET", "/readyz",
             [&app](Request&) {
               auto status = storage::GetMigrationStatus(app.database());
               if (!status.pending.empty())
                 throw Error(ErrorKind::kUnavailable, "storage.not_migrated", "migrations are pending");
               return Response::JsonBody({{"status", "ready"}, {"schemaVersion", status.current_version}});
             },
             RouteDoc{"Database reachable and migrated", "operations", "public"});
  router.Add("GET", "/metrics",
             [&metrics](Request&) {
               Response response;
               response.content_type = "text/plain; version=0.0.4; charset=utf-8";
               response.body = metrics.Render();
               return response;
             },
             RouteDoc{"Prometheus metrics", "operations", "public"});
  router.Add("GET", "/api/v1/openapi.json",
             [openapi_json](Request&) {
               Response response;
               response.body = *openapi_json;
               return response;
             },
             RouteDoc{"This API's OpenAPI document", "operations", "public"});

  // ---- authentication -------------------------------------------------------------
  router.Add("POST", "/api/v1/auth/login",
             [&app, secure](Request& request) {
               JsonReader reader(Body(request));
               auto login = reader.RequiredString("login", 1, 64);
               auto password = reader.RequiredString("password", 1, 128);
               reader.Finish();
               platform::RequestContext context{request.remote_ip, request.request_id,
                                                std::string(request.Header("user-agent").value_or(""))};
               auto result = app.auth().Login(*login, *password, context);
               auto caller = app.auth().Authenticate(result.token, platform::SessionKind::kBrowser, context);
               if (!caller) throw Error(ErrorKind::kInternal, "internal", "session was not created");
               Response response = Response::JsonBody(MeJson(app, *caller));
               auto max_age = std::chrono::duration_cast<std::chrono::seconds>(
                   result.expires_at - std::chrono::time_point_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now()));
               response.headers.emplace_back("Set-Cookie",
                                             SessionCookie(result.token, std::max<int64_t>(max_age.count(), 60), secure));
               return response;
             },
             RouteDoc{"Sign in with phone or username and password", "auth", "public", true});
  router.Add("POST", "/api/v1/auth/logout",
             [&app, secure](Request& request) {
               app.auth().Logout(CallerOf(request));
               Response response = Response::NoContent();
               response.headers.emplace_back("Set-Cookie", SessionCookie("", 0, secure));
               return response;
             },
             RouteDoc{"End this session", "auth", "", false, 204});
  router.Add("GET", "/api/v1/auth/me",
             [&app](Request& request) { return Response::JsonBody(MeJson(app, CallerOf(request))); },
             RouteDoc{"The signed-in user, permissions and menu", "auth", ""});
  router.Add("POST", "/api/v1/auth/password",
             [&app](Request& request) {
               JsonReader reader(Body(request));
               auto current = reader.RequiredString("currentPassword", 1, 128);
               auto next = reader.RequiredString("newPassword", 1, 128);
               reader.Finish();
               app.auth().ChangePassword(CallerOf(request), *current, *next);
               return Response::NoContent();
             },
             RouteDoc{"Change own password", "auth", "", true, 204});
  router.Add("GET", "/api/v1/auth/tokens",
             [&app](Request& request) { return Response::JsonBody(app.auth().ListTokens(CallerOf(request))); },
             RouteDoc{"List own API tokens", "auth", ""});
  router.Add("POST", "/api/v1/auth/tokens",
             [&app](Request& request) {
               JsonReader reader(Body(request));
               auto name = reader.RequiredString("name", 1, 64);
               auto days = reader.Int("expiresInDays", 1, 365);
               reader.Finish();
               return Response::JsonBody(app.auth().CreateToken(CallerOf(request), *name, days.value_or(90)), 201);
             },
             RouteDoc{"Create an API token (shown once)", "auth", "", true, 201});
  router.Add("DELETE", "/api/v1/auth/tokens/{id}",
             [&app](Request& request) {
               app.auth().RevokeToken(CallerOf(request), request.PathId("id", "tokens"));
               return Response::NoContent();
             },
             RouteDoc{"Revoke an API token", "auth", "", false, 204});

  // ---- organisation -----------------------------------------------------------------
  router.Add("GET", "/api/v1/org/units",
             [&app](Request& request) { return Response::JsonBody(app.org().ListUnits(CallerOf(request))); },
             RouteDoc{"Organisation units (flat; parentId builds the tree)", "org", "org.read"});
  router.Add("POST", "/api/v1/org/units",
             [&app](Request& request) {
               return Response::JsonBody(app.org().CreateUnit(CallerOf(request), Body(request)), 201);
             },
             RouteDoc{"Create a department or team", "org", "org.manage", true, 201});
  router.Add("PATCH", "/api/v1/org/units/{id}",
             [&app](Request& request) {
               return Response::JsonBody(
                   app.org().UpdateUnit(CallerOf(request), request.PathId("id", "org"), Body(request)));
             },
             RouteDoc{"Rename, move, change manager, (de)activate a unit", "org", "org.manage", true});

  router.Add("GET", "/api/v1/users",
             [&app](Request& request) {
               platform::UserFilter filter;
               filter.query = QueryText(request, "q", 64);
               filter.unit_id = QueryId(request, "unitId");
               filter.role = QueryText(request, "role", 32);
               filter.active = QueryBool(request, "active");
               filter.limit = ListLimit(request);
               filter.after_id = ListCursor(request);
               return Response::JsonText(app.org().ListUsers(CallerOf(request), filter));
             },
             RouteDoc{"Users in the caller's scope", "users", "users.read"});
  router.Add("POST", "/api/v1/users",
             [&app](Request& request) {
               return Response::JsonBody(app.org().CreateUser(CallerOf(request), Body(request)), 201);
             },
             RouteDoc{"Create a user", "users", "users.manage", true, 201});
  router.Add("GET", "/api/v1/users/{id}",
             [&app](Request& request) {
               return Response::JsonText(app.org().GetUser(CallerOf(request), request.PathId("id", "users")));
             },
             RouteDoc{"One user", "users", "users.read"});
  router.Add("PATCH", "/api/v1/users/{id}",
             [&app](Request& request) {
               return Response::JsonBody(
                   app.org().UpdateUser(CallerOf(request), request.PathId("id", "users"), Body(request)));
             },
             RouteDoc{"Edit a user", "users", "users.manage", true});
  router.Add("POST", "/api/v1/users/{id}/move",
             [&app](Request& request) {
               return Response::JsonBody(
                   app.org().MoveUser(CallerOf(request), request.PathId("id", "users"), Body(request)));
             },
             RouteDoc{"Move a user to another unit (history kept)", "users", "users.manage", true});
  router.Add("GET", "/api/v1/users/{id}/unit-history",
             [&app](Request& request) {
               return Response::JsonBody(app.org().UnitHistory(CallerOf(request), request.PathId("id", "users")));
             },
             RouteDoc{"A user's unit history", "users", "users.read"});
  router.Add("POST", "/api/v1/users/{id}/reset-password",
             [&app](Request& request) {
               app.org().ResetPassword(CallerOf(request), request.PathId("id", "users"), Body(request));
               return Response::NoContent();
             },
             RouteDoc{"Set a temporary password", "users", "users.manage", true, 204});
  router.Add("POST", "/api/v1/users/{id}/deactivate",
             [&app](Request& request) {
               return Response::JsonBody(app.org().SetActive(CallerOf(request), request.PathId("id", "users"), false));
             },
             RouteDoc{"Deactivate a user (ends their sessions)", "users", "users.manage"});
  router.Add("POST", "/api/v1/users/{id}/activate",
             [&app](Request& request) {
               return Response::JsonBody(app.org().SetActive(CallerOf(request), request.PathId("id", "users"), true));
             },
             RouteDoc{"Reactivate a user", "users", "users.manage"});
  router.Add("POST", "/api/v1/users/{id}/unlock",
             [&app](Request& request) {
               return Response::JsonBody(app.org().Unlock(CallerOf(request), request.PathId("id", "users")));
             },
             RouteDoc{"Lift a lock-out", "users", "users.manage"});

  // ---- roles and permissions -----------------------------------------------------------
  router.Add("GET", "/api/v1/permissions",
             [](Request& request) {
               platform::Require(CallerOf(request), "roles.read");
               Json items = Json::array();
               for (const auto& permission : platform::PermissionCatalogue())
                 items.push_back({{"key", permission.key}, {"module", permission.module}, {"scoped", permission.scoped}});
               return Response::JsonBody({{"items", items}});
             },
             RouteDoc{"The permission catalogue", "roles", "roles.read"});
  router.Add("GET", "/api/v1/roles",
             [&app](Request& request) {
               platform::Require(CallerOf(request), "roles.read");
               auto connection = app.database().Acquire();
               Json items = Json::array();
               for (const auto& role : platform::AllRoles()) {
                 auto grants = platform::LoadGrants(*connection, {role});
                 Json grant_json = Json::object();
                 for (const auto& [permission, scope] : grants) grant_json[permission] = platform::ScopeName(scope);
                 items.push_back({{"role", role}, {"grants", grant_json}});
               }
               return Response::JsonBody({{"items", items}});
             },
             RouteDoc{"Roles and their grants", "roles", "roles.read"});
  router.Add("PUT", "/api/v1/roles/{role}/permissions",
             [&app](Request& request) {
               const Caller& caller = CallerOf(request);
               platform::Require(caller, "roles.manage");
               std::string role = request.path_params["role"];
               if (!platform::IsKnownRole(role)) ThrowNotFound("roles", "role");
               Json body = Body(request);
               JsonReader reader(body);
               const Json* grants = reader.Raw("grants");
               std::map<std::string, platform::Scope> wanted;
               if (!grants || !grants->is_object()) reader.Fail("grants", "must be an object of permission → scope");
               else
                 for (auto it = grants->begin(); it != grants->end(); ++it) {
                   auto scope = it.value().is_string() ? platform::ParseScope(it.value().get<std::string>()) : std::nullopt;
                   const platform::PermissionInfo* info = platform::FindPermission(it.key());
                   if (!info) reader.Fail("grants." + it.key(), "unknown permission");
                   else if (!scope) reader.Fail("grants." + it.key(), "must be own, team or all");
                   else if (!info->scoped && *scope != platform::Scope::kAll)
                     reader.Fail("grants." + it.key(), "this permission has no data scope: use all");
                   else wanted[it.key()] = *scope;
                 }
               reader.Finish();
               // R-ACCESS-2: the admin role keeps roles.manage, or nobody could repair grants.
               if (role == "admin" && !wanted.count("roles.manage"))
                 ThrowValidation("grants", "the admin role must keep roles.manage");
               static const storage::Sql kDelete{"roles.delete_grants", "DELETE FROM role_grants WHERE role = ?"};
               static const storage::Sql kInsert{"roles.insert_grant",
                                                 "INSERT INTO role_grants (role, permission, scope) VALUES (?, ?, ?)"};
               Json before = Json::object(), after = Json::object();
               app.database().InTransaction([&](storage::Connection& connection) {
                 for (const auto& [permission, scope] : platform::LoadGrants(connection, {role}))
                   before[permission] = platform::ScopeName(scope);
                 connection.Execute(kDelete, {role});
                 for (const auto& [permission, scope] : wanted) {
                   connection.Execute(kInsert, {role, permission, std::string(platform::ScopeName(scope))});
                   after[permission] = platform::ScopeName(scope);
                 }
                 platform::RecordAudit(connection, platform::Actor::From(caller),
                                       {"role.grants_set", "role", role, before, after},
                                       SystemClock().Now());
               });
               app.auth().ForgetCachedSessions();
               return Response::JsonBody({{"role", role}, {"grants", after}});
             },
             RouteDoc{"Replace a role's grants", "roles", "roles.manage", true});

  // ---- policies -----------------------------------------------------------------------
  router.Add("GET", "/api/v1/policies",
             [&app](Request& request) {
               Date date = QueryDate(request, "date").value_or(app.policies().Today());
               return Response::JsonText(app.policies().List(CallerOf(request), date));
             },
             RouteDoc{"Every policy with the value in force on a date", "policies", "policies.read"});
  router.Add("GET", "/api/v1/policies/{key}",
             [&app](Request& request) {
               Date date = QueryDate(request, "date").value_or(app.policies().Today());
               return Response::JsonText(app.policies().Get(CallerOf(request), request.path_params["key"], date));
             },
             RouteDoc{"One policy on a date", "policies", "policies.read"});
  router.Add("GET", "/api/v1/policies/{key}/versions",
             [&app](Request& request) {
               return Response::JsonBody(app.policies().Versions(CallerOf(request), request.path_params["key"]));
             },
             RouteDoc{"A policy's versions, newest first", "policies", "policies.read"});
  router.Add("POST", "/api/v1/policies/{key}/versions",
             [&app](Request& request) {
               platform::Require(CallerOf(request), "policies.manage");
               JsonReader reader(Body(request));
               const Json* value = reader.Raw("value");
               auto effective_from = reader.DateString("effectiveFrom");
               auto note = reader.String("note", 0, 500);
               if (!value) reader.Fail("value", "is required");
               // Fail() keeps an earlier, more precise message (e.g. a malformed date).
               if (!effective_from) reader.Fail("effectiveFrom", "is required");
               reader.Finish();
               return Response::JsonText(app.policies().AddVersion(CallerOf(request), request.path_params["key"],
                                                                   *value, *effective_from, note.value_or("")),
                                         201);
             },
             RouteDoc{"Add a version effective from a date", "policies", "policies.manage", true, 201});

  // ---- audit --------------------------------------------------------------------------
  router.Add("GET", "/api/v1/audit",
             [&audit](Request& request) {
               platform::AuditFilter filter;
               filter.actor_id = QueryId(request, "actorId");
               filter.entity = QueryText(request, "entity", 32);
               filter.entity_id = QueryText(request, "entityId", 64);
               filter.action = QueryText(request, "action", 64);
               filter.from = QueryDate(request, "from");
               filter.to = QueryDate(request, "to");
               filter.limit = ListLimit(request);
               filter.before_id = ListCursor(request);
               return Response::JsonBody(audit.List(CallerOf(request), filter));
             },
             RouteDoc{"The audit trail, newest first", "audit", "audit.read"});
}

}  // namespace tuoke::app
