#include "modules/fieldreports/market_intel_service.h"

#include <charconv>
#include <map>

#include "core/text.h"
#include "modules/fieldreports/report_rules.h"
#include "platform/audit.h"

namespace tuoke::fieldreports {
namespace {

using platform::Caller;
using platform::Scope;

constexpr size_t kMaxDescription = 2000;
constexpr size_t kMaxName = 100;
constexpr size_t kMaxRegion = 32;
constexpr size_t kMaxTags = 10;
constexpr size_t kMaxTag = 20;
constexpr int64_t kMaxPriceFen = 1'000'000'000'000;  // 10 billion yuan: a typo guard, not a business rule
constexpr int64_t kMaxQuantity = 1'000'000'000'000;
// Tags are stored joined by U+001F, which clean text never contains (as customers.tags).
constexpr char kTagSeparator[] = "\x1f";

#define TUOKE_MARKET_COLUMNS                                                                               \
  "m.id, m.reporter_id, u.name, o.path, m.kind, m.competitor, m.product, m.price_fen, m.price_currency, m.quantity, "       \
  "m.quantity_unit, m.observed_on, m.description, m.tags, m.customer_id, c.name, m.province, m.city, "     \
  "m.created_at, m.updated_at FROM market_reports m JOIN users u ON u.id = m.reporter_id "                 \
  "JOIN org_units o ON o.id = u.unit_id LEFT JOIN customers c ON c.id = m.customer_id "
enum Column : size_t {
  kId, kReporterId, kReporterName, kReporterPath, kKind, kCompetitor, kProduct, kPriceFen, kPriceCurrency, kQuantity,
  kQuantityUnit, kObservedOn, kDescription, kTags, kCustomerId, kCustomerName, kProvince, kCity,
  kCreatedAt, kUpdatedAt
};
const storage::Sql kSelect{"market_reports.select", "SELECT " TUOKE_MARKET_COLUMNS "WHERE m.id = ?"};
const storage::Sql kInsert{
    "market_reports.insert",
    "INSERT INTO market_reports (reporter_id, kind, competitor, product, price_fen, price_currency, quantity, "
    "quantity_unit, observed_on, description, tags, customer_id, province, city, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"};
const storage::Sql kUpdate{
    "market_reports.update",
    "UPDATE market_reports SET kind = ?, competitor = ?, product = ?, price_fen = ?, price_currency = ?, quantity = ?, "
    "quantity_unit = ?, observed_on = ?, description = ?, tags = ?, customer_id = ?, province = ?, city = ?, "
    "updated_at = ? WHERE id = ?"};
const storage::Sql kDelete{"market_reports.delete", "DELETE FROM market_reports WHERE id = ?"};

std::string JoinTags(const std::vector<std::string>& tags) {
  std::string joined;
  for (const auto& tag : tags) {
    if (!joined.empty()) joined += kTagSeparator;
    joined += tag;
  }
  return joined;
}

Json SplitTags(const std::string& joined) {
  Json tags = Json::array();
  size_t start = 0;
  while (start < joined.size()) {
    size_t end = joined.find(kTagSeparator, start);
    if (end == std::string::npos) end = joined.size();
    tags.push_back(joined.substr(start, end - start));
    start = end + 1;
  }
  return tags;
}

Json ReportJson(const storage::Row& row) {
  auto text = [&](size_t column) {
    auto value = row.OptionalText(column);
    return value ? Json(*value) : Json();
  };
  auto number = [&](size_t column) {
    auto value = row.OptionalInt(column);
    return value ? Json(*value) : Json();
  };
  return {{"id", IdString(row.Int(kId))},
          {"reporterId", IdString(row.Int(kReporterId))},
          {"reporterName", row.Text(kReporterName)},
          {"kind", row.Text(kKind)},
          {"competitor", text(kCompetitor)},
          {"product", text(kProduct)},
          {"price", row.OptionalInt(kPriceFen) ? Json{{"amount", std::to_string(*row.OptionalInt(kPriceFen))},
                                                       {"currency", text(kPriceCurrency)}}
                                                 : Json()},
          {"quantity", number(kQuantity)},
          {"quantityUnit", text(kQuantityUnit)},
          {"observedOn", row.Text(kObservedOn)},
          {"description", row.Text(kDescription)},
          {"tags", SplitTags(row.Text(kTags))},
          {"customerId", row.OptionalInt(kCustomerId) ? Json(IdString(*row.OptionalInt(kCustomerId))) : Json()},
          {"customerName", text(kCustomerName)},
          {"province", text(kProvince)},
          {"city", text(kCity)},
          {"createdAt", row.Text(kCreatedAt)},
          {"updatedAt", row.Text(kUpdatedAt)}};
}

// The fields of a report, as stored.
struct Record {
  std::string kind;
  std::optional<std::string> competitor, product, quantity_unit, province, city, price_currency;
  std::optional<int64_t> price_fen, quantity, customer_id;
  std::string observed_on, description;
  std::vector<std::string> tags;
};

void ReadOptionalText(JsonReader& reader, const std::string& field, std::optional<std::string>& target,
                      size_t max_length) {
  bool present = false;
  auto value = reader.NullableString(field, max_length, &present);
  if (!present) return;
  target = value && !value->empty() ? value : std::nullopt;
}

void ReadOptionalInt(JsonReader& reader, const std::string& field, std::optional<int64_t>& target, int64_t max) {
  if (!reader.Has(field)) return;
  const Json* raw = reader.Raw(field);
  if (raw->is_null()) {
    target.reset();
    return;
  }
  if (!raw->is_number_integer() || raw->get<int64_t>() < 0 || raw->get<int64_t>() > max)
    reader.Fail(field, "must be a whole number from 0 to " + std::to_string(max));
  else target = raw->get<int64_t>();
}

// R-INTEL-1, 2: every field checked; a create needs kind, observedOn and description.
// Money travels as {"amount": "<fen as a string>", "currency": "CNY"} (docs/api.md), in the
// company currency.
void ReadPrice(JsonReader& reader, Record& record, const std::string& currency) {
  bool present = false;
  auto fen = ReadMoney(reader, "price", currency, &present);
  if (!present) return;
  record.price_fen = fen;
  record.price_currency = fen ? std::optional<std::string>(currency) : std::nullopt;
}

void ReadRecord(JsonReader& reader, Record& record, bool create, Date today, const std::string& currency,
                bool& customer_given) {
  if (create || reader.Has("kind")) {
    auto kind = reader.Enum("kind", MarketReportKinds());
    if (kind) record.kind = *kind;
    else if (!reader.Has("kind")) reader.Fail("kind", "is required");
  }
  ReadOptionalText(reader, "competitor", record.competitor, kMaxName);
  ReadOptionalText(reader, "product", record.product, kMaxName);
  ReadOptionalText(reader, "quantityUnit", record.quantity_unit, 10);
  ReadOptionalText(reader, "province", record.province, kMaxRegion);
  ReadOptionalText(reader, "city", record.city, kMaxRegion);
  ReadPrice(reader, record, currency);
  ReadOptionalInt(reader, "quantity", record.quantity, kMaxQuantity);
  if (create || reader.Has("observedOn")) {
    auto observed = reader.DateString("observedOn");
    if (observed && *ParseDate(*observed) > today) reader.Fail("observedOn", "is in the future");
    else if (observed) record.observed_on = *observed;
    else if (!reader.Has("observedOn") || create) reader.Fail("observedOn", "is required");
  }
  if (create) {
    if (auto description = reader.RequiredString("description", 1, kMaxDescription)) record.description = *description;
  } else if (reader.Has("description")) {
    if (auto description = reader.String("description", 1, kMaxDescription)) record.description = *description;
    else if (reader.Raw("description")->is_null()) reader.Fail("description", "must not be null");
  }
  if (reader.Has("tags")) {
    const Json* raw = reader.Raw("tags");
    record.tags.clear();
    if (!raw->is_null() && (!raw->is_array() || raw->size() > kMaxTags)) {
      reader.Fail("tags", "must be a list of at most 10 tags");
    } else if (!raw->is_null()) {
      for (size_t i = 0; i < raw->size(); ++i) {
        const Json& tag = (*raw)[i];
        if (!tag.is_string() || tag.get<std::string>().empty() || Utf8Length(tag.get<std::string>()) > kMaxTag ||
            !IsCleanText(tag.get<std::string>()))
          reader.Fail("tags[" + std::to_string(i) + "]", "must be a text of 1 to 20 characters");
        else if (std::find(record.tags.begin(), record.tags.end(), tag.get<std::string>()) == record.tags.end())
          record.tags.push_back(tag.get<std::string>());
      }
    }
  }
  customer_given = reader.Has("customerId");
  if (customer_given) {
    bool present = false;
    record.customer_id = reader.Id("customerId", &present);
  }
  // R-INTEL-2: competitor moves name the competitor.
  if (record.kind.starts_with("competitor_") && !record.competitor)
    reader.Fail("competitor", "is required for a competitor report");
}

storage::Params RecordParams(const Record& record) {
  return {record.kind,
          storage::Nullable(record.competitor),
          storage::Nullable(record.product),
          storage::Nullable(record.price_fen),
          storage::Nullable(record.price_currency),
          storage::Nullable(record.quantity),
          storage::Nullable(record.quantity_unit),
          record.observed_on,
          record.description,
          JoinTags(record.tags),
          storage::Nullable(record.customer_id),
          storage::Nullable(record.province),
          storage::Nullable(record.city)};
}

}  // namespace

std::optional<int64_t> ReadMoney(JsonReader& reader, const std::string& field, const std::string& currency,
                                 bool* present) {
  const Json* price = reader.Raw(field);
  if (present) *present = price != nullptr;
  if (!price || price->is_null()) return std::nullopt;
  if (!price->is_object()) {
    reader.Fail(field, "must be {amount, currency} or null");
    if (present) *present = false;
    return std::nullopt;
  }
  JsonReader nested(*price);
  auto amount = nested.RequiredString("amount", 1, 13);
  auto money_currency = nested.RequiredString("currency", 3, 3);
  std::optional<int64_t> fen;
  if (amount) {
    int64_t parsed = 0;
    auto [end, error] = std::from_chars(amount->data(), amount->data() + amount->size(), parsed);
    if (error != std::errc() || end != amount->data() + amount->size() || parsed < 0 || parsed > kMaxPriceFen)
      nested.Fail("amount", "must be a whole number of fen, as a string");
    else fen = parsed;
  }
  if (money_currency && *money_currency != currency) nested.Fail("currency", "must be the company currency " + currency);
  try {
    nested.Finish();
    return fen;
  } catch (const Error& error) {
    for (const auto& [name, message] : error.details()["fields"].items())
      reader.Fail(field + "." + name, message.get<std::string>());
    if (present) *present = false;
    return std::nullopt;
  }
}

const std::set<std::string>& MarketReportKinds() {
  static const std::set<std::string> kinds{
      "competitor_sales",     "competitor_price",       "competitor_new_product", "competitor_policy",
      "competitor_channel",   "competitor_advertising", "competitor_promotion",   "distributor_stock",
      "distributor_flow",     "customer_feedback"};
  return kinds;
}

storage::Row MarketIntelService::LoadReadable(storage::Connection& connection, const Caller& caller, int64_t report_id) {
  Scope scope = platform::Require(caller, "intel.read");
  auto row = connection.QueryOne(kSelect, {report_id});
  if (!row || !platform::InScope(caller, scope, row->Int(kReporterId), row->Text(kReporterPath)))
    throw Error(ErrorKind::kNotFound, "intel.not_found", "market report not found");
  return *row;
}

Json MarketIntelService::Render(storage::Connection& connection, int64_t report_id) {
  return ReportJson(*connection.QueryOne(kSelect, {report_id}));
}

Json MarketIntelService::Get(const Caller& caller, int64_t report_id) {
  auto connection = database_.Acquire();
  return ReportJson(LoadReadable(*connection, caller, report_id));
}

Json MarketIntelService::Create(const Caller& caller, const Json& body) {
  platform::Require(caller, "intel.write");
  JsonReader reader(body);
  Record record;
  bool customer_given = false;
  ReadRecord(reader, record, true, policies_.Today(), policies_.StringOn("company.currency", policies_.Today()),
             customer_given);
  reader.Finish();
  if (record.customer_id) {
    // R-INTEL-3: the customer must be readable by the reporter; its region fills the
    // report's when the reporter gave none.
    Json customer = Json::parse(customers_.Get(caller, *record.customer_id));
    if (!record.province && customer["province"].is_string()) record.province = customer["province"];
    if (!record.city && customer["city"].is_string()) record.city = customer["city"];
  }
  Json result;
  database_.InTransaction([&](storage::Connection& connection) {
    std::string now = FormatInstant(clock_.Now());
    storage::Params params{caller.user_id};
    for (auto& value : RecordParams(record)) params.push_back(std::move(value));
    params.push_back(now);
    params.push_back(now);
    int64_t id = connection.QueryOne(kInsert, params)->Int(0);
    result = Render(connection, id);
    platform::RecordAudit(connection, platform::Actor::From(caller),
                          {"market_report.create", "market_report", IdString(id), Json(), result}, clock_.Now());
  });
  return result;
}

Json MarketIntelService::Update(const Caller& caller, int64_t report_id, const Json& body) {
  Scope write_scope = platform::Require(caller, "intel.write");
  Json result;
  // The customer check reads through CustomerService, outside the write transaction.
  std::optional<int64_t> checked_customer;
  JsonReader probe(body);
  if (body.is_object() && body.contains("customerId") && !body["customerId"].is_null()) {
    bool present = false;
    if (auto id = probe.Id("customerId", &present)) {
      customers_.Get(caller, *id);
      checked_customer = id;
    }
  }
  database_.InTransaction([&](storage::Connection& connection) {
    storage::Row row = LoadReadable(connection, caller, report_id);
    // R-INTEL-4: the reporter, or a manager whose intel.write scope covers the reporter.
    if (!platform::InScope(caller, write_scope, row.Int(kReporterId), row.Text(kReporterPath)))
      throw Error(ErrorKind::kForbidden, "access.denied", "only the reporter or their manager edits a report");
    Json before = ReportJson(row);
    Record record{row.Text(kKind),
                  row.OptionalText(kCompetitor),
                  row.OptionalText(kProduct),
                  row.OptionalText(kQuantityUnit),
                  row.OptionalText(kProvince),
                  row.OptionalText(kCity),
                  row.OptionalText(kPriceCurrency),
                  row.OptionalInt(kPriceFen),
                  row.OptionalInt(kQuantity),
                  row.OptionalInt(kCustomerId),
                  row.Text(kObservedOn),
                  row.Text(kDescription),
                  {}};
    for (const auto& tag : SplitTags(row.Text(kTags))) record.tags.push_back(tag);
    JsonReader reader(body);
    bool customer_given = false;
    ReadRecord(reader, record, false, policies_.Today(), policies_.StringOn("company.currency", policies_.Today()),
               customer_given);
    reader.Finish();
    if (record.customer_id && record.customer_id != row.OptionalInt(kCustomerId) && record.customer_id != checked_customer)
      throw Error(ErrorKind::kNotFound, "customers.not_found", "customer not found");
    storage::Params params = RecordParams(record);
    params.push_back(FormatInstant(clock_.Now()));
    params.push_back(report_id);
    connection.Execute(kUpdate, params);
    result = Render(connection, report_id);
    Json after = result;
    platform::KeepChangedFields(before, after);
    platform::RecordAudit(connection, platform::Actor::From(caller),
                          {"market_report.update", "market_report", IdString(report_id), before, after}, clock_.Now());
  });
  return result;
}

void MarketIntelService::Delete(const Caller& caller, int64_t report_id) {
  Scope write_scope = platform::Require(caller, "intel.write");
  database_.InTransaction([&](storage::Connection& connection) {
    storage::Row row = LoadReadable(connection, caller, report_id);
    if (!platform::InScope(caller, write_scope, row.Int(kReporterId), row.Text(kReporterPath)))
      throw Error(ErrorKind::kForbidden, "access.denied", "only the reporter or their manager deletes a report");
    Json before = ReportJson(row);
    connection.Execute(kDelete, {report_id});
    platform::RecordAudit(connection, platform::Actor::From(caller),
                          {"market_report.delete", "market_report", IdString(report_id), before, Json()}, clock_.Now());
  });
}

namespace {

// R-INTEL-1: the scope of intel.read over the reporter, in SQL; appends to params.
std::string ScopeSql(const Caller& caller, Scope scope, storage::Params& params) {
  if (scope == Scope::kOwn) {
    params.push_back(caller.user_id);
    return " AND m.reporter_id = ?";
  }
  if (scope == Scope::kTeam) {
    params.push_back(caller.user_id);
    params.push_back(EscapeLike(caller.unit_path) + "%");
    return " AND (m.reporter_id = ? OR o.path LIKE ? ESCAPE '\\')";
  }
  return "";
}

std::string UnitSql(std::optional<int64_t> unit_id, storage::Params& params) {
  if (!unit_id) return "";
  params.push_back(*unit_id);
  return " AND o.path LIKE (SELECT replace(replace(path, '%', '\\%'), '_', '\\_') || '%' FROM org_units "
         "WHERE id = ?) ESCAPE '\\'";
}

}  // namespace

Json MarketIntelService::List(const Caller& caller, const MarketReportFilter& filter) {
  Scope scope = platform::Require(caller, "intel.read");
  storage::Params params;
  std::string sql = "SELECT " TUOKE_MARKET_COLUMNS "WHERE 1 = 1" + ScopeSql(caller, scope, params);
  auto equals = [&](const char* column, const storage::Value& value) {
    sql += std::string(" AND ") + column + " = ?";
    params.push_back(value);
  };
  if (filter.kind) equals("m.kind", *filter.kind);
  if (filter.customer_id) equals("m.customer_id", *filter.customer_id);
  if (filter.province) equals("m.province", *filter.province);
  if (filter.city) equals("m.city", *filter.city);
  if (filter.reporter_id) equals("m.reporter_id", *filter.reporter_id);
  if (filter.competitor) equals("m.competitor", *filter.competitor);
  if (filter.month) {
    sql += " AND m.observed_on >= ? AND m.observed_on <= ?";
    params.push_back(FormatDate(*filter.month));
    params.push_back(FormatDate(LastDayOfMonth(*filter.month)));
  }
  if (filter.tag) {
    sql += " AND ? || m.tags || ? LIKE ? ESCAPE '\\'";
    params.push_back(std::string(kTagSeparator));
    params.push_back(std::string(kTagSeparator));
    params.push_back("%" + std::string(kTagSeparator) + EscapeLike(*filter.tag) + kTagSeparator + "%");
  }
  sql += UnitSql(filter.unit_id, params);
  if (filter.cursor) sql += " AND m.id < ?", params.push_back(*filter.cursor);
  sql += " ORDER BY m.id DESC LIMIT ?";
  params.push_back(int64_t{filter.limit + 1});
  const storage::Sql query{"market_reports.list", sql.c_str()};
  auto connection = database_.Acquire();
  auto rows = connection->Query(query, params).rows;
  Json items = Json::array();
  Json next = nullptr;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (static_cast<int>(i) == filter.limit) {
      next = IdString(rows[i - 1].Int(kId));
      break;
    }
    items.push_back(ReportJson(rows[i]));
  }
  return {{"items", items}, {"nextCursor", next}};
}

Json MarketIntelService::Rollup(const Caller& caller, Date month, std::optional<int64_t> unit_id) {
  Date first{month.year, month.month, 1};
  Json rollup = RollupRange(caller, {first, LastDayOfMonth(first)}, unit_id);
  rollup["month"] = FormatDate(first).substr(0, 7);
  return rollup;
}

Json MarketIntelService::QuarterRollup(const Caller& caller, Date quarter_start, std::optional<int64_t> unit_id) {
  DateRange range = PeriodContaining(Period::kQuarter, quarter_start);
  if (range.first != quarter_start) ThrowValidation("quarter", "must start on January, April, July or October 1st");
  Json rollup = RollupRange(caller, range, unit_id);
  rollup["quarter"] = std::to_string(range.first.year) + "-Q" + std::to_string((range.first.month - 1) / 3 + 1);
  // R-INTEL-6: the quarter's three months, each with its count (0 when none).
  Scope scope = platform::Require(caller, "intel.read");
  storage::Params params{FormatDate(range.first), FormatDate(range.last)};
  std::string sql =
      "SELECT substr(m.observed_on, 1, 7), COUNT(*) FROM market_reports m JOIN users u ON u.id = m.reporter_id "
      "JOIN org_units o ON o.id = u.unit_id WHERE m.observed_on >= ? AND m.observed_on <= ?" +
      ScopeSql(caller, scope, params) + UnitSql(unit_id, params) + " GROUP BY substr(m.observed_on, 1, 7)";
  const storage::Sql query{"market_reports.rollup_months", sql.c_str()};
  std::map<std::string, int64_t> by_month;
  for (int offset = 0; offset < 3; ++offset)
    by_month[FormatDate(Date{range.first.year, static_cast<unsigned>(range.first.month + offset), 1}).substr(0, 7)] = 0;
  auto connection = database_.Acquire();
  for (const auto& row : connection->Query(query, params).rows) by_month[row.Text(0)] = row.Int(1);
  Json months = Json::array();
  for (const auto& [month, count] : by_month) months.push_back({{"month", month}, {"count", count}});
  rollup["byMonth"] = months;
  return rollup;
}

Json MarketIntelService::RollupRange(const Caller& caller, DateRange range, std::optional<int64_t> unit_id) {
  Scope scope = platform::Require(caller, "intel.read");
  storage::Params params{FormatDate(range.first), FormatDate(range.last)};
  std::string sql =
      "SELECT m.kind, COALESCE(m.province, ''), COALESCE(m.competitor, ''), COUNT(*), MIN(m.price_fen), "
      "MAX(m.price_fen), COUNT(DISTINCT m.customer_id) FROM market_reports m JOIN users u ON u.id = m.reporter_id "
      "JOIN org_units o ON o.id = u.unit_id WHERE m.observed_on >= ? AND m.observed_on <= ?" +
      ScopeSql(caller, scope, params) + UnitSql(unit_id, params) +
      " GROUP BY m.kind, COALESCE(m.province, ''), COALESCE(m.competitor, '') "
      "ORDER BY m.kind, COALESCE(m.province, ''), COALESCE(m.competitor, '') LIMIT 2000";
  const storage::Sql query{"market_reports.rollup", sql.c_str()};
  std::string currency = policies_.StringOn("company.currency", policies_.Today());
  auto connection = database_.Acquire();
  Json groups = Json::array();
  std::map<std::string, int64_t> by_kind, by_region, by_competitor;
  int64_t total = 0;
  for (const auto& row : connection->Query(query, params).rows) {
    int64_t count = row.Int(3);
    total += count;
    by_kind[row.Text(0)] += count;
    by_region[row.Text(1)] += count;
    if (!row.Text(2).empty()) by_competitor[row.Text(2)] += count;
    auto money = [&](size_t column) {
      auto value = row.OptionalInt(column);
      return value ? Json{{"amount", std::to_string(*value)}, {"currency", currency}} : Json();
    };
    groups.push_back({{"kind", row.Text(0)},
                      {"province", row.Text(1).empty() ? Json() : Json(row.Text(1))},
                      {"competitor", row.Text(2).empty() ? Json() : Json(row.Text(2))},
                      {"count", count},
                      {"customers", row.Int(6)},
                      {"minPrice", money(4)},
                      {"maxPrice", money(5)}});
  }
  auto counts = [](const std::map<std::string, int64_t>& by, const char* key) {
    Json list = Json::array();
    for (const auto& [name, count] : by) list.push_back({{key, name.empty() ? Json() : Json(name)}, {"count", count}});
    return list;
  };
  return {{"periodStart", FormatDate(range.first)},
          {"periodEnd", FormatDate(range.last)},
          {"total", total},
          {"byKind", counts(by_kind, "kind")},
          {"byRegion", counts(by_region, "province")},
          {"byCompetitor", counts(by_competitor, "competitor")},
          {"groups", groups}};
}

}  // namespace tuoke::fieldreports
