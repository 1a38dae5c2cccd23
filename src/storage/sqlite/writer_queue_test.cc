// The SQLite writer queue (ADR 0008): FIFO turns, time-outs, re-entry, and the SQLite
// connection handing its turn on after commit and rollback.
#include "storage/sqlite/writer_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/migrator.h"
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

class SqliteWriterQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = testing::OpenFreshDatabase(testing::TestBackend::kSqlite);
    Migrate(*database_);
    database_->Acquire()->ExecuteScript("CREATE TABLE scratch (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
  }
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
  int64_t Count() { return database_->Acquire()->QueryOne(Sql{"test.count", "SELECT COUNT(*) FROM scratch"})->Int(0); }

  std::unique_ptr<Database> database_;
  const Sql insert_{"test.insert_name", "INSERT INTO scratch (name) VALUES (?)"};
};

TEST_F(SqliteWriterQueueTest, CommitAndRollbackHandTheTurnOn) {
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

TEST_F(SqliteWriterQueueTest, AWriterWaitsForTheOpenTransactionThenWrites) {
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

}  // namespace
}  // namespace tuoke::storage
