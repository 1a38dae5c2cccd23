// A test fixture with the demo company on a fresh database of each backend, a fake
// clock and the platform services; module tests derive from it. A derived SetUp calls
// DemoCompanyTest::SetUp() first and returns when IsSkipped() (PostgreSQL unavailable).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "core/json_util.h"
#include "core/time.h"
#include "platform/auth.h"
#include "platform/org.h"
#include "platform/policy.h"
#include "storage/testing/test_database.h"

namespace tuoke::platform::testing {

class DemoCompanyTest : public ::testing::TestWithParam<storage::testing::TestBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Signs a demo user in with a browser session and returns the caller.
  Caller SignIn(const std::string& login);
  // The code of the tuoke::Error `action` throws (its details into `details`), or "no error".
  static std::string ErrorCode(const std::function<void()>& action, Json* details = nullptr);

  FakeClock clock_{*ParseInstant("2026-11-22T02:00:00Z")};
  RequestContext context_{"10.0.0.1", "req-1", "test"};
  std::unique_ptr<storage::Database> database_;
  std::unique_ptr<PolicyService> policies_;
  std::unique_ptr<OrgService> org_;
  std::unique_ptr<AuthService> auth_;
};

// Names test instances after their backend ("Sqlite", "Postgres").
std::string BackendTestName(const ::testing::TestParamInfo<storage::testing::TestBackend>& info);

}  // namespace tuoke::platform::testing
