// The customer archive: customers and contacts, grading, duplicates, ownership and the
// shared pool, search and the timeline (issue #3; rules in README.md of this folder).
//
// Every method taking a Caller checks the permission first (customers.read / .write /
// .assign) and applies the data scope: customers outside it are customers.not_found
// (404), never 403, so ids cannot be probed. Pool customers (no owner) are readable by
// every holder of customers.read. Writes run in one transaction with their audit entry,
// history rows and timeline events. Methods answering JSON text render with JsonWriter.
// Thread-safe: the service holds no mutable state of its own (the hand-overs and the
// notifier are set at start-up, before the first request).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_util.h"
#include "core/time.h"
#include "modules/customers/customer.h"
#include "modules/customers/customer_search.h"
#include "platform/access.h"
#include "platform/audit.h"
#include "platform/notification.h"
#include "platform/policy.h"
#include "storage/database.h"

namespace tuoke::customers {

struct Grade;  // customer_rules.h

class CustomerService {
 public:
  CustomerService(storage::Database& database, platform::PolicyService& policies, const Clock& clock)
      : database_(database), policies_(policies), clock_(clock) {}

  // {"items":[Customer…],"nextCursor":…}; the scope is applied in SQL.
  std::string List(const platform::Caller& caller, const CustomerFilter& filter);
  // Customer + "contacts".
  std::string Get(const platform::Caller& caller, int64_t customer_id);
  // R-CUST-4..6, 13: {"matches":[…]}; matches outside the caller's scope show only name,
  // owner name, pool flag and reasons ("visible": false, "id": null).
  Json DuplicateCheck(const platform::Caller& caller, const Json& body);
  // The caller owns the new customer. Throws customers.possible_duplicate (409) with
  // details.matches unless the body acknowledges duplicates.
  std::string Create(const platform::Caller& caller, const Json& body);
  std::string Update(const platform::Caller& caller, int64_t customer_id, const Json& body);

  // R-CUST-3: overrides need customers.assign over the customer.
  std::string OverrideGrade(const platform::Caller& caller, int64_t customer_id, const Json& body);
  std::string RemoveGradeOverride(const platform::Caller& caller, int64_t customer_id);
  Json GradeHistory(const platform::Caller& caller, int64_t customer_id);
  // R-CUST-62: {"items":[{from,to,changedByName,at}] newest first,"initial":status}.
  Json StatusHistory(const platform::Caller& caller, int64_t customer_id);

  // R-CUST-7..10, 14, 15: ownership and the pool.
  std::string Assign(const platform::Caller& caller, int64_t customer_id, const Json& body);
  // R-CUST-61 (issue #3 item 4): Assign for up to kMaxAssignMany customers at once, all or
  // nothing: {"assigned":[ids],"unchanged":[ids the assignee held],"handedOver":{…}}.
  static constexpr size_t kMaxAssignMany = 500;
  Json AssignMany(const platform::Caller& caller, const Json& body);
  // R-CUST-61: what another module hands to the new owner when a customer is assigned with
  // "handOver" (the visits module: the previous owner's open follow-up items). Called inside
  // the assignment's transaction; returns how many items it moved. Registered at start-up,
  // before the first request.
  struct OwnerHandOver {
    int64_t customer_id = 0;
    int64_t from = 0;
    int64_t to = 0;
    const platform::Actor& actor;
    Instant at;
  };
  using HandOver = std::function<int64_t(storage::Connection&, const OwnerHandOver&)>;
  // A second hand-over of the same name replaces the first.
  void AddHandOver(std::string name, HandOver hand_over);
  // R-CUST-63: in-app notices of ownership changes someone else made (an assignment to the
  // new owner and to the previous ones, a reclaim to the owner who lost the customers),
  // inside the change's transaction. Wired by App to platform::NotificationService::Notify
  // at start-up; unset: none are sent.
  using Notifier = std::function<void(storage::Connection&, const platform::NotificationInput&)>;
  void set_notifier(Notifier notify) { notify_ = std::move(notify); }
  std::string Release(const platform::Caller& caller, int64_t customer_id, const Json& body);
  std::string Claim(const platform::Caller& caller, int64_t customer_id);
  // R-CUST-64: what the caller may still claim: {"claimedToday","claimLimitPerDay","held",
  // "maxHeld","cooldownDays"} under today's policies.
  Json PoolStatus(const platform::Caller& caller);
  // R-CUST-10: returns customers idle for customers.pool_reclaim_days to the pool.
  // Idempotent, and safe from several processes: the job lease in job_leases lets one
  // process run at a time, and the single guarded UPDATE never reclaims twice.
  ReclaimResult ReclaimIdleCustomers(Instant now);
  // R-CUST-47 (§2.1): when the grading policy in force today (rule set and thresholds) is
  // not the one the archive was last graded under, every customer is graded again, in id
  // order, set_regrade_batch() customers per transaction, at most `max_batches`
  // transactions per call (the rest on the next call: `more`). Where the grade in force changes, it writes the grade history,
  // the timeline and the audit, as an edit does; an override stands. The position is stored,
  // so a restart goes on where it stopped; the job lease lets one process run at a time.
  RegradeResult RegradeForPolicy(Instant now, int max_batches);
  // Customers per transaction of RegradeForPolicy (default 500); tests lower it.
  void set_regrade_batch(int64_t customers) { regrade_batch_ = customers; }

  // R-CUST-12: newest first; cursor = the last id of the previous page.
  Json Timeline(const platform::Caller& caller, int64_t customer_id, int limit,
                std::optional<int64_t> before_id);
  Json AddFollowUp(const platform::Caller& caller, int64_t customer_id, const Json& body);
  // Appends a timeline entry inside the caller's transaction. For other modules (visits,
  // deals, payments …): `kind` is a stable snake_case code, `summary` one line of text,
  // `data` a JSON object the web client may show. Nothing waits for it: on PostgreSQL it
  // goes with the transaction's next statement or its COMMIT (storage/deferred_write.h).
  void AppendEvent(storage::Connection& connection, int64_t customer_id, std::string_view kind,
                   const platform::Actor& actor, std::string_view summary, const Json& data);

  // For other modules (visits): customers.not_found unless the caller may read the
  // customer (customers.read scope, pool customers included), inside their transaction.
  void CheckReadable(storage::Connection& connection, const platform::Caller& caller, int64_t customer_id);
  // The same check in two steps, for a caller that reads ScopeQuery's rows together with
  // its own (Connection::QueryMany: one round trip on PostgreSQL, ADR 0017).
  static storage::BoundQuery ScopeQuery(int64_t customer_id);
  void CheckReadable(const platform::Caller& caller, int64_t customer_id, const storage::ResultSet& scope);
  // For other modules: records a contact with the customer at `at` (a visit, a call) as
  // its last follow-up when later than the one recorded, so the pool reclaim (R-CUST-10)
  // sees it. Inside the caller's transaction; the caller appends the timeline event.
  void RecordContact(storage::Connection& connection, int64_t customer_id, Instant at);

  // For the module's other services (attachments): the access check of Update
  // (customers.not_found, customers.in_pool, access.denied) on a customer.
  void RequireWritable(storage::Connection& connection, const platform::Caller& caller, int64_t customer_id) {
    LoadWritable(connection, caller, customer_id);
  }

  // For the module's other services (merges, saved views, import and export).
  storage::Database& database() { return database_; }
  platform::PolicyService& policies() { return policies_; }
  const Clock& clock() const { return clock_; }

  // ---- for import and export (customer_io.h) ----
  // One customer of an export: the list's columns, names instead of ids.
  struct ExportRow {
    std::string name, type, grade, status, source;
    std::optional<std::string> code, industry, province, city, district, address, phone, email, owner_name,
        last_follow_up_at, notes;
    // R-CUST-66: the customer's main contact: its decision maker, else its first contact.
    std::optional<std::string> contact_name, contact_title, contact_mobile;
    std::vector<std::string> tags;
    std::string created_at;
  };
  // Every customer List would return over all its pages (same scope, filters and order),
  // without limit or cursor. More than max_rows: customers.export_too_large (422).
  void ForEachListed(const platform::Caller& caller, const CustomerFilter& filter, int64_t max_rows,
                     const std::function<void(const ExportRow&)>& visit);
  // Validates a create body exactly as Create does; throws validation.failed.
  void ValidateCreate(const Json& body);
  // R-CUST-4..6, 13 for many prospective customers at once (an import, R-CUST-38): the
  // matches the duplicate check of Create gives for each probe, one query per 100 probes.
  struct DuplicateProbe {
    std::optional<std::string> name, phone, address;
  };
  std::vector<Json> MatchDuplicatesMany(storage::Connection& connection, const platform::Caller& caller,
                                        const std::vector<DuplicateProbe>& probes);
  // R-CUST-38: Create + AddContact for many customers inside the caller's transaction,
  // owned by owner_id (checked by the caller): the same rows, owner and grade history,
  // timeline and audit entries, written with multi-row statements. Bodies must have passed
  // ValidateCreate / ValidateContact. Returns the new ids in input order.
  struct NewCustomer {
    const Json* body;
    std::vector<const Json*> contacts;
  };
  std::vector<int64_t> CreateManyIn(storage::Connection& connection, const platform::Caller& caller,
                                    const std::vector<NewCustomer>& customers, int64_t owner_id);
  // CreateManyIn in two steps, so an import prepares its next batch on another thread
  // while its transaction writes this one (R-CUST-38): PrepareMany reads and grades the
  // bodies and computes every derived value (keys, search words, audit text) without the
  // database, and may run on any thread; the bodies need not outlive it. WriteManyIn
  // takes the ids and writes, on the transaction's connection; it consumes `prepared`.
  struct PreparedCustomers;
  // Values per customer in WriteManyIn's multi-row INSERT (the record, the id, grade and
  // ownership columns): storage::BulkInsert fits 585 customers in a statement.
  static constexpr size_t kBulkCustomerValues = 56;
  std::shared_ptr<PreparedCustomers> PrepareMany(const platform::Caller& caller,
                                                 const std::vector<NewCustomer>& customers, int64_t owner_id);
  std::vector<int64_t> WriteManyIn(storage::Connection& connection, const platform::Caller& caller,
                                   PreparedCustomers& prepared);
  // SQLite (R-CUST-38): around the WriteManyIn calls of one transaction, the search indexes
  // merge the segments of its batches only among themselves (FTS5 automerge 16 instead of
  // the default 4) and are set back before the commit. Nothing on PostgreSQL.
  // Begin returns what End sets back.
  std::vector<int> BeginBulkSearchFill(storage::Connection& connection);
  void EndBulkSearchFill(storage::Connection& connection, const std::vector<int>& kept);

  // R-CUST-48: the stored customers an import's codes name, one query per 100 codes: for
  // each code nullopt when no customer has it, else the customer (the survivor when it was
  // merged) and, when the caller may not add contacts to it, the error code why
  // (customers.not_found, customers.in_pool, access.denied), as LoadWritable would throw.
  struct CodeMatch {
    int64_t id = 0;
    std::string name;
    std::optional<std::string> refused;
  };
  std::vector<std::optional<CodeMatch>> MatchCodesMany(storage::Connection& connection,
                                                       const platform::Caller& caller,
                                                       const std::vector<std::string>& codes);
  // R-CUST-48: an import's contacts for a stored customer, inside the import's transaction,
  // checked as AddContact checks them; a contact whose name the customer has a contact of
  // already (one stored, or one added by an earlier body) is left out. Bodies must have
  // passed ValidateContact. Returns which bodies were added.
  std::vector<bool> AddContactsIn(storage::Connection& connection, const platform::Caller& caller,
                                  int64_t customer_id, const std::vector<const Json*>& contacts);
  // R-CUST-48: throws customers.code_taken (409) when `error` is the unique index of the
  // codes refusing a code a concurrent write took after the check; returns otherwise.
  static void ThrowIfCodeTaken(const storage::DatabaseError& error);

  // R-CUST-14, 32: throws customers.hold_limit (409) when owner_id would hold more than
  // customers.max_held_per_rep with `adding` more; locks the owner's row first.
  void RequireRoomToHold(storage::Connection& connection, int64_t owner_id, int64_t adding);

  // For imports (R-CUST-37): a contact body validated as AddContact does (throws
  // validation.failed); CreateManyIn adds it.
  void ValidateContact(const Json& body);
  Json AddContact(const platform::Caller& caller, int64_t customer_id, const Json& body);
  Json UpdateContact(const platform::Caller& caller, int64_t contact_id, const Json& body);
  void DeleteContact(const platform::Caller& caller, int64_t contact_id);

  // R-CUST-39, R-CUST-42: the customer matches from which a SQLite search narrows its
  // customers' part to the scope's owners inside the index (default 500); tests lower it to
  // take that path on small data.
  void set_common_search_words(int64_t matches) { common_search_words_ = matches; }
  // R-CUST-39: the matches from which a search walks the list's order instead (default
  // 20,000); tests lower it to take that path on small data.
  void set_search_walk_from(int64_t matches) { search_walk_from_ = matches; }
  // R-CUST-41: below this many contact matches (default 2,000) a walked term of ideographs
  // reads its contacts' customers once as a set; tests move it to take either plan.
  void set_contacts_as_set_below(int64_t matches) { contacts_as_set_below_ = matches; }
  // R-CUST-42: the contact matches from which the contacts' part of a search is narrowed to
  // the scope's owners on SQLite (default 400); tests move it to take either plan.
  void set_narrow_contacts_from(int64_t matches) { narrow_contacts_from_ = matches; }
  // R-CUST-41: the most owners whose orders a page merges (default 64); 0 turns it off.
  void set_max_merged_owners(size_t owners) { max_merged_owners_ = owners; }
  // Pages read by merging the owners' orders since start (R-CUST-41).
  int64_t merged_pages() const { return merged_pages_.load(std::memory_order_relaxed); }
  // Pages read as their ids first, then their rows, since start (R-CUST-43, PostgreSQL).
  int64_t id_first_pages() const { return id_first_pages_.load(std::memory_order_relaxed); }
  // Searches on PostgreSQL that read the customers' part of a term alone (R-CUST-50).
  int64_t customers_only_searches() const { return customers_only_searches_.load(std::memory_order_relaxed); }
  // R-CUST-52: list pages whose search read the owner-qualified words index (PostgreSQL).
  int64_t owner_word_searches() const { return owner_word_searches_.load(std::memory_order_relaxed); }
  // R-CUST-56 (PostgreSQL): the estimated matches from which a page of a search alone walks
  // the owners' orders (default 30,000), the rows of the scope it walks at most before it is
  // planned again without the walk (default 4,000), and how long the search words'
  // statistics it estimates by are kept before a search reads them again itself (default
  // 15 minutes: the server's job reads them every 5, RefreshWordStatistics); tests move them.
  void set_walk_owner_orders_from(int64_t matches) { walk_owner_orders_from_ = matches; }
  void set_walk_budget(int64_t rows) { walk_budget_ = rows; }
  void set_word_statistics_ttl(std::chrono::seconds ttl) {
    std::lock_guard lock(word_statistics_mutex_);
    word_statistics_ttl_ = ttl;
    word_statistics_read_.reset();
  }
  // R-CUST-56, R-CUST-59 (PostgreSQL): reads ANALYZE's statistics of the customers' search
  // words and owners now, for the searches to estimate by (about 10 ms at 1M customers, 35
  // cold): the server's job calls it, so that no search waits for it. Nothing on SQLite.
  void RefreshWordStatistics();
  // R-CUST-56: pages that walked the owners' orders within the budget, and those of them
  // that came back short and were asked again without the walk.
  int64_t budgeted_walks() const { return budgeted_walks_.load(std::memory_order_relaxed); }
  int64_t walk_fallbacks() const { return walk_fallbacks_.load(std::memory_order_relaxed); }
  // R-CUST-59 (PostgreSQL): the share of the customers (by ANALYZE's statistics) below which
  // a page tested row by row walks the scope's keys (default 0.25); tests move it. And the
  // pages read so.
  void set_keyed_test_below(double share) { keyed_test_below_ = share; }
  int64_t keyed_test_pages() const { return keyed_test_pages_.load(std::memory_order_relaxed); }
  // The plan PostgreSQL (EXPLAIN) or SQLite (EXPLAIN QUERY PLAN, its detail column) gives the
  // first page of a list, as List plans it first: for tests and for diagnosing a slow list.
  // It counts in the counters above as a page read.
  std::string ExplainListPage(const platform::Caller& caller, const CustomerFilter& filter);

 private:
  // The customer row if the caller may read it; customers.not_found otherwise.
  storage::Row LoadReadable(storage::Connection& connection, const platform::Caller& caller,
                            int64_t customer_id);
  // As LoadReadable, and the caller may edit it: customers.in_pool (409) for a pool
  // customer, access.denied when it is readable but outside the write scope.
  storage::Row LoadWritable(storage::Connection& connection, const platform::Caller& caller,
                            int64_t customer_id);
  std::string Render(storage::Connection& connection, int64_t customer_id, bool with_contacts);
  // How a list query should read the scope: a page walks the sort order, a whole list
  // (export) reads the scope's owners through the owner index.
  enum class ScopePlan : uint8_t { kWalkSortOrder, kOwnerIndex };
  // What ListWhere found out on the way, for List to choose how to read a page.
  struct ListShape {
    // The owners the scope reads (0: the pool), when a search or a tag filter made them
    // known and the scope is own or team.
    std::optional<std::vector<int64_t>> owners;
    bool tests_each_row = false;  // tested row by row: a common search term, a scan, a tag alone
    bool owner_words = false;     // R-CUST-52: the search reads the owner-qualified words index
    bool refuse_walk = false;     // in: R-CUST-56, plan the search without a budgeted walk
    bool budgeted_walk = false;   // R-CUST-56: the page walks the owners' orders within a budget
    bool keyed_test = false;      // R-CUST-59: the page walks the scope's keys, testing each row by its key
    platform::Scope scope = platform::Scope::kAll;
    size_t conditions_at = 0;     // where the conditions after the scope begin in the clause
    size_t condition_params_at = 0;  // and their first parameter
  };
  // The SELECT of a page of List, after the cursor's row when given; `budgeted` tells that
  // it walks the owners' orders within the walk budget (R-CUST-56): a page that comes back
  // short must be asked again with `refuse_walk`.
  std::string PageSql(const platform::Caller& caller, const CustomerFilter& filter,
                      const std::optional<std::pair<std::string, int64_t>>& after, bool refuse_walk,
                      storage::Params& params, bool& budgeted);
  // The scope and filters of List as a WHERE clause over customers c (no joins needed),
  // without ORDER BY / LIMIT; appends to params.
  std::string ListWhere(const platform::Caller& caller, const CustomerFilter& filter, ScopePlan plan,
                        storage::Params& params, ListShape* shape = nullptr);
  // The condition of R-CUST-16 and of the caller's scope on the customers `table` (no
  // joins needed); `hide_owner_index` writes the owner as `+table.owner_id` (SQLite).
  static std::string ScopeCondition(const platform::Caller& caller, platform::Scope scope, const std::string& table,
                                    bool hide_owner_index, storage::Params& params);
  int64_t Insert(storage::Connection& connection, const platform::Caller& caller, const Json& body,
                 int64_t owner_id);
  Json AuditView(storage::Connection& connection, int64_t customer_id);
  // R-CUST-48: the customer holding `code` other than exclude_id, as a duplicate match with
  // the reason "code" (R-CUST-13's visibility); null when no other customer has it.
  Json CodeHolder(storage::Connection& connection, const platform::Caller& caller, const std::string& code,
                  std::optional<int64_t> exclude_id);
  Json FindDuplicates(storage::Connection& connection, const platform::Caller& caller,
                      const std::optional<std::string>& name, const std::optional<std::string>& phone,
                      const std::optional<std::string>& address, std::optional<int64_t> exclude_id);
  // Recomputes the grade from the record and the policies of today; records history
  // when the grade in force changes.
  // Returns the grade in force afterwards.
  Grade Regrade(storage::Connection& connection, int64_t customer_id, const platform::Actor& actor);
  // R-CUST-8, R-CUST-61: one customer read by LoadReadable (`row`) to `assignee`, inside the
  // caller's transaction, after the checks: owner, history, timeline, audit, and with
  // `hand_over` what the modules hand over (added to `handed_over`, by name).
  struct Assignee {
    int64_t id = 0;
    std::string name;
  };
  void AssignIn(storage::Connection& connection, const storage::Row& row, int64_t customer_id,
                const Assignee& assignee, const std::optional<std::string>& note, bool hand_over,
                const platform::Actor& actor, Instant now, Json& handed_over);
  // R-CUST-63: the notices of customers (id, name, previous owner) given to `assignee`.
  struct Moved {
    int64_t id = 0;
    std::string name;
    std::optional<int64_t> previous;
  };
  void NotifyAssigned(storage::Connection& connection, const platform::Actor& actor, const Assignee& assignee,
                      const std::vector<Moved>& moved);
  // The checks of R-CUST-8 on the assignee (active, in scope); returns the assignee.
  Assignee RequireAssignee(storage::Connection& connection, const platform::Caller& caller, platform::Scope scope,
                           int64_t owner_id);
  void RecordOwnerChange(storage::Connection& connection, int64_t customer_id,
                         std::optional<int64_t> from, std::optional<int64_t> to,
                         std::string_view kind, const platform::Actor& actor,
                         const std::optional<std::string>& note, Instant at);

  storage::Database& database_;
  platform::PolicyService& policies_;
  const Clock& clock_;
  std::vector<std::pair<std::string, HandOver>> hand_overs_;  // R-CUST-61, set at start-up
  Notifier notify_;                                            // R-CUST-63, set at start-up
  // Below this many matches, checking each match's row costs less than reading the
  // owners' posting lists (docs/benchmarks.md, issue #3 session 6).
  // R-CUST-42: counted for the customers' part alone, 500 since session 11 (was 2,000 for
  // both parts).
  int64_t common_search_words_ = 500;
  // R-CUST-41: a walked term carried by fewer contacts reads their customers as a set.
  int64_t contacts_as_set_below_ = 2000;
  // R-CUST-42: from this many contacts matching a term, their part of the search is narrowed
  // to the scope's owners in the contacts' index: reading the owners' posting lists costs
  // less than two rows (the contact, its customer) read per match (docs/benchmarks.md,
  // "List and search, session 11").
  int64_t narrow_contacts_from_ = 400;
  // From this many matches (2 % of 1M customers), a list walking its sort order meets a
  // page of them sooner than the index can read them all (docs/benchmarks.md).
  int64_t search_walk_from_ = 20000;
  // One sub-select per owner: beyond this many, walking the list's order is left to do it.
  size_t max_merged_owners_ = 64;
  // R-CUST-56: from 3 % of 1M customers. A page of a city's pinyin (4 %) found its matches
  // in ~1,900 rows of a manager's scope at 1M customers, against ~4,200 matches read;
  // terms of 2-2.5 % walked longer than their matches took to read (docs/benchmarks.md,
  // "Walking the owners' orders on PostgreSQL, session 21"). About twice that is walked
  // before the plan that reads every match.
  int64_t walk_owner_orders_from_ = 30000;
  int64_t walk_budget_ = 4000;
  double keyed_test_below_ = 0.25;
  // The search words' statistics (null: none yet), read by a search only when they are older
  // than the ttl (or none were read), and then by one search at a time: the others go on
  // with the ones they have.
  int64_t EstimatedWordMatches(storage::Connection& connection, std::string_view term);
  double EstimatedScopeShare(storage::Connection& connection, const std::vector<int64_t>& owners);
  std::shared_ptr<const WordStatistics> Statistics(storage::Connection& connection);
  void ReadStatistics(storage::Connection& connection);  // and keep them; outside the mutex
  std::mutex word_statistics_mutex_;
  std::shared_ptr<const WordStatistics> word_statistics_;
  std::optional<std::chrono::steady_clock::time_point> word_statistics_read_;
  std::chrono::seconds word_statistics_ttl_{900};
  bool word_statistics_reading_ = false;  // a search is reading them
  int64_t regrade_batch_ = 500;
  std::atomic<int64_t> merged_pages_{0};
  std::atomic<int64_t> id_first_pages_{0};
  std::atomic<int64_t> customers_only_searches_{0};
  std::atomic<int64_t> owner_word_searches_{0};
  std::atomic<int64_t> budgeted_walks_{0};
  std::atomic<int64_t> walk_fallbacks_{0};
  std::atomic<int64_t> keyed_test_pages_{0};
};

}  // namespace tuoke::customers
