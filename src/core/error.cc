#include "core/error.h"

namespace tuoke {

Error::Error(ErrorKind kind, std::string code, std::string message, nlohmann::json details)
    : std::runtime_error(message),
      kind_(kind),
      code_(std::move(code)),
      details_(std::move(details)) {}

void FieldErrors::Add(const std::string& field, const std::string& message) {
  if (!fields_.contains(field)) fields_[field] = message;
}

void FieldErrors::ThrowIfAny() const {
  if (fields_.empty()) return;
  std::string first = fields_.begin().key() + ": " + fields_.begin().value().get<std::string>();
  throw Error(ErrorKind::kValidation, "validation.failed", "invalid input (" + first + ")",
              {{"fields", fields_}});
}

void ThrowNotFound(const std::string& module, const std::string& what) {
  throw Error(ErrorKind::kNotFound, module + ".not_found", what + " not found");
}

void ThrowValidation(const std::string& field, const std::string& message) {
  throw Error(ErrorKind::kValidation, "validation.failed", "invalid input (" + field + ": " + message + ")",
              {{"fields", {{field, message}}}});
}

}  // namespace tuoke
