#include "http/router.h"

#include "core/json_writer.h"

namespace tuoke::http {
namespace {

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> segments;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    segments.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

}  // namespace

RequestBody::RequestBody(std::string text) {
  auto owned = std::make_shared<const std::string>(std::move(text));
  bytes_ = *owned;  // the string lives in the shared block: its bytes never move
  owner_ = std::move(owned);
}

RequestBody RequestBody::Borrowed(std::shared_ptr<const void> owner, std::string_view bytes) {
  RequestBody body;
  body.owner_ = std::move(owner);
  body.bytes_ = bytes;
  return body;
}

std::optional<std::string_view> Request::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name) return std::string_view(value);
  return std::nullopt;
}

std::optional<std::string> Request::Query(const std::string& name) const {
  auto found = query.find(name);
  if (found == query.end()) return std::nullopt;
  return found->second;
}

std::optional<std::string> Request::Cookie(std::string_view name) const {
  auto header = Header("cookie");
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    size_t semicolon = rest.find(';');
    std::string_view pair = rest.substr(0, semicolon);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    size_t equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name)
      return std::string(pair.substr(equals + 1));
    if (semicolon == std::string_view::npos) break;
    rest.remove_prefix(semicolon + 1);
  }
  return std::nullopt;
}

int64_t Request::PathId(const std::string& name, const std::string& module) const {
  auto found = path_params.find(name);
  std::optional<int64_t> id = found == path_params.end() ? std::nullopt : ParseId(found->second);
  if (!id) ThrowNotFound(module, name);
  return *id;
}

Response Response::JsonBody(const Json& value, int status) {
  Response response;
  response.status = status;
  response.body = EncodeJson(value);
  return response;
}

Response Response::JsonText(std::string text, int status) {
  Response response;
  response.status = status;
  response.body = std::move(text);
  return response;
}

Response Response::NoContent() {
  Response response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

int StatusFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kBadRequest: return 400;
    case ErrorKind::kValidation: return 422;
    case ErrorKind::kUnauthenticated: return 401;
    case ErrorKind::kForbidden: return 403;
    case ErrorKind::kNotFound: return 404;
    case ErrorKind::kMethodNotAllowed: return 405;
    case ErrorKind::kConflict: return 409;
    case ErrorKind::kLocked: return 423;
    case ErrorKind::kPayloadTooLarge: return 413;
    case ErrorKind::kUnavailable: return 503;
    case ErrorKind::kInternal: return 500;
  }
  return 500;
}

Response ErrorResponse(const Error& error, const std::string& request_id) {
  Json body = {{"error",
                {{"code", error.code()},
                 {"message", error.what()},
                 {"details", error.details()},
                 {"requestId", request_id}}}};
  return Response::JsonBody(body, StatusFor(error.kind()));
}

void Router::Add(std::string method, std::string pattern, Handler handler, RouteDoc doc) {
  Route route{std::move(method), pattern, SplitPath(pattern), std::move(handler), std::move(doc)};
  routes_.push_back(std::move(route));
}

const Route& Router::Match(Request& request) const {
  auto segments = SplitPath(request.path);
  bool path_matched = false;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t i = 0; i < segments.size() && ok; ++i) {
      const std::string& expected = route.segments[i];
      if (expected.size() > 2 && expected.front() == '{' && expected.back() == '}') {
        if (segments[i].empty()) ok = false;
        else params[expected.substr(1, expected.size() - 2)] = segments[i];
      } else if (expected != segments[i]) {
        ok = false;
      }
    }
    if (!ok) continue;
    path_matched = true;
    if (route.method != request.method && !(request.method == "HEAD" && route.method == "GET")) continue;
    request.path_params = std::move(params);
    return route;
  }
  if (path_matched)
    throw Error(ErrorKind::kMethodNotAllowed, "route.method_not_allowed",
                "method " + request.method + " is not allowed here");
  throw Error(ErrorKind::kNotFound, "route.not_found", "no such endpoint");
}

std::string UrlDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() &&
               std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::multimap<std::string, std::string> ParseQuery(std::string_view raw_query) {
  std::multimap<std::string, std::string> query;
  while (!raw_query.empty()) {
    size_t amp = raw_query.find('&');
    std::string_view pair = raw_query.substr(0, amp);
    if (!pair.empty()) {
      size_t equals = pair.find('=');
      std::string key = UrlDecode(pair.substr(0, equals), true);
      std::string value = equals == std::string_view::npos ? "" : UrlDecode(pair.substr(equals + 1), true);
      query.emplace(std::move(key), std::move(value));
    }
    if (amp == std::string_view::npos) break;
    raw_query.remove_prefix(amp + 1);
  }
  return query;
}

}  // namespace tuoke::http
