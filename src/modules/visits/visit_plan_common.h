// Pieces the plan and application services share: reading money and customer lists from
// request bodies, and the customers a caller may name in a plan or application.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/json_util.h"
#include "platform/access.h"
#include "storage/database.h"

namespace tuoke::visits {

// Fen as a decimal string ("12345", docs/api.md); records a field error otherwise.
std::optional<int64_t> ReadFenString(JsonReader& reader, const std::string& field);
// A Money object {"amount":"<fen>","currency":"<company currency>"}; records field errors.
std::optional<int64_t> ReadMoney(const Json& value, const std::string& field, const std::string& currency,
                                 FieldErrors& errors);
Json MoneyJson(int64_t fen, const std::string& currency);

// R-VISIT-5, 15: of `customer_ids`, those the caller may name: live (not merged, not lost)
// customers in the caller's customers.read scope, pool customers included. One query.
std::set<int64_t> NameableCustomers(storage::Connection& connection, const platform::Caller& caller,
                                    const std::vector<int64_t>& customer_ids);

// Whether the user `user_id` is visible to the caller under `scope` (its unit path read
// from the database); false for unknown users.
bool UserInScope(storage::Connection& connection, const platform::Caller& caller, platform::Scope scope,
                 int64_t user_id);

}  // namespace tuoke::visits

namespace tuoke::visits {

// Reads a nested object of a body with its own JsonReader (strict: unknown fields are
// errors) and reports its field errors on `parent` as "<prefix>.<field>".
void ReadNested(JsonReader& parent, const std::string& prefix, const Json& object,
                const std::function<void(JsonReader&)>& read);

}  // namespace tuoke::visits
