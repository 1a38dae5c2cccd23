// Check-ins and check-outs from the phone (issue #4 item 4, §3.4; R-VISIT-30..39 in
// README.md of this folder; docs/api-visits.md).
//
// A check-in is always the caller's own (visits.write). It is never refused for being
// doubtful: it is stored with flags (outside the geofence, no customer location,
// absence, too fast, poor accuracy, clock skew, delayed) for the manager. A check-in at
// a customer opens a visit; a check-out closes it. Resending the same clientId returns
// the stored check-in unchanged (the browser's offline queue may send twice).
// Reads need visits.read; reps outside the scope are visits.not_found (404).
// Thread-safe: no mutable state.
#pragma once

#include <optional>
#include <string>

#include "modules/visits/field_common.h"

namespace tuoke::visits {

struct CheckInResult {
  std::string json;   // the check-in (see docs/api-visits.md)
  bool created = false;  // false: a resend of a stored clientId
};

struct Photo {
  std::string content_type;
  std::string bytes;
};

class CheckInService {
 public:
  explicit CheckInService(FieldContext& context) : context_(context) {}

  CheckInResult Record(const platform::Caller& caller, const Json& body);
  // {"items":[CheckIn…]} of one rep (default the caller) on one business date (default
  // today), oldest first. At most a day's check-ins, so no cursor.
  std::string List(const platform::Caller& caller, std::optional<int64_t> rep_id, std::optional<Date> date);
  std::string Get(const platform::Caller& caller, int64_t check_in_id);
  Photo GetPhoto(const platform::Caller& caller, int64_t check_in_id);
  // R-VISIT-48: sets the coordinates of the check-in's customer, which has none, from the
  // caller's own check-in there when it is accurate and plausible (policies
  // visits.pin_from_check_in, visits.pin_max_accuracy_m). The customer service applies
  // the edit (its write scope, audit and timeline); the pin is audited here as well.
  // Returns {"checkInId", "customerId", "location": {lat, lng}}.
  std::string PinCustomer(const platform::Caller& caller, int64_t check_in_id);

 private:
  std::string Render(storage::Connection& connection, int64_t check_in_id, bool replayed);

  FieldContext& context_;
};

}  // namespace tuoke::visits
