#include "modules/fieldreports/competitor_service.h"

#include <algorithm>
#include <map>

#include "core/text.h"
#include "modules/fieldreports/market_intel_service.h"
#include "platform/audit.h"

namespace tuoke::fieldreports {
namespace {

using platform::Caller;
using platform::Scope;

constexpr size_t kMaxName = 100;
constexpr size_t kMaxAliases = 10;
constexpr size_t kMaxLongText = 2000;
constexpr size_t kMaxTerms = 500;
constexpr size_t kMaxFloorNote = 100;
constexpr int64_t kMaxVolume = 1'000'000'000'000;
// Bounds of the answers: a profile's offers, its linked reports, a comparison's rows.
constexpr int64_t kMaxOffers = 200;
constexpr int64_t kLinkedReports = 10;
constexpr int64_t kMaxComparisonRows = 500;
// Aliases are stored joined by U+001F, which clean text never contains (as market_reports.tags).
constexpr char kSeparator[] = "\x1f";

#define TUOKE_PROFILE_COLUMNS                                                                             \
  "p.id, p.name, p.aliases, p.strength, p.weak_points, p.floor_price_fen, p.floor_currency, p.floor_note, " \
  "p.notes, p.created_by, u.name, o.path, p.created_at, p.updated_at FROM competitor_profiles p "           \
  "JOIN users u ON u.id = p.created_by JOIN org_units o ON o.id = u.unit_id "
enum ProfileColumn : size_t {
  kId, kName, kAliases, kStrength, kWeakPoints, kFloorFen, kFloorCurrency, kFloorNote, kNotes, kCreatedBy,
  kCreatorName, kCreatorPath, kCreatedAt, kUpdatedAt
};
const storage::Sql kSelectProfile{"competitor_profiles.select", "SELECT " TUOKE_PROFILE_COLUMNS "WHERE p.id = ?"};
const storage::Sql kProfileByKey{"competitor_profiles.by_key",
                                 "SELECT id FROM competitor_profiles WHERE name_key = ? AND id <> ?"};
const storage::Sql kInsertProfile{
    "competitor_profiles.insert",
    "INSERT INTO competitor_profiles (name, name_key, aliases, strength, weak_points, floor_price_fen, floor_currency, "
    "floor_note, notes, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"};
const storage::Sql kUpdateProfile{
    "competitor_profiles.update",
    "UPDATE competitor_profiles SET name = ?, name_key = ?, aliases = ?, strength = ?, weak_points = ?, "
    "floor_price_fen = ?, floor_currency = ?, floor_note = ?, notes = ?, updated_at = ? WHERE id = ?"};
const storage::Sql kDeleteProfileOffers{"competitor_profiles.delete_offers",
                                        "DELETE FROM competitor_offers WHERE profile_id = ?"};
const storage::Sql kDeleteProfile{"competitor_profiles.delete", "DELETE FROM competitor_profiles WHERE id = ?"};

#define TUOKE_OFFER_COLUMNS                                                                                       \
  "f.id, f.profile_id, p.name, f.customer_id, c.name, c.grade, c.province, c.city, f.product, f.their_price_fen, " \
  "f.their_terms, f.our_price_fen, f.our_terms, f.customer_volume, f.volume_unit, f.customer_note, f.currency, "   \
  "f.observed_on, f.created_by, u.name, o.path, f.updated_at, p.floor_price_fen FROM competitor_offers f "         \
  "JOIN competitor_profiles p ON p.id = f.profile_id JOIN customers c ON c.id = f.customer_id "                   \
  "JOIN users u ON u.id = f.created_by JOIN org_units o ON o.id = u.unit_id "
enum OfferColumn : size_t {
  kOfferId, kOfferProfileId, kOfferCompetitor, kOfferCustomerId, kOfferCustomerName, kOfferGrade, kOfferProvince,
  kOfferCity, kOfferProduct, kTheirPrice, kTheirTerms, kOurPrice, kOurTerms, kVolume, kVolumeUnit, kCustomerNote,
  kOfferCurrency, kObservedOn, kOfferCreatedBy, kOfferCreatorName, kOfferCreatorPath, kOfferUpdatedAt, kOfferFloor
};
const storage::Sql kSelectOffer{"competitor_offers.select", "SELECT " TUOKE_OFFER_COLUMNS "WHERE f.id = ?"};
const storage::Sql kProfileOffers{
    "competitor_offers.of_profile",
    "SELECT " TUOKE_OFFER_COLUMNS "WHERE f.profile_id = ? ORDER BY c.name, f.product, f.id LIMIT ?"};
const storage::Sql kOfferExists{
    "competitor_offers.exists",
    "SELECT id FROM competitor_offers WHERE profile_id = ? AND customer_id = ? AND product = ? AND id <> ?"};
const storage::Sql kInsertOffer{
    "competitor_offers.insert",
    "INSERT INTO competitor_offers (profile_id, customer_id, product, their_price_fen, their_terms, our_price_fen, "
    "our_terms, customer_volume, volume_unit, customer_note, currency, observed_on, created_by, created_at, "
    "updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"};
const storage::Sql kUpdateOffer{
    "competitor_offers.update",
    "UPDATE competitor_offers SET product = ?, their_price_fen = ?, their_terms = ?, our_price_fen = ?, our_terms = ?, "
    "customer_volume = ?, volume_unit = ?, customer_note = ?, currency = ?, observed_on = ?, updated_at = ? "
    "WHERE id = ?"};
const storage::Sql kDeleteOffer{"competitor_offers.delete", "DELETE FROM competitor_offers WHERE id = ?"};
const storage::Sql kSelectCreatorPath{"competitor_profiles.creator_path",
                                      "SELECT o.path FROM users u JOIN org_units o ON o.id = u.unit_id WHERE u.id = ?"};

[[noreturn]] void ThrowProfileNotFound() {
  throw Error(ErrorKind::kNotFound, "intel.competitor_not_found", "competitor profile not found");
}
[[noreturn]] void ThrowOfferNotFound() {
  throw Error(ErrorKind::kNotFound, "intel.offer_not_found", "competitor offer not found");
}

std::string Trim(const std::string& text) {
  size_t first = text.find_first_not_of(" \t\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\n") - first + 1);
}

// R-INTEL-7: one profile per competitor, whatever the case or surrounding spaces.
std::string NameKey(const std::string& name) { return ToLowerAscii(Trim(name)); }

std::vector<std::string> Split(const std::string& joined) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start < joined.size()) {
    size_t end = joined.find(kSeparator, start);
    if (end == std::string::npos) end = joined.size();
    parts.push_back(joined.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string joined;
  for (const auto& part : parts) {
    if (!joined.empty()) joined += kSeparator;
    joined += part;
  }
  return joined;
}

Json Money(std::optional<int64_t> fen, const std::string& currency) {
  return fen ? Json{{"amount", std::to_string(*fen)}, {"currency", currency}} : Json();
}

Json OptionalText(const storage::Row& row, size_t column) {
  auto text = row.OptionalText(column);
  return text ? Json(*text) : Json();
}

Json ProfileJson(const storage::Row& row) {
  Json aliases = Json::array();
  for (const auto& alias : Split(row.Text(kAliases))) aliases.push_back(alias);
  return {{"id", IdString(row.Int(kId))},
          {"name", row.Text(kName)},
          {"aliases", aliases},
          {"strength", row.Text(kStrength)},
          {"weakPoints", row.Text(kWeakPoints)},
          {"floor", Money(row.OptionalInt(kFloorFen), row.OptionalText(kFloorCurrency).value_or(""))},
          {"floorNote", OptionalText(row, kFloorNote)},
          {"notes", row.Text(kNotes)},
          {"createdBy", IdString(row.Int(kCreatedBy))},
          {"createdByName", row.Text(kCreatorName)},
          {"createdAt", row.Text(kCreatedAt)},
          {"updatedAt", row.Text(kUpdatedAt)}};
}

// R-INTEL-11: one side-by-side row: the competitor's offer, ours, the customer's data and
// the gap (theirs − ours, negative when they are cheaper).
Json OfferJson(const storage::Row& row) {
  const std::string& currency = row.Text(kOfferCurrency);
  auto theirs = row.OptionalInt(kTheirPrice), ours = row.OptionalInt(kOurPrice);
  auto volume = row.OptionalInt(kVolume);
  return {{"id", IdString(row.Int(kOfferId))},
          {"profileId", IdString(row.Int(kOfferProfileId))},
          {"competitor", row.Text(kOfferCompetitor)},
          {"customerId", IdString(row.Int(kOfferCustomerId))},
          {"customerName", row.Text(kOfferCustomerName)},
          {"customerGrade", row.Text(kOfferGrade)},
          {"province", OptionalText(row, kOfferProvince)},
          {"city", OptionalText(row, kOfferCity)},
          {"product", row.Text(kOfferProduct)},
          {"theirs", {{"price", Money(theirs, currency)}, {"terms", row.Text(kTheirTerms)}}},
          {"ours", {{"price", Money(ours, currency)}, {"terms", row.Text(kOurTerms)}}},
          {"customerData",
           {{"volume", volume ? Json(*volume) : Json()},
            {"volumeUnit", OptionalText(row, kVolumeUnit)},
            {"note", row.Text(kCustomerNote)}}},
          {"priceGap", theirs && ours ? Money(*theirs - *ours, currency) : Json()},
          // Their offer below the floor recorded in the profile is worth a look.
          {"belowFloor",
           theirs && row.OptionalInt(kOfferFloor) ? Json(*theirs < *row.OptionalInt(kOfferFloor)) : Json()},
          {"observedOn", row.Text(kObservedOn)},
          {"createdBy", IdString(row.Int(kOfferCreatedBy))},
          {"createdByName", row.Text(kOfferCreatorName)},
          {"updatedAt", row.Text(kOfferUpdatedAt)}};
}

struct ProfileRecord {
  std::string name;
  std::vector<std::string> aliases;
  std::string strength, weak_points, notes;
  std::optional<int64_t> floor_fen;
  std::optional<std::string> floor_note;
};

// R-INTEL-8: every field checked; a create needs the name.
void ReadProfile(JsonReader& reader, ProfileRecord& record, bool create, const std::string& currency) {
  std::optional<std::string> name;
  if (create) name = reader.RequiredString("name", 1, kMaxName);
  else if (reader.Has("name")) name = reader.String("name", 1, kMaxName);
  if (name) {
    if (Trim(*name).empty()) reader.Fail("name", "must not be blank");
    else record.name = Trim(*name);
  }
  if (reader.Has("aliases")) {
    const Json* raw = reader.Raw("aliases");
    record.aliases.clear();
    if (!raw->is_null() && (!raw->is_array() || raw->size() > kMaxAliases)) {
      reader.Fail("aliases", "must be a list of at most 10 names");
    } else if (!raw->is_null()) {
      for (size_t i = 0; i < raw->size(); ++i) {
        const Json& alias = (*raw)[i];
        std::string text = alias.is_string() ? Trim(alias.get<std::string>()) : "";
        if (text.empty() || Utf8Length(text) > kMaxName || !IsCleanText(text))
          reader.Fail("aliases[" + std::to_string(i) + "]", "must be a name of 1 to 100 characters");
        else if (std::find(record.aliases.begin(), record.aliases.end(), text) == record.aliases.end())
          record.aliases.push_back(text);
      }
    }
  }
  auto long_text = [&](const char* field, std::string& target) {
    bool present = false;
    auto value = reader.NullableString(field, kMaxLongText, &present);
    if (present) target = value.value_or("");
  };
  long_text("strength", record.strength);
  long_text("weakPoints", record.weak_points);
  long_text("notes", record.notes);
  bool floor_present = false;
  auto floor = ReadMoney(reader, "floor", currency, &floor_present);
  if (floor_present) record.floor_fen = floor;
  bool note_present = false;
  auto note = reader.NullableString("floorNote", kMaxFloorNote, &note_present);
  if (note_present) record.floor_note = note && !note->empty() ? note : std::nullopt;
}

struct OfferRecord {
  std::string product;
  std::optional<int64_t> their_price, our_price, volume;
  std::string their_terms, our_terms, customer_note;
  std::optional<std::string> volume_unit;
  std::string observed_on;
};

// R-INTEL-10: every field checked; an offer says what the competitor offers (a price or
// terms) and is observed on a date not in the future.
void ReadOffer(JsonReader& reader, OfferRecord& record, bool create, const std::string& currency, Date today) {
  std::optional<std::string> product;
  if (create) product = reader.RequiredString("product", 1, kMaxName);
  else if (reader.Has("product")) product = reader.String("product", 1, kMaxName);
  if (product) {
    if (Trim(*product).empty()) reader.Fail("product", "must not be blank");
    else record.product = Trim(*product);
  }
  bool present = false;
  auto their_price = ReadMoney(reader, "theirPrice", currency, &present);
  if (present) record.their_price = their_price;
  auto our_price = ReadMoney(reader, "ourPrice", currency, &present);
  if (present) record.our_price = our_price;
  auto text = [&](const char* field, std::string& target) {
    bool given = false;
    auto value = reader.NullableString(field, kMaxTerms, &given);
    if (given) target = value.value_or("");
  };
  text("theirTerms", record.their_terms);
  text("ourTerms", record.our_terms);
  text("customerNote", record.customer_note);
  if (reader.Has("customerVolume")) {
    const Json* raw = reader.Raw("customerVolume");
    if (raw->is_null()) record.volume.reset();
    else if (!raw->is_number_integer() || raw->get<int64_t>() < 0 || raw->get<int64_t>() > kMaxVolume)
      reader.Fail("customerVolume", "must be a whole number from 0 to " + std::to_string(kMaxVolume));
    else record.volume = raw->get<int64_t>();
  }
  bool unit_present = false;
  auto unit = reader.NullableString("volumeUnit", 10, &unit_present);
  if (unit_present) record.volume_unit = unit && !unit->empty() ? unit : std::nullopt;
  if (reader.Has("observedOn")) {
    auto observed = reader.DateString("observedOn");
    if (observed && *ParseDate(*observed) > today) reader.Fail("observedOn", "is in the future");
    else if (observed) record.observed_on = *observed;
  } else if (create) {
    record.observed_on = FormatDate(today);
  }
  if (!record.their_price && Trim(record.their_terms).empty())
    reader.Fail("theirPrice", "give the competitor's price or terms (theirTerms)");
}

storage::Value Nullable(const std::optional<int64_t>& value) { return storage::Nullable(value); }

}  // namespace

// ---- access ----------------------------------------------------------------------------

storage::Row CompetitorService::LoadProfile(storage::Connection& connection, const Caller& caller, int64_t profile_id) {
  platform::Require(caller, "intel.read");
  auto row = connection.QueryOne(kSelectProfile, {profile_id});
  if (!row) ThrowProfileNotFound();
  return *row;
}

bool CompetitorService::CustomerReadable(storage::Connection& connection, const Caller& caller, int64_t customer_id) {
  try {
    customers_.CheckReadable(connection, caller, customer_id);
    return true;
  } catch (const Error& error) {
    if (error.kind() == ErrorKind::kNotFound || error.kind() == ErrorKind::kForbidden) return false;
    throw;
  }
}

storage::Row CompetitorService::LoadOffer(storage::Connection& connection, const Caller& caller, int64_t offer_id) {
  platform::Require(caller, "intel.read");
  auto row = connection.QueryOne(kSelectOffer, {offer_id});
  // R-INTEL-9: an offer is customer data: out of the caller's archive scope it does not exist.
  if (!row || !CustomerReadable(connection, caller, row->Int(kOfferCustomerId))) ThrowOfferNotFound();
  return *row;
}

void CompetitorService::RequireWriter(const Caller& caller, storage::Connection& connection, int64_t creator_id) {
  Scope scope = platform::Require(caller, "intel.write");
  if (creator_id == caller.user_id || scope == Scope::kAll) return;
  auto row = connection.QueryOne(kSelectCreatorPath, {creator_id});
  // R-INTEL-12: as market reports (R-INTEL-4): the creator or a manager covering them.
  if (!row || !platform::InScope(caller, scope, creator_id, row->Text(0)))
    throw Error(ErrorKind::kForbidden, "access.denied", "only the author or their manager edits this");
}

Json CompetitorService::RenderOffer(storage::Connection& connection, int64_t offer_id) {
  return OfferJson(*connection.QueryOne(kSelectOffer, {offer_id}));
}

Json CompetitorService::RenderProfile(storage::Connection& connection, const Caller& caller, int64_t profile_id,
                                      bool full) {
  auto row = connection.QueryOne(kSelectProfile, {profile_id});
  if (!row) ThrowProfileNotFound();
  Json profile = ProfileJson(*row);
  if (!full) return profile;
  Json offers = Json::array();
  std::map<int64_t, bool> readable;
  for (const auto& offer : connection.Query(kProfileOffers, {profile_id, kMaxOffers}).rows) {
    int64_t customer_id = offer.Int(kOfferCustomerId);
    auto known = readable.find(customer_id);
    if (known == readable.end())
      known = readable.emplace(customer_id, CustomerReadable(connection, caller, customer_id)).first;
    if (known->second) offers.push_back(OfferJson(offer));
  }
  profile["offers"] = offers;
  // R-INTEL-9: the market reports naming the competitor (name or alias), in intel.read scope.
  std::vector<std::string> names{row->Text(kName)};
  for (const auto& alias : Split(row->Text(kAliases))) names.push_back(alias);
  storage::Params params;
  std::string in;
  for (const auto& name : names) {
    in += in.empty() ? "?" : ", ?";
    params.push_back(name);
  }
  std::string where = " FROM market_reports m JOIN users u ON u.id = m.reporter_id JOIN org_units o ON o.id = "
                      "u.unit_id WHERE m.competitor IN (" + in + ")";
  Scope scope = *caller.ScopeFor("intel.read");
  if (scope == Scope::kOwn) {
    where += " AND m.reporter_id = ?";
    params.push_back(caller.user_id);
  } else if (scope == Scope::kTeam) {
    where += " AND (m.reporter_id = ? OR o.path LIKE ? ESCAPE '\\')";
    params.push_back(caller.user_id);
    params.push_back(EscapeLike(caller.unit_path) + "%");
  }
  std::string count_sql = "SELECT COUNT(*)" + where;
  const storage::Sql count_query{"competitor_profiles.linked_count", count_sql.c_str()};
  int64_t total = connection.QueryOne(count_query, params)->Int(0);
  std::string list_sql = "SELECT m.id, m.kind, m.observed_on, m.competitor, m.product, m.price_fen, m.description, "
                         "u.name" + where + " ORDER BY m.observed_on DESC, m.id DESC LIMIT ?";
  params.push_back(kLinkedReports);
  const storage::Sql list_query{"competitor_profiles.linked", list_sql.c_str()};
  std::string currency = Currency();
  Json reports = Json::array();
  for (const auto& report : connection.Query(list_query, params).rows)
    reports.push_back({{"id", IdString(report.Int(0))},
                       {"kind", report.Text(1)},
                       {"observedOn", report.Text(2)},
                       {"competitor", report.Text(3)},
                       {"product", OptionalText(report, 4)},
                       {"price", Money(report.OptionalInt(5), currency)},
                       {"description", report.Text(6)},
                       {"reporterName", report.Text(7)}});
  profile["linkedReports"] = {{"total", total}, {"items", reports}};
  return profile;
}

// ---- profiles ----------------------------------------------------------------------------

Json CompetitorService::List(const Caller& caller, const CompetitorFilter& filter) {
  platform::Require(caller, "intel.read");
  storage::Params params;
  std::string sql = "SELECT " TUOKE_PROFILE_COLUMNS "WHERE 1 = 1";
  if (filter.query) {
    // ASCII case folded on both sides, so both backends match alike (SQLite's LIKE folds
    // ASCII, PostgreSQL's does not).
    sql += " AND (p.name_key LIKE ? ESCAPE '\\' OR lower(p.aliases) LIKE ? ESCAPE '\\')";
    std::string pattern = "%" + EscapeLike(ToLowerAscii(*filter.query)) + "%";
    params.push_back(pattern);
    params.push_back(pattern);
  }
  if (filter.cursor) sql += " AND p.id > ?", params.push_back(*filter.cursor);
  sql += " ORDER BY p.id LIMIT ?";
  params.push_back(int64_t{filter.limit + 1});
  const storage::Sql query{"competitor_profiles.list", sql.c_str()};
  auto connection = database_.Acquire();
  auto rows = connection->Query(query, params).rows;
  Json items = Json::array();
  Json next = nullptr;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (static_cast<int>(i) == filter.limit) {
      next = IdString(rows[i - 1].Int(kId));
      break;
    }
    items.push_back(ProfileJson(rows[i]));
  }
  return {{"items", items}, {"nextCursor", next}};
}

Json CompetitorService::Get(const Caller& caller, int64_t profile_id) {
  auto connection = database_.Acquire();
  LoadProfile(*connection, caller, profile_id);
  return RenderProfile(*connection, caller, profile_id, true);
}

Json CompetitorService::Create(const Caller& caller, const Json& body) {
  platform::Require(caller, "intel.write");
  std::string currency = Currency();
  JsonReader reader(body);
  ProfileRecord record;
  ReadProfile(reader, record, true, currency);
  reader.Finish();
  Json result;
  database_.InTransaction([&](storage::Connection& connection) {
    if (auto existing = connection.QueryOne(kProfileByKey, {NameKey(record.name), int64_t{0}}))
      throw Error(ErrorKind::kConflict, "intel.duplicate_competitor", "a profile of this competitor exists",
                  {{"profileId", IdString(existing->Int(0))}});
    std::string now = FormatInstant(clock_.Now());
    int64_t id = connection
                     .QueryOne(kInsertProfile,
                               {record.name, NameKey(record.name), Join(record.aliases), record.strength,
                                record.weak_points, Nullable(record.floor_fen),
                                record.floor_fen ? storage::Value(currency) : storage::Value(nullptr),
                                storage::Nullable(record.floor_note), record.notes, caller.user_id, now, now})
                     ->Int(0);
    result = RenderProfile(connection, caller, id, false);
    platform::RecordAudit(connection, platform::Actor::From(caller),
                          {"competitor_profile.create", "competitor_profile", IdString(id), Json(), result},
                          clock_.Now());
    result = RenderProfile(connection, caller, id, true);
  });
  return result;
}

Json CompetitorService::Update(const Caller& caller, int64_t profile_id, const Json& body) {
  std::string currency = Currency();
  Json result;
  database_.InTransaction([&](storage::Connection& connection) {
    storage::Row row = LoadProfile(connection, caller, profile_id);
    RequireWriter(caller, connection, row.Int(kCreatedBy));
    ProfileRecord record{row.Text(kName),          Split(row.Text(kAliases)), row.Text(kStrength),
                         row.Text(kWeakPoints),    row.Text(kNotes),          row.OptionalInt(kFloorFen),
                         row.OptionalText(kFloorNote)};
    JsonReader reader(body);
    ReadProfile(reader, record, false, currency);
    reader.Finish();
    if (auto existing = connection.QueryOne(kProfileByKey, {NameKey(record.name), profile_id}))
      throw Error(ErrorKind::kConflict, "intel.duplicate_competitor", "a profile of this competitor exists",
                  {{"profileId", IdString(existing->Int(0))}});
    Json before = ProfileJson(row);
    std::optional<std::string> floor_currency =
        record.floor_fen ? std::optional<std::string>(row.OptionalInt(kFloorFen) == record.floor_fen
                                                          ? row.OptionalText(kFloorCurrency).value_or(currency)
                                                          : currency)
                         : std::nullopt;
    connection.Execute(kUpdateProfile, {record.name, NameKey(record.name), Join(record.aliases), record.strength,
                                        record.weak_points, Nullable(record.floor_fen),
                                        storage::Nullable(floor_currency), storage::Nullable(record.floor_note),
                                        record.notes, FormatInstant(clock_.Now()), profile_id});
    Json after = RenderProfile(connection, caller, profile_id, false);
    Json changed_before = before, changed_after = after;
    changed_before.erase("updatedAt");
    changed_after.erase("updatedAt");
    platform::KeepChangedFields(changed_before, changed_after);
    if (!changed_after.empty())
      platform::RecordAudit(connection, platform::Actor::From(caller),
                            {"competitor_profile.update", "competitor_profile", IdString(profile_id), changed_before,
                             changed_after},
                            clock_.Now());
    result = RenderProfile(connection, caller, profile_id, true);
  });
  return result;
}

void CompetitorService::Delete(const Caller& caller, int64_t profile_id) {
  database_.InTransaction([&](storage::Connection& connection) {
    storage::Row row = LoadProfile(connection, caller, profile_id);
    RequireWriter(caller, connection, row.Int(kCreatedBy));
    Json before = ProfileJson(row);
    const storage::Sql offer_count{"competitor_profiles.offer_count",
                                   "SELECT COUNT(*) FROM competitor_offers WHERE profile_id = ?"};
    before["offerCount"] = connection.QueryOne(offer_count, {profile_id})->Int(0);
    connection.Execute(kDeleteProfileOffers, {profile_id});
    connection.Execute(kDeleteProfile, {profile_id});
    platform::RecordAudit(connection, platform::Actor::From(caller),
                          {"competitor_profile.delete", "competitor_profile", IdString(profile_id), before, Json()},
                          clock_.Now());
  });
}

// ---- offers ------------------------------------------------------------------------------

Json CompetitorService::AddOffer(const Caller& caller, int64_t profile_id, const Json& body) {
  platform::Require(caller, "intel.write");
  std::string currency = Currency();
  Date today = policies_.Today();
  JsonReader reader(body);
  bool customer_present = false;
  auto customer_id = reader.Id("customerId", &customer_present);
  if (!customer_present) reader.Fail("customerId", "is required");
  OfferRecord record;
  ReadOffer(reader, record, true, currency, today);
  reader.Finish();
  Json result;
  database_.InTransaction([&](storage::Connection& connection) {
    LoadProfile(connection, caller, profile_id);
    // R-INTEL-10: the customer must be readable by the caller (customers.not_found).
    customers_.CheckReadable(connection, caller, *customer_id);
    if (auto existing = connection.QueryOne(kOfferExists, {profile_id, *customer_id, record.product, int64_t{0}}))
      throw Error(ErrorKind::kConflict, "intel.duplicate_offer",
                  "this competitor's offer of the product to the customer is recorded; edit it",
                  {{"offerId", IdString(existing->Int(0))}});
    std::string now = FormatInstant(clock_.Now());
    int64_t id = connection
                     .QueryOne(kInsertOffer,
                               {profile_id, *customer_id, record.product, Nullable(record.their_price),
                                record.their_terms, Nullable(record.our_price), record.our_terms,
                                Nullable(record.volume), storage::Nullable(record.volume_unit), record.customer_note,
                                currency, record.observed_on, caller.user_id, now, now})
                     ->Int(0);
    result = RenderOffer(connection, id);
    platform::RecordAudit(connection, platform::Actor::From(caller),
                          {"competitor_offer.create", "competitor_offer", IdString(id), Json(), result}, clock_.Now());
  });
  return result;
}

Json CompetitorService::UpdateOffer(const Caller& caller, int64_t offer_id, const Json& body) {
  std::string currency = Currency();
  Date today = policies_.Today();
  Json result;
  database_.InTransaction([&](storage::Connection& connection) {
    storage::Row row = LoadOffer(connection, caller, offer_id);
    RequireWriter(caller, connection, row.Int(kOfferCreatedBy));
    OfferRecord record{row.Text(kOfferProduct), row.OptionalInt(kTheirPrice), row.OptionalInt(kOurPrice),
                       row.OptionalInt(kVolume), row.Text(kTheirTerms),       row.Text(kOurTerms),
                       row.Text(kCustomerNote),  row.OptionalText(kVolumeUnit), row.Text(kObservedOn)};
    JsonReader reader(body);
    ReadOffer(reader, record, false, currency, today);
    reader.Finish();
    if (auto existing = connection.QueryOne(
            kOfferExists, {row.Int(kOfferProfileId), row.Int(kOfferCustomerId), record.product, offer_id}))
      throw Error(ErrorKind::kConflict, "intel.duplicate_offer",
                  "this competitor's offer of the product to the customer is recorded; edit it",
                  {{"offerId", IdString(existing->Int(0))}});
    Json before = OfferJson(row);
    connection.Execute(kUpdateOffer, {record.product, Nullable(record.their_price), record.their_terms,
                                      Nullable(record.our_price), record.our_terms, Nullable(record.volume),
                                      storage::Nullable(record.volume_unit), record.customer_note, currency,
                                      record.observed_on, FormatInstant(clock_.Now()), offer_id});
    result = RenderOffer(connection, offer_id);
    Json after = result;
    before.erase("updatedAt");
    after.erase("updatedAt");
    platform::KeepChangedFields(before, after);
    if (!after.empty())
      platform::RecordAudit(connection, platform::Actor::From(caller),
                            {"competitor_offer.update", "competitor_offer", IdString(offer_id), before, after},
                            clock_.Now());
  });
  return result;
}

void CompetitorService::DeleteOffer(const Caller& caller, int64_t offer_id) {
  database_.InTransaction([&](storage::Connection& connection) {
    storage::Row row = LoadOffer(connection, caller, offer_id);
    RequireWriter(caller, connection, row.Int(kOfferCreatedBy));
    Json before = OfferJson(row);
    connection.Execute(kDeleteOffer, {offer_id});
    platform::RecordAudit(connection, platform::Actor::From(caller),
                          {"competitor_offer.delete", "competitor_offer", IdString(offer_id), before, Json()},
                          clock_.Now());
  });
}

// ---- comparison ----------------------------------------------------------------------------

Json CompetitorService::Compare(const Caller& caller, std::optional<int64_t> profile_id,
                                std::optional<int64_t> customer_id) {
  platform::Require(caller, "intel.read");
  if (!profile_id && !customer_id) ThrowValidation("profileId", "give profileId, customerId or both");
  auto connection = database_.Acquire();
  Json answer = Json::object();
  if (profile_id) {
    LoadProfile(*connection, caller, *profile_id);
    answer["profile"] = RenderProfile(*connection, caller, *profile_id, false);
  }
  if (customer_id) {
    // The customer's own data (archive scope: customers.not_found).
    Json customer = Json::parse(customers_.Get(caller, *customer_id));
    answer["customer"] = {{"id", customer["id"]},       {"name", customer["name"]},
                          {"grade", customer["grade"]}, {"province", customer["province"]},
                          {"city", customer["city"]}};
  }
  storage::Params params;
  std::string sql = "SELECT " TUOKE_OFFER_COLUMNS "WHERE 1 = 1";
  if (profile_id) sql += " AND f.profile_id = ?", params.push_back(*profile_id);
  if (customer_id) sql += " AND f.customer_id = ?", params.push_back(*customer_id);
  sql += " ORDER BY c.name, f.product, p.name, f.id LIMIT ?";
  params.push_back(kMaxComparisonRows + 1);
  const storage::Sql query{"competitor_offers.compare", sql.c_str()};
  auto rows = connection->Query(query, params).rows;
  bool truncated = static_cast<int64_t>(rows.size()) > kMaxComparisonRows;
  Json items = Json::array();
  std::map<int64_t, bool> readable;
  for (size_t i = 0; i < rows.size() && static_cast<int64_t>(i) < kMaxComparisonRows; ++i) {
    int64_t id = rows[i].Int(kOfferCustomerId);
    auto known = readable.find(id);
    if (known == readable.end()) known = readable.emplace(id, CustomerReadable(*connection, caller, id)).first;
    if (known->second) items.push_back(OfferJson(rows[i]));
  }
  answer["rows"] = items;
  answer["truncated"] = truncated;
  return answer;
}

}  // namespace tuoke::fieldreports
