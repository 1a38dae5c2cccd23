// The approvals engine against both backends, with the demo company and a fake clock:
// chain resolution, decisions, rounds, delegation, concurrency and listeners.
#include "platform/approval.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "platform/notification.h"
#include "platform/testing/demo_company_test.h"

namespace tuoke::platform {
namespace {

using namespace std::chrono_literals;

class NoNetwork final : public WebhookSender {
 public:
  WebhookResponse Post(const WebhookRequest&) override { return {200, "", "{\"errcode\":0}"}; }
};

class ApprovalTest : public testing::DemoCompanyTest {
 protected:
  void SetUp() override {
    DemoCompanyTest::SetUp();
    if (IsSkipped()) return;
    notifications_ = std::make_unique<NotificationService>(*database_, *policies_, clock_, sender_);
    approvals_ = std::make_unique<ApprovalService>(*database_, *policies_, *notifications_, clock_);
    approvals_->OnOutcome("test_kind", [this](storage::Connection&, const ApprovalEvent& event) {
      std::lock_guard lock(events_mutex_);
      events_.push_back(event);
    });
  }

  int64_t Submit(const Caller& requester, int64_t entity_id, bool register_after,
                 const std::string& kind = "test_kind") {
    int64_t id = 0;
    database_->InTransaction([&](storage::Connection& tx) {
      id = approvals_->Submit(tx, requester, {kind, entity_id, "测试申请 " + std::to_string(entity_id),
                                              {{"amountFen", 1200}}, register_after});
    });
    return id;
  }
  Json Decide(const Caller& caller, int64_t id, const std::string& action, const std::string& comment = "") {
    return approvals_->Decide(caller, id, action, comment.empty() ? Json::object() : Json{{"comment", comment}});
  }
  std::vector<std::string> Outcomes() {
    std::lock_guard lock(events_mutex_);
    std::vector<std::string> outcomes;
    for (const auto& event : events_) outcomes.push_back(event.outcome);
    return outcomes;
  }
  std::vector<std::string> InboxIds(const Caller& caller) {
    std::vector<std::string> ids;
    // Keep the answer alive: a range-for over a member of a temporary dangles.
    Json page = approvals_->List(caller, ApprovalBox::kInbox, 50, std::nullopt);
    for (const auto& item : page["items"]) ids.push_back(item["id"]);
    return ids;
  }
  std::vector<std::string> NotificationKinds(const Caller& caller) {
    std::vector<std::string> kinds;
    Json page = notifications_->List(caller, false, 50, std::nullopt);
    for (const auto& item : page["items"]) kinds.push_back(item["kind"]);
    return kinds;
  }
  int64_t AuditCount(int64_t request_id) {
    auto connection = database_->Acquire();
    static const storage::Sql kCount{"test.audit_count",
                                     "SELECT COUNT(*) FROM audit_log WHERE entity = 'approval_request' AND entity_id = ?"};
    return connection->QueryOne(kCount, {IdString(request_id)})->Int(0);
  }
  void SetPolicy(const std::string& key, const Json& value) {
    policies_->AddVersion(SignIn("gm"), key, value, FormatDate(policies_->Today()), "test");
  }

  NoNetwork sender_;
  std::unique_ptr<NotificationService> notifications_;
  std::unique_ptr<ApprovalService> approvals_;
  std::mutex events_mutex_;
  std::vector<ApprovalEvent> events_;
};

TEST_P(ApprovalTest, RepGoesToTheirManagerThenTheAssistantRegisters) {
  Caller rep1 = SignIn("rep1"), mgr1 = SignIn("mgr1"), mgr2 = SignIn("mgr2"), rep2 = SignIn("rep2");
  Caller assistant = SignIn("assistant");
  int64_t id = Submit(rep1, 7, true);
  Json request = approvals_->Get(rep1, id);
  ASSERT_EQ(request["steps"].size(), 2u);
  EXPECT_EQ(request["steps"][0]["approverName"], "李明");
  EXPECT_EQ(request["steps"][0]["role"], "manager");
  EXPECT_EQ(request["steps"][0]["state"], "pending");
  EXPECT_EQ(request["steps"][1]["stepKind"], "register");
  EXPECT_EQ(request["steps"][1]["state"], "waiting");
  EXPECT_EQ(request["actions"], Json::array({"withdraw"}));
  EXPECT_EQ(InboxIds(mgr1), std::vector<std::string>{IdString(id)});
  EXPECT_TRUE(InboxIds(assistant).empty());  // registration comes after approval
  EXPECT_EQ(NotificationKinds(mgr1), std::vector<std::string>{"approval.pending"});
  // R-APPR-9: outsiders get 404, never 403.
  for (const Caller* outsider : {&mgr2, &rep2})
    EXPECT_EQ(ErrorCode([&] { approvals_->Get(*outsider, id); }), "approvals.not_found");
  EXPECT_EQ(ErrorCode([&] { Decide(mgr2, id, "approve"); }), "approvals.not_found");
  EXPECT_EQ(ErrorCode([&] { Decide(assistant, id, "register"); }), "approvals.not_pending");

  Json approved = Decide(mgr1, id, "approve", "同意");
  EXPECT_EQ(approved["state"], "approved");
  EXPECT_EQ(approved["steps"][0]["comment"], "同意");
  EXPECT_EQ(approved["steps"][1]["state"], "pending");
  EXPECT_EQ(Outcomes(), std::vector<std::string>{"approved"});
  EXPECT_EQ(InboxIds(assistant), std::vector<std::string>{IdString(id)});
  EXPECT_EQ(approvals_->Get(assistant, id)["actions"], Json::array({"register"}));
  // The requester cannot withdraw once approved.
  EXPECT_EQ(ErrorCode([&] { Decide(rep1, id, "withdraw"); }), "approvals.not_pending");

  Json registered = Decide(assistant, id, "register");
  EXPECT_EQ(registered["state"], "registered");
  EXPECT_EQ(registered["steps"][1]["decidedByName"], "周敏");
  EXPECT_EQ(Outcomes(), (std::vector<std::string>{"approved", "registered"}));
  EXPECT_EQ(NotificationKinds(rep1), (std::vector<std::string>{"approval.registered", "approval.approved"}));
  EXPECT_TRUE(InboxIds(assistant).empty());
  // Submit, approve, register: each audited.
  EXPECT_EQ(AuditCount(id), 3);
  auto decided = approvals_->List(mgr1, ApprovalBox::kDecided, 50, std::nullopt)["items"];
  ASSERT_EQ(decided.size(), 1u);
  EXPECT_EQ(approvals_->List(rep1, ApprovalBox::kMine, 50, std::nullopt)["items"][0]["state"], "registered");
}

TEST_P(ApprovalTest, ManagerGoesToTheGeneralManagerPerPolicy) {
  Caller mgr1 = SignIn("mgr1"), gm = SignIn("gm");
  int64_t id = Submit(mgr1, 1, false, "visit_application");
  Json request = approvals_->Get(gm, id);
  ASSERT_EQ(request["steps"].size(), 1u);
  EXPECT_EQ(request["steps"][0]["approverName"], "王总");
  EXPECT_EQ(request["steps"][0]["role"], "general_manager");

  // With visits.manager_visit_needs_gm off, a manager's visit needs only registration.
  SetPolicy("visits.manager_visit_needs_gm", false);
  approvals_->OnOutcome("visit_application", [this](storage::Connection&, const ApprovalEvent& event) {
    events_.push_back(event);
  });
  int64_t second = Submit(mgr1, 2, true, "visit_application");
  Json auto_approved = approvals_->Get(mgr1, second);
  EXPECT_EQ(auto_approved["state"], "approved");
  ASSERT_EQ(auto_approved["steps"].size(), 1u);
  EXPECT_EQ(auto_approved["steps"][0]["stepKind"], "register");
  EXPECT_EQ(Outcomes(), std::vector<std::string>{"approved"});
  // Kinds outside visits still go up the tree.
  int64_t third = Submit(mgr1, 3, false);
  EXPECT_EQ(approvals_->Get(mgr1, third)["steps"][0]["approverName"], "王总");
}

TEST_P(ApprovalTest, TheGeneralManagersOwnRequestIsApprovedAtOnce) {
  Caller gm = SignIn("gm");
  int64_t id = Submit(gm, 1, false);
  Json request = approvals_->Get(gm, id);
  EXPECT_EQ(request["state"], "approved");
  EXPECT_TRUE(request["steps"].empty());
  EXPECT_EQ(Outcomes(), std::vector<std::string>{"approved"});
}

TEST_P(ApprovalTest, RejectReturnResubmitAndWithdraw) {
  Caller rep1 = SignIn("rep1"), mgr1 = SignIn("mgr1");
  int64_t id = Submit(rep1, 1, false);
  Json details;
  EXPECT_EQ(ErrorCode([&] { Decide(mgr1, id, "return"); }, &details), "validation.failed");
  EXPECT_TRUE(details["fields"].contains("comment"));
  EXPECT_EQ(ErrorCode([&] { Decide(rep1, id, "approve"); }), "approvals.own_request");
  EXPECT_EQ(ErrorCode([&] { approvals_->Decide(mgr1, id, "approve", {{"note", "x"}}); }), "validation.failed");

  EXPECT_EQ(Decide(mgr1, id, "return", "请补充客户")["state"], "returned");
  EXPECT_EQ(Outcomes(), std::vector<std::string>{"returned"});
  EXPECT_EQ(ErrorCode([&] { Decide(mgr1, id, "approve"); }), "approvals.not_pending");
  // R-APPR-5: resubmitting the same entity starts round 2 of the same request.
  EXPECT_EQ(Submit(rep1, 1, false), id);
  Json round2 = approvals_->Get(rep1, id);
  EXPECT_EQ(round2["round"], 2);
  EXPECT_EQ(round2["state"], "pending");
  EXPECT_EQ(round2["history"].size(), 1u);
  EXPECT_EQ(round2["history"][0]["comment"], "请补充客户");
  EXPECT_EQ(ErrorCode([&] { Submit(rep1, 1, false); }), "approvals.already_pending");

  EXPECT_EQ(Decide(mgr1, id, "reject", "不同意")["state"], "rejected");
  EXPECT_EQ(Outcomes(), (std::vector<std::string>{"returned", "rejected"}));
  EXPECT_EQ(NotificationKinds(rep1), (std::vector<std::string>{"approval.rejected", "approval.returned"}));

  // Withdraw: the requester only, while pending; the approver hears of it.
  int64_t other = Submit(rep1, 2, false);
  EXPECT_EQ(ErrorCode([&] { Decide(mgr1, other, "withdraw"); }), "approvals.not_requester");
  EXPECT_EQ(Decide(rep1, other, "withdraw")["state"], "withdrawn");
  EXPECT_EQ(Outcomes().back(), "withdrawn");
  EXPECT_EQ(NotificationKinds(mgr1).front(), "approval.withdrawn");
  EXPECT_TRUE(InboxIds(mgr1).empty());
  EXPECT_EQ(ErrorCode([&] { Decide(rep1, other, "withdraw"); }), "approvals.not_pending");
  EXPECT_EQ(ErrorCode([&] { Decide(mgr1, other, "frobnicate"); }), "approvals.not_found");
}

TEST_P(ApprovalTest, DelegateDecidesInTheAbsentApproversName) {
  Caller rep1 = SignIn("rep1"), mgr1 = SignIn("mgr1"), mgr2 = SignIn("mgr2"), rep2 = SignIn("rep2");
  std::string today = FormatDate(policies_->Today());  // 2026-11-22
  Json details;
  EXPECT_EQ(ErrorCode([&] { approvals_->PutDelegation(mgr1, {{"delegateId", IdString(mgr1.user_id)}, {"from", today}, {"to", today}}); }, &details),
            "validation.failed");
  EXPECT_TRUE(details["fields"].contains("delegateId"));
  EXPECT_EQ(ErrorCode([&] { approvals_->PutDelegation(mgr1, {{"delegateId", IdString(mgr2.user_id)}, {"from", "2026-11-25"}, {"to", "2026-11-24"}}); }),
            "validation.failed");
  EXPECT_EQ(ErrorCode([&] { approvals_->PutDelegation(mgr1, {{"delegateId", IdString(mgr2.user_id)}, {"from", today}, {"to", "2027-06-30"}}); }, &details),
            "validation.failed");
  EXPECT_TRUE(details["fields"].contains("to"));  // longer than approvals.delegation_max_days

  Json delegation = approvals_->PutDelegation(mgr1, {{"delegateId", IdString(mgr2.user_id)}, {"from", today}, {"to", "2026-11-24"}});
  EXPECT_EQ(delegation["delegateName"], "赵强");
  EXPECT_TRUE(delegation["active"].get<bool>());
  EXPECT_EQ(approvals_->GetDelegation(mgr1), delegation);
  EXPECT_TRUE(approvals_->GetDelegation(mgr2).is_null());

  int64_t id = Submit(rep1, 1, false);
  auto inbox = approvals_->List(mgr2, ApprovalBox::kInbox, 50, std::nullopt)["items"];
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_EQ(inbox[0]["onBehalfOfId"], IdString(mgr1.user_id));
  EXPECT_EQ(NotificationKinds(mgr2), (std::vector<std::string>{"approval.pending", "approval.delegated"}));
  EXPECT_EQ(approvals_->Get(mgr2, id)["actions"], Json::array({"approve", "reject", "return"}));
  Json decided = Decide(mgr2, id, "approve", "代批");
  EXPECT_EQ(decided["steps"][0]["decidedByName"], "赵强");
  EXPECT_EQ(decided["steps"][0]["onBehalfOfName"], "李明");
  EXPECT_EQ(decided["steps"][0]["approverName"], "李明");

  // After the range the delegate no longer sees or decides new requests.
  int64_t later = Submit(rep2, 2, false);
  clock_.Advance(std::chrono::hours(24 * 3));
  EXPECT_TRUE(InboxIds(mgr2).empty());
  EXPECT_EQ(ErrorCode([&] { Decide(mgr2, later, "approve"); }), "approvals.not_found");
  EXPECT_EQ(Decide(mgr1, later, "approve")["state"], "approved");

  // Clearing.
  EXPECT_TRUE(approvals_->PutDelegation(mgr1, {{"delegateId", nullptr}}).is_null());
  EXPECT_TRUE(approvals_->GetDelegation(mgr1).is_null());
}

TEST_P(ApprovalTest, ARequesterNeverDecidesTheirOwnRequestEvenAsDelegate) {
  Caller rep1 = SignIn("rep1"), mgr1 = SignIn("mgr1");
  std::string today = FormatDate(policies_->Today());
  approvals_->PutDelegation(mgr1, {{"delegateId", IdString(rep1.user_id)}, {"from", today}, {"to", today}});
  int64_t id = Submit(rep1, 1, false);
  EXPECT_TRUE(InboxIds(rep1).empty());
  EXPECT_EQ(approvals_->Get(rep1, id)["actions"], Json::array({"withdraw"}));
  EXPECT_EQ(ErrorCode([&] { Decide(rep1, id, "approve"); }), "approvals.own_request");
}

TEST_P(ApprovalTest, DecidingTwiceAtOnceAdvancesOnce) {
  Caller rep1 = SignIn("rep1"), mgr1 = SignIn("mgr1");
  for (int round = 0; round < 3; ++round) {
    int64_t id = Submit(rep1, 100 + round, true);
    std::atomic<int> succeeded{0};
    std::vector<std::string> errors(2);
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i)
      threads.emplace_back([&, i] {
        std::string code = ErrorCode([&] { Decide(mgr1, id, "approve"); });
        if (code == "no error") ++succeeded;
        else errors[i] = code;
      });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(succeeded.load(), 1);
    for (const auto& code : errors)
      if (!code.empty()) {
        EXPECT_TRUE(code == "approvals.already_decided" || code == "approvals.not_pending") << code;
      }
    Json request = approvals_->Get(mgr1, id);
    EXPECT_EQ(request["steps"][0]["state"], "approved");
    EXPECT_EQ(request["steps"][1]["state"], "pending");  // registration arrived once
  }
  EXPECT_EQ(Outcomes(), (std::vector<std::string>{"approved", "approved", "approved"}));
}

TEST_P(ApprovalTest, AFailingListenerRollsTheDecisionBack) {
  Caller rep1 = SignIn("rep1"), mgr1 = SignIn("mgr1");
  bool fail = true;
  approvals_->OnOutcome("strict_kind", [&](storage::Connection&, const ApprovalEvent& event) {
    if (fail) throw Error(ErrorKind::kConflict, "strict.refused", "module refused " + event.outcome);
  });
  int64_t id = Submit(rep1, 1, false, "strict_kind");
  EXPECT_EQ(ErrorCode([&] { Decide(mgr1, id, "approve"); }), "strict.refused");
  Json request = approvals_->Get(mgr1, id);
  EXPECT_EQ(request["state"], "pending");
  EXPECT_EQ(request["steps"][0]["state"], "pending");
  EXPECT_EQ(NotificationKinds(rep1).size(), 0u);
  fail = false;
  EXPECT_EQ(Decide(mgr1, id, "approve")["state"], "approved");
}

TEST_P(ApprovalTest, NoApproverIsAConflict) {
  Caller admin = SignIn("admin");  // no manager, and the office unit has none; the company's is the GM
  int64_t id = Submit(admin, 1, false);
  EXPECT_EQ(approvals_->Get(admin, id)["steps"][0]["approverName"], "王总");
  // A user whose whole chain is inactive cannot submit.
  auto gm_id = org_->FindUserId("gm");
  org_->SetActiveAs(Actor::System("test"), *gm_id, false);
  EXPECT_EQ(ErrorCode([&] { Submit(admin, 2, false); }), "approvals.no_approver");
}

INSTANTIATE_TEST_SUITE_P(Backends, ApprovalTest, ::testing::ValuesIn(storage::testing::AllTestBackends()),
                         testing::BackendTestName);

}  // namespace
}  // namespace tuoke::platform
