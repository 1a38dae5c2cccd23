#include "modules/customers/customer.h"

namespace tuoke::customers {

const std::set<std::string>& CustomerTypes() {
  static const std::set<std::string> values = {"terminal", "agent",   "distributor",
                                               "retailer", "partner", "peer"};
  return values;
}
const std::set<std::string>& CustomerStatuses() {
  static const std::set<std::string> values = {"prospect", "target", "active", "peer", "lost"};
  return values;
}
const std::set<std::string>& CustomerSources() {
  static const std::set<std::string> values = {"cold_visit", "flyer", "referral", "trade_fair",
                                               "online",     "phone", "other"};
  return values;
}
const std::set<std::string>& PurchasePowers() {
  static const std::set<std::string> values = {"clear", "some", "doubtful"};
  return values;
}
const std::set<std::string>& PurchaseHorizons() {
  static const std::set<std::string> values = {"within_1_month", "within_3_months", "within_6_months",
                                               "later", "unknown"};
  return values;
}
const std::set<std::string>& Levels() {
  static const std::set<std::string> values = {"high", "medium", "low"};
  return values;
}
const std::set<std::string>& CreditStatuses() {
  static const std::set<std::string> values = {"good", "normal", "poor", "unknown"};
  return values;
}
const std::set<std::string>& PurchaseRoles() {
  static const std::set<std::string> values = {
      "decision_maker", "influencer",     "user",            "purchaser",  "receiver", "cashier",
      "accountant",     "economic_buyer", "technical_buyer", "user_buyer", "coach"};
  return values;
}
const std::set<std::string>& Personalities() {
  static const std::set<std::string> values = {"know_it_all", "open_minded", "hesitant", "complaining",
                                               "analytical",  "bargainer",   "intimidating"};
  return values;
}
const std::set<std::string>& FollowUpChannels() {
  static const std::set<std::string> values = {"visit", "phone", "wechat", "other"};
  return values;
}

std::optional<CustomerSort> ParseCustomerSort(std::string_view text) {
  if (text == "-updatedAt") return CustomerSort::kUpdatedAtDescending;
  if (text == "name") return CustomerSort::kName;
  if (text == "lastFollowUpAt") return CustomerSort::kLastFollowUpAscending;
  if (text == "-lastFollowUpAt") return CustomerSort::kLastFollowUpDescending;
  return std::nullopt;
}

std::vector<std::string> SplitTags(const std::string& text) {
  std::vector<std::string> tags;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(kTagSeparator, start);
    if (end == std::string::npos) end = text.size();
    tags.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return tags;
}

std::string JoinTags(const std::vector<std::string>& tags) {
  std::string text;
  for (const auto& tag : tags) {
    if (!text.empty()) text.push_back(kTagSeparator);
    text += tag;
  }
  return text;
}

}  // namespace tuoke::customers
