"""Routine checklists through the API (docs/api-fieldreports.md, R-ROUTINE-n)."""

import unittest

from harness import ServerTestCase


class RoutineTests(ServerTestCase):

    def template(self, period):
        for item in self.as_user("gm").get("/routine-templates").json["items"]:
            if item["period"] == period and item["builtIn"]:
                return item
        raise AssertionError("no built-in template " + period)

    def test_the_seed_lists_exist_in_a_fresh_install(self):
        templates = self.assertOk(self.as_user("assistant").get("/routine-templates")).json["items"]
        sizes = {t["period"]: len(t["items"]) for t in templates if t["builtIn"]}
        self.assertEqual(sizes, {"daily": 27, "weekly": 19, "monthly": 17, "quarterly": 12,
                                 "half_yearly": 12, "yearly": 12})
        self.assertEqual(self.template("daily")["items"][20], "认真填写一次工作日志")
        self.assertStatus(self.as_user("rep1").get("/routine-templates"), 403, "access.denied")

    def test_assign_check_and_completion(self):
        gm, mgr1, mgr2 = self.as_user("gm"), self.as_user("mgr1"), self.as_user("mgr2")
        rep2, rep5 = self.as_user("rep2"), self.as_user("rep5")
        weekly = self.template("weekly")
        team = self.unit_by_name("华东一组")
        # A team manager assigns within the team, not company-wide.
        self.assertStatus(mgr1.post("/routine-assignments", {"templateId": weekly["id"], "role": "rep"}), 403)
        assignment = self.assertOk(mgr1.post("/routine-assignments", {
            "templateId": weekly["id"], "unitId": team["id"], "role": "rep"}), 201).json
        self.assertEqual(assignment["unitName"], "华东一组")
        self.assertStatus(mgr1.post("/routine-assignments", {
            "templateId": weekly["id"], "unitId": team["id"], "role": "rep"}), 409, "routines.already_assigned")
        self.assertStatus(mgr1.post("/routine-assignments", {"templateId": weekly["id"]}), 422)
        self.assertNotIn(assignment["id"], [a["id"] for a in mgr2.get("/routine-assignments").json["items"]])

        mine = self.assertOk(rep2.get("/routines/mine")).json["items"]
        weekly_lists = [c for c in mine if c["templateId"] == weekly["id"]]
        self.assertEqual(len(weekly_lists), 1)
        checklist = weekly_lists[0]
        self.assertEqual(checklist["total"], 19)
        self.assertTrue(checklist["current"])
        item = checklist["items"][0]
        checked = self.assertOk(rep2.post("/routines/items/%s/check" % item["id"],
                                          {"checked": True, "note": "周一学习会"})).json
        self.assertEqual(checked["checked"], 1)
        self.assertEqual(checked["items"][0]["note"], "周一学习会")
        self.assertStatus(rep5.post("/routines/items/%s/check" % item["id"], {"checked": True}), 404,
                          "routines.item_not_found")
        self.assertStatus(rep2.post("/routines/items/%s/check" % item["id"], {"checked": "yes"}), 422)
        self.assertEqual([c for c in rep5.get("/routines/mine").json["items"] if c["templateId"] == weekly["id"]], [])

        completion = self.assertOk(mgr1.get("/routines/completion", {"period": "weekly"})).json
        by_name = {row["userName"]: row for row in completion["items"]}
        self.assertEqual(by_name["王芳"]["checked"], 1)
        self.assertEqual(by_name["王芳"]["total"], 19)
        self.assertIn("刘洋", by_name)
        self.assertNotIn("杨磊", by_name)
        self.assertStatus(mgr1.get("/routines/completion", {"period": "hourly"}), 422)
        self.assertStatus(rep2.get("/routines/completion"), 403)
        self.assertOk(gm.get("/routines/completion", {"period": "weekly"}))
        self.assertStatus(mgr2.delete("/routine-assignments/" + assignment["id"]), 404)
        self.assertStatus(mgr1.delete("/routine-assignments/" + assignment["id"]), 204)

    def test_templates_are_edited_company_wide(self):
        gm, mgr1 = self.as_user("gm"), self.as_user("mgr1")
        created = self.assertOk(gm.post("/routine-templates", {
            "period": "monthly", "name": "月度回访", "items": ["回访A类客户", "整理客户档案"]}), 201).json
        self.assertFalse(created["builtIn"])
        self.assertStatus(mgr1.patch("/routine-templates/" + created["id"], {"name": "x"}), 403)
        edited = self.assertOk(gm.patch("/routine-templates/" + created["id"], {
            "items": ["回访A类客户"], "active": False})).json
        self.assertEqual(edited["items"], ["回访A类客户"])
        self.assertFalse(edited["active"])
        response = self.assertStatus(gm.post("/routine-templates", {
            "period": "hourly", "name": "", "items": ["x" * 201]}), 422)
        for field in ("period", "name", "items[0]"):
            self.assertIn(field, response.fields)
        self.assertStatus(gm.get("/routine-templates/999999"), 404, "routines.template_not_found")


if __name__ == "__main__":
    unittest.main()
