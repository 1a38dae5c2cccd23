// Platform services against both backends, with a fake clock.
#include <gtest/gtest.h>

#include <chrono>

#include "platform/auth.h"
#include "platform/demo_seed.h"
#include "platform/org.h"
#include "platform/policy.h"
#include "storage/migrator.h"
#include "platform/testing/demo_company_test.h"
#include "storage/testing/test_database.h"

namespace tuoke::platform {
namespace {

using storage::testing::TestBackend;
using namespace std::chrono_literals;

class PlatformTest : public testing::DemoCompanyTest {};

TEST_P(PlatformTest, PolicyDefaultsComeFromTheSpec) {
  Date today = *ParseDate("2026-11-22");
  // §10: probation reps develop 2 stores a month, regular reps 4; ±200 CNY per store.
  EXPECT_EQ(policies_->IntOn("performance.quota_stores_probation", today), 2);
  EXPECT_EQ(policies_->IntOn("performance.quota_stores_regular", today), 4);
  EXPECT_EQ(policies_->IntOn("performance.quota_shortfall_fine", today), 20000);
  // §7: first response within 24 hours; §8: 18 callbacks a week; §9: 1‰ = 10 bp.
  EXPECT_EQ(policies_->IntOn("complaints.first_response_hours", today), 24);
  EXPECT_EQ(policies_->IntOn("callbacks.cs_weekly_minimum", today), 18);
  EXPECT_EQ(policies_->IntOn("money.late_handover_fine_bp", today), 10);
  EXPECT_EQ(policies_->ValueOn("callbacks.frequency_by_grade", today)["A1"]["repVisitsPerMonth"], 4);
  EXPECT_EQ(policies_->TimeZone(), "Asia/Shanghai");
}

TEST_P(PlatformTest, PolicyVersionsTakeEffectOnTheirDate) {
  Caller gm = SignIn("gm");
  policies_->AddVersion(gm, "visits.geofence_radius_m", 800, "2027-01-01", "wider for rural areas");
  EXPECT_EQ(policies_->IntOn("visits.geofence_radius_m", *ParseDate("2026-12-31")), 500);
  EXPECT_EQ(policies_->IntOn("visits.geofence_radius_m", *ParseDate("2027-01-01")), 800);
  // A correction with the same effective date supersedes the earlier version.
  policies_->AddVersion(gm, "visits.geofence_radius_m", 700, "2027-01-01", "correction");
  EXPECT_EQ(policies_->IntOn("visits.geofence_radius_m", *ParseDate("2027-03-01")), 700);
  auto versions = policies_->Versions(gm, "visits.geofence_radius_m")["items"];
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[0]["value"], 700);
  EXPECT_EQ(versions[0]["createdByName"], "王总");
}

TEST_P(PlatformTest, PolicyValuesAreValidatedAgainstTheirDefinition) {
  Caller gm = SignIn("gm");
  EXPECT_EQ(ErrorCode([&] { policies_->AddVersion(gm, "visits.geofence_radius_m", "wide", "2027-01-01", ""); }),
            "validation.failed");
  EXPECT_EQ(ErrorCode([&] { policies_->AddVersion(gm, "visits.geofence_radius_m", 10, "2027-01-01", ""); }),
            "validation.failed");
  EXPECT_EQ(ErrorCode([&] { policies_->AddVersion(gm, "customers.grading_rule_set", "xyz", "2027-01-01", ""); }),
            "validation.failed");
  Json table = policies_->ValueOn("callbacks.frequency_by_grade", *ParseDate("2026-11-22"));
  table.erase("C");
  EXPECT_EQ(ErrorCode([&] { policies_->AddVersion(gm, "callbacks.frequency_by_grade", table, "2027-01-01", ""); }),
            "validation.failed");
  EXPECT_EQ(ErrorCode([&] { policies_->AddVersion(gm, "no.such_policy", 1, "2027-01-01", ""); }),
            "policies.not_found");
  Caller manager = SignIn("mgr1");
  EXPECT_EQ(ErrorCode([&] { policies_->AddVersion(manager, "visits.geofence_radius_m", 600, "2027-01-01", ""); }),
            "access.denied");
  EXPECT_EQ(policies_->Versions(gm, "visits.geofence_radius_m")["items"].size(), 1u);
}

TEST_P(PlatformTest, FiveWrongPasswordsLockTheAccountUntilTheLockExpires) {
  for (int attempt = 1; attempt <= 4; ++attempt) {
    try {
      auth_->Login("rep1", "wrong-password-1", context_);
      FAIL();
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), "auth.invalid_credentials");
      EXPECT_EQ(error.details()["remainingAttempts"], 5 - attempt);
    }
  }
  EXPECT_EQ(ErrorCode([&] { auth_->Login("rep1", "wrong-password-1", context_); }), "auth.account_locked");
  // Locked: even the right password is refused …
  EXPECT_EQ(ErrorCode([&] { auth_->Login("rep1", kDemoPassword, context_); }), "auth.account_locked");
  // … until auth.lockout_minutes (15) have passed.
  clock_.Advance(16min);
  EXPECT_NO_THROW(auth_->Login("rep1", kDemoPassword, context_));
}

TEST_P(PlatformTest, SuccessfulLoginResetsTheFailureCount) {
  EXPECT_EQ(ErrorCode([&] { auth_->Login("rep2", "nope-nope-1", context_); }), "auth.invalid_credentials");
  auth_->Login("rep2", kDemoPassword, context_);
  try {
    auth_->Login("rep2", "nope-nope-1", context_);
  } catch (const Error& error) {
    EXPECT_EQ(error.details()["remainingAttempts"], 4);
  }
}

TEST_P(PlatformTest, LoginWorksByPhoneAndUnknownLoginsLookTheSame) {
  EXPECT_NO_THROW(auth_->Login("13800000003", kDemoPassword, context_));  // mgr2
  EXPECT_EQ(ErrorCode([&] { auth_->Login("nobody", kDemoPassword, context_); }), "auth.invalid_credentials");
}

TEST_P(PlatformTest, BrowserSessionsExpireWhenIdle) {
  auto result = auth_->Login("rep1", kDemoPassword, context_);
  clock_.Advance(11h);
  EXPECT_TRUE(auth_->Authenticate(result.token, SessionKind::kBrowser, context_));
  clock_.Advance(11h);  // 11 h since the last use, within the 12 h idle limit
  EXPECT_TRUE(auth_->Authenticate(result.token, SessionKind::kBrowser, context_));
  clock_.Advance(13h);
  EXPECT_FALSE(auth_->Authenticate(result.token, SessionKind::kBrowser, context_));
  // A session token is not an API token and vice versa.
  auto fresh = auth_->Login("rep1", kDemoPassword, context_);
  EXPECT_FALSE(auth_->Authenticate(fresh.token, SessionKind::kApi, context_));
}

TEST_P(PlatformTest, CsrfTokenMustMatchTheSession) {
  auto result = auth_->Login("rep1", kDemoPassword, context_);
  auto caller = *auth_->Authenticate(result.token, SessionKind::kBrowser, context_);
  EXPECT_TRUE(auth_->CheckCsrf(caller, result.csrf_token));
  EXPECT_FALSE(auth_->CheckCsrf(caller, ""));
  EXPECT_FALSE(auth_->CheckCsrf(caller, std::string(result.csrf_token.size(), 'x')));
}

TEST_P(PlatformTest, PasswordChangeEndsOtherSessions) {
  auto first = auth_->Login("rep1", kDemoPassword, context_);
  auto second = auth_->Login("rep1", kDemoPassword, context_);
  Caller caller = *auth_->Authenticate(second.token, SessionKind::kBrowser, context_);
  EXPECT_EQ(ErrorCode([&] { auth_->ChangePassword(caller, kDemoPassword, "short"); }), "validation.failed");
  EXPECT_EQ(ErrorCode([&] { auth_->ChangePassword(caller, "not-the-password1", "Better-pass-2026"); }),
            "validation.failed");
  auth_->ChangePassword(caller, kDemoPassword, "Better-pass-2026");
  EXPECT_FALSE(auth_->Authenticate(first.token, SessionKind::kBrowser, context_));
  EXPECT_TRUE(auth_->Authenticate(second.token, SessionKind::kBrowser, context_));
  EXPECT_NO_THROW(auth_->Login("rep1", "Better-pass-2026", context_));
}

TEST_P(PlatformTest, ApiTokensAuthenticateUntilRevoked) {
  Caller rep = SignIn("rep1");
  Json created = auth_->CreateToken(rep, "crm-sync", 30);
  std::string token = created["token"];
  auto api_caller = auth_->Authenticate(token, SessionKind::kApi, context_);
  ASSERT_TRUE(api_caller);
  EXPECT_EQ(api_caller->user_id, rep.user_id);
  EXPECT_FALSE(api_caller->via_cookie);
  auth_->RevokeToken(rep, *ParseId(created["id"].get<std::string>()));
  EXPECT_FALSE(auth_->Authenticate(token, SessionKind::kApi, context_));
  clock_.Advance(std::chrono::hours(24 * 31));
  Json expired = auth_->CreateToken(rep, "short-lived", 1);
  clock_.Advance(std::chrono::hours(25));
  EXPECT_FALSE(auth_->Authenticate(expired["token"].get<std::string>(), SessionKind::kApi, context_));
}

TEST_P(PlatformTest, TeamScopeCoversTheManagersSubtreeOnly) {
  Caller manager = SignIn("mgr1");
  EXPECT_EQ(manager.ScopeFor("users.read"), Scope::kTeam);
  Json users = Json::parse(org_->ListUsers(manager, UserFilter{}))["items"];
  std::set<std::string> names;
  for (const auto& user : users) names.insert(user["username"]);
  EXPECT_EQ(names, (std::set<std::string>{"mgr1", "rep1", "rep2", "rep3"}));
  int64_t rep4 = *org_->FindUserId("rep4");
  EXPECT_EQ(ErrorCode([&] { org_->GetUser(manager, rep4); }), "users.not_found");
  Caller rep = SignIn("rep1");
  EXPECT_EQ(ErrorCode([&] { org_->ListUsers(rep, UserFilter{}); }), "access.denied");
}

TEST_P(PlatformTest, MovingAUserKeepsHistoryAndChangesScope) {
  Caller gm = SignIn("gm");
  Caller manager = SignIn("mgr1");
  int64_t rep4 = *org_->FindUserId("rep4");
  std::string east_unit = org_->UserJson(*org_->FindUserId("rep1"))["unitId"];
  org_->MoveUser(gm, rep4, {{"unitId", east_unit}, {"note", "transfer"}});
  EXPECT_EQ(Json::parse(org_->GetUser(manager, rep4))["unitName"], "华东一组");
  Json history = org_->UnitHistory(gm, rep4)["items"];
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0]["unitName"], "华东一组");
  EXPECT_TRUE(history[0]["to"].is_null());
  EXPECT_EQ(history[1]["unitName"], "华南组");
  EXPECT_FALSE(history[1]["to"].is_null());
}

TEST_P(PlatformTest, UnitsCannotMoveBelowThemselves) {
  Caller gm = SignIn("gm");
  Json units = org_->ListUnits(gm)["items"];
  std::string sales_id, east_id;
  for (const auto& unit : units) {
    if (unit["name"] == "销售部") sales_id = unit["id"];
    if (unit["name"] == "华东一组") east_id = unit["id"];
  }
  int64_t sales = *ParseId(sales_id);
  EXPECT_EQ(ErrorCode([&] { org_->UpdateUnit(gm, sales, {{"parentId", east_id}}); }), "validation.failed");
  // Moving a department re-roots its whole subtree.
  int64_t office = org_->CreateUnitAs(Actor::System("test"), *org_->RootUnitId(), "北方大区", "department", std::nullopt);
  org_->UpdateUnit(gm, sales, {{"parentId", IdString(office)}});
  Json moved_units = org_->ListUnits(gm)["items"];
  for (const auto& unit : moved_units) {
    if (unit["name"] != "华东一组") continue;
    EXPECT_EQ(unit["path"], "/" + IdString(*org_->RootUnitId()) + "/" + IdString(office) + "/" + sales_id + "/" +
                                   east_id + "/");
  }
}

TEST_P(PlatformTest, ChangesAreAuditedWithFieldsBeforeAndAfter) {
  Caller gm = SignIn("gm");
  int64_t rep1 = *org_->FindUserId("rep1");
  org_->UpdateUser(gm, rep1, {{"name", "张伟（华东）"}, {"employmentStatus", "regular"}});
  AuditService audit(*database_, "Asia/Shanghai");
  AuditFilter filter;
  filter.entity = "user";
  filter.entity_id = IdString(rep1);
  filter.action = "user.update";
  Json items = audit.List(gm, filter)["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["before"], Json({{"name", "张伟"}}));
  EXPECT_EQ(items[0]["after"], Json({{"name", "张伟（华东）"}}));
  EXPECT_EQ(items[0]["ip"], "10.0.0.1");
  EXPECT_EQ(items[0]["requestId"], "req-1");
  EXPECT_EQ(items[0]["actorName"], "王总");
}

TEST_P(PlatformTest, MenusFollowPermissions) {
  Caller rep = SignIn("rep1");
  std::vector<std::string> rep_keys;
  for (const auto& item : MenuFor(rep)) rep_keys.push_back(item["key"]);
  EXPECT_EQ(rep_keys, (std::vector<std::string>{"dashboard", "customers", "pool", "today", "followUps",
                                                  "dailyReport", "visitPlans", "visitApplications",
                                                  "routines", "marketIntel", "summaries", "competitors",
                                                  "approvals", "notifications"}));
  Caller gm = SignIn("gm");
  std::vector<std::string> keys;
  for (const auto& item : MenuFor(gm)) keys.push_back(item["key"]);
  // The general manager holds visits.write (all) too, so the field screens are listed with
  // the managers' views and the settings.
  EXPECT_EQ(keys, (std::vector<std::string>{"dashboard", "customers", "pool", "today", "followUps",
                                              "dailyReport", "visitPlans", "visitApplications", "teamDay",
                                              "teamCalendar", "planProgress", "overdue", "dailyReview",
                                              "routines", "marketIntel", "summaries", "competitors",
                                              "approvals", "notifications",
                                              "units", "users", "roles", "policies", "audit", "webhooks"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, PlatformTest,
                         ::testing::ValuesIn(storage::testing::AllTestBackends()),
                         testing::BackendTestName);

TEST(PasswordTest, StrengthRules) {
  EXPECT_EQ(CheckPasswordStrength("abc12345"), "");
  EXPECT_NE(CheckPasswordStrength("abcdefgh"), "");
  EXPECT_NE(CheckPasswordStrength("12345678"), "");
  EXPECT_NE(CheckPasswordStrength("a1"), "");
}

TEST(PasswordTest, HashesAreArgon2idAndSalted) {
  SetPasswordHashCost({1, 8 * 1024});
  std::string first = HashPassword("tuoke2026");
  std::string second = HashPassword("tuoke2026");
  EXPECT_EQ(first.rfind("$argon2id$", 0), 0u);
  EXPECT_NE(first, second);
  EXPECT_TRUE(VerifyPassword(first, "tuoke2026"));
  EXPECT_FALSE(VerifyPassword(first, "tuoke2027"));
  SetPasswordHashCost({});
}

TEST(ScopeTest, InScopeFollowsThePathPrefix) {
  Caller caller;
  caller.user_id = 7;
  caller.unit_path = "/1/2/";
  EXPECT_TRUE(InScope(caller, Scope::kTeam, 9, "/1/2/5/"));
  EXPECT_FALSE(InScope(caller, Scope::kTeam, 9, "/1/20/"));
  EXPECT_TRUE(InScope(caller, Scope::kOwn, 7, "/9/"));
  EXPECT_FALSE(InScope(caller, Scope::kOwn, 9, "/1/2/"));
  EXPECT_TRUE(InScope(caller, Scope::kAll, 9, "/3/"));
}

}  // namespace
}  // namespace tuoke::platform
