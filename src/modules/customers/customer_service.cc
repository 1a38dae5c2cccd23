#include "modules/customers/customer_service.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "core/json_writer.h"
#include "core/text.h"
#include "modules/customers/customer_attachments.h"
#include "modules/customers/customer_rules.h"
#include "modules/customers/customer_search.h"
#include "platform/job_lease.h"
#include "storage/bulk_insert.h"
#include "storage/deferred_write.h"
#include "storage/sqlite/sqlite_bulk.h"

namespace tuoke::customers {
namespace {

using platform::Actor;
using platform::Caller;
using platform::KeepChangedFields;
using platform::Scope;
using namespace std::chrono_literals;

constexpr size_t kMaxTags = 20;
constexpr size_t kMaxTagLength = 32;
constexpr size_t kMaxNoteLength = 2000;
// Owners of a scope a search narrows to inside the index (R-CUST-39), at most.
constexpr size_t kMaxSearchOwners = 64;
// Duplicate matches shown at most: enough to tell the rep, bounded for the answer.
constexpr int kMaxDuplicateMatches = 20;
constexpr const char* kReclaimJob = "customers.pool_reclaim";
constexpr const char* kRegradeJob = "customers.regrade";
// Longer than any reclaim run; another process retries when it has expired.
constexpr auto kReclaimLease = 5min;

// ---- the customer row -------------------------------------------------------------------

enum Column : size_t {
  kId, kName, kType, kIndustry, kProvince, kCity, kDistrict, kAddress, kLatitude, kLongitude,
  kPhone, kFax, kEmail, kWebsite, kProjectUnit, kProjectSite, kProjectArea, kProjectCompletion,
  kStatus, kSource, kReferrerId, kReferrerName, kManMoney, kManAuthority, kManNeed, kManEasy,
  kPurchasePower, kPurchaseHorizon, kImportance, kPotential, kCreditStatus, kPaymentMethod,
  kCreditFen, kCreditCurrency, kCollateral, kScaleNotes, kTags, kNotes, kGrade, kGradeReason,
  kGradeSource, kOverriddenByName, kOwnerId, kOwnerName, kLastFollowUp, kCreatedAt, kUpdatedAt,
  kOwnerPath, kOverrideGrade, kOverrideReason, kPreviousOwner, kPoolEnteredAt, kMergedInto,
  kGradeReasonJson, kCode,
};

#define TUOKE_CUSTOMER_COLUMNS                                                                  \
  "c.id, c.name, c.type, c.industry, c.province, c.city, c.district, c.address, c.latitude, "   \
  "c.longitude, c.phone, c.fax, c.email, c.website, c.project_unit, c.project_site, "           \
  "c.project_area_sqm, c.project_expected_completion, c.status, c.source, "                     \
  "c.referrer_customer_id, c.referrer_name, c.man_money, c.man_authority, c.man_need, "         \
  "c.man_easy_to_approach, c.purchase_power, c.purchase_horizon, c.importance, c.potential, "   \
  "c.credit_status, c.payment_method, c.credit_limit_fen, c.credit_limit_currency, "            \
  "c.collateral, c.scale_notes, c.tags, c.notes, c.grade, c.grade_reason, c.grade_source, "     \
  "ob.name, c.owner_id, ow.name, c.last_follow_up_at, c.created_at, c.updated_at, ou.path, "    \
  "c.override_grade, c.override_reason, c.previous_owner_id, c.pool_entered_at, c.merged_into_id, " \
  "c.grade_reason_json, c.code " \
  "FROM customers c LEFT JOIN users ow ON ow.id = c.owner_id "                                  \
  "LEFT JOIN org_units ou ON ou.id = ow.unit_id LEFT JOIN users ob ON ob.id = c.override_by "

const storage::Sql kSelectCustomer{"customers.select", "SELECT " TUOKE_CUSTOMER_COLUMNS "WHERE c.id = ?"};
// The columns RecordParams binds, in its order (the single and the bulk insert).
#define TUOKE_CUSTOMER_RECORD_COLUMNS                                                            \
  "name, type, industry, province, city, district, address, latitude, longitude, phone, fax, "  \
  "email, website, project_unit, project_site, project_area_sqm, project_expected_completion, " \
  "status, source, referrer_customer_id, referrer_name, man_money, man_authority, man_need, "   \
  "man_easy_to_approach, purchase_power, purchase_horizon, importance, potential, "             \
  "credit_status, payment_method, credit_limit_fen, credit_limit_currency, collateral, "        \
  "scale_notes, tags, notes, name_key, phone_key, address_key, search_pinyin, search_initials, "  \
  "search_words, code, "

const storage::Sql kInsertCustomer{
    "customers.insert",
    "INSERT INTO customers (" TUOKE_CUSTOMER_RECORD_COLUMNS
    "grade, grade_reason, grade_source, computed_grade, computed_reason, owner_id, owned_since, "
    "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', 'computed', "
    "'', '', ?, ?, ?, ?, ?) RETURNING id"};
const storage::Sql kUpdateCustomer{
    "customers.update",
    "UPDATE customers SET name = ?, type = ?, industry = ?, province = ?, city = ?, district = ?, "
    "address = ?, latitude = ?, longitude = ?, phone = ?, fax = ?, email = ?, website = ?, "
    "project_unit = ?, project_site = ?, project_area_sqm = ?, project_expected_completion = ?, "
    "status = ?, source = ?, referrer_customer_id = ?, referrer_name = ?, man_money = ?, "
    "man_authority = ?, man_need = ?, man_easy_to_approach = ?, purchase_power = ?, "
    "purchase_horizon = ?, importance = ?, potential = ?, credit_status = ?, payment_method = ?, "
    "credit_limit_fen = ?, credit_limit_currency = ?, collateral = ?, scale_notes = ?, tags = ?, "
    "notes = ?, name_key = ?, phone_key = ?, address_key = ?, search_pinyin = ?, "
    "search_initials = ?, search_words = ?, code = ?, updated_at = ? WHERE id = ?"};
const storage::Sql kCustomerExists{"customers.exists", "SELECT id FROM customers WHERE id = ?"};
const storage::Sql kDeleteTags{"customers.delete_tags", "DELETE FROM customer_tags WHERE customer_id = ?"};
const storage::Sql kInsertTag{"customers.insert_tag",
                              "INSERT INTO customer_tags (customer_id, tag) VALUES (?, ?)"};
const storage::Sql kTouch{"customers.touch", "UPDATE customers SET updated_at = ? WHERE id = ?"};

const storage::Sql kGradingInputs{
    "customers.grading_inputs",
    "SELECT status, purchase_horizon, importance, potential, purchase_power, man_money, "
    "man_authority, man_need, grade, grade_reason, grade_source, override_grade, override_reason "
    "FROM customers WHERE id = ?"};
const storage::Sql kSetGrade{
    "customers.set_grade",
    "UPDATE customers SET computed_grade = ?, computed_reason = ?, grade = ?, grade_reason = ?, "
    "grade_source = ?, grade_reason_json = ? WHERE id = ?"};
const storage::Sql kSetOverride{
    "customers.set_override",
    "UPDATE customers SET override_grade = ?, override_reason = ?, override_by = ?, updated_at = ? "
    "WHERE id = ?"};
const storage::Sql kInsertGradeHistory{
    "customers.insert_grade_history",
    "INSERT INTO customer_grade_history (customer_id, grade, reason, source, changed_by, at, reason_json) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"};
const storage::Sql kSelectGradeHistory{
    "customers.select_grade_history",
    "SELECT h.grade, h.reason, h.source, u.name, h.at, h.reason_json FROM customer_grade_history h "
    "LEFT JOIN users u ON u.id = h.changed_by WHERE h.customer_id = ? ORDER BY h.id DESC"};

// R-CUST-62: one row per change of the relationship status.
const storage::Sql kInsertStatusHistory{
    "customers.insert_status_history",
    "INSERT INTO customer_status_history (customer_id, from_status, to_status, changed_by, at) "
    "VALUES (?, ?, ?, ?, ?)"};
const storage::Sql kSelectStatusHistory{
    "customers.select_status_history",
    "SELECT h.from_status, h.to_status, u.name, h.at FROM customer_status_history h "
    "LEFT JOIN users u ON u.id = h.changed_by WHERE h.customer_id = ? ORDER BY h.id DESC"};

const storage::Sql kInsertOwnerHistory{
    "customers.insert_owner_history",
    "INSERT INTO customer_owner_history (customer_id, from_owner_id, to_owner_id, kind, "
    "changed_by, note, at) VALUES (?, ?, ?, ?, ?, ?, ?)"};
const storage::Sql kSetOwner{
    "customers.set_owner",
    "UPDATE customers SET owner_id = ?, owned_since = ?, previous_owner_id = ?, "
    "pool_entered_at = NULL, updated_at = ? WHERE id = ?"};
const storage::Sql kRelease{
    "customers.release",
    "UPDATE customers SET previous_owner_id = owner_id, owner_id = NULL, owned_since = NULL, "
    "pool_entered_at = ?, updated_at = ? WHERE id = ? AND owner_id IS NOT NULL"};
const storage::Sql kClaim{
    "customers.claim",
    "UPDATE customers SET owner_id = ?, owned_since = ?, pool_entered_at = NULL, updated_at = ? "
    "WHERE id = ? AND owner_id IS NULL"};
const storage::Sql kLockUser{"customers.lock_user", "SELECT id FROM users WHERE id = ?",
                             "SELECT id FROM users WHERE id = ? FOR UPDATE"};
const storage::Sql kClaimsOnDay{"customers.claims_on_day",
                                "SELECT COUNT(*) FROM pool_claims WHERE user_id = ? AND claimed_on = ?"};
// R-CUST-16: merged customers count for nobody.
const storage::Sql kHeldBy{"customers.held_by",
                           "SELECT COUNT(*) FROM customers WHERE owner_id = ? AND merged_into_id IS NULL"};
const storage::Sql kInsertClaim{
    "customers.insert_claim",
    "INSERT INTO pool_claims (customer_id, user_id, claimed_on, at) VALUES (?, ?, ?, ?)"};
const storage::Sql kUserInScope{
    "customers.assignee",
    "SELECT u.active, o.path, u.name FROM users u JOIN org_units o ON o.id = u.unit_id WHERE u.id = ?"};
// R-CUST-10: one guarded UPDATE; a customer followed up or reassigned meanwhile no
// longer matches, and a second run finds nothing left to do.
const storage::Sql kReclaim{
    "customers.reclaim",
    "UPDATE customers SET previous_owner_id = owner_id, owner_id = NULL, owned_since = NULL, "
    "pool_entered_at = ?, updated_at = ? WHERE owner_id IS NOT NULL AND owned_since < ? "
    "AND merged_into_id IS NULL AND (last_follow_up_at IS NULL OR last_follow_up_at < ?) RETURNING id, previous_owner_id"};

const storage::Sql kInsertEvent{
    "customers.insert_event",
    "INSERT INTO customer_events (customer_id, at, kind, actor_id, actor_name, summary, data_json) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"};
// A follow-up's entry, whose id its answer shows.
const storage::Sql kInsertEventReturningId{
    "customers.insert_event_returning_id",
    "INSERT INTO customer_events (customer_id, at, kind, actor_id, actor_name, summary, data_json) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"};
const storage::Sql kSelectEvents{
    "customers.select_events",
    "SELECT id, at, kind, actor_name, summary, data_json FROM customer_events WHERE customer_id = ? "
    "AND id < ? ORDER BY id DESC LIMIT ?"};
// R-CUST-40: a follow-up moves the pool clock and `lastFollowUpAt`, not `updatedAt` (the
// archive record is unchanged; on SQLite only the follow-up index entry moves).
const storage::Sql kSetFollowUp{
    "customers.set_follow_up",
    "UPDATE customers SET last_follow_up_at = ? WHERE id = ? AND "
    "(last_follow_up_at IS NULL OR last_follow_up_at < ?)"};

const storage::Sql kDuplicates{
    "customers.duplicates",
    "SELECT c.id, c.name, c.owner_id, ow.name, ou.path, "
    "CASE WHEN c.name_key = ? THEN 1 ELSE 0 END, CASE WHEN c.phone_key = ? THEN 1 ELSE 0 END, "
    "CASE WHEN c.address_key = ? THEN 1 ELSE 0 END FROM customers c "
    "LEFT JOIN users ow ON ow.id = c.owner_id LEFT JOIN org_units ou ON ou.id = ow.unit_id "
    // One index lookup per key (a UNION), so neither engine walks the table in id order
    // testing the OR when the keys are rare (docs/benchmarks.md).
    "WHERE c.id IN (SELECT id FROM customers WHERE name_key = ? UNION SELECT id FROM customers "
    "WHERE phone_key = ? UNION SELECT id FROM customers WHERE address_key = ?) AND c.id <> ? "
    "AND c.merged_into_id IS NULL "
    "ORDER BY c.id LIMIT ?"};

// R-CUST-48: the customer holding a code (merged ones too: a code stays with its customer).
const storage::Sql kCodeHolder{
    "customers.code_holder",
    "SELECT c.id, c.name, c.owner_id, ow.name, ou.path FROM customers c LEFT JOIN users ow ON ow.id = c.owner_id "
    "LEFT JOIN org_units ou ON ou.id = ow.unit_id WHERE c.code = ?"};

#define TUOKE_CONTACT_COLUMNS                                                                  \
  "id, customer_id, name, title, mobile, phone, fax, email, qq, wechat, purchase_role, "       \
  "personality, hobbies, family, social_relations, birthday, notes "
const storage::Sql kSelectContacts{
    "customers.select_contacts",
    "SELECT " TUOKE_CONTACT_COLUMNS "FROM contacts WHERE customer_id = ? ORDER BY id"};
const storage::Sql kSelectContact{"customers.select_contact",
                                  "SELECT " TUOKE_CONTACT_COLUMNS "FROM contacts WHERE id = ?"};
const storage::Sql kInsertContact{
    "customers.insert_contact",
    "INSERT INTO contacts (customer_id, name, title, mobile, phone, fax, email, qq, wechat, "
    "purchase_role, personality, hobbies, family, social_relations, birthday, notes, created_at, "
    "updated_at, search_pinyin, search_words) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "RETURNING id"};
const storage::Sql kUpdateContact{
    "customers.update_contact",
    "UPDATE contacts SET name = ?, title = ?, mobile = ?, phone = ?, fax = ?, email = ?, qq = ?, "
    "wechat = ?, purchase_role = ?, personality = ?, hobbies = ?, family = ?, social_relations = ?, "
    "birthday = ?, notes = ?, updated_at = ?, search_pinyin = ?, search_words = ? WHERE id = ?"};
const storage::Sql kDeleteContact{"customers.delete_contact", "DELETE FROM contacts WHERE id = ?"};

// ---- values ----------------------------------------------------------------------------


std::optional<double> OptionalDouble(const storage::Row& row, size_t column) {
  auto text = row.OptionalText(column);
  if (!text) return std::nullopt;
  return std::stod(*text);
}

storage::Value OptionalBoolValue(bool value) { return int64_t{value ? 1 : 0}; }

// The writable fields of a customer, as stored.
struct CustomerRecord {
  std::string name;
  std::string type;
  std::optional<std::string> industry, province, city, district, address;
  std::optional<double> latitude, longitude;
  std::optional<std::string> phone, fax, email, website;
  std::optional<std::string> project_unit, project_site;
  std::optional<int64_t> project_area_sqm;
  std::optional<std::string> project_expected_completion;
  std::string status = "prospect";
  std::string source = "other";
  std::optional<int64_t> referrer_customer_id;
  std::optional<std::string> referrer_name;
  bool man_money = false, man_authority = false, man_need = false, man_easy_to_approach = false;
  std::optional<std::string> purchase_power;
  std::string purchase_horizon = "unknown";
  std::optional<std::string> importance, potential;
  std::string credit_status = "unknown";
  std::optional<std::string> payment_method;
  std::optional<int64_t> credit_limit_fen;
  std::optional<std::string> credit_limit_currency;
  std::optional<std::string> collateral, scale_notes;
  std::vector<std::string> tags;
  std::optional<std::string> notes;
  std::optional<std::string> code;  // R-CUST-48
};

CustomerRecord RecordFromRow(const storage::Row& row) {
  CustomerRecord record;
  record.name = row.Text(kName);
  record.type = row.Text(kType);
  record.industry = row.OptionalText(kIndustry);
  record.province = row.OptionalText(kProvince);
  record.city = row.OptionalText(kCity);
  record.district = row.OptionalText(kDistrict);
  record.address = row.OptionalText(kAddress);
  record.latitude = OptionalDouble(row, kLatitude);
  record.longitude = OptionalDouble(row, kLongitude);
  record.phone = row.OptionalText(kPhone);
  record.fax = row.OptionalText(kFax);
  record.email = row.OptionalText(kEmail);
  record.website = row.OptionalText(kWebsite);
  record.project_unit = row.OptionalText(kProjectUnit);
  record.project_site = row.OptionalText(kProjectSite);
  record.project_area_sqm = row.OptionalInt(kProjectArea);
  record.project_expected_completion = row.OptionalText(kProjectCompletion);
  record.status = row.Text(kStatus);
  record.source = row.Text(kSource);
  record.referrer_customer_id = row.OptionalInt(kReferrerId);
  record.referrer_name = row.OptionalText(kReferrerName);
  record.man_money = row.Bool(kManMoney);
  record.man_authority = row.Bool(kManAuthority);
  record.man_need = row.Bool(kManNeed);
  record.man_easy_to_approach = row.Bool(kManEasy);
  record.purchase_power = row.OptionalText(kPurchasePower);
  record.purchase_horizon = row.Text(kPurchaseHorizon);
  record.importance = row.OptionalText(kImportance);
  record.potential = row.OptionalText(kPotential);
  record.credit_status = row.Text(kCreditStatus);
  record.payment_method = row.OptionalText(kPaymentMethod);
  record.credit_limit_fen = row.OptionalInt(kCreditFen);
  record.credit_limit_currency = row.OptionalText(kCreditCurrency);
  record.collateral = row.OptionalText(kCollateral);
  record.scale_notes = row.OptionalText(kScaleNotes);
  record.tags = SplitTags(row.Text(kTags));
  record.notes = row.OptionalText(kNotes);
  record.code = row.OptionalText(kCode);
  return record;
}

// The columns both INSERT and UPDATE write, in their shared order (name … notes, then the
// derived keys of R-CUST-4..6 and R-CUST-11).
storage::Params RecordParams(const CustomerRecord& record) {
  auto keys = PinyinOf(record.name);
  std::string name_key = NameKey(record.name);
  std::optional<std::string> phone_key = record.phone ? PhoneKey(*record.phone) : std::nullopt;
  return {record.name, record.type, storage::Nullable(record.industry),
          storage::Nullable(record.province), storage::Nullable(record.city),
          storage::Nullable(record.district), storage::Nullable(record.address),
          storage::Nullable(record.latitude), storage::Nullable(record.longitude),
          storage::Nullable(record.phone), storage::Nullable(record.fax),
          storage::Nullable(record.email), storage::Nullable(record.website),
          storage::Nullable(record.project_unit), storage::Nullable(record.project_site),
          storage::Nullable(record.project_area_sqm),
          storage::Nullable(record.project_expected_completion), record.status, record.source,
          storage::Nullable(record.referrer_customer_id), storage::Nullable(record.referrer_name),
          OptionalBoolValue(record.man_money), OptionalBoolValue(record.man_authority),
          OptionalBoolValue(record.man_need), OptionalBoolValue(record.man_easy_to_approach),
          storage::Nullable(record.purchase_power), record.purchase_horizon,
          storage::Nullable(record.importance), storage::Nullable(record.potential),
          record.credit_status, storage::Nullable(record.payment_method),
          storage::Nullable(record.credit_limit_fen), storage::Nullable(record.credit_limit_currency),
          storage::Nullable(record.collateral), storage::Nullable(record.scale_notes),
          JoinTags(record.tags), storage::Nullable(record.notes), name_key,
          storage::Nullable(phone_key),
          storage::Nullable(record.address ? AddressKey(*record.address) : std::nullopt),
          keys.full, keys.initials, CustomerSearchWords(record.name, keys, phone_key, record.code),
          storage::Nullable(record.code)};
}

// ---- reading request bodies ------------------------------------------------------------

// Reads a nested object with its own strict reader; its field errors are reported
// under "parent.child" in the outer reader.
void ReadNested(JsonReader& reader, const std::string& field, const Json& value,
                const std::function<void(JsonReader&)>& read) {
  if (!value.is_object()) {
    reader.Fail(field, "must be an object");
    return;
  }
  JsonReader nested(value);
  try {
    read(nested);
    nested.Finish();
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::kValidation) throw;
    for (const auto& [child, message] : error.details()["fields"].items())
      reader.Fail(field + "." + child, message.get<std::string>());
  }
}

// A text field that may be cleared: absent leaves it, null or "" clears it.
void ReadText(JsonReader& reader, const std::string& field, std::optional<std::string>& target,
              size_t max_length) {
  bool present = false;
  auto value = reader.NullableString(field, max_length, &present);
  if (!present) return;
  target = value && !value->empty() ? value : std::nullopt;
}

void ReadPhone(JsonReader& reader, const std::string& field, std::optional<std::string>& target) {
  bool present = reader.Has(field);
  std::optional<std::string> before = target;
  ReadText(reader, field, target, 32);
  if (present && target && !IsPlausiblePhone(*target)) {
    reader.Fail(field, "is not a phone number");
    target = before;
  }
}

void ReadEmail(JsonReader& reader, const std::string& field, std::optional<std::string>& target) {
  bool present = reader.Has(field);
  ReadText(reader, field, target, 254);
  if (present && target && !IsPlausibleEmail(*target)) reader.Fail(field, "is not an email address");
}

// An enum that must always have a value: absent leaves it, null is an error.
void ReadRequiredEnum(JsonReader& reader, const std::string& field, std::string& target,
                      const std::set<std::string>& allowed) {
  if (!reader.Has(field)) return;
  if (reader.Raw(field)->is_null()) {
    reader.Fail(field, "must not be null");
    return;
  }
  if (auto value = reader.Enum(field, allowed)) target = *value;
}

void ReadNullableEnum(JsonReader& reader, const std::string& field,
                      std::optional<std::string>& target, const std::set<std::string>& allowed) {
  if (!reader.Has(field)) return;
  bool null = reader.Raw(field)->is_null();
  auto value = reader.Enum(field, allowed);
  if (null) target.reset();
  else if (value) target = value;
}

void ReadDate(JsonReader& reader, const std::string& field, std::optional<std::string>& target) {
  bool present = false;
  auto value = reader.DateString(field, &present);
  if (!present) return;
  if (value || reader.Raw(field)->is_null() || *reader.Raw(field) == "") target = value;
}

enum class Purpose : uint8_t { kCreate, kUpdate };

void ReadCustomer(JsonReader& reader, CustomerRecord& record, Purpose purpose,
                  const std::string& currency) {
  if (purpose == Purpose::kCreate) {
    if (auto name = reader.RequiredString("name", 1, 100)) record.name = *name;
    if (!reader.Has("type")) reader.Fail("type", "is required");
  } else if (reader.Has("name")) {
    if (reader.Raw("name")->is_null()) reader.Fail("name", "must not be null");
    else if (auto name = reader.String("name", 1, 100)) record.name = *name;
  }
  ReadRequiredEnum(reader, "type", record.type, CustomerTypes());
  ReadText(reader, "industry", record.industry, 64);
  ReadText(reader, "province", record.province, 32);
  ReadText(reader, "city", record.city, 32);
  ReadText(reader, "district", record.district, 32);
  ReadText(reader, "address", record.address, 200);
  if (const Json* location = reader.Raw("location")) {
    if (location->is_null()) {
      record.latitude.reset();
      record.longitude.reset();
    } else {
      ReadNested(reader, "location", *location, [&](JsonReader& nested) {
        for (const char* axis : {"lat", "lng"}) {
          const Json* value = nested.Raw(axis);
          double limit = std::string_view(axis) == "lat" ? 90 : 180;
          if (!value || !value->is_number()) {
            nested.Fail(axis, "must be a number");
            continue;
          }
          double degrees = value->get<double>();
          if (!(degrees >= -limit && degrees <= limit)) {
            nested.Fail(axis, "must be between " + std::to_string(int(-limit)) + " and " +
                                  std::to_string(int(limit)));
            continue;
          }
          (std::string_view(axis) == "lat" ? record.latitude : record.longitude) = degrees;
        }
      });
    }
  }
  ReadPhone(reader, "phone", record.phone);
  ReadPhone(reader, "fax", record.fax);
  ReadEmail(reader, "email", record.email);
  ReadText(reader, "website", record.website, 200);
  if (const Json* project = reader.Raw("project")) {
    if (project->is_null()) {
      record.project_unit.reset();
      record.project_site.reset();
      record.project_area_sqm.reset();
      record.project_expected_completion.reset();
    } else {
      ReadNested(reader, "project", *project, [&](JsonReader& nested) {
        ReadText(nested, "unit", record.project_unit, 100);
        ReadText(nested, "site", record.project_site, 200);
        if (nested.Has("areaSqm")) record.project_area_sqm = nested.Int("areaSqm", 0, 100'000'000);
        ReadDate(nested, "expectedCompletion", record.project_expected_completion);
      });
    }
  }
  ReadRequiredEnum(reader, "status", record.status, CustomerStatuses());
  ReadRequiredEnum(reader, "source", record.source, CustomerSources());
  bool referrer_present = false;
  auto referrer = reader.Id("referrerCustomerId", &referrer_present);
  if (referrer_present) record.referrer_customer_id = referrer;
  ReadText(reader, "referrerName", record.referrer_name, 100);
  if (const Json* man = reader.Raw("man")) {
    ReadNested(reader, "man", *man, [&](JsonReader& nested) {
      if (auto value = nested.Bool("money")) record.man_money = *value;
      if (auto value = nested.Bool("authority")) record.man_authority = *value;
      if (auto value = nested.Bool("need")) record.man_need = *value;
      if (auto value = nested.Bool("easyToApproach")) record.man_easy_to_approach = *value;
    });
  }
  ReadNullableEnum(reader, "purchasePower", record.purchase_power, PurchasePowers());
  ReadRequiredEnum(reader, "purchaseHorizon", record.purchase_horizon, PurchaseHorizons());
  ReadNullableEnum(reader, "importance", record.importance, Levels());
  ReadNullableEnum(reader, "potential", record.potential, Levels());
  ReadRequiredEnum(reader, "creditStatus", record.credit_status, CreditStatuses());
  ReadText(reader, "paymentMethod", record.payment_method, 64);
  if (const Json* limit = reader.Raw("creditLimit")) {
    if (limit->is_null()) {
      record.credit_limit_fen.reset();
      record.credit_limit_currency.reset();
    } else {
      ReadNested(reader, "creditLimit", *limit, [&](JsonReader& nested) {
        // Money travels as a string of fen (docs/api.md) so no client rounds it.
        auto amount = nested.RequiredString("amount", 1, 15);
        auto money_currency = nested.RequiredString("currency", 3, 3);
        std::optional<int64_t> fen;
        if (amount) {
          int64_t parsed = 0;
          auto [end, error] = std::from_chars(amount->data(), amount->data() + amount->size(), parsed);
          if (error != std::errc() || end != amount->data() + amount->size() || parsed < 0 ||
              (*amount)[0] == '+')
            nested.Fail("amount", "must be a whole number of fen, as a string");
          else fen = parsed;
        }
        if (money_currency && *money_currency != currency)
          nested.Fail("currency", "must be the company currency " + currency);
        if (fen && money_currency && *money_currency == currency) {
          record.credit_limit_fen = fen;
          record.credit_limit_currency = money_currency;
        }
      });
    }
  }
  ReadText(reader, "collateral", record.collateral, 500);
  ReadText(reader, "scaleNotes", record.scale_notes, kMaxNoteLength);
  if (reader.Has("tags")) {
    if (reader.Raw("tags")->is_null()) {
      record.tags.clear();
    } else if (auto tags = reader.StringList("tags", kMaxTags, {})) {
      std::vector<std::string> cleaned;
      for (auto tag : *tags) {
        size_t begin = tag.find_first_not_of(" \t");
        size_t end = tag.find_last_not_of(" \t");
        tag = begin == std::string::npos ? "" : tag.substr(begin, end - begin + 1);
        if (tag.empty() || !IsCleanText(tag) || tag.find('\n') != std::string::npos ||
            Utf8Length(tag) > kMaxTagLength) {
          reader.Fail("tags", "each tag is 1–" + std::to_string(kMaxTagLength) + " characters of text");
          break;
        }
        if (std::find(cleaned.begin(), cleaned.end(), tag) == cleaned.end()) cleaned.push_back(tag);
      }
      record.tags = cleaned;
    }
  }
  ReadText(reader, "notes", record.notes, kMaxNoteLength);
  // R-CUST-48: absent leaves the code, null or "" clears it.
  bool code_present = false;
  auto code = reader.NullableString("code", 4 * kMaxCustomerCodeLength, &code_present);
  if (code_present) {
    if (!code || code->empty()) record.code.reset();
    else if (auto stored = CustomerCode(*code)) record.code = stored;
    else reader.Fail("code", "must be 1–" + std::to_string(kMaxCustomerCodeLength) + " characters without spaces");
  }
}

// ---- rendering -------------------------------------------------------------------------

// R-CUST-34: "reasonCode" and "reasonParams" from the stored {"code","params"} of a
// grade reason; null and {} for grades given before codes were stored.
void WriteReasonCode(JsonWriter& out, const std::optional<std::string>& stored) {
  Json reason = stored ? Json::parse(*stored, nullptr, false) : Json();
  bool valid = reason.is_object() && reason.contains("code");
  out.Key("reasonCode");
  if (valid) out.String(reason["code"].get<std::string>());
  else out.Null();
  out.Key("reasonParams"), out.Value(valid ? reason.value("params", Json::object()) : Json::object());
}

Json ReasonCodeJson(const Grade& grade) {
  Json params = Json::object();
  for (const auto& [name, value] : grade.params) params[name] = value;
  return {{"code", grade.code}, {"params", params}};
}

// Writes the Customer object and leaves it open, so the detail can append its contacts.
void WriteCustomer(JsonWriter& out, const storage::Row& row) {
  out.BeginObject();
  out.Key("id"), out.Id(row.Int(kId));
  out.Key("name"), out.String(row.Text(kName));
  out.Key("code"), out.OptionalString(row.OptionalText(kCode));
  out.Key("type"), out.String(row.Text(kType));
  out.Key("industry"), out.OptionalString(row.OptionalText(kIndustry));
  out.Key("province"), out.OptionalString(row.OptionalText(kProvince));
  out.Key("city"), out.OptionalString(row.OptionalText(kCity));
  out.Key("district"), out.OptionalString(row.OptionalText(kDistrict));
  out.Key("address"), out.OptionalString(row.OptionalText(kAddress));
  out.Key("location");
  auto latitude = OptionalDouble(row, kLatitude);
  auto longitude = OptionalDouble(row, kLongitude);
  if (latitude && longitude) {
    out.BeginObject();
    out.Key("lat"), out.Double(*latitude);
    out.Key("lng"), out.Double(*longitude);
    out.EndObject();
  } else {
    out.Null();
  }
  out.Key("phone"), out.OptionalString(row.OptionalText(kPhone));
  out.Key("fax"), out.OptionalString(row.OptionalText(kFax));
  out.Key("email"), out.OptionalString(row.OptionalText(kEmail));
  out.Key("website"), out.OptionalString(row.OptionalText(kWebsite));
  out.Key("project");
  if (row.IsNull(kProjectUnit) && row.IsNull(kProjectSite) && row.IsNull(kProjectArea) &&
      row.IsNull(kProjectCompletion)) {
    out.Null();
  } else {
    out.BeginObject();
    out.Key("unit"), out.OptionalString(row.OptionalText(kProjectUnit));
    out.Key("site"), out.OptionalString(row.OptionalText(kProjectSite));
    out.Key("areaSqm");
    if (auto area = row.OptionalInt(kProjectArea)) out.Int(*area);
    else out.Null();
    out.Key("expectedCompletion"), out.OptionalString(row.OptionalText(kProjectCompletion));
    out.EndObject();
  }
  out.Key("status"), out.String(row.Text(kStatus));
  out.Key("source"), out.String(row.Text(kSource));
  out.Key("referrerCustomerId"), out.OptionalId(row.OptionalInt(kReferrerId));
  out.Key("referrerName"), out.OptionalString(row.OptionalText(kReferrerName));
  out.Key("man");
  out.BeginObject();
  out.Key("money"), out.Bool(row.Bool(kManMoney));
  out.Key("authority"), out.Bool(row.Bool(kManAuthority));
  out.Key("need"), out.Bool(row.Bool(kManNeed));
  out.Key("easyToApproach"), out.Bool(row.Bool(kManEasy));
  out.EndObject();
  out.Key("purchasePower"), out.OptionalString(row.OptionalText(kPurchasePower));
  out.Key("purchaseHorizon"), out.String(row.Text(kPurchaseHorizon));
  out.Key("importance"), out.OptionalString(row.OptionalText(kImportance));
  out.Key("potential"), out.OptionalString(row.OptionalText(kPotential));
  out.Key("creditStatus"), out.String(row.Text(kCreditStatus));
  out.Key("paymentMethod"), out.OptionalString(row.OptionalText(kPaymentMethod));
  out.Key("creditLimit");
  if (auto fen = row.OptionalInt(kCreditFen)) {
    out.BeginObject();
    out.Key("amount"), out.String(std::to_string(*fen));
    out.Key("currency"), out.OptionalString(row.OptionalText(kCreditCurrency));
    out.EndObject();
  } else {
    out.Null();
  }
  out.Key("collateral"), out.OptionalString(row.OptionalText(kCollateral));
  out.Key("scaleNotes"), out.OptionalString(row.OptionalText(kScaleNotes));
  out.Key("tags");
  out.BeginArray();
  for (const auto& tag : SplitTags(row.Text(kTags))) out.String(tag);
  out.EndArray();
  out.Key("notes"), out.OptionalString(row.OptionalText(kNotes));
  out.Key("grade");
  out.BeginObject();
  out.Key("value"), out.String(row.Text(kGrade));
  out.Key("reason"), out.String(row.Text(kGradeReason));
  WriteReasonCode(out, row.OptionalText(kGradeReasonJson));
  out.Key("source"), out.String(row.Text(kGradeSource));
  out.Key("overriddenByName"), out.OptionalString(row.OptionalText(kOverriddenByName));
  out.EndObject();
  auto owner = row.OptionalInt(kOwnerId);
  out.Key("ownerId"), out.OptionalId(owner);
  out.Key("ownerName"), out.OptionalString(row.OptionalText(kOwnerName));
  out.Key("inPool"), out.Bool(!owner.has_value());
  out.Key("lastFollowUpAt"), out.OptionalString(row.OptionalText(kLastFollowUp));
  out.Key("createdAt"), out.String(row.Text(kCreatedAt));
  out.Key("updatedAt"), out.String(row.Text(kUpdatedAt));
}

void WriteContact(JsonWriter& out, const storage::Row& row) {
  out.BeginObject();
  out.Key("id"), out.Id(row.Int(0));
  out.Key("customerId"), out.Id(row.Int(1));
  out.Key("name"), out.String(row.Text(2));
  static constexpr const char* kKeys[] = {"title",  "mobile",      "phone",    "fax",
                                          "email",  "qq",          "wechat",   "purchaseRole",
                                          "personality", "hobbies", "family", "socialRelations",
                                          "birthday", "notes"};
  for (size_t i = 0; i < std::size(kKeys); ++i) out.Key(kKeys[i]), out.OptionalString(row.OptionalText(3 + i));
  out.EndObject();
}

// The writable fields of a contact, in the column order of TUOKE_CONTACT_COLUMNS
// after name (title … notes).
struct ContactRecord {
  std::string name;
  std::array<std::optional<std::string>, 14> fields;
};
enum ContactField : size_t {
  kTitle, kMobile, kContactPhone, kContactFax, kContactEmail, kQq, kWechat, kPurchaseRole,
  kPersonality, kHobbies, kFamily, kSocialRelations, kBirthday, kContactNotes,
};

void ReadContact(JsonReader& reader, ContactRecord& record, Purpose purpose) {
  if (purpose == Purpose::kCreate) {
    if (auto name = reader.RequiredString("name", 1, 64)) record.name = *name;
  } else if (reader.Has("name")) {
    if (reader.Raw("name")->is_null()) reader.Fail("name", "must not be null");
    else if (auto name = reader.String("name", 1, 64)) record.name = *name;
  }
  auto& f = record.fields;
  ReadText(reader, "title", f[kTitle], 64);
  ReadPhone(reader, "mobile", f[kMobile]);
  ReadPhone(reader, "phone", f[kContactPhone]);
  ReadPhone(reader, "fax", f[kContactFax]);
  ReadEmail(reader, "email", f[kContactEmail]);
  bool qq_present = reader.Has("qq");
  ReadText(reader, "qq", f[kQq], 12);
  if (qq_present && f[kQq] &&
      (f[kQq]->size() < 5 || f[kQq]->find_first_not_of("0123456789") != std::string::npos))
    reader.Fail("qq", "is 5–12 digits");
  ReadText(reader, "wechat", f[kWechat], 64);
  ReadNullableEnum(reader, "purchaseRole", f[kPurchaseRole], PurchaseRoles());
  ReadNullableEnum(reader, "personality", f[kPersonality], Personalities());
  ReadText(reader, "hobbies", f[kHobbies], 500);
  ReadText(reader, "family", f[kFamily], 500);
  ReadText(reader, "socialRelations", f[kSocialRelations], 500);
  ReadDate(reader, "birthday", f[kBirthday]);
  ReadText(reader, "notes", f[kContactNotes], kMaxNoteLength);
}

ContactRecord ContactFromRow(const storage::Row& row) {
  ContactRecord record;
  record.name = row.Text(2);
  for (size_t i = 0; i < record.fields.size(); ++i) record.fields[i] = row.OptionalText(3 + i);
  return record;
}

Json ContactJson(const storage::Row& row) {
  JsonWriter out;
  WriteContact(out, row);
  return Json::parse(out.Take());
}

// ---- scope -----------------------------------------------------------------------------

std::optional<int64_t> OwnerOf(const storage::Row& row) { return row.OptionalInt(kOwnerId); }

// R-CUST-7: a pool customer (no owner) is visible to every holder of customers.read.
bool Readable(const Caller& caller, Scope scope, const storage::Row& row) {
  auto owner = OwnerOf(row);
  if (!owner) return true;
  return platform::InScope(caller, scope, *owner, row.OptionalText(kOwnerPath).value_or(""));
}

// R-CUST-48: a code names one customer; the holder is shown as a duplicate match is
// (R-CUST-13), and unlike one it cannot be acknowledged.
[[noreturn]] void ThrowCodeTaken(Json holder) {
  Json details = {{"fields", {{"code", "is the code of another customer"}}}};
  if (!holder.is_null()) details["holder"] = std::move(holder);
  throw Error(ErrorKind::kConflict, "customers.code_taken", "another customer has this code", details);
}

// A transaction of a write that may set a code: a code a concurrent write took after the
// check is customers.code_taken, not an internal error.
void InTransactionKeepingCodes(storage::Database& database, const std::function<void(storage::Connection&)>& work) {
  try {
    database.InTransaction(work);
  } catch (const storage::DatabaseError& error) {
    CustomerService::ThrowIfCodeTaken(error);
    throw;
  }
}

Error PoolConflict() {
  return Error(ErrorKind::kConflict, "customers.in_pool",
               "the customer is in the shared pool: claim or assign it first");
}

// R-CUST-7: why the caller may not edit a customer they can read: nobody edits a pool
// customer (it is claimed or assigned first), and no one outside the write scope.
std::optional<Error> WriteRefusal(const Caller& caller, Scope write_scope, const storage::Row& row) {
  auto owner = OwnerOf(row);
  if (!owner) return PoolConflict();
  if (!platform::InScope(caller, write_scope, *owner, row.OptionalText(kOwnerPath).value_or("")))
    return Error(ErrorKind::kForbidden, "access.denied", "this customer is outside your write scope",
                 {{"permission", "customers.write"}});
  return std::nullopt;
}

// R-CUST-13: a customer matching a duplicate check (or holding a code) as the caller may see
// it: outside the read scope only the name, the owner's name and the pool flag, no id.
Json MatchJson(const Caller& caller, int64_t id, const std::string& name, std::optional<int64_t> owner,
               const std::optional<std::string>& owner_name, const std::optional<std::string>& owner_path,
               Json reasons) {
  Scope scope = caller.ScopeFor("customers.read").value_or(Scope::kOwn);
  bool visible =
      caller.Has("customers.read") && (!owner || platform::InScope(caller, scope, *owner, owner_path.value_or("")));
  return {{"id", visible ? Json(IdString(id)) : Json()},
          {"name", name},
          {"ownerName", owner_name ? Json(*owner_name) : Json()},
          {"inPool", !owner.has_value()},
          {"reasons", std::move(reasons)},
          {"visible", visible}};
}

Date AddDays(Date date, int count) {
  using namespace std::chrono;
  year_month_day next{sys_days{year_month_day{year{date.year}, month{date.month}, day{date.day}}} + days{count}};
  return {int(next.year()), unsigned(next.month()), unsigned(next.day())};
}
Date NextDate(Date date) { return AddDays(date, 1); }

std::string HexEncode(std::string_view text) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : text) out += kDigits[c >> 4], out += kDigits[c & 15];
  return out;
}

std::optional<std::string> HexDecode(std::string_view text) {
  if (text.size() % 2) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); i += 2) {
    int value = 0;
    auto [end, error] = std::from_chars(text.data() + i, text.data() + i + 2, value, 16);
    if (error != std::errc() || end != text.data() + i + 2) return std::nullopt;
    out.push_back(static_cast<char>(value));
  }
  return out;
}

Error BadCursor() { return Error(ErrorKind::kValidation, "validation.failed", "bad cursor",
                                 {{"fields", {{"cursor", "is not a cursor from this list"}}}}); }

// R-CUST-41: whether a page of this filter may merge the owners' orders (SQLite): the list
// order by update time, and no filter with an index of its own (city, owner, unit, pool).
bool MayMergeOwners(const CustomerFilter& filter) {
  return filter.sort == CustomerSort::kUpdatedAtDescending && !filter.city && !filter.province &&
         !filter.owner_id && !filter.unit_id && !filter.in_pool;
}

// Whether a list's only condition besides its scope is its search term (R-CUST-56).
bool SearchAlone(const CustomerFilter& filter) {
  return !filter.grade && !filter.status && !filter.type && !filter.tag && !filter.follow_up_after &&
         !filter.follow_up_before && !filter.idle_days && !filter.never_followed_up;
}

}  // namespace

// ---- loading with access checks ----------------------------------------------------------

storage::Row CustomerService::LoadReadable(storage::Connection& connection, const Caller& caller,
                                           int64_t customer_id) {
  Scope scope = platform::Require(caller, "customers.read");
  auto row = connection.QueryOne(kSelectCustomer, {customer_id});
  if (!row || !Readable(caller, scope, *row)) ThrowNotFound("customers", "customer");
  // R-CUST-16: a merged customer is gone; the hint names where its rows went.
  if (auto into = row->OptionalInt(kMergedInto))
    throw Error(ErrorKind::kNotFound, "customers.merged", "the customer was merged into another",
                {{"customerId", IdString(customer_id)}, {"mergedInto", IdString(*into)}});
  return *row;
}

storage::Row CustomerService::LoadWritable(storage::Connection& connection, const Caller& caller,
                                           int64_t customer_id) {
  Scope write_scope = platform::Require(caller, "customers.write");
  storage::Row row = LoadReadable(connection, caller, customer_id);
  if (auto refusal = WriteRefusal(caller, write_scope, row)) throw *refusal;
  return row;
}

std::string CustomerService::Render(storage::Connection& connection, int64_t customer_id,
                                    bool with_contacts) {
  auto row = connection.QueryOne(kSelectCustomer, {customer_id});
  if (!row) ThrowNotFound("customers", "customer");
  JsonWriter out;
  WriteCustomer(out, *row);
  if (with_contacts) {
    out.Key("contacts");
    out.BeginArray();
    for (const auto& contact : connection.Query(kSelectContacts, {customer_id}).rows) WriteContact(out, contact);
    out.EndArray();
    // R-CUST-30: the detail lists the attachments.
    out.Key("attachments");
    WriteAttachments(out, connection, customer_id);
  }
  out.EndObject();
  return out.Take();
}

// The customer as the audit trail records it: without the fields that change by
// themselves or only mirror another (names of ids, timestamps).
Json CustomerService::AuditView(storage::Connection& connection, int64_t customer_id) {
  Json view = Json::parse(Render(connection, customer_id, false));
  for (const char* field : {"createdAt", "updatedAt", "ownerName", "inPool"}) view.erase(field);
  view["grade"].erase("overriddenByName");
  return view;
}

// ---- reads -----------------------------------------------------------------------------

std::string CustomerService::Get(const Caller& caller, int64_t customer_id) {
  auto connection = database_.Acquire();
  LoadReadable(*connection, caller, customer_id);
  return Render(*connection, customer_id, true);
}

std::string CustomerService::ScopeCondition(const Caller& caller, Scope scope, const std::string& table,
                                            bool hide_owner_index, storage::Params& params) {
  // R-CUST-16: merged customers leave every list.
  std::string sql = table + ".merged_into_id IS NULL";
  // R-ACCESS-1, R-CUST-7: the scope is applied in the query; pool customers are in every scope.
  // A team scope names the owners (the users of the caller's subtree) rather than testing
  // each row's owner unit, so the condition needs no join.
  std::string owner = (hide_owner_index ? "+" : "") + table + ".owner_id";
  if (scope == Scope::kOwn) {
    sql += " AND (" + owner + " IS NULL OR " + owner + " = ?)";
    params.push_back(caller.user_id);
  } else if (scope == Scope::kTeam) {
    sql += " AND (" + owner + " IS NULL OR " + owner + " = ? OR " + owner +
           " IN (SELECT su.id FROM users su JOIN org_units sou ON sou.id = su.unit_id WHERE sou.path LIKE ? "
           "ESCAPE '\\'))";
    params.push_back(caller.user_id);
    params.push_back(EscapeLike(caller.unit_path) + "%");
  }
  return sql;
}

std::string CustomerService::ListWhere(const Caller& caller, const CustomerFilter& filter, ScopePlan plan,
                                       storage::Params& params, ListShape* shape) {
  Scope scope = platform::Require(caller, "customers.read");
  bool postgres = database_.dialect() == storage::Dialect::kPostgres;
  // A page of a list is found fastest by walking the sort order and skipping rows out of
  // scope; a whole list (the export) through the owner index. SQLite's planner, without
  // statistics, takes the owner index whenever it can, so for pages "+" hides it
  // (docs/benchmarks.md).
  bool hide_owner_index = plan == ScopePlan::kWalkSortOrder && !postgres;
  std::string sql = "WHERE " + ScopeCondition(caller, scope, "c", hide_owner_index, params);
  if (shape) shape->conditions_at = sql.size(), shape->condition_params_at = params.size(), shape->scope = scope;
  bool searched = filter.query && !filter.query->empty();
  // The owners the scope reads (0: the pool): for the search index to narrow to before any
  // row is read (R-CUST-39), and for a page tested row by row to merge (R-CUST-41); the
  // scope condition above still decides.
  std::optional<std::vector<int64_t>> scope_owners;
  // (PostgreSQL never merges, nor a filter that walks another index: a tag filter there
  // needs no owners.)
  bool owners_wanted = searched || (filter.tag && shape && !postgres && MayMergeOwners(filter));
  if (owners_wanted && scope == Scope::kOwn) scope_owners = std::vector<int64_t>{0, caller.user_id};
  if (owners_wanted && scope == Scope::kTeam) {
    static const storage::Sql kTeamOwners{
        "customers.team_owners",
        "SELECT su.id FROM users su JOIN org_units sou ON sou.id = su.unit_id WHERE sou.path LIKE ? ESCAPE '\\'"};
    scope_owners = std::vector<int64_t>{0, caller.user_id};
    for (const auto& row : database_.Acquire()->Query(kTeamOwners, {EscapeLike(caller.unit_path) + "%"}).rows)
      if (row.Int(0) != caller.user_id) scope_owners->push_back(row.Int(0));
  }
  if (shape) shape->owners = scope_owners;
  // R-CUST-11: name substring, pinyin spelling or initials, phone digits, contact name.
  if (searched) {
    auto connection = database_.Acquire();
    std::optional<std::vector<int64_t>> owners = scope_owners;
    // A scope of many owners is left to the scope condition: a long OR of owners in the
    // index costs more than it saves.
    if (owners && owners->size() > kMaxSearchOwners) owners.reset();
    // The plan by the number of matches (docs/benchmarks.md, issue #3 session 6): few, the
    // index alone; more, on SQLite the index narrowed to the owners (it reads their posting
    // lists whole; GIN on PostgreSQL intersects them at no extra cost); a large share of
    // the customers, the list's order walked with the term tested on each row.
    int64_t contact_matches = -1;
    int64_t matches = CountSearchMatches(*connection, *filter.query, search_walk_from_, &contact_matches);
    bool walk = matches >= search_walk_from_;
    // R-CUST-42: on SQLite each part of the term (customers, contacts) is narrowed to the
    // owners by its own count: an unnarrowed customer match costs one row read, a contact
    // match two (the contact, then its customer).
    std::optional<std::vector<int64_t>> contact_owners;
    if (owners && !postgres && contact_matches >= narrow_contacts_from_) contact_owners = owners;
    int64_t customer_matches = contact_matches >= 0 ? matches - contact_matches : matches;
    if (owners && !postgres && customer_matches < common_search_words_) owners.reset();
    if (shape) shape->tests_each_row = walk || ClassifySearchTerm(*filter.query).kind == SearchTermKind::kScan;
    bool few_contacts = contact_matches >= 0 && contact_matches < contacts_as_set_below_;
    // R-CUST-50: on PostgreSQL a term of ideographs that no contact in the scope has reads
    // the customers' part alone.
    bool contacts_part = true;
    if (postgres && ClassifySearchTerm(*filter.query).kind == SearchTermKind::kIdeographs) {
      contacts_part = ContactWordsMatch(*connection, *filter.query, owners ? &*owners : nullptr);
      if (!contacts_part) customers_only_searches_.fetch_add(1, std::memory_order_relaxed);
    }
    // R-CUST-56: on PostgreSQL a page of a search alone for a common term (a city's pinyin,
    // a company word: 4,000-5,000 matches in a manager's scope at 1M customers) walks the
    // owners' orders within a budget (PageSql): a page of `chongqing` is found in ~1,900 rows
    // of the scope, against ~4,200 matches read and sorted (5.4 against 10.7 ms in the
    // executor; docs/benchmarks.md, "Walking the owners' orders on PostgreSQL, session 21").
    // Common is by ANALYZE's statistics of the search words (EstimatedWordMatches): a wrong
    // estimate costs the budget, no more.
    // R-CUST-57: so does a term too short for any index (one or two letters), which is
    // tested row by row whatever its count: the scope's rows instead of everyone's (`jc` at
    // 1M customers: 18 ms walking everyone's order, 10 ms through the server walking the
    // owners'; docs/benchmarks.md, "Two-letter terms on PostgreSQL, session 21").
    SearchTermKind kind = ClassifySearchTerm(*filter.query).kind;
    bool of_words = kind == SearchTermKind::kLettersOrDigits || (kind == SearchTermKind::kIdeographs && !contacts_part);
    // Past the budget such a term walks the list's order as before (a whole scope's merged
    // order, every owner's rows read and sorted first, took longer: `ab` 0.25 → 0.8 s).
    if (postgres && shape && !shape->refuse_walk && !walk && owners && owners->size() <= max_merged_owners_ &&
        MayMergeOwners(filter) && SearchAlone(filter) &&
        (kind == SearchTermKind::kScan ||
         (of_words && EstimatedWordMatches(*connection, *filter.query) >= walk_owner_orders_from_)))
      walk = shape->budgeted_walk = true;
    // R-CUST-59: otherwise (past the budget, or in a scope of more owners than a page merges)
    // a term tested row by row walks the list's order, and PostgreSQL reads each walked row
    // from the table before it tests the row's owner (R-CUST-43): everyone's rows, for a
    // manager who sees a tenth of them. When the scope holds a small share of the customers,
    // the page walks the order's index for the scope's keys alone (an index-only scan, the
    // index holds the owner) and reads only those rows to test the term: `x1`, in no row of
    // a manager's scope at 1M customers, 2.0 → 0.8 s. In a large share the extra lookup per
    // row costs more than it saves (everyone's scope: 3.0 → 5.8 s), by the two measurements
    // from about 37 % of the customers on.
    if (postgres && shape && kind == SearchTermKind::kScan && !shape->budgeted_walk && scope_owners &&
        MayMergeOwners(filter) && SearchAlone(filter)) {
      double share = EstimatedScopeShare(*connection, *scope_owners);
      shape->keyed_test = share >= 0 && share < keyed_test_below_;
    }
    AppendSearchCondition(sql, params, *filter.query, database_.dialect(), owners ? &*owners : nullptr, walk,
                          few_contacts, contact_owners ? &*contact_owners : nullptr, contacts_part);
    if (shape) shape->owner_words = ReadsOwnerWords(*filter.query, database_.dialect(), owners ? &*owners : nullptr, walk);
  }
  auto equals = [&](const char* column, const std::optional<std::string>& value) {
    if (!value) return;
    sql += std::string(" AND ") + column + " = ?";
    params.push_back(*value);
  };
  equals("c.grade", filter.grade);
  equals("c.status", filter.status);
  equals("c.type", filter.type);
  equals("c.province", filter.province);
  equals("c.city", filter.city);
  if (filter.owner_id) {
    sql += " AND c.owner_id = ?";
    params.push_back(*filter.owner_id);
  }
  if (filter.unit_id) {
    sql += " AND c.owner_id IN (SELECT fu.id FROM users fu JOIN org_units fou ON fou.id = fu.unit_id WHERE "
           "fou.path LIKE (SELECT replace(replace(path, '%', '\\%'), '_', '\\_') || '%' FROM org_units WHERE id = ?) "
           "ESCAPE '\\')";
    params.push_back(*filter.unit_id);
  }
  if (filter.tag) {
    sql += " AND EXISTS (SELECT 1 FROM customer_tags t WHERE t.customer_id = c.id AND t.tag = ?)";
    params.push_back(*filter.tag);
    // R-CUST-41: a tag alone is tested row by row (a tag's customers are not in list order
    // anywhere): walking the list's order read 80-164 ms of everyone's rows for a page of a
    // manager's scope at 1M customers, merging the owners' orders 3-10 ms
    // (docs/benchmarks.md, "List and search, session 11"). With a search term the term's
    // own plan decides.
    if (shape && !searched) shape->tests_each_row = true;
  }
  if (filter.in_pool) sql += *filter.in_pool ? " AND c.owner_id IS NULL" : " AND c.owner_id IS NOT NULL";
  std::string time_zone = policies_.TimeZone();
  if (filter.follow_up_after) {
    sql += " AND c.last_follow_up_at >= ?";
    params.push_back(FormatInstant(StartOfBusinessDate(*filter.follow_up_after, time_zone)));
  }
  if (filter.follow_up_before) {
    sql += " AND (c.last_follow_up_at IS NULL OR c.last_follow_up_at < ?)";
    params.push_back(FormatInstant(StartOfBusinessDate(NextDate(*filter.follow_up_before), time_zone)));
  }
  // R-CUST-67: "no follow-up for N days" is followUpBefore of today − N, today counted in the
  // company's zone when the list is read.
  if (filter.idle_days) {
    Date last = AddDays(BusinessDate(clock_.Now(), time_zone), -*filter.idle_days);
    sql += " AND (c.last_follow_up_at IS NULL OR c.last_follow_up_at < ?)";
    params.push_back(FormatInstant(StartOfBusinessDate(NextDate(last), time_zone)));
  }
  if (filter.never_followed_up) sql += " AND c.last_follow_up_at IS NULL";
  return sql;
}

namespace {
// The keyset of a sort: the expression and its direction (ties broken by id).
std::pair<std::string, bool> SortKey(CustomerSort sort) {
  switch (sort) {
    case CustomerSort::kUpdatedAtDescending: return {"c.updated_at", true};
    case CustomerSort::kName: return {"c.name", false};
    case CustomerSort::kLastFollowUpAscending: return {"COALESCE(c.last_follow_up_at, '')", false};
    case CustomerSort::kLastFollowUpDescending: return {"COALESCE(c.last_follow_up_at, '')", true};
  }
  return {"c.updated_at", true};
}

// The value of the sort key of a listed row, as the cursor carries it.
std::string SortKeyValue(const storage::Row& row, CustomerSort sort) {
  switch (sort) {
    case CustomerSort::kUpdatedAtDescending: return row.Text(kUpdatedAt);
    case CustomerSort::kName: return row.Text(kName);
    case CustomerSort::kLastFollowUpAscending:
    case CustomerSort::kLastFollowUpDescending: return row.OptionalText(kLastFollowUp).value_or("");
  }
  return row.Text(kUpdatedAt);
}
}  // namespace

void CustomerService::ReadStatistics(storage::Connection& connection) {
  auto started = std::chrono::steady_clock::now();
  std::optional<WordStatistics> read;
  try {
    read = ReadWordStatistics(connection);
  } catch (...) {
    std::lock_guard lock(word_statistics_mutex_);
    word_statistics_reading_ = false;
    throw;
  }
  auto statistics = read ? std::make_shared<const WordStatistics>(std::move(*read)) : nullptr;
  std::lock_guard lock(word_statistics_mutex_);
  word_statistics_ = std::move(statistics);
  word_statistics_read_ = started;
  word_statistics_reading_ = false;
}

void CustomerService::RefreshWordStatistics() {
  if (database_.dialect() != storage::Dialect::kPostgres) return;
  // The connection first: a pool that gives none (it throws) must not leave the flag set,
  // which would keep the searches from ever reading the statistics themselves.
  auto connection = database_.Acquire();
  {
    std::lock_guard lock(word_statistics_mutex_);
    word_statistics_reading_ = true;
  }
  ReadStatistics(*connection);
}

std::shared_ptr<const WordStatistics> CustomerService::Statistics(storage::Connection& connection) {
  {
    std::lock_guard lock(word_statistics_mutex_);
    auto now = std::chrono::steady_clock::now();
    bool stale = !word_statistics_read_ || now - *word_statistics_read_ >= word_statistics_ttl_;
    // Read once at a time, outside the mutex; meanwhile the others take what there is (on a
    // server's first searches, nothing: their former plans).
    if (!stale || word_statistics_reading_) return word_statistics_;
    word_statistics_reading_ = true;
  }
  ReadStatistics(connection);
  std::lock_guard lock(word_statistics_mutex_);
  return word_statistics_;
}

int64_t CustomerService::EstimatedWordMatches(storage::Connection& connection, std::string_view term) {
  auto statistics = Statistics(connection);
  return statistics ? EstimateWordMatches(*statistics, term) : -1;
}

double CustomerService::EstimatedScopeShare(storage::Connection& connection, const std::vector<int64_t>& owners) {
  auto statistics = Statistics(connection);
  return statistics ? EstimateScopeShare(*statistics, owners) : -1;
}

std::string CustomerService::PageSql(const Caller& caller, const CustomerFilter& filter,
                                     const std::optional<std::pair<std::string, int64_t>>& after, bool refuse_walk,
                                     storage::Params& params, bool& budgeted) {
  ListShape shape;
  shape.refuse_walk = refuse_walk;
  std::string where = ListWhere(caller, filter, ScopePlan::kWalkSortOrder, params, &shape);
  auto [key_expression, descending] = SortKey(filter.sort);
  const char* direction = descending ? " DESC" : " ASC";
  // R-CUST-52: a search through the owner-qualified words orders by an expression that no
  // index serves (every sort key is text), so that the planner reads the term's matches
  // and sorts them rather than walking the list's order (customer_search.h).
  std::string order_key = shape.owner_words ? "(" + key_expression + " || '')" : key_expression;
  if (shape.owner_words) owner_word_searches_.fetch_add(1, std::memory_order_relaxed);
  std::string order = " ORDER BY " + order_key + direction + ", c.id" + direction + " LIMIT ?";
  int64_t rows_wanted = filter.limit + 1;
  std::string sql = "SELECT " TUOKE_CUSTOMER_COLUMNS;
  // R-CUST-41: a search that tests rows one by one, in a scope of known owners, merges the
  // owners' own orders (the owner index is sorted by update time within an owner) and
  // stops at the page: it reads the scope's rows only, where walking the list's order
  // reads everyone's. A filter with an index of its own (city, owner, unit, pool) keeps
  // the walk, and so does any other sort. PostgreSQL's planner, which cannot tell how many
  // rows the test passes, reads every owner's rows and sorts them instead of merging
  // (a Bitmap Heap Scan per owner, seconds for 100,000 rows): it merges in another form
  // (R-CUST-56, below), for a search alone.
  bool postgres = database_.dialect() == storage::Dialect::kPostgres;
  bool merge_owners = !postgres && shape.tests_each_row && shape.owners &&
                      shape.owners->size() <= max_merged_owners_ && MayMergeOwners(filter);
  // A merge of the owners' orders replaces the scope's condition by one branch per owner:
  // the conditions after it move into the branches (R-CUST-41) or above them (R-CUST-56).
  std::string conditions;
  storage::Params condition_params;
  if (merge_owners || shape.budgeted_walk || shape.keyed_test) {
    conditions = where.substr(shape.conditions_at);
    condition_params.assign(params.begin() + static_cast<ptrdiff_t>(shape.condition_params_at), params.end());
    params.clear();
  }
  // The rows of one owner of the scope (0: the pool) after the cursor.
  auto owner_rows = [&](int64_t owner) {
    sql += owner ? "c.owner_id = ?" : "c.owner_id IS NULL";
    if (owner) params.push_back(owner);
    sql += " AND c.merged_into_id IS NULL";
    if (after) {
      sql += " AND (c.updated_at, c.id) < (?, ?)";
      params.insert(params.end(), {after->first, after->second});
    }
  };
  if (merge_owners) {
    merged_pages_.fetch_add(1, std::memory_order_relaxed);
    sql += "WHERE c.id IN (SELECT id FROM (";
    for (size_t i = 0; i < shape.owners->size(); ++i) {
      sql += i ? " UNION ALL " : "";
      sql += "SELECT c.id, c.updated_at FROM customers c WHERE ";
      owner_rows((*shape.owners)[i]);
      sql += conditions;
      params.insert(params.end(), condition_params.begin(), condition_params.end());
    }
    sql += " ORDER BY 2 DESC, 1 DESC LIMIT ?) page)";
    params.push_back(rows_wanted);
  } else if (shape.budgeted_walk) {
    // R-CUST-56: the same merge on PostgreSQL, in a form its planner keeps. PostgreSQL 15
    // cannot take a UNION ALL branch that has a WHERE clause into an ordered merge, and a
    // branch that tests the term is planned as that owner's rows read whole and sorted. So
    // each branch is one owner's rows in the list's order, cut at the budget and tested
    // nowhere; the merged order is cut at the budget too, and tested above that. A page that
    // comes back short is planned again without the walk (List). The branches carry the
    // columns the conditions of a search alone read (AppendSearchCondition).
    budgeted = true;
    budgeted_walks_.fetch_add(1, std::memory_order_relaxed);
    sql += "WHERE c.id IN (SELECT c.id FROM (SELECT * FROM (";
    for (size_t i = 0; i < shape.owners->size(); ++i) {
      sql += i ? " UNION ALL " : "";
      sql += "(SELECT c.id, c.updated_at, c.name, c.search_words, c.search_pinyin, c.search_initials, c.phone_key, "
             "c.code FROM customers c WHERE ";
      owner_rows((*shape.owners)[i]);
      sql += " ORDER BY c.updated_at DESC, c.id DESC LIMIT ?)";
      params.push_back(walk_budget_);
    }
    sql += ") m ORDER BY m.updated_at DESC, m.id DESC LIMIT ?) c WHERE TRUE" + conditions +
           " ORDER BY c.updated_at DESC, c.id DESC LIMIT ?)";
    params.push_back(walk_budget_);
    params.insert(params.end(), condition_params.begin(), condition_params.end());
    params.push_back(rows_wanted);
  } else if (shape.keyed_test) {
    // R-CUST-59 (ListWhere): the scope's keys in the list's order from the index, each row
    // read by its key and tested; OFFSET 0 keeps the test a lookup per walked key (unnested,
    // PostgreSQL would answer it as a join reading every row the term's test passes).
    keyed_test_pages_.fetch_add(1, std::memory_order_relaxed);
    sql += "WHERE c.id IN (SELECT w.id FROM customers w WHERE " +
           ScopeCondition(caller, shape.scope, "w", false, params);
    if (after) {
      sql += " AND (w.updated_at, w.id) < (?, ?)";
      params.insert(params.end(), {after->first, after->second});
    }
    sql += " AND EXISTS (SELECT 1 FROM customers c WHERE c.id = w.id" + conditions +
           " OFFSET 0) ORDER BY w.updated_at DESC, w.id DESC LIMIT ?)";
    params.insert(params.end(), condition_params.begin(), condition_params.end());
    params.push_back(rows_wanted);
  } else {
    // R-CUST-43: on PostgreSQL the page's ids first, then their rows. Its index scans test
    // a condition on a column of the index (the owner of customers_city) only after reading
    // the row from the table, so a page walked through an index read every walked row: a
    // city + tag page of a manager walks ~8,500 of the city's customers for ~800 in scope
    // and 51 rows shown (70 ms median at 1M customers, the rows out of the buffer cache).
    // Asked for ids only, the walk is an index-only scan and the table is read for the page.
    std::string page_where = where;
    if (after) {
      const char* comparison = descending ? " < " : " > ";
      page_where += " AND (" + key_expression + comparison + "? OR (" + key_expression + " = ? AND c.id" +
                    comparison + "?))";
      params.insert(params.end(), {after->first, after->first, after->second});
    }
    if (postgres) {
      id_first_pages_.fetch_add(1, std::memory_order_relaxed);
      sql += "WHERE c.id IN (SELECT c.id FROM customers c " + page_where + order + ")";
      params.push_back(rows_wanted);
    } else {
      sql += page_where;
    }
  }
  sql += order;
  params.push_back(rows_wanted);

  return sql;
}

std::string CustomerService::ExplainListPage(const Caller& caller, const CustomerFilter& filter) {
  storage::Params params;
  bool budgeted = false;
  std::string sql = PageSql(caller, filter, std::nullopt, false, params, budgeted);
  bool postgres = database_.dialect() == storage::Dialect::kPostgres;
  std::string explain = (postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + sql;
  const storage::Sql query{"customers.explain_list", explain.c_str(), nullptr, true};
  std::string plan;
  for (const auto& row : database_.Acquire()->Query(query, params).rows) plan += row.Text(postgres ? 0 : 3) + "\n";
  return plan;
}

std::string CustomerService::List(const Caller& caller, const CustomerFilter& filter) {
  // Keyset pagination: the cursor carries the sort key and the id of the last row, so a
  // page never repeats or skips rows when others are inserted meanwhile.
  std::optional<std::pair<std::string, int64_t>> after;
  if (filter.cursor) {
    size_t dot = filter.cursor->find('.');
    if (dot == std::string::npos) throw BadCursor();
    auto key = HexDecode(std::string_view(*filter.cursor).substr(0, dot));
    auto id = ParseId(std::string_view(*filter.cursor).substr(dot + 1));
    if (!key || !id || !IsCleanText(*key)) throw BadCursor();
    after.emplace(*key, *id);
  }
  // R-CUST-50: a search's plan depends on its term (3 matches or 50,000): planned each time.
  bool searched = filter.query && !filter.query->empty();
  size_t rows_wanted = static_cast<size_t>(filter.limit) + 1;
  storage::ResultSet result;
  // R-CUST-56: a page that walked the owners' orders within its budget and came back short
  // (the budget ran out first, or the scope did) is planned again without the walk.
  for (bool refuse_walk : {false, true}) {
    storage::Params params;
    bool budgeted = false;
    std::string sql = PageSql(caller, filter, after, refuse_walk, params, budgeted);
    const storage::Sql query{"customers.list", sql.c_str(), nullptr, searched};
    // Taken after PageSql, which takes one for its own queries: a request holds one
    // connection at a time (holding two, requests could take the whole pool and wait on
    // each other; and under load the list's queries ran 0.5-1 ms slower).
    result = database_.Acquire()->Query(query, params);
    if (!budgeted || result.rows.size() == rows_wanted) break;
    walk_fallbacks_.fetch_add(1, std::memory_order_relaxed);
  }
  JsonWriter out;
  out.BeginObject();
  out.Key("items");
  out.BeginArray();
  std::optional<std::string> next_cursor;
  for (size_t i = 0; i < result.rows.size(); ++i) {
    if (static_cast<int>(i) == filter.limit) {
      const auto& last = result.rows[i - 1];
      next_cursor = HexEncode(SortKeyValue(last, filter.sort)) + "." + IdString(last.Int(kId));
      break;
    }
    WriteCustomer(out, result.rows[i]);
    out.EndObject();
  }
  out.EndArray();
  out.Key("nextCursor"), out.OptionalString(next_cursor);
  out.EndObject();
  return out.Take();
}

// ---- duplicates ------------------------------------------------------------------------

Json CustomerService::FindDuplicates(storage::Connection& connection, const Caller& caller,
                                     const std::optional<std::string>& name,
                                     const std::optional<std::string>& phone,
                                     const std::optional<std::string>& address,
                                     std::optional<int64_t> exclude_id) {
  std::optional<std::string> name_key = name ? std::optional(NameKey(*name)) : std::nullopt;
  if (name_key && name_key->empty()) name_key.reset();
  auto phone_key = phone ? PhoneKey(*phone) : std::nullopt;
  auto address_key = address ? AddressKey(*address) : std::nullopt;
  Json matches = Json::array();
  if (!name_key && !phone_key && !address_key) return matches;
  auto rows = connection.Query(kDuplicates, {storage::Nullable(name_key), storage::Nullable(phone_key),
                                             storage::Nullable(address_key), storage::Nullable(name_key),
                                             storage::Nullable(phone_key), storage::Nullable(address_key),
                                             exclude_id.value_or(0), int64_t{kMaxDuplicateMatches}});
  for (const auto& row : rows.rows) {
    Json reasons = Json::array();
    if (row.Bool(5)) reasons.push_back("name");
    if (row.Bool(6)) reasons.push_back("phone");
    if (row.Bool(7)) reasons.push_back("address");
    // R-CUST-13: a match outside the caller's scope still names its owner (so the rep
    // knows whom to talk to) but shows nothing else, not even its id.
    matches.push_back(MatchJson(caller, row.Int(0), row.Text(1), row.OptionalInt(2), row.OptionalText(3),
                                row.OptionalText(4), std::move(reasons)));
  }
  return matches;
}

Json CustomerService::CodeHolder(storage::Connection& connection, const Caller& caller, const std::string& code,
                                  std::optional<int64_t> exclude_id) {
  auto row = connection.QueryOne(kCodeHolder, {code});
  if (!row || row->Int(0) == exclude_id.value_or(0)) return Json();
  return MatchJson(caller, row->Int(0), row->Text(1), row->OptionalInt(2), row->OptionalText(3),
                   row->OptionalText(4), Json::array({"code"}));
}

Json CustomerService::DuplicateCheck(const Caller& caller, const Json& body) {
  platform::Require(caller, "customers.read");
  JsonReader reader(body);
  auto name = reader.String("name", 0, 100);
  auto phone = reader.String("phone", 0, 32);
  auto address = reader.String("address", 0, 200);
  auto code = reader.String("code", 0, 4 * kMaxCustomerCodeLength);
  auto exclude_id = reader.Id("excludeId");
  reader.Finish();
  auto connection = database_.Acquire();
  Json matches = FindDuplicates(*connection, caller, name, phone, address, exclude_id);
  // R-CUST-48: the holder of the code typed, as a match with the reason "code".
  std::optional<std::string> stored = code ? CustomerCode(*code) : std::nullopt;
  if (Json holder = stored ? CodeHolder(*connection, caller, *stored, exclude_id) : Json(); !holder.is_null()) {
    // The same customer matched by name, phone or address too: one match with both reasons
    // (one outside the scope has no id to compare: its name and owner tell it).
    auto same = std::find_if(matches.begin(), matches.end(), [&](const Json& match) {
      if (match["visible"] != holder["visible"]) return false;
      if (match["visible"].get<bool>()) return match["id"] == holder["id"];
      return match["name"] == holder["name"] && match["ownerName"] == holder["ownerName"];
    });
    if (same != matches.end()) (*same)["reasons"].push_back("code");
    else matches.insert(matches.begin(), std::move(holder));
  }
  return {{"matches", matches}};
}

// ---- create and update -----------------------------------------------------------------

std::string CustomerService::Create(const Caller& caller, const Json& body) {
  platform::Require(caller, "customers.write");
  std::string result;
  InTransactionKeepingCodes(database_, [&](storage::Connection& connection) {
    // R-CUST-7: whoever creates a customer owns it; R-CUST-32: within the hold limit.
    RequireRoomToHold(connection, caller.user_id, 1);
    int64_t id = Insert(connection, caller, body, caller.user_id);
    result = Render(connection, id, false);
  });
  return result;
}

void CustomerService::ValidateCreate(const Json& body) {
  JsonReader reader(body);
  CustomerRecord record;
  ReadCustomer(reader, record, Purpose::kCreate, policies_.StringOn("company.currency", policies_.Today()));
  reader.Finish();
}

int64_t CustomerService::Insert(storage::Connection& connection, const Caller& caller, const Json& body,
                                int64_t owner_id) {
  Date today = policies_.Today();
  JsonReader reader(body);
  CustomerRecord record;
  ReadCustomer(reader, record, Purpose::kCreate, policies_.StringOn("company.currency", today));
  bool acknowledged = reader.Bool("acknowledgeDuplicates").value_or(false);
  reader.Finish();

  Actor actor = Actor::From(caller);
  if (record.referrer_customer_id && !connection.QueryOne(kCustomerExists, {*record.referrer_customer_id}))
    ThrowValidation("referrerCustomerId", "no such customer");
  // R-CUST-48: a code names one customer.
  if (record.code)
    if (Json holder = CodeHolder(connection, caller, *record.code, std::nullopt); !holder.is_null())
      ThrowCodeTaken(std::move(holder));
  // R-CUST-4..6 (§2.2): two reps must not unknowingly chase the same customer.
  if (!acknowledged) {
    Json matches = FindDuplicates(connection, caller, record.name, record.phone, record.address, std::nullopt);
    if (!matches.empty())
      throw Error(ErrorKind::kConflict, "customers.possible_duplicate",
                  "likely the same customer exists; check the matches or acknowledge them",
                  {{"matches", matches}});
  }
  Instant now = clock_.Now();
  std::string now_text = FormatInstant(now);
  storage::Params params = RecordParams(record);
  params.insert(params.end(), {owner_id, now_text, caller.user_id, now_text, now_text});
  int64_t id = connection.QueryOne(kInsertCustomer, params)->Int(0);
  for (const auto& tag : record.tags) connection.Execute(kInsertTag, {id, tag});
  RecordOwnerChange(connection, id, std::nullopt, owner_id, "created", actor, std::nullopt, now);
  Regrade(connection, id, actor);
  AppendEvent(connection, id, "created", actor, "created " + record.name, {{"name", record.name}});
  platform::RecordAudit(connection, actor,
                        {"customer.create", "customer", IdString(id), Json(), AuditView(connection, id)}, now);
  return id;
}

namespace {

void ExportRowOf(const storage::Row& row, CustomerService::ExportRow& out) {
  out.name = row.Text(kName);
  out.code = row.OptionalText(kCode);
  out.type = row.Text(kType);
  out.grade = row.Text(kGrade);
  out.status = row.Text(kStatus);
  out.source = row.Text(kSource);
  out.industry = row.OptionalText(kIndustry);
  out.email = row.OptionalText(kEmail);
  out.notes = row.OptionalText(kNotes);
  out.province = row.OptionalText(kProvince);
  out.city = row.OptionalText(kCity);
  out.district = row.OptionalText(kDistrict);
  out.address = row.OptionalText(kAddress);
  out.phone = row.OptionalText(kPhone);
  out.owner_name = row.OptionalText(kOwnerName);
  out.last_follow_up_at = row.OptionalText(kLastFollowUp);
  out.tags = SplitTags(row.OptionalText(kTags).value_or(""));
  out.created_at = row.Text(kCreatedAt);
}
}  // namespace

void CustomerService::ForEachListed(const Caller& caller, const CustomerFilter& filter, int64_t max_rows,
                                    const std::function<void(const ExportRow&)>& visit) {
  // R-CUST-22 at 100,000 rows (docs/benchmarks.md): one query reads the ids of the whole
  // list in its order, then the rows are read by id in batches. Keyset pages would re-run
  // the scope query per page, and one result set of full rows would hold them all in
  // memory. Each batch applies the scope and filters again, so a customer reassigned or
  // merged meanwhile is left out rather than exported out of scope.
  constexpr size_t kBatch = 500;
  bool sqlite = database_.dialect() == storage::Dialect::kSqlite;
  storage::Params where_params, batch_where_params;
  std::string where = ListWhere(caller, filter, ScopePlan::kOwnerIndex, where_params);
  // A batch is found by its ids; the scope is only checked on those rows.
  std::string batch_where = ListWhere(caller, filter, ScopePlan::kWalkSortOrder, batch_where_params);
  auto [key_expression, descending] = SortKey(filter.sort);
  const char* direction = descending ? " DESC" : " ASC";
  // SQLite would walk the whole table in the order of the sort index to spare a sort;
  // "+" makes the order an expression, so it reads the scope through the owner index and
  // sorts the ids (PostgreSQL weighs both with its statistics; "+" is not defined on text).
  std::string ids_sql = "SELECT c.id FROM customers c " + where + " ORDER BY " + (sqlite ? "+" : "") +
                        key_expression + direction + ", c.id" + direction + " LIMIT ?";
  std::string batch_sql = "SELECT " TUOKE_CUSTOMER_COLUMNS + batch_where + " AND c.id IN (?";
  for (size_t i = 1; i < kBatch; ++i) batch_sql += ", ?";
  batch_sql += ")";
  const storage::Sql ids_query{"customers.export_ids", ids_sql.c_str(), nullptr,
                               filter.query && !filter.query->empty()};  // R-CUST-50
  const storage::Sql batch_query{"customers.export_rows", batch_sql.c_str()};
  // R-CUST-66: the batch's contacts, to pick each customer's main one.
  std::string contacts_sql = "SELECT customer_id, name, title, mobile, purchase_role FROM contacts WHERE customer_id IN (?";
  for (size_t i = 1; i < kBatch; ++i) contacts_sql += ", ?";
  contacts_sql += ") ORDER BY customer_id, id";
  const storage::Sql contacts_query{"customers.export_contacts", contacts_sql.c_str()};

  auto connection = database_.Acquire();
  storage::Params params = where_params;
  params.push_back(max_rows + 1);
  std::vector<int64_t> ids;
  {
    auto result = connection->Query(ids_query, params);
    if (static_cast<int64_t>(result.rows.size()) > max_rows)
      throw Error(ErrorKind::kValidation, "customers.export_too_large",
                  "more than " + std::to_string(max_rows) + " customers match; narrow the filters",
                  {{"limit", max_rows}});
    ids.reserve(result.rows.size());
    for (const auto& row : result.rows) ids.push_back(row.Int(0));
  }
  ExportRow out;
  std::unordered_map<int64_t, size_t> position;
  std::unordered_map<int64_t, const storage::Row*> main_contact;
  for (size_t start = 0; start < ids.size(); start += kBatch) {
    size_t end = std::min(ids.size(), start + kBatch);
    storage::Params batch_ids;
    // One statement shape for every batch: the last one is padded with id 0 (no customer).
    for (size_t i = start; i < start + kBatch; ++i) batch_ids.push_back(i < end ? ids[i] : int64_t{0});
    params = batch_where_params;
    params.insert(params.end(), batch_ids.begin(), batch_ids.end());
    auto result = connection->Query(batch_query, params);
    position.clear();
    for (size_t i = 0; i < result.rows.size(); ++i) position.emplace(result.rows[i].Int(kId), i);
    // R-CUST-66: a customer's decision maker, else its first contact.
    auto contacts = connection->Query(contacts_query, batch_ids);
    main_contact.clear();
    for (const auto& contact : contacts.rows) {
      auto [at, added] = main_contact.emplace(contact.Int(0), &contact);
      if (!added && at->second->OptionalText(4) != "decision_maker" && contact.OptionalText(4) == "decision_maker")
        at->second = &contact;
    }
    for (size_t i = start; i < end; ++i) {
      auto found = position.find(ids[i]);
      if (found == position.end()) continue;
      ExportRowOf(result.rows[found->second], out);
      out.contact_name = out.contact_title = out.contact_mobile = std::nullopt;
      if (auto contact = main_contact.find(ids[i]); contact != main_contact.end()) {
        out.contact_name = contact->second->Text(1);
        out.contact_title = contact->second->OptionalText(2);
        out.contact_mobile = contact->second->OptionalText(3);
      }
      visit(out);
    }
  }
}

std::string CustomerService::Update(const Caller& caller, int64_t customer_id, const Json& body) {
  Date today = policies_.Today();
  std::string currency = policies_.StringOn("company.currency", today);
  std::string result;
  Actor actor = Actor::From(caller);
  InTransactionKeepingCodes(database_, [&](storage::Connection& connection) {
    storage::Row row = LoadWritable(connection, caller, customer_id);
    CustomerRecord record = RecordFromRow(row);
    JsonReader reader(body);
    ReadCustomer(reader, record, Purpose::kUpdate, currency);
    bool acknowledged = reader.Bool("acknowledgeDuplicates").value_or(false);
    reader.Finish();
    // Saving an unchanged form is not a change: no write, no new updatedAt, no audit entry.
    storage::Params params = RecordParams(record);
    CustomerRecord stored = RecordFromRow(row);
    if (params == RecordParams(stored)) {
      result = Render(connection, customer_id, false);
      return;
    }
    // R-CUST-48: a new code names one customer.
    if (record.code && record.code != stored.code)
      if (Json holder = CodeHolder(connection, caller, *record.code, customer_id); !holder.is_null())
        ThrowCodeTaken(std::move(holder));
    // R-CUST-33: a changed name, phone or address is checked for duplicates as on create,
    // other customers only, and only by what changed (an old shared phone does not block
    // correcting the name).
    if (!acknowledged) {
      auto changed = [](const std::optional<std::string>& now, const std::optional<std::string>& before) {
        return now != before ? now : std::nullopt;
      };
      Json matches = FindDuplicates(connection, caller, record.name != stored.name ? std::optional(record.name) : std::nullopt,
                                    changed(record.phone, stored.phone), changed(record.address, stored.address),
                                    customer_id);
      if (!matches.empty())
        throw Error(ErrorKind::kConflict, "customers.possible_duplicate",
                    "likely the same customer exists; check the matches or acknowledge them",
                    {{"matches", matches}});
    }
    if (record.referrer_customer_id && (*record.referrer_customer_id == customer_id ||
                                        !connection.QueryOne(kCustomerExists, {*record.referrer_customer_id})))
      ThrowValidation("referrerCustomerId", "must be another existing customer");
    Json before = AuditView(connection, customer_id);
    Instant now = clock_.Now();
    params.insert(params.end(), {FormatInstant(now), customer_id});
    connection.Execute(kUpdateCustomer, params);
    connection.Execute(kDeleteTags, {customer_id});
    for (const auto& tag : record.tags) connection.Execute(kInsertTag, {customer_id, tag});
    Regrade(connection, customer_id, actor);
    Json after = AuditView(connection, customer_id);
    KeepChangedFields(before, after);
    if (!after.empty()) {
      Json fields = Json::array();
      for (const auto& [key, value] : after.items()) fields.push_back(key);
      Json data = {{"fields", fields}};
      // R-CUST-62: a change of the relationship status is kept with where it came from.
      if (record.status != stored.status) {
        connection.Execute(kInsertStatusHistory, {customer_id, stored.status, record.status,
                                                  storage::Nullable(actor.user_id), FormatInstant(now)});
        data["status"] = {{"from", stored.status}, {"to", record.status}};
      }
      AppendEvent(connection, customer_id, "edited", actor, "edited the customer", data);
      platform::RecordAudit(connection, actor,
                            {"customer.update", "customer", IdString(customer_id), before, after}, now);
    }
    result = Render(connection, customer_id, false);
  });
  return result;
}

// ---- grading ---------------------------------------------------------------------------

namespace {

// R-CUST-1/2 (§2.1): the company's rule set and thresholds in force on a day, and a text
// that changes whenever what they grade by changes (R-CUST-47).
struct GradingPolicy {
  GradingRuleSet rule_set = GradingRuleSet::kHorizon;
  HorizonThresholds thresholds;
  std::string fingerprint;
};

GradingPolicy GradingPolicyOn(platform::PolicyService& policies, Date day) {
  GradingPolicy policy;
  policy.rule_set =
      ParseGradingRuleSet(policies.StringOn("customers.grading_rule_set", day)).value_or(GradingRuleSet::kHorizon);
  policy.thresholds = {static_cast<int>(policies.IntOn("customers.horizon_key_months", day)),
                       static_cast<int>(policies.IntOn("customers.horizon_important_months", day)),
                       static_cast<int>(policies.IntOn("customers.horizon_general_months", day))};
  // The A/B/C/D rules read no thresholds: changing them regrades nothing then.
  policy.fingerprint = policy.rule_set == GradingRuleSet::kAbcd
                           ? "abcd"
                           : "horizon " + std::to_string(policy.thresholds.key_months) + "/" +
                                 std::to_string(policy.thresholds.important_months) + "/" +
                                 std::to_string(policy.thresholds.general_months);
  return policy;
}

GradingInput GradingInputOf(const storage::Row& row, size_t first) {
  return GradingInput{row.Text(first),         row.Text(first + 1),         row.OptionalText(first + 2),
                      row.OptionalText(first + 3), row.OptionalText(first + 4), row.Bool(first + 5),
                      row.Bool(first + 6),         row.Bool(first + 7)};
}

const storage::Sql kGradingState{"customers.grading_state",
                                 "SELECT fingerprint, pending_from FROM grading_state WHERE id = 1"};
const storage::Sql kSetGradingState{
    "customers.set_grading_state",
    "UPDATE grading_state SET fingerprint = ?, pending_from = ?, updated_at = ? WHERE id = 1"};
const storage::Sql kGradingBatch{
    "customers.grading_batch",
    "SELECT id, status, purchase_horizon, importance, potential, purchase_power, man_money, man_authority, "
    "man_need, computed_grade, computed_reason, grade, grade_reason FROM customers WHERE id > ? ORDER BY id LIMIT ?"};

}  // namespace

Grade CustomerService::Regrade(storage::Connection& connection, int64_t customer_id, const Actor& actor) {
  auto row = connection.QueryOne(kGradingInputs, {customer_id});
  if (!row) ThrowNotFound("customers", "customer");
  GradingPolicy policy = GradingPolicyOn(policies_, policies_.Today());
  Grade computed = ComputeGrade(policy.rule_set, GradingInputOf(*row, 0), policy.thresholds);
  // R-CUST-3: an override stands until removed.
  auto override_grade = row->OptionalText(11);
  Grade in_force = computed;
  if (override_grade) {
    std::string reason = row->OptionalText(12).value_or("");
    in_force = Grade{*override_grade, reason, "customers.grade_reason.override",
                     {{"grade", *override_grade}, {"reason", reason}}};
  }
  std::string source = override_grade ? "override" : "computed";
  std::string reason_json = ReasonCodeJson(in_force).dump();
  connection.Execute(kSetGrade, {computed.value, computed.reason, in_force.value, in_force.reason, source,
                                 reason_json, customer_id});
  bool changed = row->Text(8) != in_force.value || row->Text(9) != in_force.reason || row->Text(10) != source;
  if (!changed) return in_force;
  Instant now = clock_.Now();
  connection.Execute(kInsertGradeHistory, {customer_id, in_force.value, in_force.reason, source,
                                           storage::Nullable(actor.user_id), FormatInstant(now), reason_json});
  if (!row->Text(8).empty())
    AppendEvent(connection, customer_id, "graded", actor, "grade " + in_force.value + ": " + in_force.reason,
                {{"grade", in_force.value}, {"previousGrade", row->Text(8)}, {"source", source},
                 {"reason", ReasonCodeJson(in_force)}});
  return in_force;
}

RegradeResult CustomerService::RegradeForPolicy(Instant now, int max_batches) {
  RegradeResult outcome;
  GradingPolicy policy = GradingPolicyOn(policies_, BusinessDate(now, policies_.TimeZone()));
  std::string now_text = FormatInstant(now);
  Actor actor = Actor::System("grading-policy");
  for (int batch = 0; batch < max_batches; ++batch) {
    RegradeResult step;
    database_.InTransaction([&](storage::Connection& connection) {
      step = {};
      if (!platform::TakeJobLease(connection, kRegradeJob, now, kReclaimLease)) return;
      step.ran = true;
      auto state = connection.QueryOne(kGradingState);
      if (!state) throw std::logic_error("grading_state has no row (migration 0020)");
      std::optional<std::string> graded_under = state->OptionalText(0);
      std::optional<int64_t> pending_from = state->OptionalInt(1);
      if (!graded_under) {
        // R-CUST-47: an archive from before this rule was graded when each customer last
        // changed; the policy in force now is taken as the one it was graded under.
        connection.Execute(kSetGradingState, {policy.fingerprint, nullptr, now_text});
      } else {
        if (*graded_under != policy.fingerprint) pending_from = 0;  // a new policy: from the first customer
        if (pending_from) {
          auto rows = connection.Query(kGradingBatch, {*pending_from, regrade_batch_});
          for (const auto& row : rows.rows) {
            int64_t customer_id = row.Int(0);
            ++step.examined;
            Grade computed = ComputeGrade(policy.rule_set, GradingInputOf(row, 1), policy.thresholds);
            if (computed.value == row.Text(9) && computed.reason == row.Text(10)) continue;
            // As an edit regrades: computed grade, grade in force (an override stands),
            // history and timeline when the grade in force changed.
            Grade in_force = Regrade(connection, customer_id, actor);
            platform::RecordAudit(connection, actor,
                                  {"customer.regrade", "customer", IdString(customer_id),
                                   {{"grade", row.Text(11)}, {"gradeReason", row.Text(12)},
                                    {"computedGrade", row.Text(9)}, {"computedReason", row.Text(10)}},
                                   {{"grade", in_force.value}, {"gradeReason", in_force.reason},
                                    {"computedGrade", computed.value}, {"computedReason", computed.reason}}},
                                  now);
            ++step.changed;
          }
          step.more = static_cast<int64_t>(rows.rows.size()) == regrade_batch_;
          storage::Value next = nullptr;
          if (step.more) next = rows.rows.back().Int(0);
          connection.Execute(kSetGradingState, {policy.fingerprint, next, now_text});
        }
      }
      // Done: the lease is given back, so the next check (this process's, or another's
      // after a restart) need not wait for it to expire.
      if (!step.more) platform::ReleaseJobLease(connection, kRegradeJob, now);
    });
    outcome.ran = outcome.ran || step.ran;
    outcome.examined += step.examined;
    outcome.changed += step.changed;
    outcome.more = step.more;
    if (!step.more) break;
  }
  return outcome;
}

std::string CustomerService::OverrideGrade(const Caller& caller, int64_t customer_id, const Json& body) {
  Scope scope = platform::Require(caller, "customers.assign");
  JsonReader reader(body);
  auto grade = reader.RequiredString("grade", 1, 16);
  auto reason = reader.RequiredString("reason", 1, 500);
  reader.Finish();
  auto rule_set = ParseGradingRuleSet(policies_.StringOn("customers.grading_rule_set", policies_.Today()))
                      .value_or(GradingRuleSet::kHorizon);
  if (!IsGradeOf(rule_set, *grade))
    ThrowValidation("grade", rule_set == GradingRuleSet::kHorizon ? "must be one of: key, important, general, watch"
                                                                  : "must be one of: A, B, C, D");
  std::string result;
  Actor actor = Actor::From(caller);
  database_.InTransaction([&](storage::Connection& connection) {
    storage::Row row = LoadReadable(connection, caller, customer_id);
    auto owner = OwnerOf(row);
    if (owner && !platform::InScope(caller, scope, *owner, row.OptionalText(kOwnerPath).value_or("")))
      ThrowNotFound("customers", "customer");
    Json before = AuditView(connection, customer_id);
    Instant now = clock_.Now();
    connection.Execute(kSetOverride, {*grade, *reason, caller.user_id, FormatInstant(now), customer_id});
    Regrade(connection, customer_id, actor);
    Json after = AuditView(connection, customer_id);
    KeepChangedFields(before, after);
    platform::RecordAudit(connection, actor,
                          {"customer.grade_override", "customer", IdString(customer_id), before, after}, now);
    result = Render(connection, customer_id, false);
  });
  return result;
}

std::string CustomerService::RemoveGradeOverride(const Caller& caller, int64_t customer_id) {
  Scope scope = platform::Require(caller, "customers.assign");
  std::string result;
  Actor actor = Actor::From(caller);
  database_.InTransaction([&](storage::Connection& connection) {
    storage::Row row = LoadReadable(connection, caller, customer_id);
    auto owner = OwnerOf(row);
    if (owner && !platform::InScope(caller, scope, *owner, row.OptionalText(kOwnerPath).value_or("")))
      ThrowNotFound("customers", "customer");
    if (!row.OptionalText(kOverrideGrade))
      throw Error(ErrorKind::kConflict, "customers.no_grade_override", "the grade is not overridden");
    Json before = AuditView(connection, customer_id);
    Instant now = clock_.Now();
    connection.Execute(kSetOverride, {nullptr, nullptr, nullptr, FormatInstant(now), customer_id});
    Regrade(connection, customer_id, actor);
    Json after = AuditView(connection, customer_id);
    KeepChangedFields(before, after);
    platform::RecordAudit(connection, actor,
                          {"customer.grade_override_remove", "customer", IdString(customer_id), before, after},
                          now);
    result = Render(connection, customer_id, false);
  });
  return result;
}

Json CustomerService::GradeHistory(const Caller& caller, int64_t customer_id) {
  auto connection = database_.Acquire();
  LoadReadable(*connection, caller, customer_id);
  Json items = Json::array();
  for (const auto& row : connection->Query(kSelectGradeHistory, {customer_id}).rows) {
    Json reason = row.OptionalText(5) ? Json::parse(*row.OptionalText(5), nullptr, false) : Json();
    bool coded = reason.is_object() && reason.contains("code");
    items.push_back({{"grade", row.Text(0)},
                     {"reason", row.Text(1)},
                     {"reasonCode", coded ? reason["code"] : Json()},
                     {"reasonParams", coded ? reason.value("params", Json::object()) : Json::object()},
                     {"source", row.Text(2)},
                     {"changedByName", row.OptionalText(3) ? Json(*row.OptionalText(3)) : Json()},
                     {"at", row.Text(4)}});
  }
  return {{"items", items}};
}

Json CustomerService::StatusHistory(const Caller& caller, int64_t customer_id) {
  auto connection = database_.Acquire();
  storage::Row row = LoadReadable(*connection, caller, customer_id);
  Json items = Json::array();
  for (const auto& entry : connection->Query(kSelectStatusHistory, {customer_id}).rows)
    items.push_back({{"from", entry.Text(0)},
                     {"to", entry.Text(1)},
                     {"changedByName", entry.OptionalText(2) ? Json(*entry.OptionalText(2)) : Json()},
                     {"at", entry.Text(3)}});
  // The status the customer had first: the oldest change's "from", or today's without one.
  std::string first = items.empty() ? row.Text(kStatus) : items.back()["from"].get<std::string>();
  return {{"items", items}, {"initial", first}};
}

// ---- ownership and the pool --------------------------------------------------------------

void CustomerService::RecordOwnerChange(storage::Connection& connection, int64_t customer_id,
                                        std::optional<int64_t> from, std::optional<int64_t> to,
                                        std::string_view kind, const Actor& actor,
                                        const std::optional<std::string>& note, Instant at) {
  connection.Execute(kInsertOwnerHistory, {customer_id, storage::Nullable(from), storage::Nullable(to),
                                           std::string(kind), storage::Nullable(actor.user_id),
                                           storage::Nullable(note), FormatInstant(at)});
}

void CustomerService::AddHandOver(std::string name, HandOver hand_over) {
  for (auto& [existing, move] : hand_overs_)
    if (existing == name) {
      move = std::move(hand_over);
      return;
    }
  hand_overs_.emplace_back(std::move(name), std::move(hand_over));
}

CustomerService::Assignee CustomerService::RequireAssignee(storage::Connection& connection, const Caller& caller,
                                                           Scope scope, int64_t owner_id) {
  auto assignee = connection.QueryOne(kUserInScope, {owner_id});
  if (!assignee || !assignee->Bool(0) || !platform::InScope(caller, scope, owner_id, assignee->Text(1)))
    ThrowValidation("ownerId", "must be an active user in your scope");
  return {owner_id, assignee->Text(2)};
}

void CustomerService::AssignIn(storage::Connection& connection, const storage::Row& row, int64_t customer_id,
                               const Assignee& assignee, const std::optional<std::string>& note, bool hand_over,
                               const Actor& actor, Instant now, Json& handed_over) {
  auto previous = OwnerOf(row);
  Json before = AuditView(connection, customer_id);
  connection.Execute(kSetOwner, {assignee.id, FormatInstant(now),
                                 storage::Nullable(previous ? previous : row.OptionalInt(kPreviousOwner)),
                                 FormatInstant(now), customer_id});
  RecordOwnerChange(connection, customer_id, previous, assignee.id, "assigned", actor,
                    note && !note->empty() ? note : std::nullopt, now);
  Json data = {{"ownerId", IdString(assignee.id)}, {"ownerName", assignee.name}, {"note", note ? Json(*note) : Json()}};
  Json after = AuditView(connection, customer_id);
  KeepChangedFields(before, after);
  // R-CUST-61: the previous owner's open items follow the customer (a pool customer has none).
  if (hand_over && previous) {
    Json moved = Json::object();
    for (const auto& [name, move] : hand_overs_) {
      int64_t count = move(connection, {customer_id, *previous, assignee.id, actor, now});
      moved[name] = count;
      handed_over[name] = handed_over.value(name, int64_t{0}) + count;
    }
    data["handedOver"] = moved;
    after["handedOver"] = moved;
  }
  AppendEvent(connection, customer_id, "assigned", actor, "assigned to " + assignee.name, data);
  platform::RecordAudit(connection, actor, {"customer.assign", "customer", IdString(customer_id), before, after},
                        now);
}

void CustomerService::NotifyAssigned(storage::Connection& connection, const Actor& actor, const Assignee& assignee,
                                     const std::vector<Moved>& moved) {
  if (!notify_ || moved.empty()) return;
  // The new owner, unless they gave the customers to themselves: one notice per assignment.
  if (actor.user_id != assignee.id) {
    if (moved.size() == 1)
      notify_(connection, {assignee.id, "customer.assigned",
                           actor.name + "将客户「" + moved[0].name + "」转给了你", "/customers/" + IdString(moved[0].id),
                           {{"actorName", actor.name}, {"customerName", moved[0].name},
                            {"customerId", IdString(moved[0].id)}}});
    else
      notify_(connection, {assignee.id, "customer.assigned_many",
                           actor.name + "将 " + std::to_string(moved.size()) + " 位客户转给了你", "/customers",
                           {{"actorName", actor.name}, {"count", static_cast<int64_t>(moved.size())}}});
  }
  // Each previous owner other than the actor: one notice for what they lost. They no
  // longer read the customers, so the notice links nowhere.
  std::vector<int64_t> owners;
  for (const Moved& customer : moved)
    if (customer.previous && *customer.previous != actor.user_id &&
        std::find(owners.begin(), owners.end(), *customer.previous) == owners.end())
      owners.push_back(*customer.previous);
  for (int64_t owner : owners) {
    std::vector<const Moved*> lost;
    for (const Moved& customer : moved)
      if (customer.previous == owner) lost.push_back(&customer);
    if (lost.size() == 1)
      notify_(connection, {owner, "customer.transferred",
                           "客户「" + lost[0]->name + "」已由" + actor.name + "转给" + assignee.name, "",
                           {{"actorName", actor.name}, {"customerName", lost[0]->name}, {"ownerName", assignee.name}}});
    else
      notify_(connection, {owner, "customer.transferred_many",
                           actor.name + "将你的 " + std::to_string(lost.size()) + " 位客户转给了" + assignee.name, "",
                           {{"actorName", actor.name},
                            {"count", static_cast<int64_t>(lost.size())},
                            {"ownerName", assignee.name}}});
  }
}

std::string CustomerService::Assign(const Caller& caller, int64_t customer_id, const Json& body) {
  Scope scope = platform::Require(caller, "customers.assign");
  JsonReader reader(body);
  auto owner_id = reader.Id("ownerId");
  auto note = reader.String("note", 0, 500);
  bool hand_over = reader.Bool("handOver").value_or(false);
  if (!reader.Has("ownerId")) reader.Fail("ownerId", "is required");
  reader.Finish();
  std::string result;
  Actor actor = Actor::From(caller);
  database_.InTransaction([&](storage::Connection& connection) {
    storage::Row row = LoadReadable(connection, caller, customer_id);
    auto previous = OwnerOf(row);
    // R-CUST-8: managers assign customers of their scope, and pool customers, to people of
    // their scope.
    if (previous && !platform::InScope(caller, scope, *previous, row.OptionalText(kOwnerPath).value_or("")))
      ThrowNotFound("customers", "customer");
    Assignee assignee = RequireAssignee(connection, caller, scope, *owner_id);
    if (previous == owner_id) ThrowValidation("ownerId", "already owns this customer");
    // R-CUST-32: the assignee's hold limit applies as to a claim.
    RequireRoomToHold(connection, *owner_id, 1);
    Json handed_over = Json::object();
    AssignIn(connection, row, customer_id, assignee, note, hand_over, actor, clock_.Now(), handed_over);
    NotifyAssigned(connection, actor, assignee, {{customer_id, row.Text(kName), previous}});
    result = Render(connection, customer_id, false);
  });
  return result;
}

Json CustomerService::AssignMany(const Caller& caller, const Json& body) {
  Scope scope = platform::Require(caller, "customers.assign");
  JsonReader reader(body);
  auto ids = reader.IdList("ids", kMaxAssignMany);
  auto owner_id = reader.Id("ownerId");
  auto note = reader.String("note", 0, 500);
  bool hand_over = reader.Bool("handOver").value_or(false);
  if (!reader.Has("ids")) reader.Fail("ids", "is required");
  if (!reader.Has("ownerId")) reader.Fail("ownerId", "is required");
  reader.Finish();
  Json result;
  Actor actor = Actor::From(caller);
  database_.InTransaction([&](storage::Connection& connection) {
    Assignee assignee = RequireAssignee(connection, caller, scope, *owner_id);
    // Every customer is checked before any is written: one out of reach refuses them all,
    // naming it.
    std::vector<std::pair<int64_t, storage::Row>> moving;
    Json assigned = Json::array();
    Json unchanged = Json::array();
    for (int64_t id : *ids) {
      std::optional<storage::Row> row;
      try {
        row = LoadReadable(connection, caller, id);
      } catch (const Error& error) {
        if (error.code() != "customers.not_found") throw;
      }
      auto previous = row ? OwnerOf(*row) : std::nullopt;
      if (!row || (previous && !platform::InScope(caller, scope, *previous,
                                                  row->OptionalText(kOwnerPath).value_or(""))))
        throw Error(ErrorKind::kNotFound, "customers.not_found", "customer not found", {{"id", IdString(id)}});
      if (previous == owner_id) {
        unchanged.push_back(IdString(id));
        continue;
      }
      assigned.push_back(IdString(id));
      moving.emplace_back(id, std::move(*row));
    }
    // R-CUST-32: the assignee's hold limit, for all of them at once.
    if (!moving.empty()) RequireRoomToHold(connection, *owner_id, static_cast<int64_t>(moving.size()));
    Json handed_over = Json::object();
    if (hand_over)
      for (const auto& hand_over_entry : hand_overs_) handed_over[hand_over_entry.first] = 0;
    Instant now = clock_.Now();
    std::vector<Moved> moved;
    for (const auto& [id, row] : moving) {
      AssignIn(connection, row, id, assignee, note, hand_over, actor, now, handed_over);
      moved.push_back({id, row.Text(kName), OwnerOf(row)});
    }
    NotifyAssigned(connection, actor, assignee, moved);
    result = {{"assigned", std::move(assigned)}, {"unchanged", std::move(unchanged)},
              {"handedOver", std::move(handed_over)}};
  });
  return result;
}

std::string CustomerService::Release(const Caller& caller, int64_t customer_id, const Json& body) {
  JsonReader reader(body);
  auto reason = reader.String("reason", 0, 500);
  reader.Finish();
  std::string result;
  Actor actor = Actor::From(caller);
  database_.InTransaction([&](storage::Connection& connection) {
    storage::Row row = LoadReadable(connection, caller, customer_id);
    auto owner = OwnerOf(row);
    if (!owner) throw Error(ErrorKind::kConflict, "customers.in_pool", "the customer is already in the pool");
    // R-CUST-9: the owner (holding customers.write) or a manager over the owner releases.
    bool as_owner = *owner == caller.user_id && caller.Has("customers.write");
    auto assign_scope = caller.ScopeFor("customers.assign");
    bool as_manager = assign_scope && platform::InScope(caller, *assign_scope, *owner,
                                                        row.OptionalText(kOwnerPath).value_or(""));
    if (!as_owner && !as_manager)
      throw Error(ErrorKind::kForbidden, "access.denied", "only the owner or their manager releases a customer",
                  {{"permission", "customers.assign"}});
    Json before = AuditView(connection, customer_id);
    Instant now = clock_.Now();
    connection.Execute(kRelease, {FormatInstant(now), FormatInstant(now), customer_id});
    std::optional<std::string> note = reason && !reason->empty() ? reason : std::nullopt;
    RecordOwnerChange(connection, customer_id, owner, std::nullopt, "released", actor, note, now);
    AppendEvent(connection, customer_id, "released", actor, "released to the shared pool",
                {{"previousOwnerName", row.OptionalText(kOwnerName).value_or("")},
                 {"reason", note ? Json(*note) : Json()}});
    Json after = AuditView(connection, customer_id);
    KeepChangedFields(before, after);
    platform::RecordAudit(connection, actor, {"customer.release", "customer", IdString(customer_id), before, after},
                          now);
    result = Render(connection, customer_id, false);
  });
  return result;
}

Json CustomerService::PoolStatus(const Caller& caller) {
  platform::Require(caller, "customers.read");
  Date today = BusinessDate(clock_.Now(), policies_.TimeZone());
  auto connection = database_.Acquire();
  // The counts of Claim's checks (R-CUST-14, R-CUST-32), read the same way.
  int64_t claimed_today = connection->QueryOne(kClaimsOnDay, {caller.user_id, FormatDate(today)})->Int(0);
  int64_t held = connection->QueryOne(kHeldBy, {caller.user_id})->Int(0);
  return {{"claimedToday", claimed_today},
          {"claimLimitPerDay", policies_.IntOn("customers.pool_claim_limit_per_day", today)},
          {"held", held},
          {"maxHeld", policies_.IntOn("customers.max_held_per_rep", today)},
          {"cooldownDays", policies_.IntOn("customers.pool_reclaim_cooldown_days", today)}};
}

std::string CustomerService::Claim(const Caller& caller, int64_t customer_id) {
  platform::Require(caller, "customers.write");
  std::string result;
  Actor actor = Actor::From(caller);
  database_.InTransaction([&](storage::Connection& connection) {
    storage::Row row = LoadReadable(connection, caller, customer_id);
    if (OwnerOf(row))
      throw Error(ErrorKind::kConflict, "customers.not_in_pool", "the customer is not in the shared pool");
    // Claims of one rep are serialised, so two parallel claims cannot both pass the limits.
    connection.QueryOne(kLockUser, {caller.user_id});
    Instant now = clock_.Now();
    std::string time_zone = policies_.TimeZone();
    Date today = BusinessDate(now, time_zone);
    // R-CUST-15: the previous owner waits customers.pool_reclaim_cooldown_days.
    if (row.OptionalInt(kPreviousOwner) == caller.user_id && row.OptionalText(kPoolEnteredAt)) {
      int64_t cooldown_days = policies_.IntOn("customers.pool_reclaim_cooldown_days", today);
      auto entered = ParseInstant(*row.OptionalText(kPoolEnteredAt));
      Instant available_at = entered.value_or(now) + std::chrono::days(cooldown_days);
      if (now < available_at)
        throw Error(ErrorKind::kConflict, "customers.cooldown",
                    "you released this customer recently; wait for the cool-down",
                    {{"cooldownDays", cooldown_days}, {"availableAt", FormatInstant(available_at)}});
    }
    // R-CUST-14 (§2.2): a per-rep claim limit per business day …
    int64_t claim_limit = policies_.IntOn("customers.pool_claim_limit_per_day", today);
    int64_t claimed_today = connection.QueryOne(kClaimsOnDay, {caller.user_id, FormatDate(today)})->Int(0);
    if (claimed_today >= claim_limit)
      throw Error(ErrorKind::kConflict, "customers.claim_limit", "you reached today's claim limit",
                  {{"limit", claim_limit}, {"claimedToday", claimed_today}});
    // … and a maximum number of customers held.
    RequireRoomToHold(connection, caller.user_id, 1);
    Json before = AuditView(connection, customer_id);
    std::string now_text = FormatInstant(now);
    if (connection.Execute(kClaim, {caller.user_id, now_text, now_text, customer_id}) == 0)
      throw Error(ErrorKind::kConflict, "customers.not_in_pool", "the customer is not in the shared pool");
    connection.Execute(kInsertClaim, {customer_id, caller.user_id, FormatDate(today), now_text});
    RecordOwnerChange(connection, customer_id, std::nullopt, caller.user_id, "claimed", actor, std::nullopt, now);
    AppendEvent(connection, customer_id, "claimed", actor, "claimed from the shared pool", Json::object());
    Json after = AuditView(connection, customer_id);
    KeepChangedFields(before, after);
    platform::RecordAudit(connection, actor, {"customer.claim", "customer", IdString(customer_id), before, after},
                          now);
    result = Render(connection, customer_id, false);
  });
  return result;
}

void CustomerService::RequireRoomToHold(storage::Connection& connection, int64_t owner_id, int64_t adding) {
  // The owner's user row is locked (PostgreSQL; SQLite's BEGIN IMMEDIATE serialises
  // writers), so two parallel creates, claims or assigns cannot both take the last place.
  connection.QueryOne(kLockUser, {owner_id});
  int64_t hold_limit = policies_.IntOn("customers.max_held_per_rep", policies_.Today());
  int64_t held = connection.QueryOne(kHeldBy, {owner_id})->Int(0);
  if (held + adding > hold_limit)
    throw Error(ErrorKind::kConflict, "customers.hold_limit", "the owner holds the maximum number of customers",
                {{"limit", hold_limit}, {"held", held}, {"ownerId", IdString(owner_id)}});
}

ReclaimResult CustomerService::ReclaimIdleCustomers(Instant now) {
  ReclaimResult outcome;
  Date today = BusinessDate(now, policies_.TimeZone());
  // R-CUST-10 (§2.2): no follow-up for customers.pool_reclaim_days returns to the pool.
  int64_t idle_days = policies_.IntOn("customers.pool_reclaim_days", today);
  std::string cutoff = FormatInstant(now - std::chrono::days(idle_days));
  std::string now_text = FormatInstant(now);
  Actor actor = Actor::System("pool-reclaim");
  // A bulk write on SQLite (thousands of customers when the policy's days first pass):
  // outside the writer thread's savepoint, which would keep a copy of every changed page
  // in memory (sqlite_bulk.h); exactly InTransaction otherwise.
  storage::InBulkTransaction(database_, [&](storage::Connection& connection) {
    outcome = {};
    if (!platform::TakeJobLease(connection, kReclaimJob, now, kReclaimLease)) return;
    outcome.ran = true;
    auto reclaimed = connection.Query(kReclaim, {now_text, now_text, cutoff, cutoff});
    for (const auto& row : reclaimed.rows) {
      int64_t customer_id = row.Int(0);
      auto previous = row.OptionalInt(1);
      RecordOwnerChange(connection, customer_id, previous, std::nullopt, "reclaimed", actor, std::nullopt, now);
      Json data = {{"idleDays", idle_days}};
      AppendEvent(connection, customer_id, "reclaimed", actor,
                  "returned to the shared pool after " + std::to_string(idle_days) + " days without follow-up",
                  data);
      platform::RecordAudit(connection, actor,
                            {"customer.reclaim", "customer", IdString(customer_id),
                             {{"ownerId", previous ? Json(IdString(*previous)) : Json()}},
                             {{"ownerId", Json()}}},
                            now);
    }
    outcome.reclaimed = static_cast<int64_t>(reclaimed.rows.size());
    // R-CUST-63: each owner learns how many of theirs went back to the pool, once per run.
    if (notify_) {
      std::map<int64_t, int64_t> lost;
      for (const auto& row : reclaimed.rows)
        if (auto previous = row.OptionalInt(1)) ++lost[*previous];
      for (const auto& [owner, count] : lost)
        notify_(connection, {owner, "customer.reclaimed",
                             "你有 " + std::to_string(count) + " 位客户超过 " + std::to_string(idle_days) +
                                 " 天未跟进，已退回公海",
                             "/customers/pool", {{"count", count}, {"idleDays", idle_days}}});
    }
  });
  return outcome;
}

// ---- timeline --------------------------------------------------------------------------

void CustomerService::AppendEvent(storage::Connection& connection, int64_t customer_id, std::string_view kind,
                                  const Actor& actor, std::string_view summary, const Json& data) {
  // Nothing here needs the answer: on PostgreSQL it goes with the next statement (ADR 0012).
  storage::ExecuteLater(connection, kInsertEvent,
                        {customer_id, FormatInstant(clock_.Now()), std::string(kind), storage::Nullable(actor.user_id),
                         actor.name, std::string(summary), (data.is_object() ? data : Json::object()).dump()});
}

Json CustomerService::Timeline(const Caller& caller, int64_t customer_id, int limit,
                               std::optional<int64_t> before_id) {
  auto connection = database_.Acquire();
  LoadReadable(*connection, caller, customer_id);
  auto rows = connection->Query(kSelectEvents, {customer_id, before_id.value_or(INT64_MAX), int64_t{limit + 1}});
  Json items = Json::array();
  std::optional<int64_t> next_cursor;
  for (size_t i = 0; i < rows.rows.size(); ++i) {
    const auto& row = rows.rows[i];
    if (static_cast<int>(i) == limit) {
      next_cursor = rows.rows[i - 1].Int(0);
      break;
    }
    // R-CUST-34: the summary as a code ("customers.timeline.<kind>") whose parameters are
    // the entry's data and actor; the stored text stays as the fallback.
    Json data = Json::parse(row.Text(5));
    Json params = data.is_object() ? data : Json::object();
    params["actorName"] = row.OptionalText(3) ? Json(*row.OptionalText(3)) : Json();
    items.push_back({{"id", IdString(row.Int(0))},
                     {"at", row.Text(1)},
                     {"kind", row.Text(2)},
                     {"actorName", row.OptionalText(3) ? Json(*row.OptionalText(3)) : Json()},
                     {"summary", row.Text(4)},
                     {"summaryCode", "customers.timeline." + row.Text(2)},
                     {"summaryParams", params},
                     {"data", std::move(data)}});
  }
  return {{"items", items}, {"nextCursor", next_cursor ? Json(IdString(*next_cursor)) : Json()}};
}

namespace {
// The same decision as LoadReadable from the three columns it needs: a check-in asks
// this on every request, and reading and converting the whole joined row was 8% of the
// server's CPU per check-in (docs/benchmarks.md "Check-in burst, session 10").
const storage::Sql kSelectScope{
    "customers.select_scope",
    "SELECT c.owner_id, ou.path, c.merged_into_id FROM customers c LEFT JOIN users ow ON ow.id = c.owner_id "
    "LEFT JOIN org_units ou ON ou.id = ow.unit_id WHERE c.id = ?"};
}  // namespace

storage::BoundQuery CustomerService::ScopeQuery(int64_t customer_id) { return {&kSelectScope, {customer_id}}; }

void CustomerService::CheckReadable(storage::Connection& connection, const Caller& caller, int64_t customer_id) {
  platform::Require(caller, "customers.read");
  CheckReadable(caller, customer_id, connection.Query(kSelectScope, {customer_id}));
}

void CustomerService::CheckReadable(const Caller& caller, int64_t customer_id, const storage::ResultSet& scope_rows) {
  Scope scope = platform::Require(caller, "customers.read");
  if (scope_rows.empty()) ThrowNotFound("customers", "customer");
  const storage::Row& row = scope_rows.rows.front();
  if (auto owner = row.OptionalInt(0); owner && !platform::InScope(caller, scope, *owner, row.OptionalText(1).value_or("")))
    ThrowNotFound("customers", "customer");
  // R-CUST-16, as in LoadReadable.
  if (auto into = row.OptionalInt(2))
    throw Error(ErrorKind::kNotFound, "customers.merged", "the customer was merged into another",
                {{"customerId", IdString(customer_id)}, {"mergedInto", IdString(*into)}});
}

void CustomerService::RecordContact(storage::Connection& connection, int64_t customer_id, Instant at) {
  std::string at_value = FormatInstant(at);
  // Nothing here needs the answer: on PostgreSQL it goes with the next statement (ADR 0012).
  storage::ExecuteLater(connection, kSetFollowUp, {at_value, customer_id, at_value});
}

Json CustomerService::AddFollowUp(const Caller& caller, int64_t customer_id, const Json& body) {
  JsonReader reader(body);
  auto channel = reader.Enum("channel", FollowUpChannels());
  auto summary = reader.RequiredString("summary", 1, 500);
  auto at_text = reader.String("at", 1, 40);
  if (!reader.Has("channel")) reader.Fail("channel", "is required");
  Instant now = clock_.Now();
  std::optional<Instant> at = now;
  if (at_text) {
    at = ParseInstant(*at_text);
    if (!at) reader.Fail("at", "must be an instant such as 2026-11-20T02:00:00.000Z");
    else if (*at > now) reader.Fail("at", "cannot be in the future");
  }
  reader.Finish();
  Json entry;
  Actor actor = Actor::From(caller);
  database_.InTransaction([&](storage::Connection& connection) {
    LoadWritable(connection, caller, customer_id);
    std::string at_value = FormatInstant(*at);
    connection.Execute(kSetFollowUp, {at_value, customer_id, at_value});
    Json data = {{"channel", *channel}, {"at", at_value}};
    int64_t event_id = connection
                           .QueryOne(kInsertEventReturningId,
                                     {customer_id, FormatInstant(now), std::string("follow_up"),
                                      storage::Nullable(actor.user_id), actor.name, *summary, data.dump()})
                           ->Int(0);
    platform::RecordAudit(connection, actor,
                          {"customer.follow_up", "customer", IdString(customer_id), Json(),
                           {{"channel", *channel}, {"summary", *summary}, {"at", at_value}}},
                          now);
    entry = {{"id", IdString(event_id)}, {"at", FormatInstant(now)}, {"kind", "follow_up"},
             {"actorName", actor.name},  {"summary", *summary},       {"data", data}};
  });
  return entry;
}

// ---- contacts --------------------------------------------------------------------------

namespace {
int64_t InsertContact(storage::Connection& connection, const Actor& actor, int64_t customer_id,
                      const ContactRecord& record, Instant now, Json* result) {
  storage::Params params{customer_id, record.name};
  for (const auto& field : record.fields) params.push_back(storage::Nullable(field));
  // R-CUST-39: the contact's name pairs let one- and two-character searches use the index.
  params.insert(params.end(), {FormatInstant(now), FormatInstant(now), PinyinOf(record.name).full,
                               ContactSearchWords(record.name)});
  int64_t id = connection.QueryOne(kInsertContact, params)->Int(0);
  connection.Execute(kTouch, {FormatInstant(now), customer_id});
  Json created = ContactJson(*connection.QueryOne(kSelectContact, {id}));
  platform::RecordAudit(connection, actor, {"contact.create", "contact", IdString(id), Json(), created}, now);
  if (result) *result = std::move(created);
  return id;
}
}  // namespace

void CustomerService::ValidateContact(const Json& body) {
  JsonReader reader(body);
  ContactRecord record;
  ReadContact(reader, record, Purpose::kCreate);
  reader.Finish();
}

std::vector<std::optional<CustomerService::CodeMatch>> CustomerService::MatchCodesMany(
    storage::Connection& connection, const Caller& caller, const std::vector<std::string>& codes) {
  constexpr size_t kPerQuery = 100;
  static const std::string sql = [] {
    std::string text = "SELECT " TUOKE_CUSTOMER_COLUMNS "WHERE c.code IN (?";
    for (size_t i = 1; i < kPerQuery; ++i) text += ", ?";
    return text + ")";
  }();
  static const storage::Sql kByCodes{"customers.by_codes", sql.c_str()};
  std::optional<Scope> read_scope = caller.ScopeFor("customers.read");
  std::optional<Scope> write_scope = caller.ScopeFor("customers.write");
  std::vector<std::optional<CodeMatch>> out(codes.size());
  std::unordered_map<std::string, size_t> position;
  for (size_t start = 0; start < codes.size(); start += kPerQuery) {
    size_t end = std::min(codes.size(), start + kPerQuery);
    storage::Params params;
    position.clear();
    // One statement shape: the last batch is padded with NULL, which no code equals.
    for (size_t i = start; i < start + kPerQuery; ++i) {
      if (i < end) params.push_back(codes[i]), position.emplace(codes[i], i);
      else params.push_back(nullptr);
    }
    for (const auto& found : connection.Query(kByCodes, params).rows) {
      auto at = position.find(found.Text(kCode));
      if (at == position.end()) continue;
      // R-CUST-16: a merged customer's code leads to the customer it was merged into.
      std::optional<storage::Row> row = found;
      for (int hops = 0; row && row->OptionalInt(kMergedInto) && hops < 64; ++hops)
        row = connection.QueryOne(kSelectCustomer, {*row->OptionalInt(kMergedInto)});
      if (!row || row->OptionalInt(kMergedInto)) continue;
      CodeMatch& match = out[at->second].emplace();
      match.id = row->Int(kId);
      match.name = row->Text(kName);
      // R-CUST-7, as LoadWritable decides.
      if (!read_scope || !Readable(caller, *read_scope, *row)) match.refused = "customers.not_found";
      else if (!write_scope) match.refused = "access.denied";
      else if (auto refusal = WriteRefusal(caller, *write_scope, *row)) match.refused = refusal->code();
    }
  }
  return out;
}

void CustomerService::ThrowIfCodeTaken(const storage::DatabaseError& error) {
  // The unique index of migration 0021: its name on PostgreSQL, its column on SQLite.
  std::string_view message = error.what();
  if (error.kind() == storage::DatabaseError::Kind::kUniqueViolation &&
      (message.find("customers_code") != std::string_view::npos ||
       message.find("customers.code") != std::string_view::npos))
    ThrowCodeTaken(Json());
}

std::vector<bool> CustomerService::AddContactsIn(storage::Connection& connection, const Caller& caller,
                                                 int64_t customer_id, const std::vector<const Json*>& contacts) {
  static const storage::Sql kContactNames{"customers.contact_names",
                                          "SELECT name FROM contacts WHERE customer_id = ?"};
  LoadWritable(connection, caller, customer_id);
  Actor actor = Actor::From(caller);
  Instant now = clock_.Now();
  std::set<std::string> names;
  for (const auto& row : connection.Query(kContactNames, {customer_id}).rows) names.insert(row.Text(0));
  std::vector<bool> added;
  for (const Json* body : contacts) {
    JsonReader reader(*body);
    ContactRecord record;
    ReadContact(reader, record, Purpose::kCreate);
    reader.Finish();
    added.push_back(names.insert(record.name).second);
    if (added.back()) InsertContact(connection, actor, customer_id, record, now, nullptr);
  }
  return added;
}

Json CustomerService::AddContact(const Caller& caller, int64_t customer_id, const Json& body) {
  JsonReader reader(body);
  ContactRecord record;
  ReadContact(reader, record, Purpose::kCreate);
  reader.Finish();
  Json result;
  Actor actor = Actor::From(caller);
  database_.InTransaction([&](storage::Connection& connection) {
    LoadWritable(connection, caller, customer_id);
    InsertContact(connection, actor, customer_id, record, clock_.Now(), &result);
  });
  return result;
}

Json CustomerService::UpdateContact(const Caller& caller, int64_t contact_id, const Json& body) {
  Json result;
  Actor actor = Actor::From(caller);
  database_.InTransaction([&](storage::Connection& connection) {
    auto row = connection.QueryOne(kSelectContact, {contact_id});
    if (!row) ThrowNotFound("contacts", "contact");
    try {
      LoadWritable(connection, caller, row->Int(1));
    } catch (const Error& error) {
      // A contact of a customer the caller cannot see does not exist for them.
      if (error.kind() == ErrorKind::kNotFound) ThrowNotFound("contacts", "contact");
      throw;
    }
    ContactRecord record = ContactFromRow(*row);
    JsonReader reader(body);
    ReadContact(reader, record, Purpose::kUpdate);
    reader.Finish();
    Json before = ContactJson(*row);
    Instant now = clock_.Now();
    storage::Params params{record.name};
    for (const auto& field : record.fields) params.push_back(storage::Nullable(field));
    params.insert(params.end(),
                  {FormatInstant(now), PinyinOf(record.name).full, ContactSearchWords(record.name), contact_id});
    connection.Execute(kUpdateContact, params);
    connection.Execute(kTouch, {FormatInstant(now), row->Int(1)});
    result = ContactJson(*connection.QueryOne(kSelectContact, {contact_id}));
    Json after = result;
    KeepChangedFields(before, after);
    if (!after.empty())
      platform::RecordAudit(connection, actor, {"contact.update", "contact", IdString(contact_id), before, after},
                            now);
  });
  return result;
}

void CustomerService::DeleteContact(const Caller& caller, int64_t contact_id) {
  Actor actor = Actor::From(caller);
  database_.InTransaction([&](storage::Connection& connection) {
    auto row = connection.QueryOne(kSelectContact, {contact_id});
    if (!row) ThrowNotFound("contacts", "contact");
    try {
      LoadWritable(connection, caller, row->Int(1));
    } catch (const Error& error) {
      if (error.kind() == ErrorKind::kNotFound) ThrowNotFound("contacts", "contact");
      throw;
    }
    Instant now = clock_.Now();
    connection.Execute(kDeleteContact, {contact_id});
    connection.Execute(kTouch, {FormatInstant(now), row->Int(1)});
    platform::RecordAudit(connection, actor,
                          {"contact.delete", "contact", IdString(contact_id), ContactJson(*row), Json()}, now);
  });
}

// ---- bulk paths (imports, R-CUST-38) -----------------------------------------------------

namespace {

// SQLite runs this inside the writer's BEGIN IMMEDIATE, so MAX(id) cannot move under it;
// PostgreSQL takes the ids from the identity sequence, like concurrent inserts do.
const storage::Sql kAllocateCustomerIds{
    "customers.allocate_ids",
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
    "SELECT (SELECT COALESCE(MAX(id), 0) FROM customers) + i FROM n",
    "SELECT nextval(pg_get_serial_sequence('customers', 'id')) FROM generate_series(1, ?)"};
const storage::Sql kAllocateContactIds{
    "customers.allocate_contact_ids",
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
    "SELECT (SELECT COALESCE(MAX(id), 0) FROM contacts) + i FROM n",
    "SELECT nextval(pg_get_serial_sequence('contacts', 'id')) FROM generate_series(1, ?)"};

// SQLite only (migration 0015): the bulk writer holds the search-index insert triggers and
// fills the three FTS5 indexes once per batch, each in one statement. The trigram row is
// written once with the customer's contact names, in the order the contact trigger writes
// them (by contact id), instead of once and again for each contact.
const storage::Sql kHoldSearchIndex{"customers.hold_search_index",
                                    "UPDATE search_index_hold SET held = ? WHERE id = 1"};
const storage::Sql kFillCustomerSearch{
    "customers.fill_customer_search",
    "INSERT INTO customer_search (rowid, name, contacts) "
    "SELECT c.id, c.name, COALESCE((SELECT group_concat(k.name, ' ') FROM contacts k WHERE k.customer_id = c.id), '') "
    "FROM customers c WHERE c.id BETWEEN ? AND ?"};
const storage::Sql kFillCustomerWords{
    "customers.fill_customer_words",
    "INSERT INTO customer_words (rowid, words, owner) SELECT id, search_words, 'o' || COALESCE(owner_id, 0) "
    "FROM customers WHERE id BETWEEN ? AND ? AND search_words IS NOT NULL"};
const storage::Sql kFillContactWords{
    "customers.fill_contact_words",
    "INSERT INTO contact_words (rowid, words, owner) SELECT k.id, k.search_words, 'o' || COALESCE(c.owner_id, 0) "
    "FROM contacts k JOIN customers c ON c.id = k.customer_id WHERE k.id BETWEEN ? AND ? AND k.search_words IS NOT NULL"};

// FTS5 merges a table's segments once `automerge` (default 4) of them are on one level.
// Each write batch of a bulk write flushes one segment per index; at 4 the merges climbed
// to the levels of the existing index and rewrote it: filling customer_words for 100,000
// customers in 42 batches took 11.8 s at 1M customers, 3.1 s with 16 (two merges of 16
// small segments), the same as with no merging at all (docs/benchmarks.md, "Import,
// session 12 (helper-28)"). Afterwards the setting is what it was, and later writes merge
// the import's segments a step at a time as they merge any others.
struct SearchTable {
  const char* name;
  storage::Sql automerge;  // the table's own setting, if it has one (FTS5 keeps it in its config table)
};
const SearchTable kSearchTables[] = {
    {"customer_search", {"customers.automerge_search", "SELECT v FROM customer_search_config WHERE k = 'automerge'"}},
    {"customer_words", {"customers.automerge_words", "SELECT v FROM customer_words_config WHERE k = 'automerge'"}},
    {"contact_words", {"customers.automerge_contact_words", "SELECT v FROM contact_words_config WHERE k = 'automerge'"}},
};
void SetAutomerge(storage::Connection& connection, const std::string& table, int value) {
  connection.ExecuteScript("INSERT INTO " + table + " (" + table + ", rank) VALUES ('automerge', " +
                           std::to_string(value) + ")");
}
constexpr int kBulkAutomerge = 16;
constexpr int kDefaultAutomerge = 4;  // FTS5's when the table sets none

// The ids of a batch as one range (SQLite allocates them as MAX(id) + 1 … + n inside the
// writer's transaction).
std::pair<int64_t, int64_t> IdRange(const std::vector<int64_t>& ids) {
  if (ids.empty() || ids.back() - ids.front() + 1 != static_cast<int64_t>(ids.size()))
    throw std::logic_error("bulk ids are not one range");
  return {ids.front(), ids.back()};
}

std::vector<int64_t> AllocateIds(storage::Connection& connection, const storage::Sql& sql, size_t count) {
  std::vector<int64_t> ids;
  ids.reserve(count);
  if (count == 0) return ids;
  for (const auto& row : connection.Query(sql, {static_cast<int64_t>(count)}).rows) ids.push_back(row.Int(0));
  if (ids.size() != count) throw std::logic_error("id allocation returned the wrong number of ids");
  return ids;
}

// Probes per duplicate query: the IN lists are padded with NULL (which matches nothing),
// so every query has one shape.
constexpr size_t kProbesPerQuery = 100;

std::string DuplicatesManySql() {
  std::string list = "(";
  for (size_t i = 0; i < kProbesPerQuery; ++i) list += i ? ", ?" : "?";
  list += ")";
  return "SELECT c.id, c.name, c.owner_id, ow.name, ou.path, c.name_key, c.phone_key, c.address_key "
         "FROM customers c LEFT JOIN users ow ON ow.id = c.owner_id "
         "LEFT JOIN org_units ou ON ou.id = ow.unit_id WHERE c.id IN (SELECT id FROM customers WHERE name_key IN " +
         list + " UNION SELECT id FROM customers WHERE phone_key IN " + list +
         " UNION SELECT id FROM customers WHERE address_key IN " + list +
         ") AND c.merged_into_id IS NULL ORDER BY c.id";
}

}  // namespace

std::vector<Json> CustomerService::MatchDuplicatesMany(storage::Connection& connection, const Caller& caller,
                                                       const std::vector<DuplicateProbe>& probes) {
  static const std::string kSql = DuplicatesManySql();
  const storage::Sql query{"customers.duplicates_many", kSql.c_str()};
  Scope scope = caller.ScopeFor("customers.read").value_or(Scope::kOwn);
  bool can_read = caller.Has("customers.read");
  std::vector<Json> out(probes.size(), Json::array());
  for (size_t start = 0; start < probes.size(); start += kProbesPerQuery) {
    size_t end = std::min(probes.size(), start + kProbesPerQuery);
    // The keys of this slice, and which probes asked for each.
    std::map<std::string, std::vector<size_t>> by_name, by_phone, by_address;
    storage::Params names, phones, addresses;
    for (size_t i = start; i < end; ++i) {
      const auto& probe = probes[i];
      std::optional<std::string> name_key = probe.name ? std::optional(NameKey(*probe.name)) : std::nullopt;
      if (name_key && name_key->empty()) name_key.reset();
      auto phone_key = probe.phone ? PhoneKey(*probe.phone) : std::nullopt;
      auto address_key = probe.address ? AddressKey(*probe.address) : std::nullopt;
      names.push_back(storage::Nullable(name_key));
      phones.push_back(storage::Nullable(phone_key));
      addresses.push_back(storage::Nullable(address_key));
      if (name_key) by_name[*name_key].push_back(i);
      if (phone_key) by_phone[*phone_key].push_back(i);
      if (address_key) by_address[*address_key].push_back(i);
    }
    if (by_name.empty() && by_phone.empty() && by_address.empty()) continue;
    for (auto* list : {&names, &phones, &addresses}) list->resize(kProbesPerQuery, nullptr);
    storage::Params params = std::move(names);
    params.insert(params.end(), phones.begin(), phones.end());
    params.insert(params.end(), addresses.begin(), addresses.end());
    // Rows come in id order, so each probe's matches are in the order FindDuplicates gives.
    for (const auto& row : connection.Query(query, params).rows) {
      std::map<size_t, Json> reasons;  // probe → its reasons for this customer
      auto note = [&](const std::map<std::string, std::vector<size_t>>& index, std::optional<std::string> key,
                      const char* reason) {
        if (!key) return;
        if (auto found = index.find(*key); found != index.end())
          for (size_t probe : found->second) reasons[probe].push_back(reason);
      };
      note(by_name, row.OptionalText(5), "name");
      note(by_phone, row.OptionalText(6), "phone");
      note(by_address, row.OptionalText(7), "address");
      auto owner = row.OptionalInt(2);
      bool visible = can_read && (!owner || platform::InScope(caller, scope, *owner, row.OptionalText(4).value_or("")));
      for (auto& [probe, probe_reasons] : reasons) {
        if (out[probe].size() >= static_cast<size_t>(kMaxDuplicateMatches)) continue;
        // R-CUST-13, as in FindDuplicates: out of scope names only the owner.
        out[probe].push_back({{"id", visible ? Json(IdString(row.Int(0))) : Json()},
                              {"name", row.Text(1)},
                              {"ownerName", row.OptionalText(3) ? Json(*row.OptionalText(3)) : Json()},
                              {"inPool", !owner.has_value()},
                              {"reasons", std::move(probe_reasons)},
                              {"visible", visible}});
      }
    }
  }
  return out;
}

// What PrepareMany computes of a batch without the database; WriteManyIn adds the ids.
struct CustomerService::PreparedCustomers {
  struct Contact {
    storage::Params params;  // the contact row; its id and customer id are set when written
    std::string audit;       // the body as JSON text; id and customerId are added when written
    int64_t id = 0;          // once written
  };
  struct Customer {
    storage::Params params;  // the customer row; its id (at IdParam()) is set when written
    std::string name;
    std::vector<std::string> tags;
    Grade grade;
    std::string reason_json;
    std::optional<int64_t> referrer_customer_id;
    std::string audit;  // the body with ownerId and grade as JSON text; id is added when written
    std::vector<Contact> contacts;
  };
  std::vector<Customer> customers;
  size_t contact_count = 0;
  int64_t owner_id = 0;
  Instant now;
  std::string now_text;
};

namespace {

// Where the id goes in the customer row's parameters: after those of RecordParams.
size_t IdParam() {
  static const size_t index = RecordParams(CustomerRecord{}).size();
  return index;
}

// The members of `object` for an audit text that PrepareMany keeps without its closing
// brace, so WriteManyIn can append the ids it learns later (CloseAudit); the keys the bulk
// writer sets itself are left out.
void EncodeMembers(JsonWriter& writer, const Json& object) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string& key = it.key();
    if (key == "id" || key == "ownerId" || key == "grade" || key == "customerId") continue;
    writer.Key(key);
    writer.Value(it.value());
  }
}

// Closes an audit text of EncodeMembers with the ids.
std::string CloseAudit(std::string text, std::initializer_list<std::pair<const char*, int64_t>> ids) {
  for (const auto& [key, id] : ids) {
    if (text.size() > 1) text += ',';
    text.append("\"").append(key).append("\":\"").append(std::to_string(id)).append("\"");
  }
  text += '}';
  return text;
}

}  // namespace

std::vector<int64_t> CustomerService::CreateManyIn(storage::Connection& connection, const Caller& caller,
                                                   const std::vector<NewCustomer>& customers, int64_t owner_id) {
  auto prepared = PrepareMany(caller, customers, owner_id);
  return WriteManyIn(connection, caller, *prepared);
}

std::shared_ptr<CustomerService::PreparedCustomers> CustomerService::PrepareMany(
    const Caller& caller, const std::vector<NewCustomer>& customers, int64_t owner_id) {
  platform::Require(caller, "customers.write");
  // Policies read once for the whole batch (Insert and Regrade read them per customer).
  Date today = policies_.Today();
  std::string currency = policies_.StringOn("company.currency", today);
  auto rule_set = ParseGradingRuleSet(policies_.StringOn("customers.grading_rule_set", today))
                      .value_or(GradingRuleSet::kHorizon);
  HorizonThresholds thresholds{static_cast<int>(policies_.IntOn("customers.horizon_key_months", today)),
                               static_cast<int>(policies_.IntOn("customers.horizon_important_months", today)),
                               static_cast<int>(policies_.IntOn("customers.horizon_general_months", today))};
  auto out = std::make_shared<PreparedCustomers>();
  out->owner_id = owner_id;
  out->now = clock_.Now();
  out->now_text = FormatInstant(out->now);
  const std::string& now_text = out->now_text;
  std::string owner_text = IdString(owner_id);
  JsonWriter writer;
  out->customers.reserve(customers.size());
  for (const auto& customer : customers) {
    JsonReader reader(*customer.body);
    CustomerRecord record;
    ReadCustomer(reader, record, Purpose::kCreate, currency);
    reader.Finish();
    PreparedCustomers::Customer& prepared = out->customers.emplace_back();
    // R-CUST-1/2: the grade Regrade would compute right after the insert.
    GradingInput input{record.status,         record.purchase_horizon, record.importance, record.potential,
                       record.purchase_power, record.man_money,        record.man_authority, record.man_need};
    prepared.grade = ComputeGrade(rule_set, input, thresholds);
    const Grade& grade = prepared.grade;
    prepared.reason_json = ReasonCodeJson(grade).dump();
    prepared.params = RecordParams(record);
    prepared.params.insert(prepared.params.end(),
                           {int64_t{0}, grade.value, grade.reason, std::string("computed"), grade.value, grade.reason,
                            prepared.reason_json, owner_id, now_text, caller.user_id, now_text, now_text});
    prepared.referrer_customer_id = record.referrer_customer_id;
    prepared.tags = std::move(record.tags);
    prepared.name = std::move(record.name);
    // The audit entry carries the fields as given (the API's names) with the id, owner
    // and grade: Insert's re-read of the whole customer is what a bulk path must avoid.
    writer.BeginObject();
    EncodeMembers(writer, *customer.body);
    writer.Key("grade");
    writer.BeginObject();
    writer.Key("value");
    writer.String(grade.value);
    writer.Key("reason");
    writer.String(grade.reason);
    writer.Key("source");
    writer.String("computed");
    writer.EndObject();
    writer.Key("ownerId");
    writer.String(owner_text);
    writer.EndObject();
    prepared.audit = writer.Take();
    prepared.audit.pop_back();
    for (const Json* contact_body : customer.contacts) {
      JsonReader contact_reader(*contact_body);
      ContactRecord contact;
      ReadContact(contact_reader, contact, Purpose::kCreate);
      contact_reader.Finish();
      PreparedCustomers::Contact& out_contact = prepared.contacts.emplace_back();
      out_contact.params = {int64_t{0}, int64_t{0}, contact.name};
      for (const auto& field : contact.fields) out_contact.params.push_back(storage::Nullable(field));
      out_contact.params.insert(out_contact.params.end(),
                                {now_text, now_text, PinyinOf(contact.name).full, ContactSearchWords(contact.name)});
      writer.BeginObject();
      EncodeMembers(writer, *contact_body);
      writer.EndObject();
      out_contact.audit = writer.Take();
      out_contact.audit.pop_back();
      ++out->contact_count;
    }
  }
  return out;
}

std::vector<int> CustomerService::BeginBulkSearchFill(storage::Connection& connection) {
  std::vector<int> kept;
  if (connection.dialect() != storage::Dialect::kSqlite) return kept;
  for (const auto& table : kSearchTables) {
    auto set = connection.QueryOne(table.automerge);
    kept.push_back(set ? static_cast<int>(set->Int(0)) : kDefaultAutomerge);
    SetAutomerge(connection, table.name, kBulkAutomerge);
  }
  return kept;
}

void CustomerService::EndBulkSearchFill(storage::Connection& connection, const std::vector<int>& kept) {
  for (size_t i = 0; i < kept.size(); ++i) SetAutomerge(connection, kSearchTables[i].name, kept[i]);
}

std::vector<int64_t> CustomerService::WriteManyIn(storage::Connection& connection, const Caller& caller,
                                                  PreparedCustomers& batch) {
  platform::Require(caller, "customers.write");
  Actor actor = Actor::From(caller);
  const std::string& now_text = batch.now_text;
  int64_t owner_id = batch.owner_id;
  std::vector<int64_t> ids = AllocateIds(connection, kAllocateCustomerIds, batch.customers.size());
  std::vector<int64_t> contact_ids = AllocateIds(connection, kAllocateContactIds, batch.contact_count);

  storage::BulkInsert insert_customers(
      connection, "customers.insert_many",
      "INSERT INTO customers (" TUOKE_CUSTOMER_RECORD_COLUMNS
      "id, grade, grade_reason, grade_source, computed_grade, computed_reason, grade_reason_json, owner_id, "
      "owned_since, created_by, created_at, updated_at)",
      kBulkCustomerValues);
  storage::BulkInsert insert_tags(connection, "customers.insert_tags_many",
                                  "INSERT INTO customer_tags (customer_id, tag)", 2);
  storage::BulkInsert insert_owner_history(
      connection, "customers.insert_owner_history_many",
      "INSERT INTO customer_owner_history (customer_id, from_owner_id, to_owner_id, kind, changed_by, note, at)", 7);
  storage::BulkInsert insert_grade_history(
      connection, "customers.insert_grade_history_many",
      "INSERT INTO customer_grade_history (customer_id, grade, reason, source, changed_by, at, reason_json)", 7);
  storage::BulkInsert insert_events(
      connection, "customers.insert_events_many",
      "INSERT INTO customer_events (customer_id, at, kind, actor_id, actor_name, summary, data_json)", 7);
  // R-CUST-49: on PostgreSQL the contacts carry their customer's owner (the importer's
  // here), written with them so the trigger of migration 0022 need not look it up per row.
  bool contact_owner = connection.dialect() == storage::Dialect::kPostgres;
  storage::BulkInsert insert_contacts(
      connection, "customers.insert_contacts_many",
      std::string("INSERT INTO contacts (id, customer_id, name, title, mobile, phone, fax, email, qq, wechat, "
                  "purchase_role, personality, hobbies, family, social_relations, birthday, notes, created_at, "
                  "updated_at, search_pinyin, search_words") +
          (contact_owner ? ", owner_id)" : ")"),
      contact_owner ? 22 : 21);
  platform::AuditBatch audit(connection, actor, batch.now);
  bool hold_search_index = connection.dialect() == storage::Dialect::kSqlite;
  if (hold_search_index) connection.Execute(kHoldSearchIndex, {int64_t{1}});

  // Chunk by chunk: a chunk's customers are written before the rows that refer to them
  // (foreign keys are checked per statement, and the contact trigger of SQLite's search
  // index needs the customer's row). Writing the contacts first with foreign keys
  // deferred was tried: SQLite then probes every table referring to customers for each
  // inserted customer, scanning those without an index (docs/benchmarks.md).
  size_t next_contact = 0;
  const size_t id_param = IdParam();
  JsonWriter event_data;
  const size_t chunk_size = insert_customers.rows_per_statement();
  for (size_t start = 0; start < batch.customers.size(); start += chunk_size) {
    size_t end = std::min(batch.customers.size(), start + chunk_size);
    for (size_t index = start; index < end; ++index) {
      auto& prepared = batch.customers[index];
      if (prepared.referrer_customer_id &&
          !connection.QueryOne(kCustomerExists, {*prepared.referrer_customer_id}))
        ThrowValidation("referrerCustomerId", "no such customer");
      prepared.params[id_param] = ids[index];
      insert_customers.Add(std::move(prepared.params));
    }
    insert_customers.Flush();
    for (size_t index = start; index < end; ++index) {
      auto& prepared = batch.customers[index];
      int64_t id = ids[index];
      for (auto& contact : prepared.contacts) {
        contact.id = contact_ids[next_contact++];
        contact.params[0] = contact.id;
        contact.params[1] = id;
        if (contact_owner) contact.params.push_back(owner_id);
        insert_contacts.Add(std::move(contact.params));
      }
      for (auto& tag : prepared.tags) insert_tags.Add({id, std::move(tag)});
      insert_owner_history.Add({id, nullptr, owner_id, std::string("created"), storage::Nullable(actor.user_id),
                                nullptr, now_text});
      insert_grade_history.Add({id, prepared.grade.value, prepared.grade.reason, std::string("computed"),
                                storage::Nullable(actor.user_id), now_text, std::move(prepared.reason_json)});
      event_data.BeginObject();
      event_data.Key("name");
      event_data.String(prepared.name);
      event_data.EndObject();
      insert_events.Add({id, now_text, std::string("created"), storage::Nullable(actor.user_id), actor.name,
                         "created " + prepared.name, event_data.Take()});
      audit.AddCreated("customer.create", "customer", IdString(id),
                       CloseAudit(std::move(prepared.audit), {{"id", id}}));
      for (auto& contact : prepared.contacts)
        audit.AddCreated("contact.create", "contact", IdString(contact.id),
                         CloseAudit(std::move(contact.audit), {{"customerId", id}, {"id", contact.id}}));
      prepared = {};  // what the statements hold now is all that is kept of the row
    }
  }
  for (auto* insert : {&insert_tags, &insert_owner_history, &insert_grade_history, &insert_events, &insert_contacts})
    insert->Flush();
  if (hold_search_index) {
    // An error before this point leaves the hold to the transaction's rollback.
    if (!ids.empty()) {
      auto [first, last] = IdRange(ids);
      connection.Execute(kFillCustomerSearch, {first, last});
      connection.Execute(kFillCustomerWords, {first, last});
    }
    if (!contact_ids.empty()) {
      auto [first_contact, last_contact] = IdRange(contact_ids);
      connection.Execute(kFillContactWords, {first_contact, last_contact});
    }
    connection.Execute(kHoldSearchIndex, {int64_t{0}});
  }
  audit.Flush();
  return ids;
}

}  // namespace tuoke::customers
