// Company policies as data. Every number in the domain spec is the default of a
// policy here, never a constant in code. Policies are versioned with effective
// dates: the value on date D is the version with the latest effective_from <= D, so
// a past month is settled with the rules in force that month.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/json_util.h"
#include "core/time.h"
#include "platform/access.h"
#include "storage/database.h"

namespace tuoke {
class JsonWriter;
}

namespace tuoke::platform {

enum class PolicyType : uint8_t {
  kInteger,
  kMoney,        // fen, JSON integer
  kBasisPoints,  // 10000 = 100 %
  kBoolean,
  kString,
  kEnum,
  kTime,  // "HH:MM" in the company time zone
  kJson,  // structured (tables such as callback frequency by grade)
};
std::string_view PolicyTypeName(PolicyType type);

struct PolicyDefinition {
  std::string key;      // "visits.geofence_radius_m"
  std::string group;    // "visits"
  PolicyType type;
  std::string unit;     // "m", "days", "hours", "fen", "" …
  std::string section;  // where the rule comes from: "§3.4" or "product default"
  Json default_value;
  std::optional<int64_t> min;
  std::optional<int64_t> max;
  std::vector<std::string> options;  // for kEnum
  std::string label_zh;
  std::string label_en;
};

const std::vector<PolicyDefinition>& PolicyCatalogue();
const PolicyDefinition* FindPolicy(std::string_view key);

// Checks a value against its definition; returns the error message or empty.
std::string ValidatePolicyValue(const PolicyDefinition& definition, const Json& value);

// The date from which the catalogue defaults are recorded as the first version.
inline constexpr const char* kPolicyDefaultsEffectiveFrom = "2000-01-01";

class PolicyService {
 public:
  PolicyService(storage::Database& database, const Clock& clock)
      : database_(database), clock_(clock) {}

  // Records the catalogue default as the first version of every policy that has none.
  // Idempotent; run at start-up after migrations.
  void EnsureDefaults();

  // The value in force on `date`. Throws policies.not_found for an unknown key.
  Json ValueOn(std::string_view key, Date date);
  int64_t IntOn(std::string_view key, Date date) { return ValueOn(key, date).get<int64_t>(); }
  std::string StringOn(std::string_view key, Date date) {
    return ValueOn(key, date).get<std::string>();
  }
  // Today in the company time zone (itself a policy).
  Date Today();
  std::string TimeZone();

  // API: require policies.read / policies.manage.
  // List, Get and AddVersion answer JSON text ({"items":[Policy…]} and one Policy).
  std::string List(const Caller& caller, Date date);
  std::string Get(const Caller& caller, std::string_view key, Date date);
  Json Versions(const Caller& caller, std::string_view key);
  std::string AddVersion(const Caller& caller, std::string_view key, const Json& value,
                  const std::string& effective_from, const std::string& note);

 private:
  struct Version {
    int64_t id;
    std::string effective_from;
    Json value;
  };
  using VersionsByKey = std::map<std::string, std::vector<Version>, std::less<>>;
  // All versions of all policies, as an immutable snapshot shared by readers; reloaded
  // after a local write or when older than a few seconds (other server processes may
  // have written).
  std::shared_ptr<const VersionsByKey> Snapshot();
  void Invalidate();
  // The version in force on `day` ("YYYY-MM-DD"), or nullptr (then the default applies).
  static const Version* InForce(const VersionsByKey& versions, std::string_view key, const std::string& day);
  void Describe(JsonWriter& out, const PolicyDefinition& definition, Date date);

  storage::Database& database_;
  const Clock& clock_;
  std::mutex mutex_;
  std::shared_ptr<const VersionsByKey> snapshot_;  // guarded by mutex_
  Instant snapshot_loaded_at_{};                   // guarded by mutex_
};

}  // namespace tuoke::platform
