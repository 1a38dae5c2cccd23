// Demo data of the field reports for `tuoke seed-demo` (after platform::SeedDemo): the
// daily and monthly routines assigned to every rep, rep1's daily report of yesterday
// (submitted on time, at 18:00), and a few market reports. Deterministic apart from the
// dates, which follow the day of seeding.
#pragma once

#include "core/time.h"
#include "modules/customers/customer_service.h"
#include "platform/notification.h"
#include "platform/policy.h"
#include "storage/database.h"

namespace tuoke::fieldreports {

void SeedFieldReportsDemo(storage::Database& database, platform::PolicyService& policies,
                          customers::CustomerService& customers, platform::NotificationService& notifications,
                          const Clock& clock);

// After the field demo (which creates the customers): a competitor profile with what it
// offers one of rep1's customers beside ours (§13).
void SeedCompetitorDemo(storage::Database& database, platform::PolicyService& policies,
                        customers::CustomerService& customers, const Clock& clock);

}  // namespace tuoke::fieldreports
