// Competitor profiles (§13 [003 销售新手如何找到大客户 三]; rules R-INTEL-7..12 in README.md
// of this folder): per competitor its strength, weak points, price floor and notes; what
// it offers our key customers beside what we offer and the customer's own data; the
// market reports naming it; and a side-by-side comparison per competitor or per customer.
//
// A profile is company knowledge: every holder of intel.read reads every profile. What a
// competitor offers one customer is customer data: an offer is seen only by callers who
// may read that customer (CustomerService decides), otherwise intel.offer_not_found (404).
// Writes need intel.write covering the profile's (offer's) creator, as for market reports.
// Every write runs in one transaction with its audit entry. Thread-safe: no mutable state.
#pragma once

#include <optional>
#include <string>

#include "core/json_util.h"
#include "core/time.h"
#include "modules/customers/customer_service.h"
#include "platform/access.h"
#include "platform/policy.h"
#include "storage/database.h"

namespace tuoke::fieldreports {

struct CompetitorFilter {
  std::optional<std::string> query;  // substring of the name or an alias
  int limit = 50;
  std::optional<int64_t> cursor;  // the last id of the previous page
};

class CompetitorService {
 public:
  CompetitorService(storage::Database& database, platform::PolicyService& policies,
                    customers::CustomerService& customers, const Clock& clock)
      : database_(database), policies_(policies), customers_(customers), clock_(clock) {}

  // {"items":[Profile…],"nextCursor":…}, by name.
  Json List(const platform::Caller& caller, const CompetitorFilter& filter);
  // R-INTEL-9: one profile with the offers the caller may read and the newest market
  // reports of the caller's intel.read scope naming the competitor.
  Json Get(const platform::Caller& caller, int64_t profile_id);
  Json Create(const platform::Caller& caller, const Json& body);
  Json Update(const platform::Caller& caller, int64_t profile_id, const Json& body);
  // Removes the profile and its offers; market reports keep the competitor's name.
  void Delete(const platform::Caller& caller, int64_t profile_id);

  // R-INTEL-10: what the competitor offers one customer, beside ours and the customer's data.
  Json AddOffer(const platform::Caller& caller, int64_t profile_id, const Json& body);
  Json UpdateOffer(const platform::Caller& caller, int64_t offer_id, const Json& body);
  void DeleteOffer(const platform::Caller& caller, int64_t offer_id);

  // R-INTEL-11: the side-by-side rows (ours / competitor / customer) of one profile, of one
  // customer across competitors, or of both; at least one of them is given.
  Json Compare(const platform::Caller& caller, std::optional<int64_t> profile_id, std::optional<int64_t> customer_id);

 private:
  storage::Row LoadProfile(storage::Connection& connection, const platform::Caller& caller, int64_t profile_id);
  // The offer when the caller may read its customer; intel.offer_not_found otherwise.
  storage::Row LoadOffer(storage::Connection& connection, const platform::Caller& caller, int64_t offer_id);
  // R-INTEL-12: intel.write covering the creator, else access.denied.
  void RequireWriter(const platform::Caller& caller, storage::Connection& connection, int64_t creator_id);
  bool CustomerReadable(storage::Connection& connection, const platform::Caller& caller, int64_t customer_id);
  Json RenderProfile(storage::Connection& connection, const platform::Caller& caller, int64_t profile_id, bool full);
  Json RenderOffer(storage::Connection& connection, int64_t offer_id);
  std::string Currency() { return policies_.StringOn("company.currency", policies_.Today()); }

  storage::Database& database_;
  platform::PolicyService& policies_;
  customers::CustomerService& customers_;
  const Clock& clock_;
};

}  // namespace tuoke::fieldreports
