#include "core/text.h"

#include <cctype>

namespace tuoke {

std::string ToLowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string EscapeLike(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

bool IsPlausiblePhone(std::string_view phone) {
  if (phone.size() < 5 || phone.size() > 20) return false;
  int digits = 0;
  for (size_t i = 0; i < phone.size(); ++i) {
    char c = phone[i];
    if (std::isdigit(static_cast<unsigned char>(c))) ++digits;
    else if (c == '+' && i == 0) continue;
    else if (c != '-' && c != ' ') return false;
  }
  return digits >= 5;
}

bool IsPlausibleEmail(std::string_view email) {
  auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.size() > 254) return false;
  auto dot = email.find('.', at);
  if (dot == std::string_view::npos || dot == at + 1 || dot == email.size() - 1) return false;
  for (char c : email)
    if (std::isspace(static_cast<unsigned char>(c)) || c == '<' || c == '>') return false;
  return email.find('@', at + 1) == std::string_view::npos;
}

bool IsValidUsername(std::string_view username) {
  if (username.size() < 2 || username.size() > 32) return false;
  if (!std::isalpha(static_cast<unsigned char>(username[0]))) return false;
  for (char c : username)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
      return false;
  return true;
}

}  // namespace tuoke
