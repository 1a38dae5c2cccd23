// The composition root in-process: routes, OpenAPI, limits, headers.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "app/app.h"
#include "platform/demo_seed.h"

namespace tuoke::app {
namespace {

class AppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    platform::SetPasswordHashCost({1, 8 * 1024});
    directory_ = std::filesystem::temp_directory_path() / ("tuoke-app-test-" + std::to_string(getpid()));
    std::filesystem::remove_all(directory_);
    AppConfig config;
    config.database_url = "sqlite:" + (directory_ / "t.db").string();
    config.access_log = false;
    config.max_body_bytes = 1024;
    app_ = std::make_unique<App>(config, clock_);
    platform::SeedDemo(app_->org());
  }
  void TearDown() override {
    app_.reset();
    std::filesystem::remove_all(directory_);
    platform::SetPasswordHashCost({});
  }
  http::Response Call(const std::string& method, const std::string& path, const std::string& body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::Request request;
    request.method = method;
    auto question = path.find('?');
    request.path = path.substr(0, question);
    if (question != std::string::npos) request.query = http::ParseQuery(path.substr(question + 1));
    request.body = body;
    request.headers = std::move(headers);
    request.remote_ip = "127.0.0.1";
    return app_->Handle(request);
  }
  static std::string Code(const http::Response& response) {
    return Json::parse(response.body)["error"]["code"];
  }

  FakeClock clock_{*ParseInstant("2026-11-22T02:00:00Z")};
  std::filesystem::path directory_;
  std::unique_ptr<App> app_;
};

TEST_F(AppTest, OpenApiListsExactlyTheRegisteredRoutes) {
  auto response = Call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(response.status, 200);
  Json document = Json::parse(response.body);
  std::set<std::string> documented, registered;
  for (auto& [path, operations] : document["paths"].items())
    for (auto& [method, operation] : operations.items()) documented.insert(method + " " + path);
  for (const auto& route : app_->router().routes()) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    registered.insert(method + " " + route.pattern);
  }
  EXPECT_EQ(documented, registered);
  EXPECT_EQ(document["openapi"], "3.0.3");
}

TEST_F(AppTest, EveryApiRouteButThePublicOnesNeedsAuthentication) {
  for (const auto& route : app_->router().routes()) {
    if (route.doc.permission == "public") continue;
    std::string path = route.pattern;
    for (std::string param : {"{id}", "{key}", "{role}"}) {
      auto at = path.find(param);
      if (at != std::string::npos) path.replace(at, param.size(), "1");
    }
    auto response = Call(route.method, path, "{}");
    EXPECT_EQ(response.status, 401) << route.method << " " << route.pattern;
  }
}

TEST_F(AppTest, OversizedBodiesAreRejectedBeforeAnyWork) {
  auto response = Call("POST", "/api/v1/auth/login", std::string(2048, ' '));
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(Code(response), "request.body_too_large");
}

TEST_F(AppTest, RequestIdsAreEchoedWhenSaneAndReplacedOtherwise) {
  auto echoed = Call("GET", "/healthz", "", {{"x-request-id", "abc-123"}});
  auto replaced = Call("GET", "/healthz", "", {{"x-request-id", "<script>"}});
  auto header = [](const http::Response& response) {
    for (const auto& [name, value] : response.headers)
      if (name == "X-Request-Id") return value;
    return std::string();
  };
  EXPECT_EQ(header(echoed), "abc-123");
  EXPECT_NE(header(replaced), "<script>");
  EXPECT_FALSE(header(replaced).empty());
}

TEST_F(AppTest, LoginSetsAHardenedCookieAndCsrfIsEnforced) {
  auto login = Call("POST", "/api/v1/auth/login", R"({"login":"gm","password":"tuoke2026"})");
  ASSERT_EQ(login.status, 200);
  std::string cookie;
  for (const auto& [name, value] : login.headers)
    if (name == "Set-Cookie") cookie = value;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  std::string session = cookie.substr(0, cookie.find(';'));
  std::string csrf = Json::parse(login.body)["csrfToken"];
  auto without_csrf = Call("POST", "/api/v1/org/units", R"({"parentId":"1","name":"新组","kind":"team"})",
                           {{"cookie", session}});
  EXPECT_EQ(without_csrf.status, 403);
  EXPECT_EQ(Code(without_csrf), "auth.csrf_failed");
  auto with_csrf = Call("POST", "/api/v1/org/units", R"({"parentId":"1","name":"新组","kind":"team"})",
                        {{"cookie", session}, {"x-csrf-token", csrf}});
  EXPECT_EQ(with_csrf.status, 201);
}

TEST_F(AppTest, StatusesOfCommonFailures) {
  EXPECT_EQ(Call("GET", "/api/v1/nope").status, 404);
  EXPECT_EQ(Call("DELETE", "/healthz").status, 405);
  auto malformed = Call("POST", "/api/v1/auth/login", "{not json");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(Code(malformed), "request.malformed_json");
  auto unknown = Call("POST", "/api/v1/auth/login", R"({"login":"gm","password":"x","remember":true})");
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(Json::parse(unknown.body)["error"]["details"]["fields"]["remember"], "unknown field");
}

}  // namespace
}  // namespace tuoke::app
