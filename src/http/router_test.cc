#include <gtest/gtest.h>

#include "http/router.h"

namespace tuoke::http {
namespace {

Request MakeRequest(std::string method, std::string path) {
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  return request;
}

Router MakeRouter() {
  Router router;
  router.Add("GET", "/api/v1/users", [](Request&) { return Response::JsonBody({{"route", "list"}}); }, {});
  router.Add("GET", "/api/v1/users/{id}",
             [](Request& request) { return Response::JsonBody({{"id", request.path_params["id"]}}); }, {});
  router.Add("POST", "/api/v1/users/{id}/move", [](Request&) { return Response::NoContent(); }, {});
  return router;
}

TEST(RouterTest, MatchesPathParameters) {
  Router router = MakeRouter();
  Request request;
  request.method = "GET";
  request.path = "/api/v1/users/42";
  const Route& route = router.Match(request);
  EXPECT_EQ(route.pattern, "/api/v1/users/{id}");
  EXPECT_EQ(request.path_params["id"], "42");
  EXPECT_EQ(request.PathId("id", "users"), 42);
}

TEST(RouterTest, DistinguishesUnknownPathsFromWrongMethods) {
  Router router = MakeRouter();
  Request wrong_method = MakeRequest("DELETE", "/api/v1/users/42");
  try {
    router.Match(wrong_method);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), "route.method_not_allowed");
    EXPECT_EQ(StatusFor(error.kind()), 405);
  }
  Request unknown = MakeRequest("GET", "/api/v1/nothing");
  try {
    router.Match(unknown);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), "route.not_found");
    EXPECT_EQ(StatusFor(error.kind()), 404);
  }
}

TEST(RouterTest, MalformedIdsAreNotFound) {
  Router router = MakeRouter();
  Request request = MakeRequest("GET", "/api/v1/users/1%20OR%201=1");
  router.Match(request);
  try {
    request.PathId("id", "users");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), "users.not_found");
  }
}

TEST(RouterTest, ParsesQueryStringsAndCookies) {
  auto query = ParseQuery("q=%E5%BC%A0+%E4%BC%9F&limit=20&flag&q=second");
  EXPECT_EQ(query.find("q")->second, "张 伟");
  EXPECT_EQ(query.find("limit")->second, "20");
  EXPECT_EQ(query.count("flag"), 1u);
  Request request;
  request.headers.emplace_back("cookie", "a=1; tuoke_session=ts_abc; b=2");
  EXPECT_EQ(request.Cookie("tuoke_session").value(), "ts_abc");
  EXPECT_FALSE(request.Cookie("missing"));
}

TEST(RequestBodyTest, OwnsTextItIsGivenAndSharesItWithCopies) {
  Request request;
  EXPECT_TRUE(request.body.empty());
  {
    std::string text = R"({"name":"凌天"})";
    request.body = text;
    text.assign(text.size(), 'x');  // the body holds its own bytes, not the caller's
  }
  EXPECT_EQ(request.body.view(), R"({"name":"凌天"})");
  Request copy = request;
  EXPECT_EQ(copy.body.data(), request.body.data());  // shared, not copied
  request.body = "";
  EXPECT_TRUE(request.body.empty());
  EXPECT_EQ(ParseJsonObject(copy.body)["name"], "凌天");
}

TEST(RequestBodyTest, BorrowedBytesLiveAsLongAsTheirOwner) {
  // As the server does it: the bytes stay where the server read them, the body keeps
  // the server's request alive.
  auto server_buffer = std::make_shared<const std::string>(3 * 1024 * 1024, 'a');
  const char* bytes = server_buffer->data();
  std::weak_ptr<const std::string> watch = server_buffer;
  Request request;
  request.body = RequestBody::Borrowed(server_buffer, *server_buffer);
  server_buffer.reset();
  EXPECT_FALSE(watch.expired());
  EXPECT_EQ(request.body.data(), bytes);  // no copy of the 3 MB
  EXPECT_EQ(request.body.size(), 3u * 1024 * 1024);
  EXPECT_EQ(request.body.view().find_first_not_of('a'), std::string_view::npos);
  request = Request();
  EXPECT_TRUE(watch.expired());  // released with the last request holding it
}

TEST(ErrorMappingTest, EveryKindHasItsStatus) {
  EXPECT_EQ(StatusFor(ErrorKind::kBadRequest), 400);
  EXPECT_EQ(StatusFor(ErrorKind::kValidation), 422);
  EXPECT_EQ(StatusFor(ErrorKind::kUnauthenticated), 401);
  EXPECT_EQ(StatusFor(ErrorKind::kForbidden), 403);
  EXPECT_EQ(StatusFor(ErrorKind::kNotFound), 404);
  EXPECT_EQ(StatusFor(ErrorKind::kMethodNotAllowed), 405);
  EXPECT_EQ(StatusFor(ErrorKind::kConflict), 409);
  EXPECT_EQ(StatusFor(ErrorKind::kLocked), 423);
  EXPECT_EQ(StatusFor(ErrorKind::kPayloadTooLarge), 413);
  EXPECT_EQ(StatusFor(ErrorKind::kUnavailable), 503);
  EXPECT_EQ(StatusFor(ErrorKind::kInternal), 500);
  auto response = ErrorResponse(Error(ErrorKind::kConflict, "users.username_taken", "taken"), "rid-1");
  auto body = Json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], "users.username_taken");
  EXPECT_EQ(body["error"]["requestId"], "rid-1");
}

}  // namespace
}  // namespace tuoke::http
