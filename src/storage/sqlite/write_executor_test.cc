// The writer thread's job queue (ADR 0015), without SQLite: jobs run on the executor's
// thread in arrival order, each caller gets its own outcome, and a job nobody claims in time
// is withdrawn without running.
#include "storage/sqlite/write_executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/error.h"
#include "storage/database.h"

namespace tuoke::storage {
namespace {

using namespace std::chrono_literals;

// The connection a job's work is given here; the tests' work never uses it.
class NoConnection final : public Connection {
 public:
  Dialect dialect() const override { return Dialect::kSqlite; }
  ResultSet Query(const Sql&, const Params&) override { throw std::logic_error("unused"); }
  int64_t Execute(const Sql&, const Params&) override { throw std::logic_error("unused"); }
  void ExecuteScript(std::string_view) override { throw std::logic_error("unused"); }
  void Begin() override {}
  void Commit() override {}
  void Rollback() override {}
  bool Healthy() override { return true; }
};

// A `serve` that runs each queued job's work and answers it.
void RunEach(WriteExecutor& executor) {
  NoConnection connection;
  while (WriteExecutor::Job* job = executor.Next()) {
    std::exception_ptr failure;
    try {
      WriteExecutor::WorkOf(job)(connection);
    } catch (...) {
      failure = std::current_exception();
    }
    executor.Finish(job, failure);
  }
}

TEST(WriteExecutorTest, WorkRunsOnTheExecutorsThreadAndExceptionsReachTheCaller) {
  WriteExecutor executor(RunEach);
  std::thread::id ran_on;
  bool on_executor = false;
  executor.Run([&](Connection&) { ran_on = std::this_thread::get_id(), on_executor = executor.OnThisThread(); }, 1s);
  EXPECT_NE(ran_on, std::this_thread::get_id());
  EXPECT_TRUE(on_executor);
  EXPECT_FALSE(executor.OnThisThread());
  try {
    executor.Run([](Connection&) { throw Error(ErrorKind::kConflict, "test.conflict", "taken"); }, 1s);
    FAIL() << "the work's exception reaches the caller";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), "test.conflict");
  }
  EXPECT_THROW(executor.Run([](Connection&) { throw DatabaseError(DatabaseError::Kind::kUniqueViolation, "x"); }, 1s),
               DatabaseError);
  int runs = 0;
  executor.Run([&](Connection&) { ++runs; }, 1s);
  EXPECT_EQ(runs, 1) << "the executor goes on after failures";
}

TEST(WriteExecutorTest, JobsOfManyThreadsRunOneAtATimeInArrivalOrderPerThread) {
  WriteExecutor executor(RunEach);
  std::atomic<int> running{0}, overlaps{0};
  std::vector<std::vector<int>> seen(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i)
        executor.Run(
            [&](Connection&) {
              if (++running > 1) ++overlaps;
              seen[t].push_back(i);  // only the executor's thread writes, one job at a time
              --running;
            },
            5s);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(overlaps, 0);
  for (const auto& order : seen) {
    ASSERT_EQ(order.size(), 200u);
    for (int i = 0; i < 200; ++i) EXPECT_EQ(order[i], i);
  }
  EXPECT_EQ(executor.Queued(), 0u);
}

TEST(WriteExecutorTest, AJobNotClaimedInTimeIsWithdrawnAndNeverRuns) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  WriteExecutor executor(RunEach);
  std::promise<void> first_running;
  auto first = std::async(std::launch::async, [&] {
    executor.Run(
        [&](Connection&) {
          first_running.set_value();
          released.wait();
        },
        5s);
  });
  first_running.get_future().wait();
  bool late_ran = false;
  try {
    executor.Run([&](Connection&) { late_ran = true; }, 50ms);
    FAIL() << "no turn within 50 ms";
  } catch (const DatabaseError& error) {
    EXPECT_EQ(error.kind(), DatabaseError::Kind::kBusy);
  }
  EXPECT_EQ(executor.Queued(), 0u) << "withdrawn";
  release.set_value();
  first.get();
  executor.Run([](Connection&) {}, 1s);
  EXPECT_FALSE(late_ran);
}

TEST(WriteExecutorTest, AClaimedJobIsWaitedForPastTheTimeOut) {
  WriteExecutor executor(RunEach);
  bool finished = false;
  executor.Run(
      [&](Connection&) {
        std::this_thread::sleep_for(100ms);
        finished = true;
      },
      10ms);
  EXPECT_TRUE(finished) << "a job claimed before its time-out refers to the caller's stack: the caller waits";
}

}  // namespace
}  // namespace tuoke::storage
