// SQLite backend: WAL journal, foreign keys on, an in-process writer queue so the
// server's writers take turns in arrival order (writer_queue.h, ADR 0008), a busy
// timeout for writers of other processes, and a per-connection cache of prepared
// statements. The holder of the writers' turn writes through one shared handle whose page
// cache stays warm, and WAL checkpoints run on a thread of their own, not inside a
// writer's turn (ADR 0009).
#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "core/error.h"
#include "storage/connection_pool.h"
#include "storage/database.h"
#include "storage/sqlite/sqlite_bulk.h"
#include "storage/sqlite/sqlite_memory.h"
#include "storage/sqlite/write_executor.h"
#include "storage/sqlite/writer_queue.h"

namespace tuoke::storage {
namespace {

constexpr size_t kStatementCacheLimit = 256;
// How long SQLite's busy handler retries, and how long a writer waits for its turn in the
// queue before it goes on without it (then the busy handler decides, as without a queue).
constexpr int kBusyTimeoutMs = 10000;
// WAL pages after which a commit asks the checkpoint thread to copy the WAL back into the
// database (SQLite's own automatic checkpoint threshold, which ran inside the commit).
constexpr int kCheckpointPages = 1000;
// Most write transactions committed together (group commit, ADR 0011). The members of a
// group wait on server threads, so the server's thread count bounds it in practice.
constexpr int kMaxGroupMembers = 8;

// The transaction control statements of every write, prepared once per handle like any
// other statement: sqlite3_exec parsed them anew each time, inside the writers' turn
// (session 10: Begin() alone was 3% of the server's CPU in the check-in burst).
const Sql kBeginImmediate{"sqlite.begin_immediate", "BEGIN IMMEDIATE"};
const Sql kSavepoint{"sqlite.savepoint", "SAVEPOINT tuoke_member"};
const Sql kRelease{"sqlite.release", "RELEASE tuoke_member"};
const Sql kCommit{"sqlite.commit", "COMMIT"};

DatabaseError MakeError(sqlite3* db, int code, const std::string& context) {
  std::string message = context + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(code));
  int extended = db ? sqlite3_extended_errcode(db) : code;
  DatabaseError::Kind kind = DatabaseError::Kind::kOther;
  if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY)
    kind = DatabaseError::Kind::kUniqueViolation;
  else if (extended == SQLITE_CONSTRAINT_FOREIGNKEY)
    kind = DatabaseError::Kind::kForeignKeyViolation;
  else if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
    kind = DatabaseError::Kind::kBusy;
  return DatabaseError(kind, message);
}

// SQLite's heap (docs/benchmarks.md, "SQLite's heap statistics, session 15"). SQLite's own
// accounting (SQLITE_CONFIG_MEMSTATUS, on in Debian's build) takes a process-wide mutex on
// every allocation and free of every connection: without it, 8 concurrent list and search
// requests got 9-39 % more answers per second at 1M customers, an import 3-4 % less time.
// These methods keep the one number /metrics reports, the bytes SQLite holds, in a relaxed
// atomic instead; each block carries its size in 8 bytes before it, as SQLite's default does.
std::atomic<int64_t> sqlite_heap_bytes{0};
std::atomic<bool> sqlite_heap_counted{false};

void* HeapMalloc(int size) {
  auto* block = static_cast<int64_t*>(std::malloc(static_cast<size_t>(size) + sizeof(int64_t)));
  if (block == nullptr) return nullptr;
  block[0] = size;
  sqlite_heap_bytes.fetch_add(size, std::memory_order_relaxed);
  return block + 1;
}
void HeapFree(void* memory) {
  if (memory == nullptr) return;
  auto* block = static_cast<int64_t*>(memory) - 1;
  sqlite_heap_bytes.fetch_sub(block[0], std::memory_order_relaxed);
  std::free(block);
}
void* HeapRealloc(void* memory, int size) {
  if (memory == nullptr) return HeapMalloc(size);
  auto* block = static_cast<int64_t*>(memory) - 1;
  int64_t before = block[0];
  auto* moved = static_cast<int64_t*>(std::realloc(block, static_cast<size_t>(size) + sizeof(int64_t)));
  if (moved == nullptr) return nullptr;
  moved[0] = size;
  sqlite_heap_bytes.fetch_add(size - before, std::memory_order_relaxed);
  return moved + 1;
}
int HeapSize(void* memory) { return memory ? static_cast<int>(static_cast<int64_t*>(memory)[-1]) : 0; }
int HeapRoundup(int size) { return (size + 7) & ~7; }
int HeapInit(void*) { return SQLITE_OK; }
void HeapShutdown(void*) {}

// Before SQLite's first use in the process (sqlite3_config refuses once it is initialised:
// then SQLite's own accounting stays, and is what /metrics reads).
void ConfigureSqliteHeap() {
  static const bool configured = [] {
    static const sqlite3_mem_methods methods{HeapMalloc,  HeapFree, HeapRealloc,  HeapSize,
                                             HeapRoundup, HeapInit, HeapShutdown, nullptr};
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) != SQLITE_OK) return false;
    if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK) spdlog::warn("SQLite keeps its heap statistics");
    sqlite_heap_counted = true;
    return true;
  }();
  (void)configured;
}

// One SQLite handle and its prepared statements.
struct Handle {
  sqlite3* db = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> statements;

  ~Handle() {
    for (auto& [text, statement] : statements) sqlite3_finalize(statement);
    sqlite3_close(db);
  }
};

// Asks the checkpoint thread for a checkpoint once the WAL is long enough; registered as
// the WAL hook of every handle instead of SQLite's automatic checkpoint.
class Checkpointer;
int OnWalCommit(void* checkpointer, sqlite3*, const char*, int pages);

std::unique_ptr<Handle> OpenHandle(const std::string& path, Checkpointer* checkpointer) {
  ConfigureSqliteHeap();
  auto handle = std::make_unique<Handle>();
  int rc = sqlite3_open_v2(path.c_str(), &handle->db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = handle->db ? sqlite3_errmsg(handle->db) : sqlite3_errstr(rc);
    throw Error(ErrorKind::kUnavailable, "storage.unavailable", "cannot open SQLite database " + path + ": " + message);
  }
  sqlite3_busy_timeout(handle->db, kBusyTimeoutMs);
  char* message = nullptr;
  const char* pragmas =
      "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"
      "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16000;";
  if (sqlite3_exec(handle->db, pragmas, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string detail = message ? message : "unknown error";
    sqlite3_free(message);
    throw Error(ErrorKind::kUnavailable, "storage.unavailable", "cannot set up SQLite database " + path + ": " + detail);
  }
  if (checkpointer) sqlite3_wal_hook(handle->db, OnWalCommit, checkpointer);
  return handle;
}

// Runs WAL checkpoints on its own thread and handle. SQLite's automatic checkpoint runs
// inside the COMMIT that crosses the threshold, i.e. while that writer holds the writers'
// turn: every ~50th check-in of a burst copied 4 MB back and fsynced in its turn (turn p99
// 5–8 ms, the queue behind it waiting). A PASSIVE checkpoint takes no write lock, so here
// it overlaps the next writers instead.
class Checkpointer {
 public:
  explicit Checkpointer(std::string path) : path_(std::move(path)) {}
  ~Checkpointer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

  void Request() {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      requested_ = true;
      if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
    }
    wake_.notify_one();
  }

 private:
  void Run() {
    std::unique_ptr<Handle> handle;
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return requested_ || stopping_; });
      if (stopping_) return;
      requested_ = false;
      lock.unlock();
      try {
        if (!handle) handle = OpenHandle(path_, nullptr);
        int log_pages = 0, copied_pages = 0;
        int rc = sqlite3_wal_checkpoint_v2(handle->db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_pages, &copied_pages);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
          spdlog::warn("SQLite checkpoint of {} failed: {}", path_, sqlite3_errmsg(handle->db));
      } catch (const std::exception& error) {
        spdlog::warn("SQLite checkpoint of {} failed: {}", path_, error.what());
      }
      lock.lock();
    }
  }

  const std::string path_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool requested_ = false;  // guarded by mutex_
  bool stopping_ = false;   // guarded by mutex_
  std::thread thread_;      // started at the first request
};

int OnWalCommit(void* checkpointer, sqlite3*, const char*, int pages) {
  if (pages >= kCheckpointPages) static_cast<Checkpointer*>(checkpointer)->Request();
  return SQLITE_OK;
}

// Group commit (ADR 0011): the write transactions of callers who queued for the writers'
// turn run one after another in ONE SQLite transaction on the writer handle, each inside a
// savepoint of its own (the first one in the transaction itself), and are committed by one
// COMMIT. A caller whose work succeeded releases its savepoint and, when another writer is
// waiting, hands the turn on with the transaction open and waits for the group's COMMIT;
// the last one commits and tells the others. A caller whose work failed rolls back to its
// savepoint (only its own writes) and is answered at once. Nobody is told "committed"
// before the COMMIT: if it fails, every member of the group gets the error (kBusy, so
// Database::InTransaction runs its work once more).
//
// Why: a check-in changes ~25 pages and the pages at the right end of the audit, timeline,
// visit and check-in tables and indexes are the same for all of them; each COMMIT wrote
// every changed page to the WAL (two pwrite calls a page: 17% of the server's threads'
// time in the burst). Members of a group write the shared pages once.
struct CommitGroup {
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;                      // guarded by mutex
  std::optional<DatabaseError> failure;   // guarded by mutex: why the group was not committed
  int members = 0;  // callers whose work is released into the transaction; only the turn holder touches it
};

// What a database's connections share: the writers' queue, the handle the holder of the
// turn writes through, and the checkpoint thread.
struct SharedWriter {
  explicit SharedWriter(const std::string& path) : checkpointer(path) {}
  WriterQueue queue;
  Checkpointer checkpointer;
  // Used only by the connection that holds the queue's turn. All of the server's writes go
  // through it one after another, so its page cache is never invalidated by another
  // writer: a connection's cache is dropped whenever another connection has committed
  // since its last transaction, and a writer that took a pooled connection re-read every
  // page it changed (pread: ~13% of the server's time in a check-in burst).
  std::unique_ptr<Handle> handle;
  // The transaction open on `handle` while its group forms; only the turn holder touches it.
  std::shared_ptr<CommitGroup> open_group;
  // The writer thread (ADR 0015) that runs the process's write transactions and autocommit
  // writes; null when switched off (TUOKE_SQLITE_WRITER_THREAD=0): then every thread runs
  // its own in its turn, as above.
  WriteExecutor* executor = nullptr;
};

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(const std::string& path, int slow_query_ms, SharedWriter* writer)
      : slow_query_ms_(slow_query_ms), writer_(writer), own_(OpenHandle(path, writer ? &writer->checkpointer : nullptr)),
        current_(own_.get()), path_(path) {}

  ~SqliteConnection() override {
    if (group_) Rollback();  // only this caller's writes: the group's others still want their COMMIT
    if (current_ != own_.get() && !sqlite3_get_autocommit(current_->db))
      sqlite3_exec(current_->db, "ROLLBACK", nullptr, nullptr, nullptr);
    LeaveTurn();
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  ResultSet Query(const Sql& sql, const Params& params) override {
    if (ShipsToWriterThread(sql)) {
      ResultSet result;
      writer_->executor->Run([&](Connection& writer) { result = writer.Query(sql, params); },
                             std::chrono::milliseconds(kBusyTimeoutMs));
      return result;
    }
    if (const std::string* plain = PlainInsert(sql)) return InsertReturningId(sql, *plain, params);
    auto started = std::chrono::steady_clock::now();
    StatementTurn turn(*this, sql, params);  // INSERT … RETURNING comes through here too
    sqlite3_stmt* statement = turn.statement();
    ResultSet result;
    int columns = sqlite3_column_count(statement);
    result.columns.reserve(columns);
    for (int i = 0; i < columns; ++i) result.columns.emplace_back(sqlite3_column_name(statement, i));
    for (;;) {
      int rc = sqlite3_step(statement);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        sqlite3_reset(statement);
        throw MakeError(current_->db, rc, std::string("query ") + sql.name);
      }
      std::vector<std::optional<std::string>> cells(columns);
      for (int i = 0; i < columns; ++i) {
        int type = sqlite3_column_type(statement, i);
        if (type == SQLITE_NULL) continue;
        if (type == SQLITE_INTEGER) {
          // Formatting integers here spares SQLite a text conversion and an allocation.
          char digits[24];
          auto [end, error] = std::to_chars(digits, digits + sizeof digits, sqlite3_column_int64(statement, i));
          (void)error;
          cells[i].emplace(digits, end);
          continue;
        }
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, i));
        cells[i].emplace(text, sqlite3_column_bytes(statement, i));
      }
      result.rows.emplace_back(std::move(cells));
    }
    sqlite3_reset(statement);
    Report(sql, started);
    return result;
  }

  int64_t Execute(const Sql& sql, const Params& params) override {
    if (ShipsToWriterThread(sql)) {
      int64_t changed = 0;
      writer_->executor->Run([&](Connection& writer) { changed = writer.Execute(sql, params); },
                             std::chrono::milliseconds(kBusyTimeoutMs));
      return changed;
    }
    return Run(sql, params, nullptr);
  }

  void ExecuteScript(std::string_view script) override { Exec(current_->db, script); }

  // A write transaction holds the turn from before BEGIN IMMEDIATE until COMMIT or
  // ROLLBACK, so BEGIN IMMEDIATE finds the write lock free instead of sleeping for it, and
  // runs on the shared writer handle. With the turn it joins the group whose transaction is
  // open there (a savepoint of its own), or opens one (group commit, see CommitGroup).
  void Begin() override {
    TakeTurn();
    try {
      if (holds_turn_ && writer_->open_group) {
        Control(*current_, kSavepoint);
        group_ = writer_->open_group;
      } else {
        Control(*current_, kBeginImmediate);
        if (holds_turn_) group_ = writer_->open_group = std::make_shared<CommitGroup>();
      }
    } catch (...) {
      if (holds_turn_ && writer_->open_group) FinishGroup();  // the members before still need their COMMIT
      LeaveTurn();
      throw;
    }
  }
  // Without the turn (own handle): a failed COMMIT keeps the transaction open and the
  // caller rolls it back (Database::InTransaction does). In a group: returns once the
  // group is committed; throws when it was not (the work of this caller is not committed).
  void Commit() override {
    if (!group_) {
      Control(*current_, kCommit);
      LeaveTurn();
      return;
    }
    std::shared_ptr<CommitGroup> group = group_;
    if (group->members > 0) Control(*current_, kRelease);  // a failure: the caller rolls back
    ++group->members;
    group_.reset();
    if (group->members < kMaxGroupMembers && writer_->queue.PassIfWaiting()) {
      // The next writer goes on in the same transaction; this one waits for its COMMIT.
      holds_turn_ = false;
      current_ = own_.get();
      std::unique_lock lock(group->mutex);
      group->finished.wait(lock, [&] { return group->done; });
      if (group->failure)
        throw DatabaseError(DatabaseError::Kind::kBusy,
                            std::string("committed with its group, which failed: ") + group->failure->what());
      return;
    }
    std::optional<DatabaseError> failure = FinishGroup();
    LeaveTurn();
    if (failure) throw DatabaseError(DatabaseError::Kind::kBusy, failure->what());
  }
  void Rollback() override {
    if (!group_) {
      if (!sqlite3_get_autocommit(current_->db)) sqlite3_exec(current_->db, "ROLLBACK", nullptr, nullptr, nullptr);
      LeaveTurn();
      return;
    }
    std::shared_ptr<CommitGroup> group = std::move(group_);
    sqlite3* db = current_->db;
    if (group->members == 0) {
      // The transaction holds this caller's writes only.
      if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      writer_->open_group.reset();
      Finished(*group, DatabaseError(DatabaseError::Kind::kOther, "rolled back"));
      LeaveTurn();
      return;
    }
    // Only this caller's writes. If SQLite rolled the whole transaction back itself (an I/O
    // error, a full disk), the released members' writes are gone too: they are told.
    bool undone = !sqlite3_get_autocommit(db) &&
                  sqlite3_exec(db, "ROLLBACK TO tuoke_member; RELEASE tuoke_member", nullptr, nullptr, nullptr) ==
                      SQLITE_OK;
    if (!undone) {
      if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      writer_->open_group.reset();
      Finished(*group, DatabaseError(DatabaseError::Kind::kOther, "the transaction was rolled back by SQLite"));
      LeaveTurn();
      return;
    }
    // The members before still wait: the next writer carries the group on, or it is committed now.
    if (group->members < kMaxGroupMembers && writer_->queue.PassIfWaiting()) {
      holds_turn_ = false;
      current_ = own_.get();
      return;
    }
    FinishGroup();
    LeaveTurn();
  }
  bool Healthy() override { return current_ == own_.get() && sqlite3_get_autocommit(own_->db) != 0; }

  // A transaction on this connection's own handle, without the writers' turn and outside
  // any group (InBulkTransaction): SQLite's write lock alone keeps other writers out.
  // Commit() and Rollback() end it (no group, no turn to leave).
  void BeginOwn() { Control(*own_, kBeginImmediate); }
  // Sets the page cache of the own handle (SQLite's cache_size: pages, or KiB if negative;
  // a smaller size frees the pages beyond it); returns the size it had. Does not throw.
  int SetCacheSize(int size) noexcept {
    // Not from the statement cache: the pragma compiles the size it reads into the statement.
    sqlite3_stmt* statement = nullptr;
    int kept = 0;
    if (sqlite3_prepare_v2(own_->db, "PRAGMA cache_size", -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW)
      kept = sqlite3_column_int(statement, 0);
    sqlite3_finalize(statement);
    sqlite3_exec(own_->db, ("PRAGMA cache_size=" + std::to_string(size)).c_str(), nullptr, nullptr, nullptr);
    return kept;
  }
  // What the own handle's page cache did since the last call (SQLite's counters, reset here).
  std::string TakeCacheCounters() {
    auto take = [&](int op) {
      int current = 0, highwater = 0;
      sqlite3_db_status(own_->db, op, &current, &highwater, 1);
      return current;
    };
    int hit = take(SQLITE_DBSTATUS_CACHE_HIT), miss = take(SQLITE_DBSTATUS_CACHE_MISS);
    int write = take(SQLITE_DBSTATUS_CACHE_WRITE), spill = take(SQLITE_DBSTATUS_CACHE_SPILL);
    int used = take(SQLITE_DBSTATUS_CACHE_USED);
    return "page cache hits " + std::to_string(hit) + ", misses " + std::to_string(miss) + ", pages written " +
           std::to_string(write) + " (spilled before the commit " + std::to_string(spill) + "), cache " +
           std::to_string(used / 1024) + " KiB";
  }

  // The writer thread's work (ADR 0015), on the connection only that thread uses: takes the
  // writers' turn and runs the queued jobs in one transaction per group of up to
  // kMaxGroupMembers, committed when the queue is empty (or the group full) — group commit
  // as above, without handing the turn from thread to thread. The first job of a group runs
  // in the transaction itself, each later one in a savepoint of its own. A job whose work
  // fails is undone (the first by rolling the transaction back, a later one to its
  // savepoint) and answered with its exception at once; the others of its group are
  // answered after the COMMIT, with kBusy if it failed or SQLite rolled the transaction
  // back (InTransaction then runs their work once more). Between groups the turn goes to
  // any thread of the process waiting for it.
  //
  // Why not a savepoint for the first job too (ADR 0015, "Amended"): inside a savepoint SQLite keeps
  // the original of every page the work changes, in memory (temp_store=MEMORY), and each
  // statement's end walks that journal from its start. A lone write of 20,000 customers at
  // 1M took minutes instead of seconds, slower with every batch (docs/benchmarks.md,
  // "The writer thread's savepoint, session 20"). A lone job, the common case, now pays
  // nothing; a job that joins a group pays for its savepoint as before.
  void ServeWrites(WriteExecutor& executor) {
    TakeTurn();  // without it (another thread held it for 10 s): own handle, SQLite's busy handler decides
    if (holds_turn_ && writer_->open_group) FinishGroup();  // a group another thread left open
    for (WriteExecutor::Job* job = executor.Next(); job; job = executor.Next()) {
      try {
        Control(*current_, kBeginImmediate);
      } catch (...) {
        executor.Finish(job, std::current_exception());
        continue;
      }
      sqlite3* db = current_->db;
      std::vector<WriteExecutor::Job*> members;
      bool lost = false;
      bool first_undone = false;
      while (job) {
        bool first = members.empty();
        std::exception_ptr failure;
        try {
          if (!first) Control(*current_, kSavepoint);
          WriteExecutor::WorkOf(job)(*this);
          if (!first) Control(*current_, kRelease);
          members.push_back(job);
        } catch (...) {
          failure = std::current_exception();
        }
        if (failure && first) {
          // The transaction holds this job's writes only: rolled back; the next job opens
          // a new one.
          if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
          executor.Finish(job, failure);
          first_undone = true;
          break;
        }
        if (failure) {
          // Only this job's writes. If SQLite rolled the whole transaction back itself (an I/O
          // error, a full disk) or the savepoint is gone, the members before are lost too.
          lost = sqlite3_get_autocommit(db) ||
                 sqlite3_exec(db, "ROLLBACK TO tuoke_member; RELEASE tuoke_member", nullptr, nullptr, nullptr) !=
                     SQLITE_OK;
          executor.Finish(job, failure);
          if (lost) break;
        }
        job = members.size() < static_cast<size_t>(kMaxGroupMembers) ? executor.Next() : nullptr;
      }
      if (!first_undone) {
        std::exception_ptr outcome;
        if (lost) {
          if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
          outcome = std::make_exception_ptr(
              DatabaseError(DatabaseError::Kind::kBusy, "the transaction of the group was rolled back by SQLite"));
        } else if (int rc = Step(*current_, kCommit); rc != SQLITE_OK) {
          outcome = std::make_exception_ptr(
              DatabaseError(DatabaseError::Kind::kBusy, std::string("committed with its group, which failed: ") +
                                                            MakeError(db, rc, "group commit").what()));
          if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        }
        for (WriteExecutor::Job* member : members) executor.Finish(member, outcome);
      }
      // Another thread of the process writes on its own (a nested or switched-off path):
      // it gets the turn now, the writer thread queues behind it.
      if (holds_turn_ && writer_->queue.Waiting() > 0) {
        LeaveTurn();
        TakeTurn();
      }
    }
    LeaveTurn();
  }

 private:
  // A write outside a transaction goes to the writer thread, which commits it (with its
  // group) before this returns; reads, and writes of the writer thread itself or of a
  // thread holding the turn, run here.
  bool ShipsToWriterThread(const Sql& sql) {
    if (!writer_ || !writer_->executor || holds_turn_ || !sqlite3_get_autocommit(current_->db)) return false;
    if (writer_->executor->OnThisThread() || writer_->queue.HeldByThisThread()) return false;
    return !sqlite3_stmt_readonly(Prepare(*current_, sql));
  }

  static void Exec(sqlite3* db, std::string_view script) {
    std::string text(script);
    char* message = nullptr;
    int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      std::string detail = message ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      throw DatabaseError(rc == SQLITE_BUSY ? DatabaseError::Kind::kBusy : DatabaseError::Kind::kOther,
                          "script failed: " + detail);
    }
  }

  // Execute; `rowid` (if given) receives the rowid of the row the statement inserted, read
  // on the handle it ran on (before an autocommit write leaves the writer handle).
  int64_t Run(const Sql& sql, const Params& params, int64_t* rowid) {
    auto started = std::chrono::steady_clock::now();
    StatementTurn turn(*this, sql, params);
    sqlite3_stmt* statement = turn.statement();
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    }
    sqlite3_reset(statement);
    if (rc != SQLITE_DONE) throw MakeError(current_->db, rc, std::string("statement ") + sql.name);
    Report(sql, started);
    if (rowid) *rowid = sqlite3_last_insert_rowid(current_->db);
    return sqlite3_changes(current_->db);
  }

  // `INSERT INTO t (…) VALUES (…) RETURNING id` of one row, where id is t's INTEGER PRIMARY
  // KEY (the rowid), runs as the plain INSERT and answers the rowid SQLite reports: the same
  // row. SQLite implements RETURNING with an ephemeral table opened, created and closed on
  // every run (a b-tree, a pager and their allocations); in the check-in burst that was a
  // third of each insert's time, inside the writers' turn (session 10). The plain text of
  // such a statement, or null for every other statement; decided once per text and handle
  // from the statement's shape and the table's schema. ADR 0013.
  const std::string* PlainInsert(const Sql& sql) {
    static constexpr std::string_view kSuffix = " RETURNING id";
    std::string_view text = sql.For(Dialect::kSqlite);
    if (text.size() <= kSuffix.size() || text.substr(text.size() - kSuffix.size()) != kSuffix) return nullptr;
    auto found = plain_inserts_.find(std::string(text));
    if (found == plain_inserts_.end())
      found = plain_inserts_.emplace(std::string(text), PlainInsertOf(current_->db, text, kSuffix.size())).first;
    return found->second ? &*found->second : nullptr;
  }
  static std::optional<std::string> PlainInsertOf(sqlite3* db, std::string_view text, size_t suffix) {
    static constexpr std::string_view kInsert = "INSERT INTO ";
    if (text.substr(0, kInsert.size()) != kInsert || text.find("ON CONFLICT") != std::string_view::npos)
      return std::nullopt;
    size_t name_end = text.find_first_of(" (", kInsert.size());
    size_t values = text.find(" VALUES (");
    if (name_end == std::string_view::npos || values == std::string_view::npos) return std::nullopt;
    // One row: the parenthesis after VALUES closes right before " RETURNING id".
    int depth = 0;
    bool quoted = false;
    size_t close = std::string_view::npos;
    for (size_t i = values + 8; i < text.size() && close == std::string_view::npos; ++i) {
      char c = text[i];
      if (c == '\'') quoted = !quoted;
      else if (!quoted && c == '(') ++depth;
      else if (!quoted && c == ')' && --depth == 0) close = i;
    }
    if (close != text.size() - suffix - 1) return std::nullopt;
    // id must be the table's only primary key column, declared INTEGER: the rowid.
    std::string table(text.substr(kInsert.size(), name_end - kInsert.size()));
    sqlite3_stmt* info = nullptr;
    std::string query = "SELECT name, type, pk, (SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1) "
                        "FROM pragma_table_info(?1) WHERE pk > 0";
    if (sqlite3_prepare_v2(db, query.c_str(), -1, &info, nullptr) != SQLITE_OK) return std::nullopt;
    sqlite3_bind_text(info, 1, table.c_str(), -1, SQLITE_TRANSIENT);
    int keys = 0;
    bool rowid_id = false;
    while (sqlite3_step(info) == SQLITE_ROW) {
      ++keys;
      auto column = [&](int i) {
        const auto* value = reinterpret_cast<const char*>(sqlite3_column_text(info, i));
        return std::string(value ? value : "");
      };
      std::string create = column(3);
      for (auto& c : create) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      rowid_id = column(0) == "id" && sqlite3_stricmp(column(1).c_str(), "INTEGER") == 0 &&
                 create.find("WITHOUT ROWID") == std::string::npos;
    }
    sqlite3_finalize(info);
    if (keys != 1 || !rowid_id) return std::nullopt;
    return std::string(text.substr(0, text.size() - suffix));
  }
  ResultSet InsertReturningId(const Sql& sql, const std::string& plain, const Params& params) {
    int64_t rowid = 0;
    int64_t changed = Run(Sql{sql.name, plain.c_str()}, params, &rowid);
    ResultSet result;
    result.columns.emplace_back("id");
    if (changed > 0) {
      char digits[24];
      auto [end, error] = std::to_chars(digits, digits + sizeof digits, rowid);
      (void)error;
      std::vector<std::optional<std::string>> cells(1);
      cells[0].emplace(digits, end);
      result.rows.emplace_back(std::move(cells));
    }
    return result;
  }

  // Runs a statement without parameters or rows (BEGIN, SAVEPOINT, RELEASE, COMMIT) from
  // the handle's cache; fails like Exec.
  int Step(Handle& handle, const Sql& sql) {
    sqlite3_stmt* statement = Prepare(handle, sql);
    int rc = sqlite3_step(statement);
    sqlite3_reset(statement);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
  }
  void Control(Handle& handle, const Sql& sql) {
    int rc = Step(handle, sql);
    if (rc != SQLITE_OK)
      throw DatabaseError(rc == SQLITE_BUSY ? DatabaseError::Kind::kBusy : DatabaseError::Kind::kOther,
                          std::string("script failed: ") + sqlite3_errmsg(handle.db));
  }

  // The statement of `sql` on `handle`, prepared once per handle.
  sqlite3_stmt* Prepare(Handle& handle, const Sql& sql) {
    const char* text = sql.For(Dialect::kSqlite);
    auto found = handle.statements.find(text);
    if (found != handle.statements.end()) return found->second;
    sqlite3_stmt* statement = nullptr;
    int rc = sqlite3_prepare_v3(handle.db, text, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (rc != SQLITE_OK) throw MakeError(handle.db, rc, std::string("prepare ") + sql.name);
    if (handle.statements.size() >= kStatementCacheLimit) {
      for (auto& [cached_text, cached] : handle.statements) sqlite3_finalize(cached);
      handle.statements.clear();
    }
    handle.statements.emplace(text, statement);
    return statement;
  }

  static void Bind(sqlite3_stmt* statement, const Sql& sql, const Params& params) {
    sqlite3_clear_bindings(statement);
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(statement))
      throw DatabaseError(DatabaseError::Kind::kOther, std::string("wrong number of parameters for ") + sql.name);
    for (size_t i = 0; i < params.size(); ++i) {
      int index = static_cast<int>(i) + 1;
      const Value& value = params[i];
      if (std::holds_alternative<std::nullptr_t>(value)) sqlite3_bind_null(statement, index);
      else if (auto* number = std::get_if<int64_t>(&value)) sqlite3_bind_int64(statement, index, *number);
      else if (auto* real = std::get_if<double>(&value)) sqlite3_bind_double(statement, index, *real);
      else {
        // SQLITE_STATIC: `params` outlives every step of the statement (Query and Execute
        // step and reset it before returning, and the next Bind clears the bindings), so
        // SQLite need not copy each text (a 585-row customer insert binds 32,760 values).
        const auto& text_value = std::get<std::string>(value);
        sqlite3_bind_text(statement, index, text_value.data(), static_cast<int>(text_value.size()), SQLITE_STATIC);
      }
    }
  }

  // Commits the open group (the turn holder, on the writer handle) and tells its members.
  // Returns the failure, if any (then everything of the group is rolled back).
  std::optional<DatabaseError> FinishGroup() {
    std::shared_ptr<CommitGroup> group = std::move(writer_->open_group);
    if (!group) return std::nullopt;
    sqlite3* db = writer_->handle->db;
    std::optional<DatabaseError> failure;
    int rc = Step(*writer_->handle, kCommit);
    if (rc != SQLITE_OK) {
      failure = MakeError(db, rc, "group commit");
      if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    Finished(*group, failure);
    return failure;
  }
  static void Finished(CommitGroup& group, std::optional<DatabaseError> failure) {
    {
      std::lock_guard lock(group.mutex);
      group.done = true;
      group.failure = std::move(failure);
    }
    group.finished.notify_all();
  }

  // Takes the writers' turn (if it can) and moves to the shared writer handle.
  void TakeTurn() {
    if (holds_turn_ || !writer_) return;
    holds_turn_ = writer_->queue.Enter(std::chrono::milliseconds(kBusyTimeoutMs)) == WriterQueue::Turn::kTaken;
    if (!holds_turn_) return;  // without the turn: on its own handle, SQLite's busy handler decides
    try {
      if (!writer_->handle) writer_->handle = OpenHandle(path_, &writer_->checkpointer);
    } catch (...) {
      LeaveTurn();
      throw;
    }
    current_ = writer_->handle.get();
  }
  void LeaveTurn() {
    if (!holds_turn_) return;
    current_ = own_.get();
    holds_turn_ = false;
    writer_->queue.Leave();
  }

  // Prepares and binds a statement on the handle it must run on. A writing statement
  // outside a transaction (autocommit, e.g. a session's last-seen time) queues for its own
  // duration like a transaction and runs on the writer handle; reads never queue (WAL
  // readers do not block the writer).
  class StatementTurn {
   public:
    StatementTurn(SqliteConnection& connection, const Sql& sql, const Params& params) : connection_(connection) {
      statement_ = connection.Prepare(*connection.current_, sql);
      if (!connection.holds_turn_ && sqlite3_get_autocommit(connection.current_->db) &&
          !sqlite3_stmt_readonly(statement_)) {
        connection.TakeTurn();
        taken_ = connection.holds_turn_;
        // A write of its own is committed at once: the group left open by the writer before
        // is committed first, so the statement does not become part of it.
        if (taken_ && connection.writer_->open_group) connection.FinishGroup();
        if (taken_) statement_ = connection.Prepare(*connection.current_, sql);
      }
      try {
        Bind(statement_, sql, params);
      } catch (...) {
        if (taken_) connection_.LeaveTurn();
        throw;
      }
    }
    ~StatementTurn() {
      if (taken_) connection_.LeaveTurn();
    }
    StatementTurn(const StatementTurn&) = delete;
    StatementTurn& operator=(const StatementTurn&) = delete;
    sqlite3_stmt* statement() const { return statement_; }

   private:
    SqliteConnection& connection_;
    sqlite3_stmt* statement_ = nullptr;
    bool taken_ = false;
  };

  void Report(const Sql& sql, std::chrono::steady_clock::time_point started) {
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    ReportSlowQuery(sql, ms, slow_query_ms_);
  }

  int slow_query_ms_;
  SharedWriter* writer_;        // the database's, shared by its connections; outlives them
  std::unique_ptr<Handle> own_;
  Handle* current_;             // own_, or the writer handle while this connection holds the turn
  std::string path_;
  bool holds_turn_ = false;     // this connection holds the writers' turn
  std::shared_ptr<CommitGroup> group_;  // the group of this connection's open transaction (with the turn)
  // PlainInsert's decisions by statement text (the plain text, or none).
  std::unordered_map<std::string, std::optional<std::string>> plain_inserts_;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(const DatabaseOptions& options, std::string path)
      : path_(std::move(path)),
        writer_(path_),
        pool_(options.pool_size, [this, slow = options.slow_query_ms] {
          return std::make_unique<SqliteConnection>(path_, slow, &writer_);
        }) {
    // Open one connection now so a bad path fails at start-up, not at first request.
    Release(pool_.Take());
    if (WriterThreadWanted()) {
      executor_ = std::make_unique<WriteExecutor>([this, slow = options.slow_query_ms](WriteExecutor& executor) {
        try {
          if (!writer_connection_) writer_connection_ = std::make_unique<SqliteConnection>(path_, slow, &writer_);
          writer_connection_->ServeWrites(executor);
        } catch (...) {  // the connection could not be opened: every queued caller is told
          while (WriteExecutor::Job* job = executor.Next()) executor.Finish(job, std::current_exception());
        }
      });
      writer_.executor = executor_.get();
    }
  }
  ~SqliteDatabase() override {
    writer_.executor = nullptr;  // connections write on their own from here on
    executor_.reset();           // its thread uses writer_connection_ and the pool
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  size_t WritersWaiting() { return writer_.queue.Waiting() + (executor_ ? executor_->Queued() : 0); }
  // The holder of the writers' turn never waits for a pooled connection: the members of
  // its commit group hold theirs until it finishes (ADR 0011), so it opens one more; so
  // does the writer thread, which callers holding pooled connections wait for (ADR 0015).
  PooledConnection Acquire() override {
    bool writer = writer_.queue.HeldByThisThread() || (executor_ && executor_->OnThisThread());
    return PooledConnection(this, pool_.Take(writer));
  }
  std::string Describe() const override { return "sqlite:" + path_; }
  bool WriterThreadRunning() const { return executor_ != nullptr; }
  bool WritesOnThisThread() { return (executor_ && executor_->OnThisThread()) || writer_.queue.HeldByThisThread(); }

  // On the writer thread (ADR 0015): the work runs there, in the group it is queued into.
  // Nested in a write of this thread (the writer thread's own work, or a thread holding
  // the turn), it runs here as before, like with the writer thread switched off.
  void InTransaction(const std::function<void(Connection&)>& work) override {
    if (!executor_ || executor_->OnThisThread() || writer_.queue.HeldByThisThread()) {
      Database::InTransaction(work);
      return;
    }
    for (int attempt = 0;; ++attempt) {
      try {
        executor_->Run(work, std::chrono::milliseconds(kBusyTimeoutMs));
        return;
      } catch (const DatabaseError& error) {
        if (error.kind() == DatabaseError::Kind::kBusy && attempt == 0) continue;  // as Database::InTransaction
        throw;
      }
    }
  }

 protected:
  void Release(std::unique_ptr<Connection> connection) override { pool_.Give(std::move(connection)); }

 private:
  // TUOKE_SQLITE_WRITER_THREAD=0 switches the writer thread off (diagnostics, A/B runs of
  // docs/benchmarks.md): every thread then writes in its own turn (ADRs 0008, 0011).
  static bool WriterThreadWanted() {
    const char* wanted = std::getenv("TUOKE_SQLITE_WRITER_THREAD");
    return !wanted || std::string_view(wanted) != "0";
  }

  std::string path_;
  SharedWriter writer_;  // declared before the pool: destroyed after its connections
  ConnectionPool pool_;
  std::unique_ptr<SqliteConnection> writer_connection_;  // the writer thread's only
  std::unique_ptr<WriteExecutor> executor_;              // destroyed first (its thread ends)
};

}  // namespace

int64_t SqliteMemoryUsed() {
  return sqlite_heap_counted ? sqlite_heap_bytes.load(std::memory_order_relaxed) : sqlite3_memory_used();
}

int64_t SqliteOwnStatistics() { return sqlite3_memory_used(); }

void InBulkTransaction(Database& database, const std::function<void(Connection&)>& work, int cache_kib) {
  auto* sqlite = dynamic_cast<SqliteDatabase*>(&database);
  // PostgreSQL, or nested in a write of this thread (which holds the lock already).
  if (!sqlite || !sqlite->WriterThreadRunning() || sqlite->WritesOnThisThread()) {
    database.InTransaction(work);
    return;
  }
  for (int attempt = 0;; ++attempt) {  // as Database::InTransaction
    PooledConnection pooled = database.Acquire();
    auto& connection = static_cast<SqliteConnection&>(*pooled);
    // The larger page cache is the transaction's only: the connection goes back to the pool
    // with its own size, and the pages beyond it are freed.
    struct CacheSize {
      SqliteConnection& connection;
      int kept;
      ~CacheSize() {
        if (kept) connection.SetCacheSize(kept);
      }
    } cache{connection, cache_kib > 0 ? connection.SetCacheSize(-cache_kib) : 0};
    connection.TakeCacheCounters();
    connection.BeginOwn();
    try {
      work(connection);
      connection.Commit();
      spdlog::info("bulk transaction: {}", connection.TakeCacheCounters());
      return;
    } catch (const DatabaseError& error) {
      connection.Rollback();
      if (error.kind() == DatabaseError::Kind::kBusy && attempt == 0) continue;
      throw;
    } catch (...) {
      connection.Rollback();
      throw;
    }
  }
}

size_t SqliteWritersWaiting(Database& database) {
  return dynamic_cast<SqliteDatabase&>(database).WritersWaiting();
}

std::unique_ptr<Database> OpenSqlite(const DatabaseOptions& options, const std::string& path) {
  std::filesystem::path file(path);
  if (file.has_parent_path()) {
    std::error_code error;
    std::filesystem::create_directories(file.parent_path(), error);
  }
  return std::make_unique<SqliteDatabase>(options, path);
}

}  // namespace tuoke::storage
