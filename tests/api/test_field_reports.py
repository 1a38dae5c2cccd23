"""Daily reports, weekly summaries and morning notes through the API (docs/api-fieldreports.md).

The server runs on the real clock, so the tests use today and yesterday in the company
zone (Asia/Shanghai): yesterday's report is always late, today's is on time unless the
test runs in the last minute of the day.
"""

import datetime
import unittest

from harness import ServerTestCase, shanghai_date


def iso(day):
    return day.isoformat()


class FieldReportTests(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = shanghai_date()
        cls.yesterday = cls.today - datetime.timedelta(days=1)
        cls.monday = cls.today - datetime.timedelta(days=cls.today.weekday())

    def test_draft_edit_submit_and_review(self):
        rep1, mgr1, mgr2, rep2 = (self.as_user(u) for u in ("rep1", "mgr1", "mgr2", "rep2"))
        customer = self.assertOk(rep1.post("/customers", {
            "name": "报告测试客户甲", "type": "distributor", "acknowledgeDuplicates": True}), 201).json
        draft = self.assertOk(rep1.get("/daily-reports/draft", {"date": iso(self.today)})).json
        self.assertIsNone(draft["id"])
        self.assertEqual(draft["status"], "new")
        self.assertEqual(draft["date"], iso(self.today))
        self.assertGreaterEqual(draft["facts"]["counts"]["newCustomers"], 1)
        self.assertIn(customer["name"], [c["name"] for c in draft["facts"]["newCustomers"]])
        self.assertTrue(draft["summary"].startswith("今日拜访客户"))

        saved = self.assertOk(rep1.put("/daily-reports/" + iso(self.today), {
            "summary": "拜访两家", "problems": "价格压力", "nextPlan": "去宁波",
            "sections": [{"title": "竞品", "body": "立邦降价"}]})).json
        self.assertEqual(saved["status"], "draft")
        report_id = saved["id"]
        # Drafts are private.
        self.assertStatus(mgr1.get("/daily-reports/" + report_id), 404, "reports.not_found")
        self.assertNotIn(report_id, [r["id"] for r in mgr1.get("/daily-reports").json["items"]])

        submitted = self.assertOk(rep1.post("/daily-reports/%s/submit" % iso(self.today), {})).json
        self.assertEqual(submitted["status"], "submitted")
        self.assertEqual(submitted["summary"], "拜访两家")
        self.assertEqual(submitted["managerId"], mgr1.user_id)
        self.assertIn("facts", submitted)
        self.assertStatus(rep1.put("/daily-reports/" + iso(self.today), {"summary": "x"}), 409,
                          "reports.already_submitted")

        # The manager reads and comments; the rep is notified; others cannot.
        listed = self.assertOk(mgr1.get("/daily-reports", {"date": iso(self.today)})).json["items"]
        self.assertIn(report_id, [r["id"] for r in listed])
        self.assertStatus(mgr2.get("/daily-reports/" + report_id), 404, "reports.not_found")
        self.assertStatus(rep2.get("/daily-reports/" + report_id), 404, "reports.not_found")
        self.assertStatus(rep1.post("/daily-reports/%s/comment" % report_id, {"body": "x"}), 403, "access.denied")
        self.assertStatus(mgr2.post("/daily-reports/%s/comment" % report_id, {"body": "x"}), 404)
        reviewed = self.assertOk(mgr1.post("/daily-reports/%s/comment" % report_id,
                                           {"body": "重点跟进宁波"}), 201).json
        self.assertEqual(reviewed["status"], "reviewed")
        self.assertEqual(reviewed["comments"][-1]["body"], "重点跟进宁波")
        notes = self.assertOk(rep1.get("/notifications")).json["items"]
        self.assertIn("field_report.commented", [n["kind"] for n in notes])
        manager_notes = self.assertOk(mgr1.get("/notifications")).json["items"]
        self.assertIn("field_report.submitted", [n["kind"] for n in manager_notes])

    def test_late_submission_and_missing_list(self):
        rep2, mgr1, gm, rep3 = (self.as_user(u) for u in ("rep2", "mgr1", "gm", "rep3"))
        late = self.assertOk(rep2.post("/daily-reports/%s/submit" % iso(self.yesterday),
                                       {"summary": "补交昨天的日报"})).json
        self.assertTrue(late["late"])
        listed = self.assertOk(mgr1.get("/daily-reports", {"date": iso(self.yesterday), "late": "true"})).json
        self.assertIn(late["id"], [r["id"] for r in listed["items"]])

        missing = self.assertOk(mgr1.get("/daily-reports/missing", {"date": iso(self.yesterday)})).json
        names = [m["repName"] for m in missing["items"]]
        self.assertNotIn("王芳", names)          # rep2 submitted (late)
        self.assertIn("刘洋", names)             # rep3 did not
        self.assertNotIn("陈静", names)          # another team
        self.assertTrue(all(m["overdue"] for m in missing["items"]))
        everyone = self.assertOk(gm.get("/daily-reports/missing", {"date": iso(self.yesterday)})).json
        self.assertIn("陈静", [m["repName"] for m in everyone["items"]])
        self.assertStatus(rep3.get("/daily-reports/missing"), 403, "access.denied")

    def test_validation(self):
        rep1 = self.as_user("rep6")  # nothing submitted today (other tests submit rep1's report)
        future = iso(self.today + datetime.timedelta(days=2))
        self.assertStatus(rep1.put("/daily-reports/" + future, {"summary": "x"}), 422, "validation.failed")
        self.assertStatus(rep1.put("/daily-reports/2026-13-01", {"summary": "x"}), 422, "validation.failed")
        response = self.assertStatus(rep1.put("/daily-reports/" + iso(self.today), {"mood": "good"}), 422)
        self.assertIn("mood", response.fields)
        response = self.assertStatus(rep1.put("/daily-reports/" + iso(self.today), {
            "sections": [{"title": "", "body": "x"}, "text"]}), 422)
        self.assertIn("sections[0].title", response.fields)
        self.assertIn("sections[1]", response.fields)
        self.assertStatus(rep1.put("/daily-reports/" + iso(self.today), {"summary": "x" * 4001}), 422)
        self.assertStatus(rep1.get("/daily-reports/draft", {"date": "yesterday"}), 422)
        self.assertStatus(rep1.get("/daily-reports/abc"), 404, "reports.not_found")
        self.assertStatus(self.as_user("finance").get("/daily-reports/draft"), 403, "access.denied")

    def test_morning_notes(self):
        rep4, mgr2, mgr1 = (self.as_user(u) for u in ("rep4", "mgr2", "mgr1"))
        response = self.assertStatus(rep4.put("/morning-notes", {"plan": "去佛山", "backByEndOfDay": False}), 422)
        self.assertIn("reasonNotBack", response.fields)
        note = self.assertOk(rep4.put("/morning-notes", {"plan": "去佛山", "backByEndOfDay": False,
                                                         "reasonNotBack": "客户晚宴"})).json
        self.assertEqual(note["date"], iso(self.today))
        self.assertIsInstance(note["late"], bool)
        again = self.assertOk(rep4.put("/morning-notes", {"plan": "去佛山和中山", "backByEndOfDay": True})).json
        self.assertEqual(again["id"], note["id"])
        self.assertEqual(again["late"], note["late"])
        self.assertIsNone(again["reasonNotBack"])
        self.assertIn(note["id"], [n["id"] for n in mgr2.get("/morning-notes").json["items"]])
        self.assertNotIn(note["id"], [n["id"] for n in mgr1.get("/morning-notes").json["items"]])

    def test_weekly_summary(self):
        rep5, mgr2 = self.as_user("rep5"), self.as_user("mgr2")
        draft = self.assertOk(rep5.get("/period-reports/draft", {"period": "week"})).json
        self.assertEqual(draft["periodStart"], iso(self.monday))
        self.assertEqual(draft["periodEnd"], iso(self.monday + datetime.timedelta(days=6)))
        self.assertIn("dailyReportsMissing", draft["facts"]["counts"])
        if self.today != self.monday:
            self.assertStatus(rep5.get("/period-reports/draft", {"period": "week", "start": iso(self.today)}), 422)
        self.assertStatus(rep5.get("/period-reports/draft", {"period": "fortnight"}), 422)
        submitted = self.assertOk(rep5.post("/period-reports/week/%s/submit" % iso(self.monday),
                                            {"summary": "本周总结"})).json
        self.assertEqual(submitted["kind"], "week")
        listed = self.assertOk(mgr2.get("/period-reports", {"period": "week"})).json["items"]
        self.assertIn(submitted["id"], [r["id"] for r in listed])
        self.assertOk(mgr2.get("/period-reports/" + submitted["id"]))
        self.assertOk(mgr2.post("/period-reports/%s/comment" % submitted["id"], {"body": "好"}), 201)
        month = self.assertOk(rep5.get("/period-reports/draft", {"period": "month"})).json
        self.assertEqual(month["periodStart"], iso(self.today.replace(day=1)))

    def test_quarter_half_year_and_annual_summaries(self):
        rep4, mgr2, mgr1 = self.as_user("rep4"), self.as_user("mgr2"), self.as_user("mgr1")
        quarter_start = self.today.replace(month=(self.today.month - 1) // 3 * 3 + 1, day=1)
        draft = self.assertOk(rep4.get("/period-reports/draft", {"period": "quarter"})).json
        self.assertEqual(draft["kind"], "quarter")
        self.assertEqual(draft["periodStart"], iso(quarter_start))
        self.assertIn("intelReports", draft["facts"]["counts"])
        self.assertEqual(set(draft["facts"]["plan"]), {"plannedVisits", "plannedCustomers", "plannedVisitsDone",
                                                        "completionPercent", "unplannedVisits"})
        self.assertIsInstance(draft["facts"]["intel"], list)
        self.assertTrue(draft["summary"].startswith("本季度拜访"))
        half = self.assertOk(rep4.get("/period-reports/draft", {"period": "half_year"})).json
        self.assertEqual(half["periodStart"], iso(self.today.replace(month=1 if self.today.month <= 6 else 7, day=1)))
        year = self.assertOk(rep4.get("/period-reports/draft", {"period": "year"})).json
        self.assertEqual(year["periodStart"], iso(self.today.replace(month=1, day=1)))
        self.assertEqual(year["periodEnd"], iso(self.today.replace(month=12, day=31)))
        # R-REPORT-11: the period's first day only; not a future period.
        off = quarter_start + datetime.timedelta(days=1)
        self.assertStatus(rep4.get("/period-reports/draft", {"period": "quarter", "start": iso(off)}), 422,
                          "validation.failed")
        self.assertStatus(rep4.put("/period-reports/year/%s-01-01" % (self.today.year + 1), {"summary": "x"}), 422)
        saved = self.assertOk(rep4.put("/period-reports/quarter/" + iso(quarter_start),
                                       {"summary": "季度总结", "problems": "竞品降价"})).json
        self.assertEqual(saved["status"], "draft")
        submitted = self.assertOk(rep4.post("/period-reports/quarter/%s/submit" % iso(quarter_start), {})).json
        self.assertEqual(submitted["status"], "submitted")
        self.assertEqual(submitted["problems"], "竞品降价")
        self.assertStatus(rep4.put("/period-reports/quarter/" + iso(quarter_start), {"summary": "y"}), 409,
                          "reports.already_submitted")
        listed = self.assertOk(mgr2.get("/period-reports", {"period": "quarter"})).json["items"]
        self.assertIn(submitted["id"], [r["id"] for r in listed])
        self.assertStatus(mgr1.get("/period-reports/" + submitted["id"]), 404, "reports.not_found")
        commented = self.assertOk(mgr2.post("/period-reports/%s/comment" % submitted["id"], {"body": "请细化"}), 201).json
        self.assertEqual(commented["status"], "reviewed")
        # The manager was told of the submission, the rep of the comment (code + params).
        inbox = self.assertOk(mgr2.get("/notifications")).json["items"]
        notice = next(n for n in inbox if n["kind"] == "field_report.submitted" and n["data"]["reportId"] == submitted["id"])
        self.assertEqual(notice["data"]["kind"], "quarter")
        self.assertIn("季度总结", notice["title"])
        mine = self.assertOk(rep4.get("/notifications")).json["items"]
        self.assertTrue(any(n["kind"] == "field_report.commented" and n["data"]["kind"] == "quarter" for n in mine))
        self.assertStatus(rep4.get("/daily-reports/" + submitted["id"]), 404, "reports.not_found")


if __name__ == "__main__":
    unittest.main()
