#include "platform/testing/demo_company_test.h"

#include "platform/demo_seed.h"
#include "storage/migrator.h"

namespace tuoke::platform::testing {

void DemoCompanyTest::SetUp() {
  // The cheapest argon2id parameters: these tests check logic, not hashing cost.
  SetPasswordHashCost({1, 8 * 1024});
  database_ = storage::testing::OpenFreshDatabase(GetParam());
  if (!database_) GTEST_SKIP() << "TUOKE_TEST_PG_URL is not set (make test sets it)";
  storage::Migrate(*database_);
  policies_ = std::make_unique<PolicyService>(*database_, clock_);
  policies_->EnsureDefaults();
  org_ = std::make_unique<OrgService>(*database_, clock_);
  auth_ = std::make_unique<AuthService>(*database_, *policies_, clock_);
  SeedDemo(*org_);
}

void DemoCompanyTest::TearDown() { SetPasswordHashCost({}); }

Caller DemoCompanyTest::SignIn(const std::string& login) {
  auto result = auth_->Login(login, kDemoPassword, context_);
  auto caller = auth_->Authenticate(result.token, SessionKind::kBrowser, context_);
  EXPECT_TRUE(caller);
  return *caller;
}

std::string DemoCompanyTest::ErrorCode(const std::function<void()>& action, Json* details) {
  try {
    action();
  } catch (const Error& error) {
    if (details) *details = error.details();
    return error.code();
  }
  return "no error";
}

std::string BackendTestName(const ::testing::TestParamInfo<storage::testing::TestBackend>& info) {
  return storage::testing::BackendName(info.param);
}

}  // namespace tuoke::platform::testing
