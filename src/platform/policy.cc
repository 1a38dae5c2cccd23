#include "platform/policy.h"

#include <chrono>

#include "core/json_writer.h"
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
  snapshot_.reset();
}

std::shared_ptr<const PolicyService::VersionsByKey> PolicyService::Snapshot() {
  auto now = SystemClock().Now();
  {
    std::lock_guard lock(mutex_);
    if (snapshot_ && now - snapshot_loaded_at_ <= kCacheLifetime) return snapshot_;
  }
  auto fresh = std::make_shared<VersionsByKey>();
  {
    auto connection = database_.Acquire();
    for (const auto& row : connection->Query(kAllVersions).rows)
      (*fresh)[row.Text(1)].push_back(
          Version{row.Int(0), row.Text(3), Json::parse(row.Text(2), nullptr, false)});
  }
  std::lock_guard lock(mutex_);
  snapshot_ = fresh;
  snapshot_loaded_at_ = now;
  return snapshot_;
}

const PolicyService::Version* PolicyService::InForce(const VersionsByKey& versions, std::string_view key,
                                                     const std::string& day) {
  auto found = versions.find(key);
  if (found == versions.end()) return nullptr;
  // Sorted by effective_from then id: the last one not after `day` wins (R-POLICY-1).
  const Version* in_force = nullptr;
  for (const auto& version : found->second)
    if (version.effective_from <= day) in_force = &version;
  return in_force;
}

Json PolicyService::ValueOn(std::string_view key, Date date) {
  const PolicyDefinition* definition = FindPolicy(key);
  if (!definition) ThrowNotFound("policies", "policy " + std::string(key));
  auto snapshot = Snapshot();
  const Version* in_force = InForce(*snapshot, key, FormatDate(date));
  return in_force ? in_force->value : definition->default_value;
}

std::string PolicyService::TimeZone() {
  // The zone cannot depend on a date computed in that zone: read it as of today in UTC+8,
  // which differs from the real business date for at most a few hours around midnight.
  return ValueOn("company.time_zone", BusinessDate(clock_.Now(), "Asia/Shanghai")).get<std::string>();
}

Date PolicyService::Today() { return BusinessDate(clock_.Now(), TimeZone()); }

void PolicyService::Describe(JsonWriter& out, const PolicyDefinition& definition, Date date) {
  auto snapshot = Snapshot();
  const Version* in_force = InForce(*snapshot, definition.key, FormatDate(date));
  out.BeginObject();
  out.Key("key"), out.String(definition.key);
  out.Key("group"), out.String(definition.group);
  out.Key("type"), out.String(PolicyTypeName(definition.type));
  out.Key("unit"), out.OptionalString(definition.unit.empty() ? std::nullopt : std::optional(definition.unit));
  out.Key("section"), out.String(definition.section);
  out.Key("options");
  if (definition.options.empty()) {
    out.Null();
  } else {
    out.BeginArray();
    for (const auto& option : definition.options) out.String(option);
    out.EndArray();
  }
  out.Key("min");
  definition.min ? out.Int(*definition.min) : out.Null();
  out.Key("max");
  definition.max ? out.Int(*definition.max) : out.Null();
  out.Key("default"), out.Value(definition.default_value);
  out.Key("value"), out.Value(in_force ? in_force->value : definition.default_value);
  out.Key("effectiveFrom"), out.OptionalString(in_force ? std::optional(in_force->effective_from) : std::nullopt);
  out.Key("labelZh"), out.String(definition.label_zh);
  out.Key("labelEn"), out.String(definition.label_en);
  out.EndObject();
}

std::string PolicyService::List(const Caller& caller, Date date) {
  Require(caller, "policies.read");
  JsonWriter out;
  out.BeginObject();
  out.Key("items");
  out.BeginArray();
  for (const auto& definition : PolicyCatalogue()) Describe(out, definition, date);
  out.EndArray();
  out.EndObject();
  return out.Take();
}

std::string PolicyService::Get(const Caller& caller, std::string_view key, Date date) {
  Require(caller, "policies.read");
  const PolicyDefinition* definition = FindPolicy(key);
  if (!definition) ThrowNotFound("policies", "policy " + std::string(key));
  JsonWriter out;
  Describe(out, *definition, date);
  return out.Take();
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

std::string PolicyService::AddVersion(const Caller& caller, std::string_view key, const Json& value,
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
  JsonWriter out;
  Describe(out, *definition, *date);
  return out.Take();
}

}  // namespace tuoke::platform
