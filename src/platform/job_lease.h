// Job leases (table job_leases): a scheduled job that several server processes, and
// `tuoke jobs run`, may start runs in one of them at a time. A lease names its holder and
// expires; a process that dies in the middle of a run hands the job over once its lease has
// expired. Used by the pool reclaim and regrading (R-CUST-10, 47), the attachment purge
// (R-CUST-51) and the reminders (R-REMIND-3).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/time.h"
#include "storage/database.h"

namespace tuoke::platform {

// This process's name as a lease holder: "pid<n>-<random>".
const std::string& JobLeaseHolder();

// Takes the lease of `job` until now + duration, or extends it when this process holds it
// already; false when another holder's lease has not expired.
bool TakeJobLease(storage::Connection& connection, std::string_view job, Instant now,
                  std::chrono::seconds duration);

// Gives this process's lease of `job` back (it expires now), so that the next run, here or
// in another process, need not wait for it.
void ReleaseJobLease(storage::Connection& connection, std::string_view job, Instant now);

}  // namespace tuoke::platform
