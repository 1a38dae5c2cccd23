#include "platform/job_lease.h"

#include <unistd.h>

#include <random>

namespace tuoke::platform {
namespace {

const storage::Sql kTakeLease{
    "job_leases.take",
    "INSERT INTO job_leases (job, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (job) DO UPDATE "
    "SET holder = excluded.holder, expires_at = excluded.expires_at "
    "WHERE job_leases.expires_at <= ? OR job_leases.holder = ?"};
const storage::Sql kReleaseLease{"job_leases.release",
                                 "UPDATE job_leases SET expires_at = ? WHERE job = ? AND holder = ?"};

}  // namespace

const std::string& JobLeaseHolder() {
  static const std::string holder = [] {
    std::random_device random;
    return "pid" + std::to_string(::getpid()) + "-" + std::to_string(random());
  }();
  return holder;
}

bool TakeJobLease(storage::Connection& connection, std::string_view job, Instant now,
                  std::chrono::seconds duration) {
  return connection.Execute(kTakeLease, {std::string(job), JobLeaseHolder(), FormatInstant(now + duration),
                                         FormatInstant(now), JobLeaseHolder()}) == 1;
}

void ReleaseJobLease(storage::Connection& connection, std::string_view job, Instant now) {
  connection.Execute(kReleaseLease, {FormatInstant(now), std::string(job), JobLeaseHolder()});
}

}  // namespace tuoke::platform
