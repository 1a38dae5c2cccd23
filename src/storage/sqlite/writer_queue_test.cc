// The SQLite writer queue (ADR 0008): FIFO turns, time-outs, re-entry, and the SQLite
// connection handing its turn on after commit and rollback.
#include "storage/sqlite/writer_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "storage/migrator.h"
#include "storage/sqlite/scratch_test_fixture.h"
#include "storage/testing/test_database.h"

namespace tuoke::storage {
namespace {

using namespace std::chrono_literals;

// Waits (bounded) until `count` threads queue behind the holder.
void AwaitWaiting(WriterQueue& queue, size_t count) {
  for (int i = 0; i < 5000 && queue.Waiting() < count; ++i) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(queue.Waiting(), count);
}

TEST(WriterQueueTest, TurnsAreGrantedInArrivalOrder) {
  WriterQueue queue;
  ASSERT_EQ(queue.Enter(1s), WriterQueue::Turn::kTaken);
  std::mutex order_mutex;
  std::vector<int> order;
  std::vector<std::thread> writers;
  for (int i = 1; i <= 5; ++i) {
    writers.emplace_back([&, i] {
      EXPECT_EQ(queue.Enter(10s), WriterQueue::Turn::kTaken);
      {
        std::lock_guard lock(order_mutex);
        order.push_back(i);
      }
      queue.Leave();
    });
    // Writer i is in line before writer i + 1 arrives.
    AwaitWaiting(queue, static_cast<size_t>(i));
  }
  queue.Leave();
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(queue.Waiting(), 0u);
  EXPECT_EQ(queue.Enter(0ms), WriterQueue::Turn::kTaken) << "the turn is free again";
  queue.Leave();
}

TEST(WriterQueueTest, AWaiterThatTimesOutLeavesTheLine) {
  WriterQueue queue;
  ASSERT_EQ(queue.Enter(1s), WriterQueue::Turn::kTaken);
  auto late = std::async(std::launch::async, [&] { return queue.Enter(20ms); });
  EXPECT_EQ(late.get(), WriterQueue::Turn::kTimedOut);
  EXPECT_EQ(queue.Waiting(), 0u);
  auto next = std::async(std::launch::async, [&] {
    auto turn = queue.Enter(10s);
    if (turn == WriterQueue::Turn::kTaken) queue.Leave();
    return turn;
  });
  AwaitWaiting(queue, 1);
  queue.Leave();
  EXPECT_EQ(next.get(), WriterQueue::Turn::kTaken) << "the turn skips the waiter that gave up";
}

TEST(WriterQueueTest, TheHoldingThreadIsNotMadeToWaitForItself) {
  WriterQueue queue;
  ASSERT_EQ(queue.Enter(1s), WriterQueue::Turn::kTaken);
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(queue.Enter(5s), WriterQueue::Turn::kAlreadyHeld);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  queue.Leave();
  EXPECT_EQ(queue.Enter(0ms), WriterQueue::Turn::kTaken);
  queue.Leave();
}

// Every test below runs twice: with the writer thread that runs the process's writes
// (ADR 0015, the default) and with it switched off (each thread writing in its own turn).
class SqliteWriterQueueTest : public testing::SqliteScratchTest {
 protected:
  // An autocommit write from another thread; its duration. Were the turn still held by a
  // finished transaction, it would wait the queue's 10 s time-out.
  std::chrono::milliseconds TimedWriteFromAnotherThread(const std::string& name) {
    return std::async(std::launch::async, [&] {
             auto started = std::chrono::steady_clock::now();
             database_->Acquire()->Execute(insert_, {name});
             return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
           })
        .get();
  }
  void AwaitWritersWaiting(size_t count) {
    for (int i = 0; i < 5000 && SqliteWritersWaiting(*database_) < count; ++i) std::this_thread::sleep_for(1ms);
    ASSERT_EQ(SqliteWritersWaiting(*database_), count);
  }

};

TEST_P(SqliteWriterQueueTest, CommitAndRollbackHandTheTurnOn) {
  database_->InTransaction([&](Connection& connection) { connection.Execute(insert_, {std::string("a")}); });
  EXPECT_LT(TimedWriteFromAnotherThread("b"), 2000ms);
  EXPECT_THROW(database_->InTransaction([&](Connection& connection) {
    connection.Execute(insert_, {std::string("c")});
    throw std::runtime_error("changed my mind");
  }),
               std::runtime_error);
  EXPECT_LT(TimedWriteFromAnotherThread("d"), 2000ms);
  // A failing statement (unique violation) inside the transaction.
  EXPECT_THROW(database_->InTransaction([&](Connection& connection) { connection.Execute(insert_, {std::string("a")}); }),
               DatabaseError);
  EXPECT_LT(TimedWriteFromAnotherThread("e"), 2000ms);
  // A failing autocommit write.
  EXPECT_THROW(database_->Acquire()->Execute(insert_, {std::string("a")}), DatabaseError);
  EXPECT_LT(TimedWriteFromAnotherThread("f"), 2000ms);
  EXPECT_EQ(Count(), 5);  // a, b, d, e, f: not the rolled-back c nor the second a
}

TEST_P(SqliteWriterQueueTest, AWriterWaitsForTheOpenTransactionThenWrites) {
  std::promise<void> inside, release;
  auto holder = std::async(std::launch::async, [&] {
    database_->InTransaction([&](Connection& connection) {
      connection.Execute(insert_, {std::string("first")});
      inside.set_value();
      release.get_future().wait();
    });
  });
  inside.get_future().wait();
  std::atomic<bool> written{false};
  auto writer = std::async(std::launch::async, [&] {
    database_->Acquire()->Execute(insert_, {std::string("second")});
    written = true;
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(written) << "the second writer waits for the open transaction";
  release.set_value();
  holder.get();
  writer.get();
  EXPECT_TRUE(written);
  auto rows = database_->Acquire()->Query(Sql{"test.names", "SELECT name FROM scratch ORDER BY id"});
  ASSERT_EQ(rows.rows.size(), 2u);
  EXPECT_EQ(rows.rows[0].Text(0), "first");
  EXPECT_EQ(rows.rows[1].Text(0), "second");
}

// The holder of the turn writes through the database's shared writer handle: transactions
// of many threads, interleaved with autocommit writes and rollbacks, each see their own
// writes inside the transaction, and every committed row (no rolled-back one) is there.
TEST_P(SqliteWriterQueueTest, WritersOfManyThreadsSeeTheirOwnWritesAndCommitAll) {
  const Sql insert_returning{"test.insert_returning", "INSERT INTO scratch (name) VALUES (?) RETURNING id"};
  const Sql name_of{"test.name_of", "SELECT name FROM scratch WHERE id = ?"};
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
        database_->InTransaction([&](Connection& connection) {
          int64_t id = connection.QueryOne(insert_returning, {name})->Int(0);
          auto row = connection.QueryOne(name_of, {id});
          if (!row || row->Text(0) != name) ++mismatches;
        });
        // Committed: visible on whatever connection reads next.
        auto row = database_->Acquire()->QueryOne(Sql{"test.by_name", "SELECT COUNT(*) FROM scratch WHERE name = ?"},
                                                  {name});
        if (row->Int(0) != 1) ++mismatches;
        database_->Acquire()->Execute(insert_, {name + "-auto"});
        try {
          database_->InTransaction([&](Connection& connection) {
            connection.Execute(insert_, {name + "-rolled-back"});
            throw std::runtime_error("roll back");
          });
        } catch (const std::runtime_error&) {
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(Count(), 4 * 40 * 2);
  EXPECT_EQ(database_->Acquire()
                ->QueryOne(Sql{"test.rolled_back", "SELECT COUNT(*) FROM scratch WHERE name LIKE '%-rolled-back'"})
                ->Int(0),
            0);
}

// Group commit (ADR 0011). Writer A's transaction is open (its work waits) while B and C
// queue for the turn; A's work then ends. A hands the turn on with the transaction open and
// is not told "committed" until the group's COMMIT: B's work runs while A's row is still
// invisible to other connections and A has not returned. C's work fails: only C's row is
// rolled back; A's and B's are committed, and every caller gets its own outcome.
TEST_P(SqliteWriterQueueTest, WritersCommitTogetherAndAFailingOneUndoesOnlyItsOwnWrites) {
  const Sql count_of{"test.count_of", "SELECT COUNT(*) FROM scratch WHERE name = ?"};
  auto visible = [&](const std::string& name) {
    return std::async(std::launch::async, [&] { return database_->Acquire()->QueryOne(count_of, {name})->Int(0); })
        .get();
  };
  std::promise<void> a_inside, a_release;
  std::atomic<bool> a_returned{false};
  std::atomic<int64_t> a_seen_by_others_during_b{-1};
  std::atomic<bool> a_returned_during_b{true};
  auto a = std::async(std::launch::async, [&] {
    database_->InTransaction([&](Connection& connection) {
      connection.Execute(insert_, {std::string("a")});
      a_inside.set_value();
      a_release.get_future().wait();
    });
    a_returned = true;
  });
  a_inside.get_future().wait();
  auto b = std::async(std::launch::async, [&] {
    database_->InTransaction([&](Connection& connection) {
      connection.Execute(insert_, {std::string("b")});
      a_seen_by_others_during_b = visible("a");
      a_returned_during_b = a_returned.load();
    });
  });
  AwaitWritersWaiting(1);
  auto c = std::async(std::launch::async, [&] {
    database_->InTransaction([&](Connection& connection) {
      connection.Execute(insert_, {std::string("c")});
      // B's row is there in C's transaction (they share it) …
      EXPECT_EQ(connection.QueryOne(count_of, {std::string("b")})->Int(0), 1);
      connection.Execute(insert_, {std::string("a")});  // … and A's: a unique violation
    });
  });
  AwaitWritersWaiting(2);
  a_release.set_value();
  EXPECT_NO_THROW(a.get());
  EXPECT_NO_THROW(b.get());
  EXPECT_THROW(c.get(), DatabaseError);
  EXPECT_EQ(a_seen_by_others_during_b, 0) << "A is not committed before the group is";
  EXPECT_FALSE(a_returned_during_b) << "A is not told before the group's COMMIT";
  EXPECT_EQ(visible("a"), 1);
  EXPECT_EQ(visible("b"), 1);
  EXPECT_EQ(visible("c"), 0) << "C's own write is rolled back";
  EXPECT_LT(TimedWriteFromAnotherThread("after"), 2000ms) << "the turn is free again";
  EXPECT_EQ(Count(), 3);
}

// When the group's transaction is lost (here: a member's work ends it behind the storage
// layer's back, as SQLite does itself after an I/O error or a full disk), the members that
// had released their work are not told "committed": they get kBusy, and InTransaction runs
// their work once more, in a new transaction. Every row ends up there exactly once.
TEST_P(SqliteWriterQueueTest, AMemberWhoseGroupIsLostRunsItsWorkAgain) {
  std::promise<void> a_inside, a_release;
  std::atomic<int> a_runs{0};
  auto a = std::async(std::launch::async, [&] {
    database_->InTransaction([&](Connection& connection) {
      connection.Execute(insert_, {std::string("a")});
      if (++a_runs == 1) {
        a_inside.set_value();
        a_release.get_future().wait();
      }
    });
  });
  a_inside.get_future().wait();
  auto b = std::async(std::launch::async, [&] {
    database_->InTransaction([&](Connection& connection) {
      connection.Execute(insert_, {std::string("b")});
      connection.ExecuteScript("ROLLBACK");  // the whole transaction, A's row with it
      throw std::runtime_error("lost");
    });
  });
  AwaitWritersWaiting(1);
  a_release.set_value();
  EXPECT_NO_THROW(a.get());
  EXPECT_THROW(b.get(), std::runtime_error);
  EXPECT_EQ(a_runs, 2) << "A's work ran again after its group was lost";
  auto rows = database_->Acquire()->Query(Sql{"test.names", "SELECT name FROM scratch ORDER BY id"});
  ASSERT_EQ(rows.rows.size(), 1u);
  EXPECT_EQ(rows.rows[0].Text(0), "a");
  EXPECT_LT(TimedWriteFromAnotherThread("after"), 2000ms);
}

// Whether a work runs inside a savepoint of its group, asked at the work's start: rolling
// back to the group's savepoint fails when there is none, and when there is one it undoes
// nothing yet and keeps it.
bool InGroupSavepoint(Connection& connection) {
  try {
    connection.ExecuteScript("ROLLBACK TO tuoke_member");
    return true;
  } catch (const DatabaseError&) {
    return false;
  }
}

// ADR 0015 ("Amended"): the first work of a transaction runs in the transaction itself, a later
// member of its group in a savepoint of its own (inside one, SQLite keeps the original of
// each page the work changes, and a lone write of 20,000 customers took minutes). A failing
// first work is rolled back whole and the next write opens a new transaction; a failing
// later member undoes only its own writes.
TEST_P(SqliteWriterQueueTest, OnlyALaterMemberOfAGroupRunsInASavepoint) {
  bool lone_in_savepoint = true;
  database_->InTransaction([&](Connection& connection) {
    lone_in_savepoint = InGroupSavepoint(connection);
    connection.Execute(insert_, {std::string("lone")});
  });
  EXPECT_FALSE(lone_in_savepoint);
  EXPECT_THROW(database_->InTransaction([&](Connection& connection) {
    connection.Execute(insert_, {std::string("failed")});
    throw std::runtime_error("changed my mind");
  }),
               std::runtime_error);

  std::promise<void> a_inside, a_release;
  std::atomic<bool> a_in_savepoint{true}, b_in_savepoint{false};
  auto a = std::async(std::launch::async, [&] {
    database_->InTransaction([&](Connection& connection) {
      a_in_savepoint = InGroupSavepoint(connection);
      connection.Execute(insert_, {std::string("a")});
      a_inside.set_value();
      a_release.get_future().wait();
    });
  });
  a_inside.get_future().wait();
  auto b = std::async(std::launch::async, [&] {
    database_->InTransaction([&](Connection& connection) {
      b_in_savepoint = InGroupSavepoint(connection);
      connection.Execute(insert_, {std::string("b")});
      throw std::runtime_error("b changed its mind");
    });
  });
  AwaitWritersWaiting(1);
  a_release.set_value();
  EXPECT_NO_THROW(a.get());
  EXPECT_THROW(b.get(), std::runtime_error);
  EXPECT_FALSE(a_in_savepoint) << "the group's first member";
  EXPECT_TRUE(b_in_savepoint) << "a later member";
  auto rows = database_->Acquire()->Query(Sql{"test.names", "SELECT name FROM scratch ORDER BY id"});
  std::vector<std::string> names;
  for (const auto& row : rows.rows) names.push_back(row.Text(0));
  EXPECT_EQ(names, (std::vector<std::string>{"lone", "a"}));
  EXPECT_LT(TimedWriteFromAnotherThread("after"), 2000ms) << "the turn is free again";
}

// With the writer thread on, a transaction's work runs there, not on the caller's thread;
// switched off, on the caller's. Either way a failing work's exception reaches the caller
// as it was thrown (kind and code), and its writes are gone.
TEST_P(SqliteWriterQueueTest, AWorkRunsOnTheWriterThreadAndItsErrorsReachTheCallerAsThrown) {
  std::thread::id ran_on;
  database_->InTransaction([&](Connection& connection) {
    connection.Execute(insert_, {std::string("a")});
    ran_on = std::this_thread::get_id();
  });
  EXPECT_EQ(ran_on != std::this_thread::get_id(), GetParam());
  try {
    database_->InTransaction([&](Connection& connection) {
      connection.Execute(insert_, {std::string("b")});
      throw Error(ErrorKind::kConflict, "test.taken", "already taken");
    });
    FAIL() << "the work's error reaches the caller";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kConflict);
    EXPECT_EQ(error.code(), "test.taken");
  }
  try {
    database_->InTransaction([&](Connection& connection) { connection.Execute(insert_, {std::string("a")}); });
    FAIL() << "a unique violation reaches the caller";
  } catch (const DatabaseError& error) {
    EXPECT_EQ(error.kind(), DatabaseError::Kind::kUniqueViolation);
  }
  EXPECT_EQ(Count(), 1);
}

// The writer thread never waits for a pooled connection: callers that hold every pooled
// connection while they write (a read, then a write, in one request) are served, and the
// work may read on a pooled connection of its own.
TEST_P(SqliteWriterQueueTest, CallersHoldingEveryPooledConnectionStillWrite) {
  if (!GetParam()) GTEST_SKIP() << "without the writer thread a transaction takes a pooled connection itself";
  std::vector<PooledConnection> held;
  for (int i = 0; i < 4; ++i) held.push_back(database_->Acquire());  // the test pool's size
  auto written = std::async(std::launch::async, [&] {
    database_->InTransaction([&](Connection& connection) {
      connection.Execute(insert_, {std::string("a")});
      database_->Acquire()->QueryOne(Sql{"test.count", "SELECT COUNT(*) FROM scratch"});
    });
    held.front()->Execute(insert_, {std::string("b")});  // an autocommit write on a held connection
  });
  ASSERT_EQ(written.wait_for(5s), std::future_status::ready) << "the writes waited for a pooled connection";
  written.get();
  EXPECT_EQ(held.back()->QueryOne(Sql{"test.count", "SELECT COUNT(*) FROM scratch"})->Int(0), 2);
}

INSTANTIATE_TEST_SUITE_P(WriterThread, SqliteWriterQueueTest, ::testing::Bool(),
                         testing::WriterThreadName);

// WAL checkpoints run on the database's checkpoint thread, not inside the commit of the
// writer that crosses the threshold: the writes land in the main file without any
// connection of the test checkpointing, and no commit waits for it.
TEST(SqliteCheckpointTest, TheWalIsCopiedIntoTheDatabaseInTheBackground) {
  auto directory = std::filesystem::temp_directory_path() /
                   ("tuoke-checkpoint-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::filesystem::create_directories(directory);
  std::string path = (directory / "test.db").string();
  {
    DatabaseOptions options;
    options.url = "sqlite:" + path;
    auto database = Database::Open(options);
    database->Acquire()->ExecuteScript("CREATE TABLE payload (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    auto main_file_size = [&] { return std::filesystem::file_size(path); };
    auto before = main_file_size();
    // ~8 MB in 40 transactions: about 2,000 WAL pages of 4 KB, twice the threshold.
    const Sql insert{"test.payload", "INSERT INTO payload (data) VALUES (zeroblob(?))"};
    for (int i = 0; i < 40; ++i)
      database->InTransaction([&](Connection& connection) {
        for (int j = 0; j < 4; ++j) connection.Execute(insert, {int64_t{50000}});
      });
    for (int i = 0; i < 500 && main_file_size() < before + 4'000'000; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_GE(main_file_size(), before + 4'000'000) << "the checkpoint thread copied the WAL into the database";
    EXPECT_EQ(database->Acquire()->QueryOne(Sql{"test.payloads", "SELECT COUNT(*) FROM payload"})->Int(0), 160);
  }
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace tuoke::storage
