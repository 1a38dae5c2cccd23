// Notifications and webhooks against both backends: inbox counts, webhook validation,
// the outbox written in the caller's transaction, retries with back-off on a fake
// clock and a fake sender, robot body formats and DingTalk signing.
#include "platform/notification.h"

#include <gtest/gtest.h>

#include <deque>

#include "platform/testing/demo_company_test.h"

namespace tuoke::platform {
namespace {

using namespace std::chrono_literals;

// Answers from a script; records every request.
class FakeSender final : public WebhookSender {
 public:
  WebhookResponse Post(const WebhookRequest& request) override {
    requests.push_back(request);
    if (answers.empty()) return {200, "", R"({"errcode":0,"errmsg":"ok"})"};
    WebhookResponse answer = answers.front();
    answers.pop_front();
    return answer;
  }
  std::deque<WebhookResponse> answers;
  std::vector<WebhookRequest> requests;
};

class NotificationTest : public testing::DemoCompanyTest {
 protected:
  void SetUp() override {
    DemoCompanyTest::SetUp();
    if (IsSkipped()) return;
    notifications_ = std::make_unique<NotificationService>(*database_, *policies_, clock_, sender_);
  }
  int64_t Notify(const Caller& user, const std::string& kind, const std::string& title = "提醒") {
    int64_t id = 0;
    database_->InTransaction([&](storage::Connection& tx) {
      id = notifications_->Notify(tx, {user.user_id, kind, title, "/x", {{"n", 1}}});
    });
    return id;
  }
  int64_t Count(const Caller& caller) { return notifications_->UnreadCount(caller)["count"].get<int64_t>(); }
  int64_t OutboxCount(const std::string& state) {
    auto connection = database_->Acquire();
    static const storage::Sql kCount{"test.outbox_count", "SELECT COUNT(*) FROM webhook_outbox WHERE state = ?"};
    return connection->QueryOne(kCount, {state})->Int(0);
  }
  void SetPolicy(const std::string& key, const Json& value) {
    policies_->AddVersion(SignIn("gm"), key, value, FormatDate(policies_->Today()), "test");
  }
  Json CreateHook(const Json& events, const std::string& format = "wecom") {
    return notifications_->CreateWebhook(
        SignIn("admin"), {{"name", "销售群"}, {"url", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET-KEY"},
                          {"format", format}, {"events", events}});
  }

  FakeSender sender_;
  std::unique_ptr<NotificationService> notifications_;
};

TEST_P(NotificationTest, InboxCountsAndMarksRead) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2");
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Notify(rep1, "followup.overdue", "跟进到期 " + std::to_string(i)));
  Notify(rep2, "approval.pending");
  EXPECT_EQ(Count(rep1), 5);
  EXPECT_EQ(Count(rep2), 1);

  // Cursor pages, newest first.
  Json page = notifications_->List(rep1, false, 3, std::nullopt);
  ASSERT_EQ(page["items"].size(), 3u);
  EXPECT_EQ(page["items"][0]["title"], "跟进到期 4");
  EXPECT_FALSE(page["items"][0]["read"].get<bool>());
  Json rest = notifications_->List(rep1, false, 3, ParseId(page["nextCursor"].get<std::string>()));
  EXPECT_EQ(rest["items"].size(), 2u);
  EXPECT_TRUE(rest["nextCursor"].is_null());

  Json read = notifications_->MarkRead(rep1, ids[0]);
  EXPECT_TRUE(read["read"].get<bool>());
  EXPECT_EQ(Count(rep1), 4);
  notifications_->MarkRead(rep1, ids[0]);  // idempotent
  EXPECT_EQ(Count(rep1), 4);
  EXPECT_EQ(notifications_->List(rep1, true, 50, std::nullopt)["items"].size(), 4u);
  // Another user's notification does not exist for the caller.
  EXPECT_EQ(ErrorCode([&] { notifications_->MarkRead(rep2, ids[1]); }), "notifications.not_found");
  EXPECT_EQ(Count(rep1), 4);

  EXPECT_EQ(notifications_->MarkAllRead(rep1)["marked"], 4);
  EXPECT_EQ(Count(rep1), 0);
  EXPECT_EQ(Count(rep2), 1);
  EXPECT_EQ(notifications_->List(rep1, false, 50, std::nullopt)["items"].size(), 5u);
}

TEST_P(NotificationTest, WebhooksAreValidatedAndTheirSecretsNeverShown) {
  Caller admin = SignIn("admin"), rep1 = SignIn("rep1"), gm = SignIn("gm");
  EXPECT_EQ(ErrorCode([&] { notifications_->ListWebhooks(rep1); }), "access.denied");
  EXPECT_NO_THROW(notifications_->ListWebhooks(gm));
  Json details;
  for (const char* url : {"ftp://example.com/x", "javascript:alert(1)", "https://", "http://exa mple.com/",
                          "https://example.com:99999/", "example.com/hook"}) {
    EXPECT_EQ(ErrorCode([&] { notifications_->CreateWebhook(admin, {{"name", "x"}, {"url", url}, {"format", "wecom"}, {"events", {"*"}}}); }, &details),
              "validation.failed") << url;
    EXPECT_TRUE(details["fields"].contains("url")) << url;
  }
  EXPECT_EQ(ErrorCode([&] { notifications_->CreateWebhook(admin, {{"name", "x"}, {"url", "https://a.example/h"}, {"format", "slack"}, {"events", Json::array()}}); }, &details),
            "validation.failed");
  EXPECT_TRUE(details["fields"].contains("format"));
  EXPECT_TRUE(details["fields"].contains("events"));
  EXPECT_EQ(ErrorCode([&] { notifications_->CreateWebhook(admin, {{"name", "x"}, {"url", "https://a.example/h"}, {"format", "wecom"}, {"events", {"Bad Kind"}}}); }),
            "validation.failed");
  EXPECT_EQ(ErrorCode([&] { notifications_->CreateWebhook(admin, {{"name", "x"}, {"url", "https://a.example/h"}, {"format", "wecom"}, {"events", {"*"}}, {"secret", "SEC"}}); }, &details),
            "validation.failed");
  EXPECT_TRUE(details["fields"].contains("secret"));

  Json hook = notifications_->CreateWebhook(
      admin, {{"name", "钉钉群"}, {"url", "https://oapi.dingtalk.com/robot/send?access_token=TOKEN123"},
              {"format", "dingtalk"}, {"events", {"approval.*", "followup.overdue"}}, {"secret", "SECabc"}});
  EXPECT_EQ(hook["url"], "https://oapi.dingtalk.com/robot/send?access_token=***");
  EXPECT_TRUE(hook["hasSecret"].get<bool>());
  EXPECT_FALSE(hook.contains("secret"));
  EXPECT_EQ(hook["events"], Json::array({"approval.*", "followup.overdue"}));
  std::string listed = notifications_->ListWebhooks(admin).dump();
  EXPECT_EQ(listed.find("TOKEN123"), std::string::npos);
  EXPECT_EQ(listed.find("SECabc"), std::string::npos);
  int64_t id = *ParseId(hook["id"].get<std::string>());
  Json patched = notifications_->UpdateWebhook(admin, id, {{"enabled", false}, {"secret", nullptr}});
  EXPECT_FALSE(patched["enabled"].get<bool>());
  EXPECT_FALSE(patched["hasSecret"].get<bool>());
  // The audit trail never holds the token or the secret either.
  {
    auto connection = database_->Acquire();
    static const storage::Sql kAudit{"test.webhook_audit",
                                     "SELECT COALESCE(before_json, '') || COALESCE(after_json, '') FROM audit_log WHERE entity = 'webhook'"};
    auto rows = connection->Query(kAudit).rows;
    EXPECT_EQ(rows.size(), 2u);
    for (const auto& row : rows) {
      EXPECT_EQ(row.Text(0).find("TOKEN123"), std::string::npos);
      EXPECT_EQ(row.Text(0).find("SECabc"), std::string::npos);
    }
  }
  notifications_->DeleteWebhook(admin, id);
  EXPECT_EQ(ErrorCode([&] { notifications_->UpdateWebhook(admin, id, {{"enabled", true}}); }), "webhooks.not_found");
}

TEST_P(NotificationTest, NotifyEnqueuesMatchingWebhooksInTheCallersTransaction) {
  Caller rep1 = SignIn("rep1");
  CreateHook({"approval.*"});
  CreateHook({"followup.overdue"});
  CreateHook({"*"});
  Notify(rep1, "approval.pending");  // prefix and "*"
  EXPECT_EQ(OutboxCount("pending"), 2);
  Notify(rep1, "visit.report_late");  // "*" only
  EXPECT_EQ(OutboxCount("pending"), 3);
  // Rolled back with the caller's change: neither the notification nor its deliveries stay.
  EXPECT_ANY_THROW(database_->InTransaction([&](storage::Connection& tx) {
    notifications_->Notify(tx, {rep1.user_id, "followup.overdue", "x", "/x", Json::object()});
    throw std::runtime_error("the caller's change failed");
  }));
  EXPECT_EQ(OutboxCount("pending"), 3);
  EXPECT_EQ(Count(rep1), 2);
}

TEST_P(NotificationTest, DeliveryRetriesWithBackOffAndRecordsEveryAttempt) {
  Caller rep1 = SignIn("rep1"), admin = SignIn("admin");
  SetPolicy("notifications.webhook_backoff_base_seconds", 30);
  SetPolicy("notifications.webhook_max_attempts", 3);
  Json hook = CreateHook({"approval.*"});
  int64_t hook_id = *ParseId(hook["id"].get<std::string>());
  Notify(rep1, "approval.pending", "待审批：十二月拜访计划");

  sender_.answers = {{500, "", "oops"}, {0, "Connection refused", ""}, {200, "", R"({"errcode":0})"}};
  DeliveryRunResult first = notifications_->DeliverDue();
  EXPECT_EQ(first.attempted, 1);
  EXPECT_EQ(first.failed, 1);
  ASSERT_EQ(sender_.requests.size(), 1u);
  EXPECT_EQ(sender_.requests[0].url, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET-KEY");
  Json body = Json::parse(sender_.requests[0].body);
  EXPECT_EQ(body["msgtype"], "text");
  EXPECT_EQ(body["text"]["content"], "【拓客】待审批：十二月拜访计划");
  EXPECT_LE(sender_.requests[0].timeout, 5000ms);

  // Not due before the back-off (30 s), then 60 s after the second failure.
  clock_.Advance(29s);
  EXPECT_EQ(notifications_->DeliverDue().attempted, 0);
  clock_.Advance(1s);
  EXPECT_EQ(notifications_->DeliverDue().failed, 1);
  clock_.Advance(59s);
  EXPECT_EQ(notifications_->DeliverDue().attempted, 0);
  clock_.Advance(1s);
  EXPECT_EQ(notifications_->DeliverDue().delivered, 1);
  EXPECT_EQ(OutboxCount("delivered"), 1);
  clock_.Advance(1h);
  EXPECT_EQ(notifications_->DeliverDue().attempted, 0);  // delivered once, never again

  Json deliveries = notifications_->ListDeliveries(admin, hook_id, 50, std::nullopt)["items"];
  ASSERT_EQ(deliveries.size(), 3u);
  EXPECT_TRUE(deliveries[0]["ok"].get<bool>());
  EXPECT_EQ(deliveries[0]["attempt"], 3);
  EXPECT_EQ(deliveries[1]["error"], "Connection refused");
  EXPECT_TRUE(deliveries[1]["statusCode"].is_null());
  EXPECT_EQ(deliveries[2]["statusCode"], 500);
  EXPECT_EQ(deliveries[2]["error"], "HTTP 500");

  // Gives up after max attempts; a robot's non-zero errcode counts as a failure.
  Notify(rep1, "approval.pending");
  sender_.answers = {{200, "", R"({"errcode":310000,"errmsg":"keywords not in content"})"}, {500, "", ""}, {500, "", ""}};
  for (int i = 0; i < 3; ++i) {
    notifications_->DeliverDue();
    clock_.Advance(10min);
  }
  EXPECT_EQ(OutboxCount("failed"), 1);
  deliveries = notifications_->ListDeliveries(admin, hook_id, 50, std::nullopt)["items"];
  EXPECT_EQ(deliveries[2]["error"], "errcode 310000: keywords not in content");
  EXPECT_EQ(notifications_->DeliverDue().attempted, 0);

  // Disabled webhooks' pending deliveries are cancelled, not sent.
  Notify(rep1, "approval.pending");
  notifications_->UpdateWebhook(admin, hook_id, {{"enabled", false}});
  size_t sent = sender_.requests.size();
  notifications_->DeliverDue();
  EXPECT_EQ(sender_.requests.size(), sent);
  EXPECT_EQ(OutboxCount("cancelled"), 1);
}

TEST_P(NotificationTest, TestMessageIsSentAndLogged) {
  Caller admin = SignIn("admin");
  Json hook = CreateHook({"*"});
  int64_t id = *ParseId(hook["id"].get<std::string>());
  sender_.answers = {{404, "", "not found"}};
  Json attempt = notifications_->TestWebhook(admin, id);
  EXPECT_FALSE(attempt["ok"].get<bool>());
  EXPECT_EQ(attempt["statusCode"], 404);
  EXPECT_TRUE(notifications_->TestWebhook(admin, id)["ok"].get<bool>());
  Json deliveries = notifications_->ListDeliveries(admin, id, 1, std::nullopt);
  EXPECT_EQ(deliveries["items"][0]["event"], "webhook.test");
  EXPECT_FALSE(deliveries["nextCursor"].is_null());
}

TEST_P(NotificationTest, WebhookMessagesAreInTheWebhooksLanguageWithTheZhTitleAsFallback) {
  Caller rep1 = SignIn("rep1"), admin = SignIn("admin");
  Json details;
  EXPECT_EQ(ErrorCode([&] { notifications_->UpdateWebhook(admin, *ParseId(CreateHook({"*"})["id"].get<std::string>()),
                                                          {{"language", "fr"}}); }, &details),
            "validation.failed");
  EXPECT_TRUE(details["fields"].contains("language"));
  // R-NOTIF-8: one robot in English, one following the policy (zh-CN by default).
  auto outbox = [&] {
    std::vector<std::string> contents;
    auto connection = database_->Acquire();
    static const storage::Sql kBodies{"test.outbox_bodies", "SELECT body_json FROM webhook_outbox ORDER BY id"};
    for (const auto& row : connection->Query(kBodies, {}).rows)
      contents.push_back(Json::parse(row.Text(0))["text"]["content"].get<std::string>());
    return contents;
  };
  database_->InTransaction([&](storage::Connection& connection) {
    connection.Execute(storage::Sql{"test.clear_outbox", "DELETE FROM webhook_outbox"}, {});
    connection.Execute(storage::Sql{"test.clear_hooks", "DELETE FROM webhooks"}, {});
  });
  Json english = CreateHook({"*"});
  EXPECT_TRUE(english["language"].is_null());
  english = notifications_->UpdateWebhook(admin, *ParseId(english["id"].get<std::string>()), {{"language", "en"}});
  EXPECT_EQ(english["language"], "en");
  CreateHook({"*"});
  Notify(rep1, "approval.pending", "待审批：2026-12 拜访计划");
  Notify(rep1, "quote.expired", "报价已过期");  // no English text: the zh-CN title
  EXPECT_EQ(outbox(), (std::vector<std::string>{"[Tuoke] Approval waiting: 2026-12 拜访计划", "【拓客】待审批：2026-12 拜访计划",
                                                "[Tuoke] 报价已过期", "【拓客】报价已过期"}));
  // The subject is a param of the inbox row too, for the web's own texts.
  EXPECT_EQ(notifications_->List(rep1, false, 10, std::nullopt)["items"][1]["data"]["subject"], "2026-12 拜访计划");
  // The policy switches the robots without a language of their own.
  SetPolicy("notifications.webhook_language", "en");
  database_->InTransaction([&](storage::Connection& tx) {
    notifications_->Notify(tx, {rep1.user_id, "field_report.submitted", "张伟 提交了2026-10-01季度总结（迟交）", "/x",
                                {{"repName", "张伟"}, {"kind", "quarter"}, {"periodStart", "2026-10-01"}, {"late", true}}});
  });
  std::vector<std::string> contents = outbox();
  ASSERT_EQ(contents.size(), 6u);
  EXPECT_EQ(contents[4], "[Tuoke] 张伟 submitted the quarterly summary of 2026-10-01 (late)");
  EXPECT_EQ(contents[5], contents[4]);
}

TEST(NotificationTexts, EnglishFromKindAndParamsElseNothing) {
  EXPECT_EQ(NotificationText("followup.overdue", {{"title", "送样品"}, {"dueOn", "2026-11-19"}}, "en"),
            "Follow-up overdue since 2026-11-19: 送样品");
  EXPECT_EQ(NotificationText("field_report.due_soon", {{"date", "2026-11-20"}, {"dueTime", "23:59"}}, "en"),
            "Your daily report of 2026-11-20 is due at 23:59");
  EXPECT_EQ(NotificationText("followup.overdue", {{"title", "送样品"}}, "en"), std::nullopt);  // a param missing
  EXPECT_EQ(NotificationText("followup.overdue", {{"title", "x"}, {"dueOn", "y"}}, "zh-CN"), std::nullopt);
  EXPECT_EQ(NotificationText("unknown.kind", Json::object(), "en"), std::nullopt);
  EXPECT_EQ(SubjectOfTitle("待审批：a：b"), "a：b");
  EXPECT_EQ(SubjectOfTitle("没有冒号"), "");
}

TEST(RobotFormat, BodiesAndDingTalkSignature) {
  Json wecom = Json::parse(NotificationService::RobotBody("wecom", "标题", ""));
  EXPECT_EQ(wecom, Json::parse(R"({"msgtype":"text","text":{"content":"标题"}})"));
  Json ding = Json::parse(NotificationService::RobotBody("dingtalk", "标题", ""));
  EXPECT_EQ(ding, Json::parse(R"({"msgtype":"text","text":{"content":"标题"}})"));
  Json markdown = Json::parse(NotificationService::RobotBody("dingtalk", "标题", "正文"));
  EXPECT_EQ(markdown["msgtype"], "markdown");
  EXPECT_EQ(markdown["markdown"]["title"], "标题");
  // Reference value: python3 -c "import hmac,hashlib,base64,urllib.parse;
  //   print(urllib.parse.quote(base64.b64encode(hmac.new(b'SEC123', b'1700000000000\nSEC123',
  //   hashlib.sha256).digest()), safe=''))"
  EXPECT_EQ(NotificationService::SignedDingTalkUrl("https://oapi.dingtalk.com/robot/send?access_token=T", "SEC123",
                                                   1700000000000),
            "https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1700000000000&sign=lkcPI1uoxBY1gUnCnnPH1Kkru0Hqjo7rFpA3haIVhEQ%3D");
}

INSTANTIATE_TEST_SUITE_P(Backends, NotificationTest, ::testing::ValuesIn(storage::testing::AllTestBackends()),
                         testing::BackendTestName);

}  // namespace
}  // namespace tuoke::platform
