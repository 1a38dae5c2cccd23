// Merging duplicate customers and reversing a merge (issue #3 item 3, domain.md §2.2;
// R-CUST-16..19 in README.md). A merge moves the merged customer's contacts, timeline,
// grade and owner history, pool claims and referrals to the survivor, adds its tags to
// the survivor's, and marks it merged (customers.merged_into_id). The customer_merges row
// records exactly which rows moved, so a reversal (a new row of kind "reversal") moves
// exactly those back. Both run in one transaction with their audit entry and timeline
// events on both customers.
#pragma once

#include <string>

#include "core/json_util.h"
#include "core/time.h"
#include "modules/customers/customer_service.h"
#include "platform/access.h"
#include "storage/database.h"

namespace tuoke::customers {

class CustomerMergeService {
 public:
  CustomerMergeService(storage::Database& database, CustomerService& customers, const Clock& clock)
      : database_(database), customers_(customers), clock_(clock) {}

  // body {"survivorId","mergedId","reason"}; answers the merge record (see api-customers.md).
  Json Merge(const platform::Caller& caller, const Json& body);
  // body {"reason"?}; answers the new reversal record.
  Json Reverse(const platform::Caller& caller, int64_t merge_id, const Json& body);

 private:
  storage::Database& database_;
  CustomerService& customers_;
  const Clock& clock_;
};

}  // namespace tuoke::customers
