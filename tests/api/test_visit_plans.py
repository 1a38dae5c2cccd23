"""Monthly visit plans, visit applications and visit norms (docs/api-visits.md
"Plans, applications, norms"), including the approval flow through /approvals."""

import datetime
import unittest

from harness import ServerTestCase, shanghai_date, unique


def next_month(today):
    first = today.replace(day=1)
    return (first + datetime.timedelta(days=32)).replace(day=1)


class VisitPlanApiTests(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = shanghai_date()
        cls.month = next_month(cls.today)
        cls.month_text = cls.month.strftime("%Y-%m")

    def customer(self, client, name=None):
        response = client.post("/customers", {"name": name or unique("计划客户"), "type": "distributor",
                                              "acknowledgeDuplicates": True})
        self.assertStatus(response, 201)
        return response.json["id"]

    def item(self, customer_id, day=3, purposes=("relationship",)):
        return {"customerId": customer_id, "date": self.month.replace(day=day).isoformat(),
                "purposes": list(purposes), "note": None}

    def fresh_rep(self, login):
        """The demo reps may already hold next month's plan from another test: each plan
        test uses its own rep, created in mgr1's team."""
        admin = self.as_user("admin")
        team = self.unit_by_name("华东一组")
        mgr1 = self.user_by_username("mgr1")
        from harness import phone
        response = admin.post("/users", {"username": login, "name": login, "phone": phone(), "roles": ["rep"],
                                          "unitId": team["id"], "managerId": mgr1["id"],
                                          "employmentStatus": "regular", "password": "Passw0rd1"})
        self.assertStatus(response, 201)
        return self.as_user(login, "Passw0rd1")

    def approve(self, client, approval_id, action="approve", comment="好"):
        response = client.post("/approvals/%s/%s" % (approval_id, action), {"comment": comment})
        self.assertOk(response)
        return response.json

    # ---- plans -------------------------------------------------------------------------------
    def test_plan_coverage_submit_and_approval_through_the_inbox(self):
        rep = self.fresh_rep(unique("planrep"))
        planned, forgotten = self.customer(rep), self.customer(rep)
        created = rep.post("/visit-plans", {"month": self.month_text, "items": [self.item(planned)],
                                            "targets": {"salesTargetFen": "5000000", "adminTargets": "回款"}})
        self.assertStatus(created, 201)
        plan = created.json
        self.assertEqual(plan["status"], "draft")
        self.assertEqual(plan["targets"], {"salesTargetFen": "5000000", "adminTargets": "回款"})
        self.assertEqual(plan["items"][0]["customerId"], planned)
        coverage = rep.get("/visit-plans/%s/coverage" % plan["id"]).json
        states = {entry["customerId"]: entry["state"] for entry in coverage["items"]}
        self.assertEqual(states[forgotten], "missing")
        self.assertEqual(states[planned], "ok")
        self.assertEqual(coverage["items"][0]["state"], "missing")  # left-out customers first

        submitted = rep.post("/visit-plans/%s/submit" % plan["id"])
        self.assertOk(submitted)
        self.assertEqual(submitted.json["status"], "pending")
        self.assertFalse(submitted.json["late"])
        mgr1 = self.as_user("mgr1")
        inbox = mgr1.get("/approvals", {"box": "inbox"}).json["items"]
        self.assertIn(submitted.json["approvalId"], [entry["id"] for entry in inbox])
        self.approve(mgr1, submitted.json["approvalId"])
        self.assertEqual(rep.get("/visit-plans/%s" % plan["id"]).json["status"], "approved")
        # One plan per rep and month.
        self.assertStatus(rep.post("/visit-plans", {"month": self.month_text}), 409, "visits.plan_exists")

    def test_returned_plan_is_edited_and_resubmitted(self):
        rep = self.fresh_rep(unique("planret"))
        customer = self.customer(rep)
        plan = rep.post("/visit-plans", {"month": self.month_text, "items": [self.item(customer)]}).json
        submitted = rep.post("/visit-plans/%s/submit" % plan["id"]).json
        mgr1 = self.as_user("mgr1")
        self.assertStatus(mgr1.post("/approvals/%s/return" % submitted["approvalId"], {"comment": ""}), 422)
        self.approve(mgr1, submitted["approvalId"], "return", "每周一次")
        returned = rep.get("/visit-plans/%s" % plan["id"]).json
        self.assertEqual(returned["status"], "returned")
        self.assertEqual(returned["decisionComment"], "每周一次")
        edited = rep.patch("/visit-plans/%s" % plan["id"],
                           {"items": [self.item(customer, 3), self.item(customer, 10)]})
        self.assertOk(edited)
        self.assertEqual(len(edited.json["items"]), 2)
        again = rep.post("/visit-plans/%s/submit" % plan["id"]).json
        self.assertEqual(again["status"], "pending")
        self.approve(mgr1, again["approvalId"])
        self.assertEqual(rep.get("/visit-plans/%s" % plan["id"]).json["status"], "approved")

    def test_scope_validation_and_editing_rules(self):
        rep = self.fresh_rep(unique("planscope"))
        plan = rep.post("/visit-plans", {"month": self.month_text}).json
        for outsider in ("rep2", "mgr2"):
            self.assertStatus(self.as_user(outsider).get("/visit-plans/%s" % plan["id"]), 404,
                              "visits.plan_not_found")
        self.assertStatus(self.as_user("finance").get("/visit-plans"), 403, "access.denied")
        self.assertOk(self.as_user("mgr1").get("/visit-plans/%s" % plan["id"]))
        self.assertStatus(self.as_user("mgr1").patch("/visit-plans/%s" % plan["id"], {"note": "x"}), 403,
                          "access.denied")
        mine = rep.get("/visit-plans", {"month": self.month_text}).json["items"]
        self.assertEqual([p["id"] for p in mine], [plan["id"]])
        # Strict bodies: unknown fields, a foreign customer, a day outside the month.
        other = self.customer(self.as_user("rep4"))
        bad = rep.patch("/visit-plans/%s" % plan["id"], {
            "items": [self.item(other), {"customerId": other, "date": "2000-01-01", "purposes": ["x"]}],
            "colour": "red"})
        self.assertStatus(bad, 422, "validation.failed")
        for field in ("items[1].purposes", "colour"):
            self.assertIn(field, bad.fields)
        # Customers and days are checked once the body reads well.
        foreign = rep.patch("/visit-plans/%s" % plan["id"], {
            "items": [self.item(other), {"customerId": other, "date": "2000-01-01", "purposes": ["coverage"]}]})
        self.assertStatus(foreign, 422, "validation.failed")
        for field in ("items[0].customerId", "items[1].date"):
            self.assertIn(field, foreign.fields)
        self.assertStatus(rep.post("/visit-plans", {"month": "2026-13"}), 422)
        self.assertStatus(rep.post("/visit-plans/%s/submit" % plan["id"]), 409, "visits.plan_empty")
        self.assertStatus(rep.get("/visit-plans", {"status": "bogus"}), 422)

    def test_progress_per_rep_and_team(self):
        mgr1 = self.as_user("mgr1")
        progress = mgr1.get("/visit-plans/progress", {"month": self.today.strftime("%Y-%m")})
        self.assertOk(progress)
        names = [row["repName"] for row in progress.json["reps"]]
        self.assertIn("张伟", names)
        self.assertNotIn("陈静", names)  # rep4 is in the other team
        team = progress.json["team"]
        self.assertEqual(team["planned"], sum(row["planned"] for row in progress.json["reps"]))
        self.assertEqual(team["actual"], sum(row["actual"] for row in progress.json["reps"]))
        rep1_rows = [row for row in progress.json["reps"] if row["repName"] == "张伟"]
        # The demo seeds an approved plan of rep1 for the current month.
        self.assertEqual(rep1_rows[0]["planStatus"], "approved")
        self.assertGreater(rep1_rows[0]["planned"], 0)
        self.assertStatus(self.as_user("rep1").get("/visit-plans/progress", {"month": "x"}), 422)
        own = self.as_user("rep1").get("/visit-plans/progress").json
        self.assertEqual([row["repName"] for row in own["reps"]], ["张伟"])

    # ---- applications ------------------------------------------------------------------------
    def application_body(self, customer_id, days_ahead=2, **extra):
        body = {"visitDate": (self.today + datetime.timedelta(days=days_ahead)).isoformat(),
                "customerIds": [customer_id], "purposes": ["relationship"],
                "expenses": [{"category": "gift", "description": "礼盒",
                              "amount": {"amount": "20000", "currency": "CNY"}}]}
        body.update(extra)
        return body

    def test_application_is_approved_then_registered(self):
        rep1 = self.as_user("rep1")
        customer = self.customer(rep1)
        created = rep1.post("/visit-applications", self.application_body(customer, comesToOfficeFirst=True))
        self.assertStatus(created, 201)
        self.assertEqual(created.json["expectedTotal"], {"amount": "20000", "currency": "CNY"})
        self.assertEqual(created.json["status"], "draft")
        submitted = rep1.post("/visit-applications/%s/submit" % created.json["id"]).json
        self.assertEqual(submitted["status"], "pending")
        self.assertFalse(submitted["late"])
        self.approve(self.as_user("mgr1"), submitted["approvalId"])
        self.assertEqual(rep1.get("/visit-applications/%s" % created.json["id"]).json["status"], "approved")
        assistant = self.as_user("assistant")
        inbox = assistant.get("/approvals", {"box": "inbox"}).json["items"]
        self.assertIn(submitted["approvalId"], [entry["id"] for entry in inbox])
        self.approve(assistant, submitted["approvalId"], "register")
        self.assertEqual(rep1.get("/visit-applications/%s" % created.json["id"]).json["status"], "registered")
        self.assertStatus(self.as_user("rep2").get("/visit-applications/%s" % created.json["id"]), 404,
                          "visits.application_not_found")
        self.assertStatus(rep1.patch("/visit-applications/%s" % created.json["id"], {"notes": "x"}), 409,
                          "visits.application_not_editable")

    def test_managers_application_goes_to_the_general_manager(self):
        mgr1 = self.as_user("mgr1")
        customer = self.customer(self.as_user("rep1"))
        created = mgr1.post("/visit-applications", self.application_body(customer, days_ahead=3)).json
        submitted = mgr1.post("/visit-applications/%s/submit" % created["id"]).json
        gm_inbox = self.as_user("gm").get("/approvals", {"box": "inbox"}).json["items"]
        self.assertIn(submitted["approvalId"], [entry["id"] for entry in gm_inbox])
        self.approve(self.as_user("gm"), submitted["approvalId"])
        self.assertEqual(mgr1.get("/visit-applications/%s" % created["id"]).json["status"], "approved")

    def test_application_validation(self):
        rep1 = self.as_user("rep1")
        customer = self.customer(rep1)
        bad = rep1.post("/visit-applications", {
            "visitDate": (self.today - datetime.timedelta(days=1)).isoformat(), "customerIds": [],
            "purposes": ["nope"], "expenses": [{"category": "yacht", "description": "",
                                                "amount": {"amount": "-5", "currency": "CNY"}}]})
        self.assertStatus(bad, 422, "validation.failed")
        for field in ("customerIds", "purposes", "expenses[0].category", "expenses[0].description",
                      "expenses[0].amount"):
            self.assertIn(field, bad.fields)
        past = rep1.post("/visit-applications", self.application_body(customer, days_ahead=-1))
        self.assertStatus(past, 422)
        self.assertIn("visitDate", past.fields)
        listed = rep1.get("/visit-applications", {"status": "pending"}).json["items"]
        self.assertTrue(all(entry["status"] == "pending" for entry in listed))

    # ---- norms -------------------------------------------------------------------------------
    def test_norms_are_scoped_sorted_and_paged(self):
        rep1 = self.as_user("rep1")
        norms = rep1.get("/visit-norms")
        self.assertOk(norms)
        due_dates = [entry["dueOn"] for entry in norms.json["items"]]
        self.assertEqual(due_dates, sorted(due_dates))
        self.assertTrue(all(entry["ownerName"] == "张伟" for entry in norms.json["items"]))
        self.assertEqual(self.as_user("rep4").get("/visit-norms", {"repId": rep1.user_id}).json["items"], [])
        if len(norms.json["items"]) > 1:
            first = rep1.get("/visit-norms", {"limit": 1}).json
            second = rep1.get("/visit-norms", {"limit": 1, "cursor": first["nextCursor"]}).json
            self.assertEqual(second["items"][0]["customerId"], norms.json["items"][1]["customerId"])
        self.assertStatus(rep1.get("/visit-norms", {"state": "late"}), 422)
        self.assertStatus(rep1.get("/visit-norms", {"cursor": "garbage"}), 422)
        self.assertStatus(self.as_user("finance").get("/visit-norms"), 403)


if __name__ == "__main__":
    unittest.main()
