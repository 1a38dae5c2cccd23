// Which JSON library should build API responses? A typical list answer (50 users
// with 18 fields each, Chinese text) serialised and a typical request body parsed.
#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>

namespace {

struct User {
  int64_t id;
  std::string username, name, phone, email, unit_name, status, created_at;
  bool active;
};

std::vector<User> Users() {
  std::vector<User> users;
  for (int i = 0; i < 50; ++i)
    users.push_back({1000 + i, "rep" + std::to_string(i), "张伟" + std::to_string(i), "138000000" + std::to_string(i),
                     "rep" + std::to_string(i) + "@demo.tuoke.example", "华东一组", "regular",
                     "2026-11-22T03:04:05.123Z", true});
  return users;
}

void NlohmannSerialize(benchmark::State& state) {
  auto users = Users();
  for (auto _ : state) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& user : users)
      items.push_back({{"id", std::to_string(user.id)}, {"username", user.username}, {"name", user.name},
                       {"phone", user.phone}, {"email", user.email}, {"unitId", "3"}, {"unitName", user.unit_name},
                       {"managerId", "2"}, {"managerName", "李明"}, {"employmentStatus", user.status},
                       {"hiredOn", "2021-02-22"}, {"regularOn", nullptr}, {"active", user.active},
                       {"locked", false}, {"mustChangePassword", false}, {"createdAt", user.created_at},
                       {"updatedAt", user.created_at}, {"roles", {"rep"}}});
    std::string body = nlohmann::json{{"items", items}, {"nextCursor", nullptr}}.dump();
    benchmark::DoNotOptimize(body);
  }
}
BENCHMARK(NlohmannSerialize);

// The same document built by assignment instead of initializer lists, which copy
// every value once more.
void NlohmannAssignSerialize(benchmark::State& state) {
  auto users = Users();
  for (auto _ : state) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& user : users) {
      nlohmann::json& item = items.emplace_back(nlohmann::json::value_t::object);
      item["id"] = std::to_string(user.id);
      item["username"] = user.username;
      item["name"] = user.name;
      item["phone"] = user.phone;
      item["email"] = user.email;
      item["unitId"] = "3";
      item["unitName"] = user.unit_name;
      item["managerId"] = "2";
      item["managerName"] = "李明";
      item["employmentStatus"] = user.status;
      item["hiredOn"] = "2021-02-22";
      item["regularOn"] = nullptr;
      item["active"] = user.active;
      item["locked"] = false;
      item["mustChangePassword"] = false;
      item["createdAt"] = user.created_at;
      item["updatedAt"] = user.created_at;
      item["roles"] = nlohmann::json::array({"rep"});
    }
    nlohmann::json document(nlohmann::json::value_t::object);
    document["items"] = std::move(items);
    document["nextCursor"] = nullptr;
    std::string body = document.dump();
    benchmark::DoNotOptimize(body);
  }
}
BENCHMARK(NlohmannAssignSerialize);

void RapidJsonSerialize(benchmark::State& state) {
  auto users = Users();
  for (auto _ : state) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("items");
    writer.StartArray();
    for (const auto& user : users) {
      writer.StartObject();
      std::string id = std::to_string(user.id);
      writer.Key("id"); writer.String(id.c_str());
      writer.Key("username"); writer.String(user.username.c_str());
      writer.Key("name"); writer.String(user.name.c_str());
      writer.Key("phone"); writer.String(user.phone.c_str());
      writer.Key("email"); writer.String(user.email.c_str());
      writer.Key("unitId"); writer.String("3");
      writer.Key("unitName"); writer.String(user.unit_name.c_str());
      writer.Key("managerId"); writer.String("2");
      writer.Key("managerName"); writer.String("李明");
      writer.Key("employmentStatus"); writer.String(user.status.c_str());
      writer.Key("hiredOn"); writer.String("2021-02-22");
      writer.Key("regularOn"); writer.Null();
      writer.Key("active"); writer.Bool(user.active);
      writer.Key("locked"); writer.Bool(false);
      writer.Key("mustChangePassword"); writer.Bool(false);
      writer.Key("createdAt"); writer.String(user.created_at.c_str());
      writer.Key("updatedAt"); writer.String(user.created_at.c_str());
      writer.Key("roles"); writer.StartArray(); writer.String("rep"); writer.EndArray();
      writer.EndObject();
    }
    writer.EndArray();
    writer.Key("nextCursor"); writer.Null();
    writer.EndObject();
    std::string body(buffer.GetString(), buffer.GetSize());
    benchmark::DoNotOptimize(body);
  }
}
BENCHMARK(RapidJsonSerialize);

const char* kBody =
    R"({"username":"zhangwei","name":"张伟","phone":"13800000009","email":"zw@example.cn",)"
    R"("roles":["rep"],"unitId":"3","managerId":"2","employmentStatus":"probation",)"
    R"("hiredOn":"2026-10-12","password":"tuoke2026x"})";

void NlohmannParse(benchmark::State& state) {
  for (auto _ : state) {
    auto parsed = nlohmann::json::parse(kBody, nullptr, false);
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(NlohmannParse);

void RapidJsonParse(benchmark::State& state) {
  for (auto _ : state) {
    rapidjson::Document document;
    document.Parse(kBody);
    benchmark::DoNotOptimize(document);
  }
}
BENCHMARK(RapidJsonParse);

}  // namespace

BENCHMARK_MAIN();
