// Demo plans data for `tuoke seed-demo` (after the field demo, whose customers it uses):
// an approved plan of rep1 for the current month and one pending visit application of
// rep1 for tomorrow, so the plan, progress and approval screens have something to show.
#pragma once

#include "modules/visits/plans_routes.h"
#include "platform/approval.h"

namespace tuoke::visits {

void SeedPlanDemo(storage::Database& database, platform::PolicyService& policies, PlanServices& plans,
                  platform::ApprovalService& approvals);

}  // namespace tuoke::visits
