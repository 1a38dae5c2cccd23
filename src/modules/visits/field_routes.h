// The field services as App owns them, and their route registration.
#pragma once

#include <memory>

#include "http/router.h"
#include "modules/visits/checkin_service.h"
#include "modules/visits/followup_service.h"
#include "modules/visits/visit_service.h"

namespace tuoke::visits {

// Owns the context and the three services; built once by App.
struct FieldServices {
  explicit FieldServices(FieldContext context_in)
      : context(std::move(context_in)), check_ins(context), follow_ups(context), visits(context, follow_ups) {}
  FieldContext context;
  CheckInService check_ins;
  FollowUpService follow_ups;
  VisitService visits;
};

}  // namespace tuoke::visits

namespace tuoke::app {
// Routes of check-ins, visits, follow-up items and day views (issue #4, docs/api-visits.md).
void RegisterFieldRoutes(http::Router& router, visits::FieldServices& field);
}  // namespace tuoke::app
