// The JSON of check-ins and visits, shared by the field services and the day views:
// one SELECT column list each and a JsonWriter renderer reading the row in that order.
#pragma once

#include <string>

#include "core/json_writer.h"
#include "storage/database.h"

namespace tuoke::visits {

extern const storage::Sql kSelectCheckInById;
// Parameters: rep id, business date. Oldest first.
extern const storage::Sql kSelectCheckInsOfRepDay;
// The SELECT … FROM … of a check-in row, to which callers append WHERE/ORDER BY.
extern const char* const kCheckInSelect;
// The number of columns of a check-in row (WriteCheckIn reads them by position).
constexpr size_t kCheckInColumns = 24;

// Writes a check-in row (kCheckInSelect columns) as an object, closed or left open for
// more keys.
void WriteCheckIn(JsonWriter& out, const storage::Row& row, bool close);

extern const char* const kVisitSelect;
extern const storage::Sql kSelectVisitById;

// The report status a reader sees (R-VISIT-43): a stored "open" past its due date reads
// "late" even before the late-report job has marked it.
std::string EffectiveReportStatus(const std::string& stored, const std::string& due_on, const std::string& today);

// Writes a visit row (kVisitSelect columns) as an object, closed or left open.
// `today` is the business date deciding late reports.
void WriteVisit(JsonWriter& out, const storage::Row& row, const std::string& today, bool close);

}  // namespace tuoke::visits
