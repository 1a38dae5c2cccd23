#include "core/json_writer.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>

namespace tuoke {

struct JsonWriter::Impl {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer{buffer};
};

JsonWriter::JsonWriter() : impl_(std::make_unique<Impl>()) {}
JsonWriter::~JsonWriter() = default;

void JsonWriter::BeginObject() { impl_->writer.StartObject(); }
void JsonWriter::EndObject() { impl_->writer.EndObject(); }
void JsonWriter::BeginArray() { impl_->writer.StartArray(); }
void JsonWriter::EndArray() { impl_->writer.EndArray(); }
void JsonWriter::Key(std::string_view key) {
  impl_->writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}
void JsonWriter::String(std::string_view value) {
  impl_->writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}
void JsonWriter::Int(int64_t value) { impl_->writer.Int64(value); }
void JsonWriter::Bool(bool value) { impl_->writer.Bool(value); }
void JsonWriter::Null() { impl_->writer.Null(); }

void JsonWriter::OptionalString(const std::optional<std::string>& value) {
  if (value) String(*value);
  else Null();
}

void JsonWriter::Id(int64_t id) {
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, id);
  (void)error;
  String(std::string_view(digits, static_cast<size_t>(end - digits)));
}

void JsonWriter::OptionalId(const std::optional<int64_t>& id) {
  if (id) Id(*id);
  else Null();
}

std::string JsonWriter::Take() {
  std::string text(impl_->buffer.GetString(), impl_->buffer.GetSize());
  impl_->buffer.Clear();
  impl_->writer.Reset(impl_->buffer);
  return text;
}

}  // namespace tuoke
