// Follow-up items (issue #4 item 7, §3.5 [第10条]; R-VISIT-50..55 in README.md of this
// folder): promises made during a visit and other tasks for a customer, each with an
// owner and a due date, tracked to done. They stay (created_at, due_on, done_at) so
// the evaluation of §10 can count them later. Creating and finishing one appends an
// entry to the customer's timeline.
//
// Writes need visits.write over the owner, reads visits.read; items of owners outside
// the scope are visits.not_found (404). Thread-safe: no mutable state.
#pragma once

#include <optional>
#include <string>

#include "modules/visits/field_common.h"
#include "platform/audit.h"

namespace tuoke::visits {

struct FollowUpFilter {
  // open | due_today | overdue | done | cancelled | all (default open: due or not).
  std::string status = "open";
  std::optional<int64_t> owner_id;
  std::optional<int64_t> customer_id;
  std::optional<int64_t> visit_id;
  std::optional<int64_t> unit_id;  // R-VISIT-55: owners in that unit's subtree
  int limit = 50;
  std::optional<std::string> cursor;
};

struct NewFollowUp {
  int64_t customer_id = 0;
  std::optional<int64_t> visit_id;
  int64_t owner_id = 0;
  std::string title;
  std::optional<std::string> note;
  Date due_on;
};

// R-CUST-61 (R-VISIT-50's owner): a customer assigned with "handOver" takes its previous owner's
// open follow-up items along: they pass to the new owner, each audited. Inside the
// assignment's transaction; returns how many moved. Registered by App with
// CustomerService::AddHandOver under "followUpItems".
int64_t HandOverFollowUps(storage::Connection& connection, const customers::CustomerService::OwnerHandOver& hand_over);

class FollowUpService {
 public:
  explicit FollowUpService(FieldContext& context) : context_(context) {}

  // {"items":[Item…],"nextCursor":…}, by due date then id.
  std::string List(const platform::Caller& caller, const FollowUpFilter& filter);
  std::string Create(const platform::Caller& caller, const Json& body);
  std::string Update(const platform::Caller& caller, int64_t item_id, const Json& body);
  std::string Done(const platform::Caller& caller, int64_t item_id, const Json& body);

  // Inside the caller's transaction, checked by the caller: inserts the item, its
  // timeline entry and audit. Returns the id.
  int64_t Insert(storage::Connection& connection, const platform::Actor& actor, const NewFollowUp& item);

 private:
  storage::Row LoadWritable(storage::Connection& connection, const platform::Caller& caller, int64_t item_id);
  std::string Render(storage::Connection& connection, int64_t item_id);

  FieldContext& context_;
};

}  // namespace tuoke::visits
