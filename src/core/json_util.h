// Helpers to read request bodies strictly: every field typed, unknown fields
// rejected, all problems reported at once as validation.failed.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace tuoke {

using Json = nlohmann::json;

// Parses a request body. Throws request.malformed_json when it is not a JSON object.
Json ParseJsonObject(std::string_view body);

// Reads fields from one JSON object, recording errors instead of throwing, so a
// client sees every bad field in one answer. Call Finish() last: it rejects unknown
// fields and throws when anything was wrong.
class JsonReader {
 public:
  // Reads `object` where it is: it must outlive the reader (a request body, a row).
  explicit JsonReader(const Json& object) : object_(object) {}
  // Reads a temporary, which the reader keeps.
  explicit JsonReader(Json&& object) : owned_(std::move(object)), object_(owned_) {}
  JsonReader(const JsonReader&) = delete;
  JsonReader& operator=(const JsonReader&) = delete;

  bool Has(const std::string& field) const;
  std::optional<std::string> String(const std::string& field, size_t min_length,
                                    size_t max_length);
  std::optional<std::string> RequiredString(const std::string& field, size_t min_length,
                                            size_t max_length);
  // Absent and null both give nullopt; `present` tells them apart for PATCH.
  std::optional<std::string> NullableString(const std::string& field, size_t max_length,
                                            bool* present);
  std::optional<int64_t> Int(const std::string& field, int64_t min, int64_t max);
  // Ids travel as strings ("12"); numbers are accepted too.
  std::optional<int64_t> Id(const std::string& field, bool* present = nullptr);
  std::optional<bool> Bool(const std::string& field);
  // A list of 1 to max_items ids (strings or numbers, as Id), repeated ids refused.
  std::optional<std::vector<int64_t>> IdList(const std::string& field, size_t max_items);
  std::optional<std::string> Enum(const std::string& field, const std::set<std::string>& allowed);
  std::optional<std::string> DateString(const std::string& field, bool* present = nullptr);
  std::optional<std::vector<std::string>> StringList(const std::string& field, size_t max_items,
                                                     const std::set<std::string>& allowed);
  const Json* Raw(const std::string& field);

  void Fail(const std::string& field, const std::string& message) { errors_.Add(field, message); }
  void Finish();

 private:
  const Json* Take(const std::string& field);

  Json owned_;          // a temporary given to the reader (declared first: object_ may name it)
  const Json& object_;
  std::set<std::string> seen_;
  FieldErrors errors_;
};

// Rejects control characters (other than tab/newline) and invalid UTF-8.
bool IsCleanText(std::string_view text);
// Length in Unicode code points (assumes valid UTF-8).
size_t Utf8Length(std::string_view text);

std::string IdString(int64_t id);
// Parses a decimal id from a path segment or query value; nullopt when malformed.
std::optional<int64_t> ParseId(std::string_view text);

}  // namespace tuoke
