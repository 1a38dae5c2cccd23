"""Reminders and notification texts through the real binary (R-REMIND-n, R-NOTIF-8;
docs/api-fieldreports.md "Reminders", docs/api-workflow.md "Webhooks").

The reminders job runs inside `tuoke serve` and as `tuoke jobs run reminders`; the test
runs the command against the server's database while the server runs, twice, and checks
that each reminder reached the inbox exactly once.
"""

import datetime
import unittest

from harness import ServerTestCase, shanghai_date


class ReminderTests(ServerTestCase):

    def test_daily_report_reminder_is_sent_once_across_runs(self):
        gm = self.as_user("gm")
        now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)
        due = now + datetime.timedelta(minutes=30)
        if due.date() != now.date():
            self.skipTest("too close to midnight in Shanghai for a due time later today")
        # Due in 30 minutes: inside the default 60-minute reminder window.
        self.assertOk(gm.post("/policies/visits.daily_report_due_time/versions", {
            "value": due.strftime("%H:%M"), "effectiveFrom": shanghai_date().isoformat(), "note": "test"}), 201)
        # The reps are made after the new due time: the server's own job runs when it starts
        # and every five minutes, and from 22:59 in Shanghai it would already have reminded
        # the demo reps of the default 23:59 (once a day, so ours would never come).
        (_, waiting), (_, done) = self.new_rep(), self.new_rep()
        self.assertOk(done.post("/daily-reports/%s/submit" % shanghai_date().isoformat(), {"summary": "今天"}))
        for _ in range(2):
            result = self.server.cli("jobs", "run", "reminders")
            self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
            self.assertIn("reminders:", result.stdout)

        def due_soon(client):
            items = self.assertOk(client.get("/notifications", {"limit": 100})).json["items"]
            return [n for n in items if n["kind"] == "field_report.due_soon"]
        mine = due_soon(waiting)
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["data"]["date"], shanghai_date().isoformat())
        self.assertEqual(mine[0]["data"]["dueTime"], due.strftime("%H:%M"))
        self.assertEqual(mine[0]["link"], "/reports/daily?date=" + shanghai_date().isoformat())
        self.assertEqual(due_soon(done), [])  # submitted already
        self.assertEqual(due_soon(gm), [])    # not a rep

    def test_overdue_follow_ups_are_reminded_once_each(self):
        # Items cannot be created overdue through the API (dueOn not in the past), so this
        # checks the demo data's overdue items, if any, and that a second run sends nothing;
        # the overdue path itself is covered with a fake clock in reminder_service_test.cc.
        rep1 = self.as_user("rep1")
        outputs = []
        for _ in range(2):
            result = self.server.cli("jobs", "run", "reminders")
            self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
            outputs.append(result.stdout)
        self.assertIn(" 0 overdue follow-up", outputs[1])
        today = shanghai_date()
        lookback = (today - datetime.timedelta(days=7)).isoformat()
        overdue = self.assertOk(rep1.get("/follow-up-items", {"status": "overdue", "limit": 100})).json["items"]
        expected = sorted(item["id"] for item in overdue
                          if item["ownerId"] == rep1.user_id and item["dueOn"] >= lookback)
        items = self.assertOk(rep1.get("/notifications", {"limit": 100})).json["items"]
        reminded = sorted(n["data"]["followUpId"] for n in items if n["kind"] == "followup.overdue")
        self.assertEqual(reminded, expected)


class WebhookLanguageTests(ServerTestCase):

    def test_language_is_validated_and_kept(self):
        admin = self.admin()
        hook = self.assertOk(admin.post("/webhooks", {
            "name": "英文群", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K", "format": "wecom",
            "events": ["*"], "language": "en"}), 201).json
        self.assertEqual(hook["language"], "en")
        self.assertStatus(admin.patch("/webhooks/" + hook["id"], {"language": "fr"}), 422, "validation.failed")
        cleared = self.assertOk(admin.patch("/webhooks/" + hook["id"], {"language": None})).json
        self.assertIsNone(cleared["language"])
        kept = self.assertOk(admin.patch("/webhooks/" + hook["id"], {"name": "改名"})).json
        self.assertIsNone(kept["language"])
        policy = self.assertOk(admin.get("/policies/notifications.webhook_language")).json
        self.assertEqual(policy["value"], "zh-CN")


if __name__ == "__main__":
    unittest.main()
