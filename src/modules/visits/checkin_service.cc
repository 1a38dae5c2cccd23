#include "modules/visits/checkin_service.h"

#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "core/json_writer.h"
#include "modules/visits/checkin_rules.h"
#include "modules/visits/visit_render.h"
#include "platform/audit.h"
#include "storage/blob_store.h"
#include "storage/deferred_write.h"

namespace tuoke::visits {
namespace {

using platform::Actor;
using platform::Caller;
using platform::Scope;

constexpr size_t kMaxNoteLength = 500;

const storage::Sql kFindByClientId{"visits.check_in_by_client_id",
                                   "SELECT id FROM check_ins WHERE rep_id = ? AND client_id = ?"};
// R-VISIT-47: the three reads a check-in is judged on, in one round trip (a burst of
// check-ins is mostly round trips): a stored check-in with this clientId (R-VISIT-35), the
// rep's previous check-in at or before this one's time (R-VISIT-38), the customer's name
// and pin (R-VISIT-32; no row without a customer). Rows (kind, text, lat, lng, accuracy).
const storage::Sql kCheckInContext{
    "visits.check_in_context",
    "SELECT 'replay', CAST(id AS TEXT), NULL, NULL, NULL FROM check_ins WHERE rep_id = ? AND client_id = ? "
    "UNION ALL SELECT 'previous', p.at, p.lat, p.lng, p.accuracy_m FROM (SELECT at, lat, lng, accuracy_m "
    "FROM check_ins WHERE rep_id = ? AND at <= ? ORDER BY at DESC, id DESC LIMIT 1) p "
    "UNION ALL SELECT 'customer', name, latitude, longitude, NULL FROM customers WHERE id = ?"};
const storage::Sql kInsertCheckIn{
    "visits.insert_check_in",
    "INSERT INTO check_ins (client_id, rep_id, customer_id, visit_id, kind, place, at, business_date, "
    "received_at, device_at, sent_at, lat, lng, accuracy_m, distance_m, geofence, speed_kmh, flags, delayed, "
    "has_photo, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "RETURNING id"};
// R-VISIT-39: the bytes are in the blob store, the row names them (migration 0011).
const storage::Sql kInsertPhoto{
    "visits.insert_photo",
    "INSERT INTO check_in_photos (check_in_id, content_type, bytes, storage, sha256) VALUES (?, ?, ?, ?, ?)"};
const storage::Sql kInsertVisit{
    "visits.insert_visit",
    "INSERT INTO visits (rep_id, customer_id, visit_date, checked_in_at, flags, report_due_on, created_at, "
    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"};
const storage::Sql kOpenVisitById{
    "visits.open_visit_by_id",
    "SELECT id, customer_id, checked_in_at, flags FROM visits WHERE id = ? AND rep_id = ? AND checked_out_at IS NULL"};
const storage::Sql kLatestOpenVisit{
    "visits.latest_open_visit",
    "SELECT id, customer_id, checked_in_at, flags FROM visits WHERE rep_id = ? AND customer_id = ? "
    "AND checked_out_at IS NULL ORDER BY checked_in_at DESC, id DESC LIMIT 1"};
const storage::Sql kCloseVisit{
    "visits.close_visit",
    "UPDATE visits SET checked_out_at = ?, duration_minutes = ?, flags = ?, updated_at = ? WHERE id = ? "
    "AND checked_out_at IS NULL"};
// R-VISIT-47 on PostgreSQL (ADR 0017): a check-in's ids taken from the tables' sequences
// with its reads, so its inserts need no answer and the whole write transaction is one
// round trip. (A check-in that then fails leaves a gap, as any rolled-back insert does.)
const storage::Sql kReserveIds{
    "visits.reserve_check_in_ids",
    "SELECT nextval(pg_get_serial_sequence('check_ins', 'id')), nextval(pg_get_serial_sequence('visits', 'id'))"};
const storage::Sql kInsertCheckInWithId{
    "visits.insert_check_in_with_id",
    "INSERT INTO check_ins (id, client_id, rep_id, customer_id, visit_id, kind, place, at, business_date, "
    "received_at, device_at, sent_at, lat, lng, accuracy_m, distance_m, geofence, speed_kmh, flags, delayed, "
    "has_photo, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"};
// Parameters: the visit's id and those of kInsertVisit, then the check-in's id and those of
// kInsertCheckIn (its visit_id the visit's id).
const storage::Sql kInsertVisitAndCheckInWithIds{
    "visits.insert_visit_and_check_in_with_ids",
    "WITH v AS (INSERT INTO visits (id, rep_id, customer_id, visit_date, checked_in_at, flags, report_due_on, "
    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)) "
    "INSERT INTO check_ins (id, client_id, rep_id, customer_id, visit_id, kind, place, at, business_date, "
    "received_at, device_at, sent_at, lat, lng, accuracy_m, distance_m, geofence, speed_kmh, flags, delayed, "
    "has_photo, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"};
// R-VISIT-36 on PostgreSQL: the same UPDATE, sent in one pipeline with the check-out's
// insert (ADR 0017); no row means the visit was closed meanwhile.
const storage::Sql kCloseVisitReturningId{
    "visits.close_visit_returning_id",
    "UPDATE visits SET checked_out_at = ?, duration_minutes = ?, flags = ?, updated_at = ? WHERE id = ? "
    "AND checked_out_at IS NULL RETURNING id"};
const storage::Sql kCheckInOwner{
    "visits.check_in_owner",
    "SELECT c.rep_id, o.path, c.has_photo FROM check_ins c JOIN users u ON u.id = c.rep_id "
    "JOIN org_units o ON o.id = u.unit_id WHERE c.id = ?"};
const storage::Sql kPinSource{
    "visits.pin_source",
    "SELECT c.customer_id, c.kind, c.lat, c.lng, c.accuracy_m, c.flags, c.business_date, cu.latitude, cu.longitude "
    "FROM check_ins c LEFT JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?"};
// Rows of photos taken before migration 0011 carry their bytes as base64 (storage 'inline').
const storage::Sql kSelectPhoto{
    "visits.select_photo",
    "SELECT content_type, storage, sha256, data_base64 FROM check_in_photos WHERE check_in_id = ?"};
const std::vector<std::string> kPhotoTypes = {"image/jpeg", "image/png"};

std::optional<double> ReadNumber(JsonReader& reader, const std::string& field, double min, double max) {
  const Json* value = reader.Raw(field);
  if (!value) return std::nullopt;
  if (!value->is_number()) {
    reader.Fail(field, "must be a number");
    return std::nullopt;
  }
  double number = value->get<double>();
  if (!std::isfinite(number) || number < min || number > max) {
    reader.Fail(field, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return number;
}

std::optional<Instant> ReadInstant(JsonReader& reader, const std::string& field, bool required) {
  auto text = required ? reader.RequiredString(field, 1, 40) : reader.String(field, 1, 40);
  if (!text) return std::nullopt;
  auto instant = ParseInstant(*text);
  if (!instant) reader.Fail(field, "must be an instant such as 2026-11-20T02:00:00.000Z");
  return instant;
}

std::string MergeFlags(const std::string& existing, const std::vector<std::string>& more) {
  auto flags = SplitFlags(existing);
  for (const auto& flag : more)
    if (std::find(flags.begin(), flags.end(), flag) == flags.end()) flags.push_back(flag);
  return JoinFlags(flags);
}

// R-VISIT-39: a small JPEG or PNG, decoded from base64: {content type, bytes}.
struct PhotoInput {
  std::string content_type;
  std::string bytes;
};

std::string DecodeBase64(const std::string& text, bool& ok) {
  std::string bytes(text.size(), '\0');
  size_t length = 0;
  ok = sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(), text.size(),
                         nullptr, &length, nullptr, sodium_base64_VARIANT_ORIGINAL) == 0;
  bytes.resize(ok ? length : 0);
  return bytes;
}

std::optional<PhotoInput> ReadPhoto(JsonReader& reader, int64_t max_kb) {
  const Json* raw = reader.Raw("photo");
  if (!raw || raw->is_null()) return std::nullopt;
  // Either a data URL ("data:image/jpeg;base64,…", what a canvas gives the browser) or
  // {contentType, data}.
  Json photo_object = *raw;
  if (raw->is_string()) {
    const std::string& text = raw->get_ref<const std::string&>();
    auto comma = text.find(',');
    static const std::string kPrefix = "data:", kSuffix = ";base64";
    if (text.rfind(kPrefix, 0) != 0 || comma == std::string::npos || comma < kPrefix.size() + kSuffix.size() ||
        text.compare(comma - kSuffix.size(), kSuffix.size(), kSuffix) != 0) {
      reader.Fail("photo", "must be a base64 data URL of a JPEG or PNG");
      return std::nullopt;
    }
    photo_object = {{"contentType", text.substr(kPrefix.size(), comma - kSuffix.size() - kPrefix.size())},
                    {"data", text.substr(comma + 1)}};
  }
  const Json* photo = &photo_object;
  if (!photo->is_object()) {
    reader.Fail("photo", "must be a data URL or {contentType, data}");
    return std::nullopt;
  }
  JsonReader inner(*photo);
  auto content_type = inner.Enum("contentType", {"image/jpeg", "image/png"});
  auto data = inner.RequiredString("data", 4, static_cast<size_t>(max_kb) * 1024 * 4 / 3 + 8);
  try {
    inner.Finish();
  } catch (const Error&) {
    reader.Fail("photo", "must be {contentType: image/jpeg|image/png, data: base64} within " +
                             std::to_string(max_kb) + " KB");
    return std::nullopt;
  }
  if (!content_type || !data) return std::nullopt;
  bool decoded = false;
  std::string bytes = DecodeBase64(*data, decoded);
  if (!decoded) {
    reader.Fail("photo", "data is not base64");
    return std::nullopt;
  }
  // The limits of the blob store's check: the size policy, and the type by the content's
  // signature, which must also be the type the client declared.
  storage::BlobVerdict verdict = storage::CheckBlob(bytes, max_kb * 1024, kPhotoTypes);
  switch (verdict.check) {
    case storage::BlobCheck::kOk: break;
    case storage::BlobCheck::kEmpty: reader.Fail("photo", "is empty"); return std::nullopt;
    case storage::BlobCheck::kTooLarge:
      reader.Fail("photo", "is larger than " + std::to_string(max_kb) + " KB");
      return std::nullopt;
    case storage::BlobCheck::kTypeNotAllowed:
      reader.Fail("photo", "content is not a JPEG or PNG image");
      return std::nullopt;
  }
  if (*verdict.content_type != *content_type) {
    reader.Fail("photo", "content does not match " + *content_type);
    return std::nullopt;
  }
  return PhotoInput{*content_type, std::move(bytes)};
}

// A coordinate as the database gives it back as text, so an answer written from the values
// just stored is the answer GET gives: PostgreSQL prints the shortest text that reads
// back exactly (what JsonWriter prints too); SQLite prints REAL values with 15
// significant digits ("%!.15g").
std::string StoredDoubleText(storage::Dialect dialect, double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, dialect == storage::Dialect::kSqlite ? "%.15g" : "%.17g", value);
  return buffer;
}

}  // namespace

CheckInResult CheckInService::Record(const Caller& caller, const Json& body) {
  platform::Require(caller, "visits.write");
  Instant received_at = context_.clock.Now();
  std::string time_zone = context_.policies.TimeZone();
  Date received_date = BusinessDate(received_at, time_zone);
  auto& policies = context_.policies;

  JsonReader reader(body);
  auto client_id = reader.RequiredString("clientId", 8, 64);
  auto kind = reader.Enum("kind", {"in", "out"});
  auto place = reader.Enum("place", {"customer", "office", "other"});
  auto customer_id = reader.Id("customerId");
  auto visit_id = reader.Id("visitId");
  auto lat = ReadNumber(reader, "lat", -90, 90);
  auto lng = ReadNumber(reader, "lng", -180, 180);
  auto accuracy = reader.Int("accuracyM", 0, 100000);
  auto captured_at = ReadInstant(reader, "capturedAt", true);
  auto sent_at = ReadInstant(reader, "sentAt", false);
  auto note = reader.String("note", 1, kMaxNoteLength);
  auto photo = ReadPhoto(reader, policies.IntOn("visits.checkin_photo_max_kb", received_date));
  if (!reader.Has("kind")) reader.Fail("kind", "is required");
  for (const char* field : {"lat", "lng", "accuracyM"})
    if (!reader.Has(field)) reader.Fail(field, "is required");
  if (!place) place = customer_id ? "customer" : "other";
  if (*place == "customer" && !customer_id) reader.Fail("customerId", "is required for a check-in at a customer");
  if (*place != "customer" && customer_id) reader.Fail("customerId", "only for place customer");
  if (visit_id && kind && *kind == "in") reader.Fail("visitId", "only for a check-out");
  reader.Finish();

  CheckInPolicy policy;
  policy.geofence_radius_m = policies.IntOn("visits.geofence_radius_m", received_date);
  policy.max_accuracy_m = policies.IntOn("visits.checkin_max_accuracy_m", received_date);
  policy.max_speed_kmh = policies.IntOn("visits.checkin_max_speed_kmh", received_date);
  policy.max_clock_skew_minutes = policies.IntOn("visits.checkin_max_clock_skew_minutes", received_date);
  policy.offline_max_age_hours = policies.IntOn("visits.checkin_offline_max_age_hours", received_date);
  policy.application_required = policies.ValueOn("visits.application_required", received_date).get<bool>();
  policy.unapproved_visit_is_absence =
      policies.ValueOn("visits.unapproved_visit_is_absence", received_date).get<bool>();
  int64_t report_due_days = policies.IntOn("visits.report_due_days", received_date);

  bool check_out = *kind == "out";
  Actor actor = Actor::From(caller);

  // R-VISIT-47: the checks only read, so they run before the write transaction, on the
  // connection of the replay check: under a morning burst every statement inside the
  // transaction holds SQLite's single write lock (ADR 0008), reads outside it do not.
  // Nothing they read is made exact by a transaction anyway: on PostgreSQL (READ
  // COMMITTED) each statement sees its own snapshot either way.
  CheckInFacts facts;
  facts.place = *place == "customer" ? CheckInPlace::kCustomer
                                     : (*place == "office" ? CheckInPlace::kOffice : CheckInPlace::kOther);
  facts.check_out = check_out;
  facts.point = {*lat, *lng};
  facts.accuracy_m = *accuracy;
  facts.received_at = received_at;
  facts.captured_at = *captured_at;
  facts.sent_at = sent_at;
  std::string customer_name;
  std::optional<int64_t> customer_name_of;  // the customer whose name customer_name is
  std::optional<storage::StoredBlob> photo_blob;
  std::optional<storage::Row> open_visit_read;  // PostgreSQL: a check-out's open visit, read with the context
  std::optional<std::pair<int64_t, int64_t>> reserved_ids;  // PostgreSQL check-ins: (check-in id, visit id)
  {
    auto connection = context_.database.Acquire();
    // The time first (it decides which check-in came before; it depends on the clocks
    // only), then everything else.
    Instant at = JudgeCheckIn(facts, policy).at;
    Date business_date = BusinessDate(at, time_zone);
    // The check-in's reads in one round trip on PostgreSQL (ADR 0017): its context, the
    // customer's scope and whether an application covers it.
    std::vector<storage::BoundQuery> reads = {
        {&kCheckInContext,
         {caller.user_id, *client_id, caller.user_id, FormatInstant(at), storage::Nullable(customer_id)}}};
    if (customer_id) reads.push_back(customers::CustomerService::ScopeQuery(*customer_id));
    // R-VISIT-33: field check-ins (not the office, not the way out) need an application.
    bool asks_application = !check_out && facts.place != CheckInPlace::kOffice && policy.application_required &&
                             context_.application_check;
    if (asks_application)
      reads.push_back(context_.application_check(caller.user_id, FormatDate(business_date), customer_id));
    // On PostgreSQL a check-out's open visit is read here too: inside the transaction
    // (read committed) it would see no more, and the UPDATE that closes it is guarded.
    // SQLite reads it in the transaction, where a write of the same group commit is seen.
    bool reads_open_visit =
        check_out && (visit_id || customer_id) && connection->dialect() == storage::Dialect::kPostgres;
    if (reads_open_visit)
      reads.push_back(visit_id ? storage::BoundQuery{&kOpenVisitById, {*visit_id, caller.user_id}}
                               : storage::BoundQuery{&kLatestOpenVisit, {caller.user_id, *customer_id}});
    bool reserves_ids = !check_out && connection->dialect() == storage::Dialect::kPostgres;
    if (reserves_ids) reads.push_back({&kReserveIds, {}});
    auto answers = connection->QueryMany(reads);
    if (reserves_ids) {
      const storage::Row& ids = answers.back().rows.at(0);
      reserved_ids = {ids.Int(0), ids.Int(1)};
      answers.pop_back();
    }
    if (reads_open_visit && !answers.back().empty()) open_visit_read = std::move(answers.back().rows.front());
    const storage::ResultSet& context = answers[0];
    // R-VISIT-35: the same clientId is the same check-in, whatever the body says now.
    for (const auto& row : context.rows)
      if (row.Text(0) == "replay") return CheckInResult{Render(*connection, row.Int(1), true), false};
    if (customer_id) context_.customers.CheckReadable(caller, *customer_id, answers[1]);
    if (asks_application) facts.application_covers = !answers.back().empty();
    for (const auto& row : context.rows) {
      if (row.Text(0) == "previous") {
        facts.previous = PreviousCheckIn{*ParseInstant(row.Text(1)), {std::stod(row.Text(2)), std::stod(row.Text(3))},
                                         row.Int(4)};
      } else if (row.Text(0) == "customer") {
        customer_name = row.Text(1);
        customer_name_of = customer_id;
        if (!row.IsNull(2) && !row.IsNull(3))
          facts.customer_location = GeoPoint{std::stod(row.Text(2)), std::stod(row.Text(3))};
      }
    }
    // R-VISIT-39: the photo into the blob store before the write transaction too (a file
    // fsynced, or a stored_blobs row), so the transaction does not hold the writers' turn
    // while it is written. A check-in that fails later leaves at most bytes that no row
    // names, which the same bytes reuse; a row never names bytes that are not there.
    if (photo) {
      if (!context_.photos) throw std::logic_error("check-in photos need a blob store (FieldContext::photos)");
      photo_blob = context_.photos->Put(*connection, photo->bytes, received_at);
    }
  }
  CheckInJudgement judgement = JudgeCheckIn(facts, policy);
  Date business_date = BusinessDate(judgement.at, time_zone);
  std::string flags = JoinFlags(judgement.flags);
  std::string at_text = FormatInstant(judgement.at);
  std::string now_text = FormatInstant(received_at);

  int64_t check_in_id = 0;
  std::optional<int64_t> visit_of_check_in;
  std::optional<std::string> replay;  // R-VISIT-35: the answer of a copy that won the race
  try {
    context_.database.InTransaction([&](storage::Connection& connection) {
      // R-VISIT-35: a copy of this check-in (the same clientId, sent twice by an offline
      // queue) may have been written since the check above. On SQLite its write may be
      // part of the same group commit (ADR 0011), visible here but not yet to any other
      // connection: answer with it from this transaction, which commits with it. (On
      // PostgreSQL a copy not yet committed is not visible here; the unique index stops
      // the second insert and the answer is read after it, below: no round trip here.)
      auto replayed = [&] {
        auto existing = connection.QueryOne(kFindByClientId, {caller.user_id, *client_id});
        if (existing) replay = Render(connection, existing->Int(0), true);
        return existing.has_value();
      };
      if (connection.dialect() == storage::Dialect::kSqlite && replayed()) return;
      // R-VISIT-36: a check-out closes the rep's visit (the one named, else the latest
      // open visit at that customer). The UPDATE below is guarded, so of two check-outs
      // racing (PostgreSQL reads do not lock) only one closes it.
      std::optional<int64_t> closes_visit;
      std::optional<storage::Row> open_visit;
      if (check_out && (visit_id || customer_id)) {
        if (connection.dialect() == storage::Dialect::kPostgres)
          open_visit = open_visit_read;
        else
          open_visit = visit_id ? connection.QueryOne(kOpenVisitById, {*visit_id, caller.user_id})
                                : connection.QueryOne(kLatestOpenVisit, {caller.user_id, *customer_id});
        if (!open_visit) {
          // A copy of this check-out committed since the check above closed it (PostgreSQL).
          if (replayed()) return;
          throw Error(ErrorKind::kConflict, "visits.no_open_visit", "there is no open visit to check out of");
        }
        closes_visit = open_visit->Int(0);
        if (customer_id && open_visit->Int(1) != *customer_id)
          ThrowValidation("customerId", "is not the customer of the visit");
        if (!customer_id) customer_id = open_visit->Int(1);
      }

      // R-VISIT-34: a check-in at a customer opens the visit (report due date §3.5,
      // calendar days) — inserted first, so the check-in row carries its id at once (on
      // PostgreSQL both in one statement with the ids reserved, below).
      std::optional<int64_t> visit;
      storage::Params visit_params;
      storage::Params close_params;
      bool opens_visit = !check_out && customer_id;
      if (opens_visit) {
        Date due = AddDays(business_date, static_cast<int>(report_due_days));
        visit_params = {caller.user_id, *customer_id, FormatDate(business_date), at_text, flags,
                        FormatDate(due),  now_text,     now_text};
        if (!reserved_ids) visit = connection.QueryOne(kInsertVisit, visit_params)->Int(0);
      } else if (closes_visit) {
        visit = closes_visit;
        auto started = *ParseInstant(open_visit->Text(2));
        int64_t minutes = std::max<int64_t>(
            0, std::chrono::duration_cast<std::chrono::minutes>(judgement.at - started).count());
        close_params = {at_text, minutes, MergeFlags(open_visit->Text(3), judgement.flags), now_text, *closes_visit};
        // PostgreSQL closes it in one round trip with the check-out's insert, below.
        if (connection.dialect() == storage::Dialect::kSqlite && connection.Execute(kCloseVisit, close_params) == 0) {
          if (replayed()) return;
          throw Error(ErrorKind::kConflict, "visits.no_open_visit", "the visit was checked out meanwhile");
        }
      }

      storage::Params check_in_params = {
          *client_id, caller.user_id, storage::Nullable(customer_id), storage::Nullable(visit), *kind,
          *place, at_text, FormatDate(business_date), now_text, FormatInstant(*captured_at),
          sent_at ? storage::Value(FormatInstant(*sent_at)) : storage::Value(nullptr), *lat, *lng,
          *accuracy, storage::Nullable(judgement.distance_m), judgement.geofence,
          storage::Nullable(judgement.speed_kmh), flags, int64_t{judgement.delayed},
          int64_t{photo.has_value()}, storage::Nullable(note), now_text};
      if (reserved_ids) {
        // PostgreSQL: the ids are known, nothing waits for an answer; the inserts go with
        // the COMMIT (a copy's unique clientId fails it there, answered below).
        check_in_id = reserved_ids->first;
        if (opens_visit) {
          visit = reserved_ids->second;
          check_in_params[3] = *visit;
          visit_params.insert(visit_params.begin(), *visit);
          check_in_params.insert(check_in_params.begin(), check_in_id);
          visit_params.insert(visit_params.end(), check_in_params.begin(), check_in_params.end());
          storage::ExecuteLater(connection, kInsertVisitAndCheckInWithIds, visit_params);
        } else {
          check_in_params.insert(check_in_params.begin(), check_in_id);
          storage::ExecuteLater(connection, kInsertCheckInWithId, check_in_params);
        }
      } else if (closes_visit && connection.dialect() == storage::Dialect::kPostgres) {
        auto answers = connection.QueryMany({{&kCloseVisitReturningId, close_params}, {&kInsertCheckIn, check_in_params}});
        // The UPDATE found the visit closed: by another check-out, as a copy of this one
        // would have failed the insert on the unique clientId (answered below, after the
        // rollback). Throwing rolls back the insert.
        if (answers[0].empty())
          throw Error(ErrorKind::kConflict, "visits.no_open_visit", "the visit was checked out meanwhile");
        check_in_id = answers[1].rows.at(0).Int(0);
      } else {
        check_in_id = connection.QueryOne(kInsertCheckIn, check_in_params)->Int(0);
      }
      visit_of_check_in = visit;
      if (photo_blob)
        storage::ExecuteLater(connection, kInsertPhoto, {check_in_id, photo->content_type, static_cast<int64_t>(photo->bytes.size()),
                                                     photo_blob->storage, photo_blob->sha256});

      // R-VISIT-34: a visit is a follow-up of the customer (the pool clock, R-CUST-10)
      // and an entry of its timeline.
      if (customer_id) {
        context_.customers.RecordContact(connection, *customer_id, judgement.at);
        Json data = {{"checkInId", IdString(check_in_id)},
                     {"visitId", visit ? Json(IdString(*visit)) : Json()},
                     {"geofence", judgement.geofence},
                     {"distanceM", judgement.distance_m ? Json(*judgement.distance_m) : Json()},
                     {"flags", judgement.flags}};
        context_.customers.AppendEvent(connection, *customer_id, check_out ? "visit_check_out" : "visit_check_in",
                                       actor, check_out ? "签退 " + customer_name : "签到 " + customer_name, data);
      }
      platform::RecordAudit(connection, actor,
                            {check_out ? "check_in.check_out" : "check_in.check_in", "check_in",
                             IdString(check_in_id), Json(),
                             {{"clientId", *client_id},
                              {"customerId", customer_id ? Json(IdString(*customer_id)) : Json()},
                              {"visitId", visit ? Json(IdString(*visit)) : Json()},
                              {"at", at_text},
                              {"flags", judgement.flags},
                              {"photoSha256", photo_blob ? Json(photo_blob->sha256) : Json()}}},
                            received_at);
    });
  } catch (const storage::DatabaseError& error) {
    // Two copies of one offline queue entry raced: the first one won, answer with it.
    if (error.kind() != storage::DatabaseError::Kind::kUniqueViolation) throw;
    auto connection = context_.database.Acquire();
    if (auto existing = connection->QueryOne(kFindByClientId, {caller.user_id, *client_id}))
      return CheckInResult{Render(*connection, existing->Int(0), true), false};
    throw;
  }
  if (replay) return CheckInResult{std::move(*replay), false};
  // R-VISIT-47: the answer is written from the values just stored rather than read back
  // (a read statement less per check-in); a check-out named only by its visit does not
  // know the customer's name, and reads it back.
  if (customer_id && customer_name_of != customer_id) {
    auto connection = context_.database.Acquire();
    return {Render(*connection, check_in_id, false), true};
  }
  std::vector<std::optional<std::string>> cells(kCheckInColumns);
  auto text = [](const auto& value) { return std::optional<std::string>(std::to_string(value)); };
  auto optional_text = [&](const auto& value) { return value ? text(*value) : std::nullopt; };
  cells[0] = text(check_in_id);
  cells[1] = *client_id;
  cells[2] = text(caller.user_id);
  cells[3] = caller.name;
  cells[4] = optional_text(customer_id);
  if (customer_id) cells[5] = customer_name;
  cells[6] = optional_text(visit_of_check_in);
  cells[7] = *kind;
  cells[8] = *place;
  cells[9] = at_text;
  cells[10] = FormatDate(business_date);
  cells[11] = now_text;
  cells[12] = FormatInstant(*captured_at);
  if (sent_at) cells[13] = FormatInstant(*sent_at);
  cells[14] = StoredDoubleText(context_.database.dialect(), *lat);
  cells[15] = StoredDoubleText(context_.database.dialect(), *lng);
  cells[16] = text(*accuracy);
  cells[17] = optional_text(judgement.distance_m);
  cells[18] = judgement.geofence;
  cells[19] = optional_text(judgement.speed_kmh);
  cells[20] = flags;
  cells[21] = judgement.delayed ? "1" : "0";
  cells[22] = photo ? "1" : "0";
  if (note) cells[23] = *note;
  JsonWriter out;
  WriteCheckIn(out, storage::Row(std::move(cells)), /*close=*/false);
  out.Key("replayed");
  out.Bool(false);
  out.EndObject();
  return {out.Take(), true};
}

std::string CheckInService::Render(storage::Connection& connection, int64_t check_in_id, bool replayed) {
  auto rows = connection.Query(kSelectCheckInById, {check_in_id});
  if (rows.empty()) ThrowNotFound("visits", "check-in");
  JsonWriter out;
  WriteCheckIn(out, rows.rows[0], /*close=*/false);
  out.Key("replayed");
  out.Bool(replayed);
  out.EndObject();
  return out.Take();
}

std::string CheckInService::List(const Caller& caller, std::optional<int64_t> rep_id, std::optional<Date> date) {
  Scope scope = platform::Require(caller, "visits.read");
  auto connection = context_.database.Acquire();
  int64_t rep = rep_id.value_or(caller.user_id);
  RequireRepInScope(*connection, caller, scope, rep);
  Date day = date.value_or(context_.policies.Today());
  auto rows = connection->Query(kSelectCheckInsOfRepDay, {rep, FormatDate(day)});
  JsonWriter out;
  out.BeginObject();
  out.Key("items");
  out.BeginArray();
  for (const auto& row : rows.rows) WriteCheckIn(out, row, /*close=*/true);
  out.EndArray();
  out.EndObject();
  return out.Take();
}

std::string CheckInService::Get(const Caller& caller, int64_t check_in_id) {
  Scope scope = platform::Require(caller, "visits.read");
  auto connection = context_.database.Acquire();
  auto owner = connection->QueryOne(kCheckInOwner, {check_in_id});
  if (!owner || !platform::InScope(caller, scope, owner->Int(0), owner->Text(1))) ThrowNotFound("visits", "check-in");
  return Render(*connection, check_in_id, false);
}

std::string CheckInService::PinCustomer(const Caller& caller, int64_t check_in_id) {
  Scope scope = platform::Require(caller, "visits.write");
  std::optional<storage::Row> source;
  {
    auto connection = context_.database.Acquire();
    auto owner = connection->QueryOne(kCheckInOwner, {check_in_id});
    if (!owner || !platform::InScope(caller, scope, owner->Int(0), owner->Text(1))) ThrowNotFound("visits", "check-in");
    if (owner->Int(0) != caller.user_id)
      throw Error(ErrorKind::kForbidden, "visits.not_your_check_in", "only the rep who checked in pins from it");
    source = connection->QueryOne(kPinSource, {check_in_id});
  }
  if (source->IsNull(0) || source->Text(1) != "in")
    throw Error(ErrorKind::kConflict, "visits.pin_needs_customer_check_in",
                "only a check-in (not a check-out) at a customer pins that customer");
  int64_t customer_id = source->Int(0);
  Date date = *ParseDate(source->Text(6));
  if (!context_.policies.ValueOn("visits.pin_from_check_in", date).get<bool>())
    throw Error(ErrorKind::kConflict, "visits.pin_disabled", "pinning customers from check-ins is switched off");
  if (!source->IsNull(7) && !source->IsNull(8))
    throw Error(ErrorKind::kConflict, "visits.customer_pinned",
                "the customer has coordinates already; edit the customer to move them");
  // Only a fix the check-in rules found plausible (R-VISIT-31, 37, 38) and precise enough.
  int64_t accuracy = source->Int(4);
  int64_t max_accuracy = context_.policies.IntOn("visits.pin_max_accuracy_m", date);
  auto flags = SplitFlags(source->Text(5));
  bool implausible = std::any_of(flags.begin(), flags.end(), [](const std::string& flag) {
    return flag == "poor_accuracy" || flag == "too_fast" || flag == "clock_skew" || flag == "stale_capture";
  });
  if (accuracy > max_accuracy || implausible)
    throw Error(ErrorKind::kConflict, "visits.pin_untrusted", "the check-in's position is not precise or plausible enough",
                {{"accuracyM", accuracy}, {"maxAccuracyM", max_accuracy}, {"flags", flags}});
  double lat = std::stod(source->Text(2)), lng = std::stod(source->Text(3));
  // The customer module decides whether the caller may edit the customer, and records the
  // edit (audit, timeline) in its own transaction.
  customers::CustomerService& customers = context_.customers;
  customers.Update(caller, customer_id, {{"location", {{"lat", lat}, {"lng", lng}}}});
  Json after = {{"customerId", IdString(customer_id)}, {"lat", lat}, {"lng", lng}, {"accuracyM", accuracy}};
  context_.database.InTransaction([&](storage::Connection& connection) {
    platform::RecordAudit(connection, Actor::From(caller),
                          {"check_in.pin_customer", "check_in", IdString(check_in_id), Json(), after},
                          context_.clock.Now());
  });
  JsonWriter out;
  out.BeginObject();
  out.Key("checkInId"); out.Id(check_in_id);
  out.Key("customerId"); out.Id(customer_id);
  out.Key("location");
  out.BeginObject();
  out.Key("lat"); out.Double(lat);
  out.Key("lng"); out.Double(lng);
  out.Key("accuracyM"); out.Int(accuracy);
  out.EndObject();
  out.EndObject();
  return out.Take();
}

Photo CheckInService::GetPhoto(const Caller& caller, int64_t check_in_id) {
  Scope scope = platform::Require(caller, "visits.read");
  auto connection = context_.database.Acquire();
  auto owner = connection->QueryOne(kCheckInOwner, {check_in_id});
  if (!owner || !platform::InScope(caller, scope, owner->Int(0), owner->Text(1))) ThrowNotFound("visits", "check-in");
  auto photo = connection->QueryOne(kSelectPhoto, {check_in_id});
  if (!photo) ThrowNotFound("visits", "photo");
  if (photo->Text(1) == "inline") {
    bool decoded = false;
    std::string bytes = DecodeBase64(photo->Text(3), decoded);
    if (!decoded) throw std::runtime_error("check-in photo " + std::to_string(check_in_id) + " is not base64");
    return {photo->Text(0), std::move(bytes)};
  }
  if (!context_.photos) throw std::logic_error("check-in photos need a blob store (FieldContext::photos)");
  return {photo->Text(0), context_.photos->Get(*connection, photo->Text(2), photo->Text(1))};
}

}  // namespace tuoke::visits
