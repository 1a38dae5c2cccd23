"""Approvals inbox and delegation, notifications and webhooks (docs/api-workflow.md).

Approval flows themselves are submitted by modules (visit plans, applications) and are
tested in src/platform/approval_test.cc; the module engineers add API tests of the whole
flow. Here: the endpoints every user has before any module submits, their validation,
and webhook delivery to a local robot that fails once and then accepts.
"""

import datetime
import http.server
import json
import threading
import time
import unittest

from harness import ServerTestCase, shanghai_date, unique


class Robot:
    """A local group robot: answers the first `failures` POSTs with 500, then
    {"errcode":0}; records path and JSON body of every POST."""

    def __init__(self, failures=1):
        robot = self
        self.failures = failures
        self.received = []
        self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with robot.lock:
                    robot.received.append({"path": self.path, "body": body,
                                           "type": self.headers.get("Content-Type")})
                    fail = len(robot.received) <= robot.failures
                answer = b"oops" if fail else b'{"errcode":0,"errmsg":"ok"}'
                self.send_response(500 if fail else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/robot/send?access_token=TOKEN-XYZ"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def count(self):
        with self.lock:
            return len(self.received)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class WorkflowApiTests(ServerTestCase):

    def set_policy(self, key, value):
        self.assertStatus(self.as_user("gm").post("/policies/%s/versions" % key, {
            "value": value, "effectiveFrom": shanghai_date().isoformat(), "note": "api test"}), 201)

    def wait_for(self, predicate, seconds=20):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if predicate():
                return True
            time.sleep(0.2)
        return False

    # ---- approvals -----------------------------------------------------------------------
    def test_boxes_start_empty_and_are_validated(self):
        rep1 = self.as_user("rep1")
        finance = self.as_user("finance")  # submits nothing and approves nothing
        for box in ("inbox", "mine", "decided"):
            page = self.assertOk(finance.get("/approvals", {"box": box})).json
            self.assertEqual(page, {"items": [], "nextCursor": None})
            self.assertIsInstance(self.assertOk(rep1.get("/approvals", {"box": box})).json["items"], list)
        self.assertOk(rep1.get("/approvals"))  # inbox by default
        response = rep1.get("/approvals", {"box": "everything"})
        self.assertStatus(response, 422, "validation.failed")
        self.assertIn("box", response.fields)
        self.assertStatus(rep1.get("/approvals", {"limit": "0"}), 422, "validation.failed")
        # Unknown requests and actions: 404, whatever the action.
        self.assertStatus(rep1.get("/approvals/999999"), 404, "approvals.not_found")
        for action in ("approve", "reject", "return", "withdraw"):
            self.assertStatus(rep1.post("/approvals/999999/%s" % action, {"comment": "x"}), 404,
                              "approvals.not_found")
        self.assertStatus(rep1.post("/approvals/999999/approve", {"note": "x"}), 422, "validation.failed")
        # Unknown stays unknown for everyone (approvals.register is checked on visible requests).
        self.assertStatus(rep1.post("/approvals/999999/register", {}), 404, "approvals.not_found")
        self.assertStatus(self.as_user("assistant").post("/approvals/999999/register", {}), 404,
                          "approvals.not_found")
        self.assertStatus(rep1.post("/approvals/abc/approve", {}), 404)

    def test_delegation_set_read_clear_and_validate(self):
        mgr1, mgr2 = self.as_user("mgr1"), self.as_user("mgr2")
        today = shanghai_date()
        self.assertIsNone(self.assertOk(mgr1.get("/approval-delegation")).json)
        mgr2_id = str(mgr2.user_id)
        cases = [
            ({"delegateId": str(mgr1.user_id), "from": str(today), "to": str(today)}, "delegateId"),
            ({"delegateId": mgr2_id, "from": str(today), "to": str(today - datetime.timedelta(days=1))}, "to"),
            ({"delegateId": mgr2_id, "from": str(today - datetime.timedelta(days=9)),
              "to": str(today - datetime.timedelta(days=2))}, "to"),
            ({"delegateId": mgr2_id, "from": str(today), "to": str(today + datetime.timedelta(days=400))}, "to"),
            ({"delegateId": mgr2_id, "from": "2026-02-30", "to": str(today)}, "from"),
            ({"delegateId": "999999", "from": str(today), "to": str(today)}, "delegateId"),
            ({"from": str(today), "to": str(today)}, "delegateId"),
            ({"delegateId": mgr2_id, "from": str(today), "to": str(today), "extra": 1}, "extra"),
        ]
        for body, field in cases:
            response = mgr1.put("/approval-delegation", body)
            self.assertStatus(response, 422, "validation.failed")
            self.assertIn(field, response.fields, body)

        until = str(today + datetime.timedelta(days=7))
        delegation = self.assertOk(mgr1.put("/approval-delegation", {
            "delegateId": mgr2_id, "from": str(today), "to": until})).json
        self.assertEqual(delegation, {"delegateId": mgr2_id, "delegateName": "赵强", "from": str(today),
                                      "to": until, "active": True})
        self.assertEqual(self.assertOk(mgr1.get("/approval-delegation")).json, delegation)
        self.assertIsNone(self.assertOk(mgr2.get("/approval-delegation")).json)
        # The delegate hears of it.
        kinds = [n["kind"] for n in self.assertOk(mgr2.get("/notifications")).json["items"]]
        self.assertIn("approval.delegated", kinds)
        # Audited.
        entries = self.assertOk(self.admin().get("/audit", {"entity": "approval_delegation"})).json["items"]
        self.assertEqual(entries[0]["action"], "approval.delegation_set")
        # A null body clears it, as does {"delegateId": null}.
        self.assertIsNone(self.assertOk(mgr1.request("PUT", "/approval-delegation", raw="null")).json)
        self.assertIsNone(self.assertOk(mgr1.get("/approval-delegation")).json)
        self.assertOk(mgr1.put("/approval-delegation", {"delegateId": mgr2_id, "from": str(today), "to": until}))
        self.assertIsNone(self.assertOk(mgr1.put("/approval-delegation", {"delegateId": None})).json)

    # ---- notifications -------------------------------------------------------------------
    def test_notifications_count_read_and_scope(self):
        mgr1, mgr2 = self.as_user("mgr1"), self.as_user("mgr2")
        today = str(shanghai_date())
        mgr1_id = str(mgr1.user_id)
        # Delegations notify the delegate: a way to produce notifications through the API.
        for _ in range(3):
            self.assertOk(mgr1.put("/approval-delegation", {"delegateId": str(mgr2.user_id), "from": today,
                                                           "to": today}))
            self.assertOk(mgr2.put("/approval-delegation", {"delegateId": mgr1_id, "from": today, "to": today}))
        self.assertOk(mgr1.post("/notifications/read-all"))
        before = self.assertOk(mgr2.get("/notifications/unread-count")).json["count"]
        self.assertGreaterEqual(before, 3)
        self.assertOk(mgr1.put("/approval-delegation", {"delegateId": str(mgr2.user_id), "from": today,
                                                       "to": today}))
        self.assertEqual(self.assertOk(mgr2.get("/notifications/unread-count")).json, {"count": before + 1})

        page = self.assertOk(mgr2.get("/notifications", {"unread": "true", "limit": 2})).json
        self.assertEqual(len(page["items"]), 2)
        newest = page["items"][0]
        self.assertEqual(newest["kind"], "approval.delegated")
        self.assertEqual(newest["data"]["userId"], mgr1_id)
        self.assertFalse(newest["read"])
        self.assertIsNone(newest["readAt"])
        self.assertIsNotNone(page["nextCursor"])
        rest = self.assertOk(mgr2.get("/notifications", {"unread": "true", "cursor": page["nextCursor"]})).json
        self.assertNotIn(newest["id"], [n["id"] for n in rest["items"]])
        self.assertStatus(mgr2.get("/notifications", {"unread": "maybe"}), 422, "validation.failed")

        # Another user's notification does not exist for them.
        self.assertStatus(mgr1.post("/notifications/%s/read" % newest["id"]), 404, "notifications.not_found")
        read = self.assertOk(mgr2.post("/notifications/%s/read" % newest["id"])).json
        self.assertTrue(read["read"])
        self.assertEqual(self.assertOk(mgr2.get("/notifications/unread-count")).json, {"count": before})
        self.assertEqual(self.assertOk(mgr2.post("/notifications/read-all")).json, {"marked": before, "count": 0})
        self.assertEqual(self.assertOk(mgr2.get("/notifications/unread-count")).json, {"count": 0})
        self.assertEqual(self.assertOk(mgr2.get("/notifications", {"unread": "true"})).json["items"], [])

    # ---- webhooks ------------------------------------------------------------------------
    def test_webhook_permissions_and_validation(self):
        admin = self.admin()
        for login in ("rep1", "mgr1", "assistant", "finance"):
            self.assertStatus(self.as_user(login).get("/webhooks"), 403, "access.denied")
            self.assertStatus(self.as_user(login).post("/webhooks", {}), 403, "access.denied")
        self.assertOk(self.as_user("gm").get("/webhooks"))
        good = {"name": "销售群", "url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
                "format": "dingtalk", "events": ["approval.*"]}
        bad = [
            ({"url": "ftp://example.com/x"}, "url"),
            ({"url": "javascript:alert(1)"}, "url"),
            ({"url": "https://"}, "url"),
            ({"url": "https://exa mple.com/"}, "url"),
            ({"format": "slack"}, "format"),
            ({"events": []}, "events"),
            ({"events": ["Not A Kind"]}, "events"),
            ({"events": "approval.*"}, "events"),
            ({"name": ""}, "name"),
            ({"enabled": "yes"}, "enabled"),
            ({"extra": 1}, "extra"),
        ]
        for change, field in bad:
            body = dict(good, **change)
            response = admin.post("/webhooks", body)
            self.assertStatus(response, 422, "validation.failed")
            self.assertIn(field, response.fields, change)
        missing = admin.post("/webhooks", {})
        self.assertStatus(missing, 422, "validation.failed")
        self.assertTrue({"name", "url", "format", "events"} <= set(missing.fields))
        response = admin.post("/webhooks", dict(good, format="wecom", secret="SEC"))
        self.assertStatus(response, 422, "validation.failed")
        self.assertIn("secret", response.fields)

        created = self.assertStatus(admin.post("/webhooks", dict(good, secret="SECxyz")), 201).json
        self.assertEqual(created["url"], "https://oapi.dingtalk.com/robot/send?access_token=***")
        self.assertTrue(created["hasSecret"])
        self.assertTrue(created["enabled"])
        self.assertNotIn("secret", created)
        listing = admin.get("/webhooks")
        self.assertNotIn(b"SECxyz", listing.body)
        self.assertNotIn(b"access_token=abc", listing.body)
        patched = self.assertOk(admin.patch("/webhooks/%s" % created["id"], {"enabled": False, "name": "改名"})).json
        self.assertFalse(patched["enabled"])
        self.assertEqual(patched["name"], "改名")
        self.assertTrue(patched["hasSecret"])
        self.assertStatus(admin.patch("/webhooks/%s" % created["id"], {"url": "mailto:x@y"}), 422)
        audit = admin.get("/audit", {"entity": "webhook", "entityId": created["id"]})
        self.assertOk(audit)
        self.assertNotIn(b"SECxyz", audit.body)
        self.assertNotIn(b"access_token=abc", audit.body)
        self.assertStatus(admin.delete("/webhooks/%s" % created["id"]), 204)
        self.assertStatus(admin.delete("/webhooks/%s" % created["id"]), 404, "webhooks.not_found")
        self.assertStatus(admin.get("/webhooks/%s/deliveries" % created["id"]), 404, "webhooks.not_found")

    def test_webhook_delivery_retries_then_succeeds(self):
        robot = Robot(failures=1)
        self.addCleanup(robot.close)
        self.set_policy("notifications.webhook_backoff_base_seconds", 1)
        admin = self.admin()
        hook = self.assertStatus(admin.post("/webhooks", {
            "name": unique("企业微信群"), "url": robot.url("/cgi-bin/webhook/send?key=K123"), "format": "wecom",
            "events": ["approval.delegated"]}), 201).json
        self.assertEqual(hook["url"], robot.url("/cgi-bin/webhook/send?key=***"))
        # A notification of a matching kind: mgr1 names mgr2 as delegate.
        today = str(shanghai_date())
        mgr1, mgr2 = self.as_user("mgr1"), self.as_user("mgr2")
        self.assertOk(mgr1.put("/approval-delegation", {"delegateId": str(mgr2.user_id), "from": today,
                                                       "to": today}))
        self.assertTrue(self.wait_for(lambda: robot.count() >= 2), "the robot got %d posts" % robot.count())
        time.sleep(1.5)
        self.assertEqual(robot.count(), 2, "delivered once after one failure, then never again")
        first, second = robot.received
        self.assertEqual(first["path"], "/cgi-bin/webhook/send?key=K123")
        self.assertTrue(first["type"].startswith("application/json"))
        body = json.loads(second["body"].decode("utf-8"))
        self.assertEqual(body["msgtype"], "text")
        self.assertEqual(set(body), {"msgtype", "text"})
        self.assertTrue(body["text"]["content"].startswith("【拓客】"))
        self.assertIn("委托你代为审批", body["text"]["content"])

        deliveries = self.wait_for(lambda: len(admin.get("/webhooks/%s/deliveries" % hook["id"]).json["items"]) == 2)
        self.assertTrue(deliveries)
        items = self.assertOk(admin.get("/webhooks/%s/deliveries" % hook["id"])).json["items"]
        self.assertEqual([d["attempt"] for d in items], [2, 1])
        self.assertTrue(items[0]["ok"])
        self.assertEqual(items[0]["statusCode"], 200)
        self.assertIsNone(items[0]["error"])
        self.assertFalse(items[1]["ok"])
        self.assertEqual(items[1]["statusCode"], 500)
        self.assertEqual(items[1]["error"], "HTTP 500")
        self.assertEqual(items[0]["event"], "approval.delegated")
        self.assertGreaterEqual(items[0]["durationMs"], 0)
        # Events that do not match are not sent.
        self.assertOk(mgr1.post("/notifications/read-all"))
        time.sleep(1.5)
        self.assertEqual(robot.count(), 2)

    def test_webhook_test_message_and_dingtalk_signature(self):
        robot = Robot(failures=0)
        self.addCleanup(robot.close)
        admin = self.admin()
        hook = self.assertStatus(admin.post("/webhooks", {
            "name": unique("钉钉群"), "url": robot.url(), "format": "dingtalk", "events": ["*"],
            "secret": "SEC-TEST", "enabled": False}), 201).json
        result = self.assertOk(admin.post("/webhooks/%s/test" % hook["id"])).json
        self.assertEqual(result["ok"], True)
        self.assertEqual(result["statusCode"], 200)
        self.assertEqual(robot.count(), 1)
        posted = robot.received[0]
        self.assertRegex(posted["path"], r"^/robot/send\?access_token=TOKEN-XYZ&timestamp=\d{13}&sign=[A-Za-z0-9%]+$")
        body = json.loads(posted["body"].decode("utf-8"))
        self.assertEqual(body["msgtype"], "text")
        self.assertIn("测试", body["text"]["content"])
        items = self.assertOk(admin.get("/webhooks/%s/deliveries" % hook["id"])).json["items"]
        self.assertEqual(items[0]["event"], "webhook.test")
        # An unreachable robot: the attempt fails quickly and is logged.
        dead = self.assertStatus(admin.post("/webhooks", {
            "name": unique("dead"), "url": "http://127.0.0.1:9/hook", "format": "wecom", "events": ["*"],
            "enabled": False}), 201).json
        result = self.assertOk(admin.post("/webhooks/%s/test" % dead["id"])).json
        self.assertFalse(result["ok"])
        self.assertIsNone(result["statusCode"])
        self.assertTrue(result["error"])


if __name__ == "__main__":
    unittest.main()
