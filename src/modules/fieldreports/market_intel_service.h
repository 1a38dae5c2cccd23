// Market intelligence (§13; rules R-INTEL-n in README.md of this folder): reports of
// competitor moves (sales, prices, new products, policies, channels, advertising,
// promotions), distributor stock and flows, and customer feedback, tagged to a customer
// and a region, with a monthly roll-up by kind, region and competitor.
//
// Reads need intel.read and see the reports of the scope's reporters (own / team / all);
// writes need intel.write over the reporter. A report's customer must be readable by the
// reporter (CustomerService decides). Out of scope is intel.not_found (404).
#pragma once

#include <optional>
#include <set>
#include <string>

#include "core/json_util.h"
#include "core/time.h"
#include "modules/customers/customer_service.h"
#include "modules/fieldreports/report_rules.h"
#include "platform/access.h"
#include "platform/policy.h"
#include "storage/database.h"

namespace tuoke::fieldreports {

// Stable codes of the kinds of report.
const std::set<std::string>& MarketReportKinds();

// R-INTEL-2: a money field {"amount": "<fen>", "currency"} in the company currency, amount
// ≥ 0. nullopt when absent, null or invalid (the reader then holds the error); `present`
// is true when the field was given as null or a valid amount.
std::optional<int64_t> ReadMoney(JsonReader& reader, const std::string& field, const std::string& currency,
                                 bool* present);

struct MarketReportFilter {
  std::optional<std::string> kind;
  std::optional<int64_t> customer_id;
  std::optional<std::string> province;
  std::optional<std::string> city;
  std::optional<Date> month;  // the first day of the month of observed_on
  std::optional<int64_t> reporter_id;
  std::optional<int64_t> unit_id;  // the reporter's unit subtree
  std::optional<std::string> competitor;
  std::optional<std::string> tag;
  int limit = 50;
  std::optional<int64_t> cursor;  // the last id of the previous page
};

class MarketIntelService {
 public:
  MarketIntelService(storage::Database& database, platform::PolicyService& policies,
                     customers::CustomerService& customers, const Clock& clock)
      : database_(database), policies_(policies), customers_(customers), clock_(clock) {}

  // {"items":[Report…],"nextCursor":…}, newest first.
  Json List(const platform::Caller& caller, const MarketReportFilter& filter);
  Json Get(const platform::Caller& caller, int64_t report_id);
  Json Create(const platform::Caller& caller, const Json& body);
  Json Update(const platform::Caller& caller, int64_t report_id, const Json& body);
  void Delete(const platform::Caller& caller, int64_t report_id);
  // R-INTEL-5: the month's reports of the caller's scope (and unit) counted by kind, by
  // region (province), by competitor, and per (kind, region, competitor) with price range.
  Json Rollup(const platform::Caller& caller, Date month, std::optional<int64_t> unit_id);
  // R-INTEL-6 (§13 "the quarterly market summary"): the same counts over the quarter
  // starting `quarter_start` (January, April, July or October 1st), plus the count per month.
  Json QuarterRollup(const platform::Caller& caller, Date quarter_start, std::optional<int64_t> unit_id);

 private:
  storage::Row LoadReadable(storage::Connection& connection, const platform::Caller& caller, int64_t report_id);
  Json Render(storage::Connection& connection, int64_t report_id);
  // The roll-up of R-INTEL-5, 6 over a range of observation dates.
  Json RollupRange(const platform::Caller& caller, DateRange range, std::optional<int64_t> unit_id);

  storage::Database& database_;
  platform::PolicyService& policies_;
  customers::CustomerService& customers_;
  const Clock& clock_;
};

}  // namespace tuoke::fieldreports
