// HTTP vocabulary independent of the server library: requests, responses, a router
// with `{param}` path segments, and the single mapping from tuoke::Error to status.
// Handlers are plain functions of Request → Response, testable with no socket.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/json_util.h"

namespace tuoke::platform {
struct Caller;
}

namespace tuoke::http {

// A request's body without a copy of its bytes: the server's buffer kept alive by its
// owner (the server's request handle), or a string of its own (tests, internal callers).
// An upload of 15 MB was held twice while the server copied it into the request; a view
// alone could dangle, so the body holds what its bytes live in. Copies share the bytes.
class RequestBody {
 public:
  RequestBody() = default;
  RequestBody(std::string text);  // NOLINT(google-explicit-constructor): `request.body = "…"`
  RequestBody(const char* text) : RequestBody(std::string(text)) {}  // NOLINT(google-explicit-constructor)
  // `bytes` stay valid as long as `owner` lives.
  static RequestBody Borrowed(std::shared_ptr<const void> owner, std::string_view bytes);

  std::string_view view() const { return bytes_; }
  operator std::string_view() const { return bytes_; }  // NOLINT(google-explicit-constructor)
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  const char* data() const { return bytes_.data(); }

 private:
  std::shared_ptr<const void> owner_;
  std::string_view bytes_;
};

struct Request {
  std::string method;  // "GET", "POST", …
  std::string path;    // decoded path without the query string
  std::string raw_query;
  std::multimap<std::string, std::string> query;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  RequestBody body;
  std::string remote_ip;
  std::string request_id;
  std::map<std::string, std::string> path_params;
  // Set by authentication before the handler runs; null on public routes.
  const platform::Caller* caller = nullptr;

  std::optional<std::string_view> Header(std::string_view lower_name) const;
  std::optional<std::string> Query(const std::string& name) const;
  std::optional<std::string> Cookie(std::string_view name) const;
  // Path parameter `name` as an id; throws <module>.not_found when malformed.
  int64_t PathId(const std::string& name, const std::string& module) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response JsonBody(const Json& value, int status = 200);
  // A body already encoded as JSON (JsonWriter).
  static Response JsonText(std::string text, int status = 200);
  static Response NoContent();
};

int StatusFor(ErrorKind kind);
Response ErrorResponse(const Error& error, const std::string& request_id);

using Handler = std::function<Response(Request&)>;

// What the OpenAPI document says about a route.
struct RouteDoc {
  std::string summary;
  std::string tag;
  std::string permission;  // empty: authenticated users; "public": no authentication
  bool has_body = false;
  int success_status = 200;
  // A larger request body than the server's default (0: the default), for uploads.
  size_t max_body_bytes = 0;
};

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/users/{id}"
  std::vector<std::string> segments;
  Handler handler;
  RouteDoc doc;
};

class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler, RouteDoc doc);
  // Finds the route; fills path_params. Throws route.not_found or route.method_not_allowed.
  const Route& Match(Request& request) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

std::string UrlDecode(std::string_view text, bool plus_is_space);
std::multimap<std::string, std::string> ParseQuery(std::string_view raw_query);

}  // namespace tuoke::http
