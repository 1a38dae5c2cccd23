#include "modules/visits/visit_render.h"

#include "modules/visits/checkin_rules.h"

namespace tuoke::visits {
namespace {

#define TUOKE_CHECK_IN_SELECT                                                                         \
  "SELECT c.id, c.client_id, c.rep_id, u.name, c.customer_id, cu.name, c.visit_id, c.kind, c.place, " \
  "c.at, c.business_date, c.received_at, c.device_at, c.sent_at, c.lat, c.lng, c.accuracy_m, "        \
  "c.distance_m, c.geofence, c.speed_kmh, c.flags, c.delayed, c.has_photo, c.note FROM check_ins c "  \
  "JOIN users u ON u.id = c.rep_id LEFT JOIN customers cu ON cu.id = c.customer_id "

#define TUOKE_VISIT_SELECT                                                                             \
  "SELECT v.id, v.rep_id, u.name, v.customer_id, cu.name, v.visit_date, v.kind, v.checked_in_at, "     \
  "v.checked_out_at, v.duration_minutes, v.flags, v.purposes, v.targets_json, v.results, "             \
  "v.distributor_check_json, v.objections_json, v.promises_json, v.report_status, v.report_due_on, "   \
  "v.report_submitted_at, v.report_submitted_late, v.reviewed_by, rb.name, v.reviewed_at, "            \
  "v.review_comment, v.created_at, v.updated_at FROM visits v JOIN users u ON u.id = v.rep_id "        \
  "JOIN customers cu ON cu.id = v.customer_id LEFT JOIN users rb ON rb.id = v.reviewed_by "

void WriteFlags(JsonWriter& out, const std::string& text) {
  out.BeginArray();
  for (const auto& flag : SplitFlags(text)) out.String(flag);
  out.EndArray();
}

void WriteDouble(JsonWriter& out, const std::string& text) { out.Double(std::stod(text)); }

void WriteOptionalInt(JsonWriter& out, const std::optional<int64_t>& value) {
  if (value) out.Int(*value);
  else out.Null();
}

void WriteJsonText(JsonWriter& out, const std::optional<std::string>& text) {
  if (!text) {
    out.Null();
    return;
  }
  out.Value(Json::parse(*text));
}

}  // namespace

const char* const kCheckInSelect = TUOKE_CHECK_IN_SELECT;
const storage::Sql kSelectCheckInById{"visits.select_check_in", TUOKE_CHECK_IN_SELECT "WHERE c.id = ?"};
const storage::Sql kSelectCheckInsOfRepDay{
    "visits.select_check_ins_of_day",
    TUOKE_CHECK_IN_SELECT "WHERE c.rep_id = ? AND c.business_date = ? ORDER BY c.at, c.id"};

void WriteCheckIn(JsonWriter& out, const storage::Row& row, bool close) {
  out.BeginObject();
  out.Key("id"); out.Id(row.Int(0));
  out.Key("clientId"); out.String(row.Text(1));
  out.Key("repId"); out.Id(row.Int(2));
  out.Key("repName"); out.String(row.Text(3));
  out.Key("customerId"); out.OptionalId(row.OptionalInt(4));
  out.Key("customerName"); out.OptionalString(row.OptionalText(5));
  out.Key("visitId"); out.OptionalId(row.OptionalInt(6));
  out.Key("kind"); out.String(row.Text(7));
  out.Key("place"); out.String(row.Text(8));
  out.Key("at"); out.String(row.Text(9));
  out.Key("businessDate"); out.String(row.Text(10));
  out.Key("receivedAt"); out.String(row.Text(11));
  out.Key("capturedAt"); out.String(row.Text(12));
  out.Key("sentAt"); out.OptionalString(row.OptionalText(13));
  out.Key("location");
  out.BeginObject();
  out.Key("lat"); WriteDouble(out, row.Text(14));
  out.Key("lng"); WriteDouble(out, row.Text(15));
  out.Key("accuracyM"); out.Int(row.Int(16));
  out.EndObject();
  out.Key("distanceM"); WriteOptionalInt(out, row.OptionalInt(17));
  out.Key("geofence"); out.String(row.Text(18));
  out.Key("speedKmh"); WriteOptionalInt(out, row.OptionalInt(19));
  out.Key("flags"); WriteFlags(out, row.Text(20));
  out.Key("delayed"); out.Bool(row.Bool(21));
  out.Key("hasPhoto"); out.Bool(row.Bool(22));
  out.Key("note"); out.OptionalString(row.OptionalText(23));
  if (close) out.EndObject();
}

const char* const kVisitSelect = TUOKE_VISIT_SELECT;
const storage::Sql kSelectVisitById{"visits.select_visit", TUOKE_VISIT_SELECT "WHERE v.id = ?"};

std::string EffectiveReportStatus(const std::string& stored, const std::string& due_on, const std::string& today) {
  if (stored == "open" && today > due_on) return "late";
  return stored;
}

void WriteVisit(JsonWriter& out, const storage::Row& row, const std::string& today, bool close) {
  std::string status = EffectiveReportStatus(row.Text(17), row.Text(18), today);
  out.BeginObject();
  out.Key("id"); out.Id(row.Int(0));
  out.Key("repId"); out.Id(row.Int(1));
  out.Key("repName"); out.String(row.Text(2));
  out.Key("customerId"); out.Id(row.Int(3));
  out.Key("customerName"); out.String(row.Text(4));
  out.Key("visitDate"); out.String(row.Text(5));
  out.Key("kind"); out.String(row.Text(6));
  out.Key("checkedInAt"); out.String(row.Text(7));
  out.Key("checkedOutAt"); out.OptionalString(row.OptionalText(8));
  out.Key("durationMinutes"); WriteOptionalInt(out, row.OptionalInt(9));
  out.Key("flags"); WriteFlags(out, row.Text(10));
  out.Key("reportStatus"); out.String(status);
  out.Key("reportDueOn"); out.String(row.Text(18));
  out.Key("reportSubmittedAt"); out.OptionalString(row.OptionalText(19));
  out.Key("reportLate"); out.Bool(status == "late" || row.Bool(20));
  out.Key("purposes"); WriteJsonText(out, row.OptionalText(11));
  out.Key("targets"); WriteJsonText(out, row.OptionalText(12));
  out.Key("results"); out.OptionalString(row.OptionalText(13));
  out.Key("distributorCheck"); WriteJsonText(out, row.OptionalText(14));
  out.Key("objections"); WriteJsonText(out, row.OptionalText(15));
  out.Key("promises"); WriteJsonText(out, row.OptionalText(16));
  out.Key("reviewedBy"); out.OptionalId(row.OptionalInt(21));
  out.Key("reviewedByName"); out.OptionalString(row.OptionalText(22));
  out.Key("reviewedAt"); out.OptionalString(row.OptionalText(23));
  out.Key("reviewComment"); out.OptionalString(row.OptionalText(24));
  out.Key("createdAt"); out.String(row.Text(25));
  out.Key("updatedAt"); out.String(row.Text(26));
  if (close) out.EndObject();
}

}  // namespace tuoke::visits
