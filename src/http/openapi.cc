// Builds the OpenAPI document from the router, so it cannot drift from the routes.
#include <set>

#include "app/app.h"

namespace tuoke::app {

Json BuildOpenApi(const http::Router& router) {
  Json paths = Json::object();
  std::set<std::string> tags;
  for (const auto& route : router.routes()) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    Json operation = {{"summary", route.doc.summary},
                      {"tags", {route.doc.tag}},
                      {"operationId", method + route.pattern}};
    tags.insert(route.doc.tag);
    Json parameters = Json::array();
    for (const auto& segment : route.segments)
      if (segment.size() > 2 && segment.front() == '{')
        parameters.push_back({{"name", segment.substr(1, segment.size() - 2)},
                              {"in", "path"},
                              {"required", true},
                              {"schema", {{"type", "string"}}}});
    if (!parameters.empty()) operation["parameters"] = parameters;
    if (route.doc.has_body)
      operation["requestBody"] = {
          {"required", true},
          {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    Json responses = Json::object();
    std::string success = std::to_string(route.doc.success_status);
    responses[success] = {{"description", "success"}};
    responses["default"] = {{"description", "error envelope"},
                            {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
    operation["responses"] = responses;
    if (route.doc.permission == "public") {
      operation["security"] = Json::array();
    } else if (!route.doc.permission.empty()) {
      operation["x-permission"] = route.doc.permission;
    }
    paths[route.pattern][method] = operation;
  }
  Json tag_list = Json::array();
  for (const auto& tag : tags) tag_list.push_back({{"name", tag}});
  return {
      {"openapi", "3.0.3"},
      {"info", {{"title", "Tuoke API"}, {"version", "1"}, {"description", "Field-sales management. See docs/api.md."}}},
      {"tags", tag_list},
      {"paths", paths},
      {"security", {{{"session", Json::array()}}, {{"bearer", Json::array()}}}},
      {"components",
       {{"securitySchemes",
         {{"session", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "tuoke_session"}}},
          {"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
        {"schemas",
         {{"Error",
           {{"type", "object"},
            {"properties",
             {{"error",
               {{"type", "object"},
                {"required", {"code", "message", "requestId"}},
                {"properties",
                 {{"code", {{"type", "string"}}},
                  {"message", {{"type", "string"}}},
                  {"details", {{"type", "object"}}},
                  {"requestId", {{"type", "string"}}}}}}}}}}}}}}}};
}

}  // namespace tuoke::app
