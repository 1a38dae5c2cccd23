// A streaming JSON encoder for hot read paths (RapidJSON underneath, kept out of
// headers). ADR 0002: build large or frequent answers with this writer; use
// nlohmann::json (core/json_util.h) for parsing, validation and audit snapshots.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/json_util.h"

namespace tuoke {

class JsonWriter {
 public:
  JsonWriter();
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(int64_t value);
  // Finite numbers only (coordinates); the shortest text that reads back the same value.
  void Double(double value);
  void Bool(bool value);
  void Null();
  void OptionalString(const std::optional<std::string>& value);
  // Ids travel as strings ("12"), as the API conventions say.
  void Id(int64_t id);
  void OptionalId(const std::optional<int64_t>& id);

  // Writes a whole nlohmann value. Far faster than Json::dump() (ADR 0002), so every
  // JSON answer goes through here.
  void Value(const Json& value);

  // The document written so far; the writer is empty afterwards.
  std::string Take();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `value` encoded as compact JSON text.
std::string EncodeJson(const Json& value);

}  // namespace tuoke
