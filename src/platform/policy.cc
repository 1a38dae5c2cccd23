#include "platform/policy.h"

#include <chrono>

#include "platform/audit.h"

namespace tuoke::platform {
namespace {

const storage::Sql kAllVersions{
    "policy.all_versions",
    "SELECT id, policy_key, value_json, effective_from FROM policy_versions "
    "ORDER BY policy_key, effective_from, id"};
const storage::Sql kKeysWithVersions{"policy.keys_with_versions",
                                     "SELECT DISTINCT policy_key FROM policy_versions"};
const storage::Sql kInsertVersion{
    "policy.insert_version",
    "INSERT INTO policy_versions (policy_key, value_json, effective_from, note, created_by, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id"};
const storage::Sql kVersionsOfKey{
    "policy.versions_of_key",
    "SELECT v.id, v.value_json, v.effective_from, v.note, v.created_by, u.name, v.created_at "
    "FROM policy_versions v LEFT JOIN users u ON u.id = v.created_by "
    "WHERE v.policy_key = ? ORDER BY v.effective_from DESC, v.id DESC"};

constexpr auto kCacheLifetime = std::chrono::seconds(5);

bool IsTimeOfDay(const std::string& text) {
  return text.size() == 5 && text[2] == ':' && std::isdigit(text[0]) && std::isdigit(text[1]) &&
         std::isdigit(text[3]) && std::isdigit(text[4]) && std::stoi(text.substr(0, 2)) < 24 &&
         std::stoi(text.substr(3, 2)) < 60;
}

}  // namespace

std::string_view PolicyTypeName(PolicyType type) {
  switch (type) {
    case PolicyType::kInteger: return "integer";
    case PolicyType::kMoney: return "money";
    case PolicyType::kBasisPoints: return "basis_points";
    case PolicyType::kBoolean: return "boolean";
    case PolicyType::kString: return "string";
    case PolicyType::kEnum: return "enum";
    case PolicyType::kTime: return "time";
    case PolicyType::kJson: return "json";
  }
  return "json";
}

std::string ValidatePolicyValue(const PolicyDefinition& definition, const Json& value) {
  switch (definition.type) {
    case PolicyType::kInteger:
    case PolicyType::kMoney:
    case PolicyType::kBasisPoints: {
      if (!value.is_number_integer()) return "must be an integer";
      int64_t number = value.get<int64_t>();
      if (definition.min && number < *definition.min)
        return "must be at least " + std::to_string(*definition.min);
      if (definition.max && number > *definition.max)
        return "must be at most " + std::to_string(*definition.max);
      return "";
    }
    case PolicyType::kBoolean: return value.is_boolean() ? "" : "must be true or false";
    case PolicyType::kString:
      return value.is_string() && value.get<std::string>().size() <= 1000 ? ""
                                                                           : "must be a short text";
    case PolicyType::kEnum:
      if (value.is_string())
        for (const auto& option : definition.options)
          if (option == value.get<std::string>()) return "";
      return "must be one of the listed options";
    case PolicyType::kTime:
      return value.is_string() && IsTimeOfDay(value.get<std::string>()) ? "" : "must be a time HH:MM";
    case PolicyType::kJson: {
      // Structured policies keep the shape of their default: same keys, same kinds.
      if (value.type() != definition.default_value.type()) return "must have the default's shape";
      if (value.is_object()) {
        for (auto it = definition.default_value.begin(); it != definition.default_value.end(); ++it) {
          if (!value.contains(it.key())) return "missing entry " + it.key();
          if (value.at(it.key()).type() != it.value().type() &&
              !(value.at(it.key()).is_number() && it.value().is_number()))
            return "entry " + it.key() + " has the wrong kind";
        }
        for (auto it = value.begin(); it != value.end(); ++it)
          if (!definition.default_value.contains(it.key())) return "unknown entry " + it.key();
      }
      return value.dump().size() <= 16384 ? "" : "is too large";
    }
  }
  return "unsupported type";
}

void PolicyService::EnsureDefaults() {
  database_.InTransaction([&](storage::Connection& connection) {
    std::set<std::string> present;
    for (const auto& row : connection.Query(kKeysWithVersions).rows) present.insert(row.Text(0));
    Actor system = Actor::System("system");
    for (const auto& definition : PolicyCatalogue()) {
      if (present.count(definition.key)) continue;
      connection.Query(kInsertVersion,
                       {definition.key, definition.default_value.dump(),
                        std::string(kPolicyDefaultsEffectiveFrom), std::string("default"), nullptr,
                        FormatInstant(clock_.Now())});
      RecordAudit(connection, system,
                  {"policy.default", "policy", definition.key, Json(),
                   {{"value", definition.default_value},
                    {"effectiveFrom", kPolicyDefaultsEffectiveFrom}}},
                  clock_.Now());
    }
  });
  Invalidate();
}

void PolicyService::Invalidate() {
  std::lock_guard lock(mutex_);
  cache_valid_ = false;
}

std::vector<PolicyService::Version> PolicyService::VersionsOf(std::string_view key) {
  std::lock_guard lock(mutex_);
  auto now = SystemClock().Now();
  if (!cache_valid_ || now - cache_loaded_at_ > kCacheLifetime) {
    cache_.clear();
    auto connection = database_.Acquire();
    for (const auto& row : connection->Query(kAllVersions).rows)
      cache_[row.Text(1)].push_back(
          Version{row.Int(0), row.Text(3), Json::parse(row.Text(2), nullptr, false)});
    cache_loaded_at_ = now;
    cache_valid_ = true;
  }
  auto found = cache_.find(key);
  return found == cache_.end() ? std::vector<Version>{} : found->second;
}

Json PolicyService::ValueOn(std::string_view key, Date date) {
  const PolicyDefinition* definition = FindPolicy(key);
  if (!definition) ThrowNotFound("policies", "policy " + std::string(key));
  std::string day = FormatDate(date);
  const Version* in_force = nullptr;
  auto versions = VersionsOf(key);
  // Sorted by effective_from then id: the last one not after `day` wins.
  for (const auto& version : versions)
    if (version.effective_from <= day) in_force = &version;
  return in_force ? in_force->value : definition->default_value;
}

std::string PolicyService::TimeZone() {
  // The zone cannot depend on a date computed in that zone: read it as of today in UTC+8,
  // which differs from the real business date for at most a few hours around midnight.
  return ValueOn("company.time_zone", BusinessDate(clock_.Now(), "Asia/Shanghai")).get<std::string>();
}

Date PolicyService::Today() { return BusinessDate(clock_.Now(), TimeZone()); }

Json PolicyService::Describe(const PolicyDefinition& definition, Date date) {
  std::string day = FormatDate(date);
  Json value = definition.default_value;
  Json effective_from;
  for (const auto& version : VersionsOf(definition.key)) {
    if (version.effective_from > day) continue;
    value = version.value;
    effective_from = version.effective_from;
  }
  Json options = definition.options.empty() ? Json() : Json(definition.options);
  return {{"key", definition.key},
          {"group", definition.group},
          {"type", PolicyTypeName(definition.type)},
          {"unit", definition.unit.empty() ? Json() : Json(definition.unit)},
          {"section", definition.section},
          {"options", options},
          {"min", definition.min ? Json(*definition.min) : Json()},
          {"max", definition.max ? Json(*definition.max) : Json()},
          {"default", definition.default_value},
          {"value", value},
          {"effectiveFrom", effective_from},
          {"labelZh", definition.label_zh},
          {"labelEn", definition.label_en}};
}

Json PolicyService::List(const Caller& caller, Date date) {
  Require(caller, "policies.read");
  Json items = Json::array();
  for (const auto& definition : PolicyCatalogue()) items.push_back(Describe(definition, date));
  return {{"items", items}};
}

Json PolicyService::Get(const Caller& caller, std::string_view key, Date date) {
  Require(caller, "policies.read");
  const PolicyDefinition* definition = FindPolicy(key);
  if (!definition) ThrowNotFound("policies", "policy " + std::string(key));
  return Describe(*definition, date);
}

Json PolicyService::Versions(const Caller& caller, std::string_view key) {
  Require(caller, "policies.read");
  if (!FindPolicy(key)) ThrowNotFound("policies", "policy " + std::string(key));
  auto connection = database_.Acquire();
  Json items = Json::array();
  for (const auto& row : connection->Query(kVersionsOfKey, {std::string(key)}).rows)
    items.push_back({{"id", IdString(row.Int(0))},
                     {"value", Json::parse(row.Text(1), nullptr, false)},
                     {"effectiveFrom", row.Text(2)},
                     {"note", row.OptionalText(3).value_or("")},
                     {"createdBy", row.IsNull(4) ? Json() : Json(IdString(row.Int(4)))},
                     {"createdByName", row.OptionalText(5).value_or("")},
                     {"createdAt", row.Text(6)}});
  return {{"items", items}};
}

Json PolicyService::AddVersion(const Caller& caller, std::string_view key, const Json& value,
                               const std::string& effective_from, const std::string& note) {
  Require(caller, "policies.manage");
  const PolicyDefinition* definition = FindPolicy(key);
  if (!definition) ThrowNotFound("policies", "policy " + std::string(key));
  FieldErrors errors;
  std::string problem = ValidatePolicyValue(*definition, value);
  if (!problem.empty()) errors.Add("value", problem);
  auto date = ParseDate(effective_from);
  if (!date) errors.Add("effectiveFrom", "must be a date YYYY-MM-DD");
  errors.ThrowIfAny();

  Json before = ValueOn(key, *date);
  database_.InTransaction([&](storage::Connection& connection) {
    auto row = connection.QueryOne(
        kInsertVersion, {std::string(key), value.dump(), effective_from, note,
                         caller.user_id, FormatInstant(clock_.Now())});
    RecordAudit(connection, Actor::From(caller),
                {"policy.version_add", "policy", std::string(key),
                 {{"value", before}},
                 {{"value", value}, {"effectiveFrom", effective_from}, {"note", note},
                  {"versionId", IdString(row->Int(0))}}},
                clock_.Now());
  });
  Invalidate();
  return Describe(*definition, *date);
}

}  // namespace tuoke::platform
