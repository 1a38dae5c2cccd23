// Demo field data for `tuoke seed-demo` (after platform::SeedDemo): customers of rep1
// and rep2 pinned in Hangzhou (one without coordinates), yesterday's and today's
// check-ins of rep1 with a visit report, a review and follow-up items, so the rep's day,
// the team day and the follow-up screens have something to show.
//
// The e2e tests fake the phone's position near 杭州青禾建材 (30.2741, 120.1551).
#pragma once

#include "modules/customers/customer_service.h"
#include "modules/visits/field_common.h"

namespace tuoke::visits {

inline constexpr double kDemoCustomerLatitude = 30.2741;
inline constexpr double kDemoCustomerLongitude = 120.1551;

void SeedFieldDemo(storage::Database& database, platform::PolicyService& policies,
                   customers::CustomerService& customers, const Clock& clock);

}  // namespace tuoke::visits
