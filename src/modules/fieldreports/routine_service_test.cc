// Routine checklists on both backends: the seeded templates of seed 001 §1, assignments
// by user, unit and role within scopes, lazy instances per period, checks and completion.
#include "modules/fieldreports/routine_service.h"

#include <gtest/gtest.h>

#include "platform/testing/demo_company_test.h"
#include "storage/testing/test_database.h"

namespace tuoke::fieldreports {
namespace {

using platform::Caller;

Date D(const char* text) { return *ParseDate(text); }

class RoutineServiceTest : public platform::testing::DemoCompanyTest {
 protected:
  void SetUp() override {
    DemoCompanyTest::SetUp();
    if (IsSkipped()) return;
    routines_ = std::make_unique<RoutineService>(*database_, *policies_, clock_);
  }
  void At(const char* instant) { clock_.Set(*ParseInstant(instant)); }
  std::string TemplateId(const Caller& caller, const std::string& period) {
    Json templates = routines_->ListTemplates(caller);
    for (const auto& item : templates["items"])
      if (item["period"] == period) return item["id"];
    return "";
  }
  int64_t UnitId(const std::string& name) {
    const storage::Sql query{"test.unit", "SELECT id FROM org_units WHERE name = ?"};
    return database_->Acquire()->QueryOne(query, {name})->Int(0);
  }
  const Json* Checklist(const Json& mine, const std::string& period) {
    for (const auto& item : mine["items"])
      if (item["period"] == period) return &item;
    return nullptr;
  }

  std::unique_ptr<RoutineService> routines_;
};

TEST_P(RoutineServiceTest, TheSeedListsAreTheDefaultTemplates) {
  Caller gm = SignIn("gm");
  Json templates = routines_->ListTemplates(gm)["items"];
  ASSERT_EQ(templates.size(), 6u);
  std::map<std::string, size_t> sizes;
  for (const auto& item : templates) {
    sizes[item["period"]] = item["items"].size();
    EXPECT_TRUE(item["builtIn"].get<bool>());
  }
  // §11: 27 daily, 19 weekly, 17 monthly, 12 quarterly, 12 half-yearly, 12 yearly.
  EXPECT_EQ(sizes, (std::map<std::string, size_t>{{"daily", 27}, {"weekly", 19}, {"monthly", 17},
                                                   {"quarterly", 12}, {"half_yearly", 12}, {"yearly", 12}}));
  EXPECT_EQ(templates[0]["name"], "每日必做");
  EXPECT_EQ(templates[0]["items"][0], "早上用十分钟鼓舞自己,增强自信");
  EXPECT_EQ(templates[0]["items"][26], "睡前二十分钟,找出当天工作中的不足");
  EXPECT_EQ(templates[2]["items"][4], "系统分析一次客户资料及竞争对手");
  EXPECT_EQ(ErrorCode([&] { routines_->ListTemplates(SignIn("rep1")); }), "access.denied");
}

TEST_P(RoutineServiceTest, RepsGetOneChecklistPerPeriodAndCheckItsItems) {
  Caller gm = SignIn("gm"), rep1 = SignIn("rep1"), rep4 = SignIn("rep4"), mgr1 = SignIn("mgr1");
  std::string daily = TemplateId(gm, "daily"), quarterly = TemplateId(gm, "quarterly");
  routines_->CreateAssignment(gm, {{"templateId", daily}, {"role", "rep"}});
  routines_->CreateAssignment(gm, {{"templateId", quarterly}, {"unitId", IdString(UnitId("华东一组"))}});
  EXPECT_EQ(ErrorCode([&] { routines_->CreateAssignment(gm, {{"templateId", daily}, {"role", "rep"}}); }),
            "routines.already_assigned");

  At("2026-11-22T15:59:00Z");  // 23:59 on Sunday the 22nd in Shanghai
  Json mine = routines_->Mine(rep1, std::nullopt);
  ASSERT_EQ(mine["items"].size(), 2u);
  const Json* day = Checklist(mine, "daily");
  ASSERT_TRUE(day);
  EXPECT_EQ((*day)["periodStart"], "2026-11-22");
  EXPECT_EQ((*day)["total"], 27);
  EXPECT_EQ((*Checklist(mine, "quarterly"))["periodStart"], "2026-10-01");
  EXPECT_EQ((*Checklist(mine, "quarterly"))["periodEnd"], "2026-12-31");
  // Seen twice, created once.
  EXPECT_EQ(routines_->Mine(rep1, std::nullopt)["items"][0]["id"], (*day)["id"]);
  // rep4 is a rep but not in 华东一组.
  EXPECT_EQ(routines_->Mine(rep4, std::nullopt)["items"].size(), 1u);
  // mgr1 is no rep, but works in 华东一组: the unit's quarterly list reaches them.
  EXPECT_EQ(routines_->Mine(mgr1, std::nullopt)["items"].size(), 1u);

  int64_t first_item = *ParseId((*day)["items"][0]["id"].get<std::string>());
  Json checked = routines_->Check(rep1, first_item, {{"checked", true}, {"note", "晨会 8:30"}});
  EXPECT_EQ(checked["checked"], 1);
  EXPECT_EQ(checked["items"][0]["note"], "晨会 8:30");
  EXPECT_EQ(ErrorCode([&] { routines_->Check(rep4, first_item, {{"checked", true}}); }), "routines.item_not_found");
  EXPECT_EQ(ErrorCode([&] { routines_->Check(rep1, first_item, {{"note", "x"}}); }), "validation.failed");

  // R-ROUTINE-3, 5: at midnight a new day's list opens, and yesterday's is closed.
  At("2026-11-22T16:00:00Z");
  Json monday = routines_->Mine(rep1, std::nullopt);
  EXPECT_EQ((*Checklist(monday, "daily"))["periodStart"], "2026-11-23");
  EXPECT_EQ((*Checklist(monday, "daily"))["checked"], 0);
  EXPECT_EQ(ErrorCode([&] { routines_->Check(rep1, first_item, {{"checked", false}}); }), "routines.period_closed");
  // The past is readable, the future is not.
  Json sunday = routines_->Mine(rep1, D("2026-11-22"));
  EXPECT_EQ((*Checklist(sunday, "daily"))["checked"], 1);
  EXPECT_FALSE((*Checklist(sunday, "daily"))["current"].get<bool>());
  EXPECT_EQ(ErrorCode([&] { routines_->Mine(rep1, D("2026-11-24")); }), "validation.failed");
}

TEST_P(RoutineServiceTest, TemplateEditsApplyFromTheNextPeriod) {
  Caller gm = SignIn("gm"), rep1 = SignIn("rep1"), mgr1 = SignIn("mgr1");
  std::string weekly = TemplateId(gm, "weekly");
  routines_->CreateAssignment(gm, {{"templateId", weekly}, {"userId", IdString(rep1.user_id)}});
  At("2026-11-20T02:00:00Z");
  EXPECT_EQ(routines_->Mine(rep1, std::nullopt)["items"][0]["total"], 19);
  Json edited = routines_->UpdateTemplate(gm, *ParseId(weekly), {{"items", {"参加周例会", "核销本周费用"}}});
  EXPECT_EQ(edited["items"].size(), 2u);
  EXPECT_EQ(routines_->Mine(rep1, std::nullopt)["items"][0]["total"], 19);  // this week's copy stands
  At("2026-11-23T02:00:00Z");
  EXPECT_EQ(routines_->Mine(rep1, std::nullopt)["items"][0]["total"], 2);
  // R-ROUTINE-1: templates are company-wide; a team manager cannot edit them.
  EXPECT_EQ(ErrorCode([&] { routines_->UpdateTemplate(mgr1, *ParseId(weekly), {{"name", "x"}}); }), "access.denied");
  EXPECT_EQ(ErrorCode([&] { routines_->UpdateTemplate(gm, *ParseId(weekly), {{"items", Json::array()}}); }),
            "validation.failed");
  Json created = routines_->CreateTemplate(gm, {{"period", "monthly"}, {"name", "月度客户回顾"}, {"items", {"回访A类客户"}}});
  EXPECT_FALSE(created["builtIn"].get<bool>());
  EXPECT_EQ(ErrorCode([&] { routines_->CreateTemplate(gm, {{"period", "hourly"}, {"name", "x"}, {"items", {"x"}}}); }),
            "validation.failed");
  // Deactivated templates leave the checklists.
  routines_->UpdateTemplate(gm, *ParseId(weekly), {{"active", false}});
  EXPECT_EQ(routines_->Mine(rep1, std::nullopt)["items"].size(), 0u);
}

TEST_P(RoutineServiceTest, ManagersAssignWithinTheirTeamAndSeeCompletion) {
  Caller gm = SignIn("gm"), mgr1 = SignIn("mgr1"), mgr2 = SignIn("mgr2");
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2"), rep4 = SignIn("rep4");
  std::string daily = TemplateId(gm, "daily");
  // R-ROUTINE-2: team scope: users and units of the subtree only; role-wide needs all.
  EXPECT_EQ(ErrorCode([&] { routines_->CreateAssignment(mgr1, {{"templateId", daily}, {"role", "rep"}}); }),
            "access.denied");
  EXPECT_EQ(ErrorCode([&] {
              routines_->CreateAssignment(mgr1, {{"templateId", daily}, {"userId", IdString(rep4.user_id)}});
            }),
            "users.not_found");
  EXPECT_EQ(ErrorCode([&] {
              routines_->CreateAssignment(mgr1, {{"templateId", daily}, {"unitId", IdString(UnitId("华南组"))}});
            }),
            "access.denied");
  Json assignment = routines_->CreateAssignment(
      mgr1, {{"templateId", daily}, {"unitId", IdString(UnitId("华东一组"))}, {"role", "rep"}});
  routines_->CreateAssignment(mgr2, {{"templateId", daily}, {"userId", IdString(rep4.user_id)}});
  EXPECT_EQ(routines_->ListAssignments(mgr1, std::nullopt)["items"].size(), 1u);
  EXPECT_EQ(routines_->ListAssignments(gm, std::nullopt)["items"].size(), 2u);
  EXPECT_EQ(ErrorCode([&] { routines_->DeleteAssignment(mgr2, *ParseId(assignment["id"].get<std::string>())); }),
            "routines.assignment_not_found");

  At("2026-11-20T02:00:00Z");
  Json mine = routines_->Mine(rep1, std::nullopt);
  for (int i = 0; i < 3; ++i)
    routines_->Check(rep1, *ParseId(mine["items"][0]["items"][i]["id"].get<std::string>()), {{"checked", true}});
  Json completion = routines_->Completion(mgr1, Period::kDay, std::nullopt, std::nullopt, 50, std::nullopt);
  ASSERT_EQ(completion["items"].size(), 3u);  // rep1, rep2, rep3: the managers themselves are not reps
  EXPECT_EQ(completion["items"][0]["userName"], "张伟");
  EXPECT_EQ(completion["items"][0]["checked"], 3);
  EXPECT_EQ(completion["items"][0]["total"], 27);
  EXPECT_EQ(completion["items"][0]["percent"], 11);
  EXPECT_EQ(completion["items"][1]["userName"], "王芳");
  EXPECT_FALSE(completion["items"][1]["checklists"][0]["opened"].get<bool>());
  EXPECT_EQ(completion["items"][1]["total"], 27);
  EXPECT_EQ(routines_->Completion(mgr2, Period::kDay, std::nullopt, std::nullopt, 50, std::nullopt)["items"].size(), 1u);
  Json page = routines_->Completion(gm, Period::kDay, std::nullopt, std::nullopt, 2, std::nullopt);
  EXPECT_EQ(page["items"].size(), 2u);
  Json rest = routines_->Completion(gm, Period::kDay, std::nullopt, std::nullopt, 50,
                                    *ParseId(page["nextCursor"].get<std::string>()));
  EXPECT_EQ(rest["items"].size(), 2u);
  EXPECT_TRUE(routines_->Completion(gm, Period::kWeek, std::nullopt, std::nullopt, 50, std::nullopt)["items"].empty());
  EXPECT_EQ(ErrorCode([&] { routines_->Completion(rep1, Period::kDay, std::nullopt, std::nullopt, 50, std::nullopt); }),
            "access.denied");
  routines_->DeleteAssignment(mgr1, *ParseId(assignment["id"].get<std::string>()));
  EXPECT_TRUE(routines_->Mine(rep2, std::nullopt)["items"].empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, RoutineServiceTest, ::testing::ValuesIn(storage::testing::AllTestBackends()),
                         platform::testing::BackendTestName);

}  // namespace
}  // namespace tuoke::fieldreports
