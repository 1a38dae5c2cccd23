#include "core/json_util.h"

#include <algorithm>
#include <charconv>

#include "core/time.h"

namespace tuoke {

Json ParseJsonObject(std::string_view body) {
  Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded())
    throw Error(ErrorKind::kBadRequest, "request.malformed_json", "request body is not valid JSON");
  if (!parsed.is_object())
    throw Error(ErrorKind::kBadRequest, "request.malformed_json",
                "request body must be a JSON object");
  return parsed;
}

bool JsonReader::Has(const std::string& field) const { return object_.contains(field); }

const Json* JsonReader::Take(const std::string& field) {
  auto it = object_.find(field);
  if (it == object_.end()) return nullptr;
  // Only the body's own fields are remembered (Finish asks about those alone): a reader of
  // fifty optional fields no longer copies fifty names into the set for a body of eight.
  seen_.insert(field);
  return &*it;
}

const Json* JsonReader::Raw(const std::string& field) { return Take(field); }

bool IsCleanText(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return false;
      ++i;
      continue;
    }
    size_t extra;
    uint32_t code_point;
    if ((c & 0xE0) == 0xC0) extra = 1, code_point = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) extra = 2, code_point = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) extra = 3, code_point = c & 0x07;
    else return false;
    if (i + extra >= text.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    static constexpr uint32_t kMinimum[] = {0, 0x80, 0x800, 0x10000};
    if (code_point < kMinimum[extra] || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF))
      return false;
    i += extra + 1;
  }
  return true;
}

size_t Utf8Length(std::string_view text) {
  size_t count = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++count;
  return count;
}

std::optional<std::string> JsonReader::String(const std::string& field, size_t min_length,
                                              size_t max_length) {
  const Json* value = Take(field);
  if (!value || value->is_null()) return std::nullopt;
  if (!value->is_string()) {
    errors_.Add(field, "must be a string");
    return std::nullopt;
  }
  std::string text = value->get<std::string>();
  // Leading and trailing spaces are never meaningful in names, phones or codes.
  size_t begin = text.find_first_not_of(" \t\r\n");
  size_t end = text.find_last_not_of(" \t\r\n");
  text = begin == std::string::npos ? std::string() : text.substr(begin, end - begin + 1);
  if (!IsCleanText(text)) {
    errors_.Add(field, "contains control characters or invalid UTF-8");
    return std::nullopt;
  }
  size_t length = Utf8Length(text);
  if (length < min_length) {
    errors_.Add(field, min_length <= 1 ? "must not be empty"
                                       : "must be at least " + std::to_string(min_length) +
                                             " characters");
    return std::nullopt;
  }
  if (length > max_length) {
    errors_.Add(field, "must be at most " + std::to_string(max_length) + " characters");
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> JsonReader::RequiredString(const std::string& field, size_t min_length,
                                                      size_t max_length) {
  if (!Has(field) || object_.at(field).is_null()) {
    Take(field);
    errors_.Add(field, "is required");
    return std::nullopt;
  }
  return String(field, min_length, max_length);
}

std::optional<std::string> JsonReader::NullableString(const std::string& field,
                                                      size_t max_length, bool* present) {
  *present = Has(field);
  return String(field, 0, max_length);
}

std::optional<int64_t> JsonReader::Int(const std::string& field, int64_t min, int64_t max) {
  const Json* value = Take(field);
  if (!value || value->is_null()) return std::nullopt;
  if (!value->is_number_integer()) {
    errors_.Add(field, "must be an integer");
    return std::nullopt;
  }
  int64_t number = value->get<int64_t>();
  if (value->is_number_unsigned() && value->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    errors_.Add(field, "is out of range");
    return std::nullopt;
  }
  if (number < min || number > max) {
    errors_.Add(field, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return number;
}

std::optional<int64_t> JsonReader::Id(const std::string& field, bool* present) {
  const Json* value = Take(field);
  if (present) *present = value != nullptr;
  if (!value || value->is_null()) return std::nullopt;
  std::optional<int64_t> id;
  if (value->is_string()) id = ParseId(value->get<std::string>());
  else if (value->is_number_integer() && value->get<int64_t>() > 0) id = value->get<int64_t>();
  if (!id) errors_.Add(field, "must be an id");
  return id;
}

std::optional<std::vector<int64_t>> JsonReader::IdList(const std::string& field, size_t max_items) {
  const Json* value = Take(field);
  if (!value || value->is_null()) return std::nullopt;
  if (!value->is_array() || value->empty() || value->size() > max_items) {
    errors_.Add(field, "must be a list of 1 to " + std::to_string(max_items) + " ids");
    return std::nullopt;
  }
  std::vector<int64_t> ids;
  ids.reserve(value->size());
  for (const auto& item : *value) {
    std::optional<int64_t> id;
    if (item.is_string()) id = ParseId(item.get<std::string>());
    else if (item.is_number_integer() && item.get<int64_t>() > 0) id = item.get<int64_t>();
    if (!id) {
      errors_.Add(field, "must hold ids only");
      return std::nullopt;
    }
    ids.push_back(*id);
  }
  std::vector<int64_t> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    errors_.Add(field, "must not repeat an id");
    return std::nullopt;
  }
  return ids;
}

std::optional<bool> JsonReader::Bool(const std::string& field) {
  const Json* value = Take(field);
  if (!value || value->is_null()) return std::nullopt;
  if (!value->is_boolean()) {
    errors_.Add(field, "must be true or false");
    return std::nullopt;
  }
  return value->get<bool>();
}

std::optional<std::string> JsonReader::Enum(const std::string& field,
                                            const std::set<std::string>& allowed) {
  auto text = String(field, 1, 64);
  if (text && !allowed.count(*text)) {
    std::string list;
    for (const auto& option : allowed) list += (list.empty() ? "" : ", ") + option;
    errors_.Add(field, "must be one of: " + list);
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> JsonReader::DateString(const std::string& field, bool* present) {
  if (present) *present = Has(field);
  auto text = String(field, 0, 10);
  if (!text || text->empty()) return std::nullopt;
  if (!ParseDate(*text)) {
    errors_.Add(field, "must be a date YYYY-MM-DD");
    return std::nullopt;
  }
  return text;
}

std::optional<std::vector<std::string>> JsonReader::StringList(
    const std::string& field, size_t max_items, const std::set<std::string>& allowed) {
  const Json* value = Take(field);
  if (!value || value->is_null()) return std::nullopt;
  if (!value->is_array() || value->size() > max_items) {
    errors_.Add(field, "must be a list of at most " + std::to_string(max_items) + " items");
    return std::nullopt;
  }
  std::vector<std::string> items;
  for (const auto& item : *value) {
    if (!item.is_string() || (!allowed.empty() && !allowed.count(item.get<std::string>()))) {
      errors_.Add(field, "contains an unknown value");
      return std::nullopt;
    }
    std::string text = item.get<std::string>();
    if (std::find(items.begin(), items.end(), text) == items.end()) items.push_back(text);
  }
  return items;
}

void JsonReader::Finish() {
  for (auto it = object_.begin(); it != object_.end(); ++it)
    if (!seen_.count(it.key())) errors_.Add(it.key(), "unknown field");
  errors_.ThrowIfAny();
}

std::string IdString(int64_t id) { return std::to_string(id); }

std::optional<int64_t> ParseId(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

}  // namespace tuoke
