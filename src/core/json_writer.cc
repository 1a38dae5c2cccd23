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
void JsonWriter::Double(double value) { impl_->writer.Double(value); }
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

void JsonWriter::Value(const Json& value) {
  auto& writer = impl_->writer;
  switch (value.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded: writer.Null(); return;
    case Json::value_t::boolean: writer.Bool(value.get<bool>()); return;
    case Json::value_t::number_integer: writer.Int64(value.get<int64_t>()); return;
    case Json::value_t::number_unsigned: writer.Uint64(value.get<uint64_t>()); return;
    case Json::value_t::number_float: writer.Double(value.get<double>()); return;
    case Json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
      return;
    }
    case Json::value_t::array:
      writer.StartArray();
      for (const auto& item : value) Value(item);
      writer.EndArray();
      return;
    case Json::value_t::object:
      writer.StartObject();
      for (auto it = value.begin(); it != value.end(); ++it) {
        writer.Key(it.key().data(), static_cast<rapidjson::SizeType>(it.key().size()));
        Value(it.value());
      }
      writer.EndObject();
      return;
    case Json::value_t::binary: writer.Null(); return;
  }
}

std::string EncodeJson(const Json& value) {
  JsonWriter writer;
  writer.Value(value);
  return writer.Take();
}

std::string JsonWriter::Take() {
  std::string text(impl_->buffer.GetString(), impl_->buffer.GetSize());
  impl_->buffer.Clear();
  impl_->writer.Reset(impl_->buffer);
  return text;
}

}  // namespace tuoke
