// Small text utilities shared by services.
#pragma once

#include <string>
#include <string_view>

namespace tuoke {

std::string ToLowerAscii(std::string_view text);
// Escapes LIKE wildcards so user input matches literally (with ESCAPE '\').
std::string EscapeLike(std::string_view text);
// Mainland mobile numbers (11 digits starting with 1) or landlines (digits, '-', '+').
bool IsPlausiblePhone(std::string_view phone);
bool IsPlausibleEmail(std::string_view email);
// Letters, digits, '_', '.', '-'; 2..32 characters; starts with a letter.
bool IsValidUsername(std::string_view username);

}  // namespace tuoke
