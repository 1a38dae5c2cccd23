// Errors that end a use case (a request, a CLI command).
//
// Services throw tuoke::Error when an operation cannot go on: bad input, no access,
// a missing record, a conflict. The HTTP layer maps Error::kind() to a status in one
// exhaustive switch (http/router.cc) and renders the stable code for the client.
// Expected, non-ending outcomes (e.g. "no duplicate found") are plain return values.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace tuoke {

enum class ErrorKind : uint8_t {
  kBadRequest,       // the request cannot be read (malformed JSON, bad query string)
  kValidation,       // readable but invalid fields; details.fields names them
  kUnauthenticated,  // no valid session or token
  kForbidden,        // authenticated, but not allowed
  kNotFound,         // missing, or outside the caller's data scope
  kMethodNotAllowed,
  kConflict,         // uniqueness or state conflict
  kLocked,           // account locked out
  kPayloadTooLarge,
  kUnavailable,      // dependency (database) not reachable
  kInternal,         // a bug
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string code, std::string message,
        nlohmann::json details = nlohmann::json::object());

  ErrorKind kind() const { return kind_; }
  const std::string& code() const { return code_; }
  const nlohmann::json& details() const { return details_; }

 private:
  ErrorKind kind_;
  std::string code_;
  nlohmann::json details_;
};

// Collects field errors and throws one validation.failed error carrying all of them.
class FieldErrors {
 public:
  void Add(const std::string& field, const std::string& message);
  bool empty() const { return fields_.empty(); }
  // Throws Error{kValidation, "validation.failed"} when any field error was added.
  void ThrowIfAny() const;

 private:
  nlohmann::json fields_ = nlohmann::json::object();
};

[[noreturn]] void ThrowNotFound(const std::string& module, const std::string& what);
[[noreturn]] void ThrowValidation(const std::string& field, const std::string& message);

}  // namespace tuoke
