#include "modules/visits/visit_plan_common.h"

#include <charconv>

#include "core/text.h"

namespace tuoke::visits {
namespace {

const storage::Sql kUserPath{
    "visits.user_path",
    "SELECT o.path FROM users u JOIN org_units o ON o.id = u.unit_id WHERE u.id = ?"};

std::optional<int64_t> ParseFen(const std::string& text) {
  if (text.empty() || text.size() > 15 || text[0] == '+' || text[0] == '-') return std::nullopt;
  int64_t fen = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), fen);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return fen;
}

}  // namespace

std::optional<int64_t> ReadFenString(JsonReader& reader, const std::string& field) {
  auto text = reader.String(field, 1, 15);
  if (!text) return std::nullopt;
  auto fen = ParseFen(*text);
  if (!fen) reader.Fail(field, "must be a whole number of fen, as a string");
  return fen;
}

std::optional<int64_t> ReadMoney(const Json& value, const std::string& field, const std::string& currency,
                                 FieldErrors& errors) {
  if (!value.is_object() || !value.contains("amount") || !value.contains("currency") || value.size() != 2 ||
      !value["amount"].is_string() || !value["currency"].is_string()) {
    errors.Add(field, "must be {\"amount\": fen as a string, \"currency\"}");
    return std::nullopt;
  }
  auto fen = ParseFen(value["amount"].get<std::string>());
  if (!fen) {
    errors.Add(field + ".amount", "must be a whole number of fen, as a string");
    return std::nullopt;
  }
  if (value["currency"].get<std::string>() != currency) {
    errors.Add(field + ".currency", "must be the company currency " + currency);
    return std::nullopt;
  }
  return fen;
}

Json MoneyJson(int64_t fen, const std::string& currency) {
  return {{"amount", std::to_string(fen)}, {"currency", currency}};
}

std::set<int64_t> NameableCustomers(storage::Connection& connection, const platform::Caller& caller,
                                    const std::vector<int64_t>& customer_ids) {
  std::set<int64_t> found;
  auto scope = caller.ScopeFor("customers.read");
  if (!scope || customer_ids.empty()) return found;
  std::string sql =
      "SELECT c.id FROM customers c LEFT JOIN users ow ON ow.id = c.owner_id LEFT JOIN org_units ou "
      "ON ou.id = ow.unit_id WHERE c.merged_into_id IS NULL AND c.status <> 'lost' AND c.id IN (";
  storage::Params params;
  for (size_t i = 0; i < customer_ids.size(); ++i) {
    sql += i ? ", ?" : "?";
    params.push_back(customer_ids[i]);
  }
  sql += ")";
  if (*scope == platform::Scope::kOwn) {
    sql += " AND (c.owner_id IS NULL OR c.owner_id = ?)";
    params.push_back(caller.user_id);
  } else if (*scope == platform::Scope::kTeam) {
    sql += " AND (c.owner_id IS NULL OR c.owner_id = ? OR ou.path LIKE ? ESCAPE '\\')";
    params.push_back(caller.user_id);
    params.push_back(EscapeLike(caller.unit_path) + "%");
  }
  const storage::Sql query{"visits.nameable_customers", sql.c_str()};
  for (const auto& row : connection.Query(query, params).rows) found.insert(row.Int(0));
  return found;
}

bool UserInScope(storage::Connection& connection, const platform::Caller& caller, platform::Scope scope,
                 int64_t user_id) {
  auto row = connection.QueryOne(kUserPath, {user_id});
  return row && platform::InScope(caller, scope, user_id, row->Text(0));
}

}  // namespace tuoke::visits

namespace tuoke::visits {

void ReadNested(JsonReader& parent, const std::string& prefix, const Json& object,
                const std::function<void(JsonReader&)>& read) {
  if (!object.is_object()) {
    parent.Fail(prefix, "must be an object");
    return;
  }
  JsonReader nested(object);
  read(nested);
  try {
    nested.Finish();
  } catch (const Error& error) {
    const Json& fields = error.details().contains("fields") ? error.details()["fields"] : Json::object();
    for (auto it = fields.begin(); it != fields.end(); ++it)
      parent.Fail(prefix + "." + it.key(), it.value().is_string() ? it.value().get<std::string>() : "is invalid");
  }
}

}  // namespace tuoke::visits
