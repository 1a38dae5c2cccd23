// The plan services as App owns them (plans, applications, norms), and their routes.
#pragma once

#include "http/router.h"
#include "modules/visits/visit_application_service.h"
#include "modules/visits/visit_norms.h"
#include "modules/visits/visit_plan_service.h"

namespace tuoke::visits {

// Built once by App after the approvals engine (the services register their listeners).
struct PlanServices {
  PlanServices(storage::Database& database, platform::PolicyService& policies,
               platform::ApprovalService& approvals, const Clock& clock)
      : plans(database, policies, approvals, clock),
        applications(database, policies, approvals, clock),
        norms(database, policies, clock) {}
  VisitPlanService plans;
  VisitApplicationService applications;
  VisitNormsService norms;
};

}  // namespace tuoke::visits

namespace tuoke::app {
// Routes of plans, applications and norms (issue #4, docs/api-visits.md).
void RegisterPlanRoutes(http::Router& router, visits::PlanServices& services);
}  // namespace tuoke::app
