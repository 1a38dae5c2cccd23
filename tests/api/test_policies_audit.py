"""Company policies (versioned values) and the audit trail."""

import datetime
import unittest

from harness import ServerTestCase, parse_instant, shanghai_date, unique

POLICY_FIELDS = {"key", "group", "type", "unit", "section", "options", "min", "max", "default", "value",
                 "effectiveFrom", "labelZh", "labelEn"}
POLICY_TYPES = {"integer", "money", "basis_points", "boolean", "string", "enum", "time", "json"}
SPEC_DEFAULTS = {
    "performance.quota_stores_probation": 2,
    "performance.quota_stores_regular": 4,
    "performance.quota_shortfall_fine": 20000,
    "complaints.first_response_hours": 24,
    "callbacks.cs_weekly_minimum": 18,
    "visits.report_due_days": 2,
    "money.late_handover_fine_bp": 10,
    "callbacks.payment_reminder_days_before": 3,
}
AUDIT_FIELDS = {"id", "at", "actorId", "actorName", "ip", "requestId", "action", "entity", "entityId",
                "before", "after"}


class PolicyDefaultsTests(ServerTestCase):
    """A fresh company: every policy holds its default."""

    def test_every_policy_is_at_its_default(self):
        items = self.assertOk(self.as_user("gm").get("/policies")).json["items"]
        self.assertGreaterEqual(len(items), 40)
        keys = [p["key"] for p in items]
        self.assertEqual(len(keys), len(set(keys)))
        for policy in items:
            with self.subTest(key=policy["key"]):
                self.assertEqual(set(policy), POLICY_FIELDS)
                self.assertEqual(policy["value"], policy["default"])
                self.assertEqual(policy["effectiveFrom"], "2000-01-01")
                self.assertIn(policy["type"], POLICY_TYPES)
                self.assertTrue(isinstance(policy["group"], str) and policy["group"])
                self.assertTrue(policy["labelZh"] and policy["labelEn"])
                if policy["type"] == "enum":
                    self.assertIn(policy["value"], policy["options"])
                if policy["type"] in ("integer", "money", "basis_points"):
                    self.assertIsInstance(policy["value"], int)
                    if policy["min"] is not None:
                        self.assertGreaterEqual(policy["value"], policy["min"])
                    if policy["max"] is not None:
                        self.assertLessEqual(policy["value"], policy["max"])
        by_key = {p["key"]: p for p in items}
        for key, value in SPEC_DEFAULTS.items():
            with self.subTest(key=key):
                self.assertEqual(by_key[key]["value"], value)
                self.assertEqual(by_key[key]["default"], value)
        self.assertEqual(by_key["performance.quota_shortfall_fine"]["type"], "money")
        self.assertEqual(by_key["money.late_handover_fine_bp"]["type"], "basis_points")
        # One policy by key and its (single, default) version.
        one = self.assertOk(self.as_user("gm").get("/policies/callbacks.cs_weekly_minimum")).json
        self.assertEqual(one, by_key["callbacks.cs_weekly_minimum"])
        versions = self.assertOk(self.as_user("gm").get("/policies/callbacks.cs_weekly_minimum/versions")).json
        self.assertEqual(len(versions["items"]), 1)
        self.assertEqual(versions["items"][0]["value"], 18)
        self.assertEqual(versions["items"][0]["effectiveFrom"], "2000-01-01")
        # Readable by the roles holding policies.read (sales_manager), on any date.
        old = self.assertOk(self.as_user("mgr1").get("/policies", {"date": "2001-06-30"})).json["items"]
        self.assertEqual([p["value"] for p in old], [p["value"] for p in items])


class PolicyVersionTests(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gm = cls.as_user("gm")
        cls.changes = []  # (response, entity, entityId, action) of every change made here

    def change(self, response, status, entity, entity_id, action):
        self.assertStatus(response, status)
        self.changes.append((response, entity, entity_id, action))
        return response

    def policy(self, key, date=None):
        return self.assertOk(self.gm.get("/policies/" + key, {"date": date} if date else None)).json

    def versions(self, key):
        return self.assertOk(self.gm.get("/policies/%s/versions" % key)).json["items"]

    def test_future_version_and_correction(self):
        key = "performance.quota_stores_regular"
        response = self.change(self.gm.post("/policies/%s/versions" % key,
                                            {"value": 5, "effectiveFrom": "2027-01-01", "note": "提高指标"},
                                            headers={"X-Request-Id": "policy-raise-1"}),
                               201, "policy", key, "policy.version_add")
        self.assertEqual(response.headers["x-request-id"], "policy-raise-1")
        self.assertEqual(response.json["key"], key)
        self.assertEqual(response.json["value"], 5)
        self.assertEqual(response.json["effectiveFrom"], "2027-01-01")
        self.assertEqual(response.json["default"], 4)

        self.assertEqual(self.policy(key, "2026-12-31")["value"], 4)
        self.assertEqual(self.policy(key, "2026-12-31")["effectiveFrom"], "2000-01-01")
        self.assertEqual(self.policy(key, "2027-01-01")["value"], 5)
        self.assertEqual(self.policy(key, "2030-05-05")["effectiveFrom"], "2027-01-01")
        listed = self.assertOk(self.gm.get("/policies", {"date": "2027-01-01"})).json["items"]
        self.assertEqual([p["value"] for p in listed if p["key"] == key], [5])

        # A correction on the same date supersedes the first version.
        self.change(self.gm.post("/policies/%s/versions" % key, {"value": 6, "effectiveFrom": "2027-01-01"}),
                    201, "policy", key, "policy.version_add")
        self.assertEqual(self.policy(key, "2027-01-01")["value"], 6)
        self.assertEqual(self.policy(key, "2026-12-31")["value"], 4)
        versions = self.versions(key)
        self.assertEqual([(v["value"], v["effectiveFrom"]) for v in versions],
                         [(6, "2027-01-01"), (5, "2027-01-01"), (4, "2000-01-01")])
        self.assertEqual(versions[1]["note"], "提高指标")
        self.assertEqual(versions[0]["createdBy"], self.gm.user_id)
        self.assertEqual(versions[0]["createdByName"], "王总")
        parse_instant(versions[0]["createdAt"])
        # A later version before the correction's date is still overridden from 2027-01-01 on.
        self.change(self.gm.post("/policies/%s/versions" % key, {"value": 3, "effectiveFrom": "2026-12-15"}),
                    201, "policy", key, "policy.version_add")
        self.assertEqual(self.policy(key, "2026-12-20")["value"], 3)
        self.assertEqual(self.policy(key, "2027-02-01")["value"], 6)

    def test_version_in_force_today_is_the_default_view(self):
        key = "visits.geofence_radius_m"
        yesterday = (shanghai_date() - datetime.timedelta(days=1)).isoformat()
        self.change(self.gm.post("/policies/%s/versions" % key, {"value": 800, "effectiveFrom": yesterday}),
                    201, "policy", key, "policy.version_add")
        self.assertEqual(self.policy(key)["value"], 800)
        self.assertEqual(self.policy(key)["effectiveFrom"], yesterday)
        today_list = self.assertOk(self.gm.get("/policies")).json["items"]
        self.assertEqual([p["value"] for p in today_list if p["key"] == key], [800])

    def test_other_types(self):
        cases = [("visits.application_required", False), ("customers.grading_rule_set", "abcd"),
                 ("visits.daily_report_due_time", "22:30"), ("performance.quota_shortfall_fine", 35000),
                 ("performance.points_rule_breach", -15), ("money.late_handover_fine_bp", 25)]
        for key, value in cases:
            with self.subTest(key=key):
                response = self.change(self.gm.post("/policies/%s/versions" % key,
                                                    {"value": value, "effectiveFrom": "2028-03-01"}),
                                       201, "policy", key, "policy.version_add")
                self.assertEqual(response.json["value"], value)
                self.assertEqual(self.policy(key, "2028-03-01")["value"], value)
                self.assertNotEqual(self.policy(key, "2028-02-29")["value"], value)
        # A structured policy keeps its shape.
        table = self.policy("callbacks.frequency_by_grade")["value"]
        table["A1"]["repCalls"] = 3
        self.change(self.gm.post("/policies/callbacks.frequency_by_grade/versions",
                                 {"value": table, "effectiveFrom": "2028-03-01"}),
                    201, "policy", "callbacks.frequency_by_grade", "policy.version_add")
        self.assertEqual(self.policy("callbacks.frequency_by_grade", "2028-03-01")["value"]["A1"]["repCalls"], 3)

    def test_invalid_versions_are_not_recorded(self):
        table = self.policy("callbacks.frequency_by_grade")["value"]
        missing = {k: v for k, v in table.items() if k != "C"}
        extra = dict(table, Z={"repCalls": 1})
        cases = [
            ("performance.quota_stores_regular", {"value": "5", "effectiveFrom": "2027-01-01"}, "value"),
            ("performance.quota_stores_regular", {"value": 4.5, "effectiveFrom": "2027-01-01"}, "value"),
            ("performance.quota_stores_regular", {"value": 1001, "effectiveFrom": "2027-01-01"}, "value"),
            ("performance.quota_stores_regular", {"value": -1, "effectiveFrom": "2027-01-01"}, "value"),
            ("performance.quota_stores_regular", {"value": None, "effectiveFrom": "2027-01-01"}, "value"),
            ("performance.quota_stores_regular", {"effectiveFrom": "2027-01-01"}, "value"),
            ("performance.quota_shortfall_fine", {"value": 200.5, "effectiveFrom": "2027-01-01"}, "value"),
            ("performance.quota_shortfall_fine", {"value": -100, "effectiveFrom": "2027-01-01"}, "value"),
            ("money.late_handover_fine_bp", {"value": 10001, "effectiveFrom": "2027-01-01"}, "value"),
            ("customers.grading_rule_set", {"value": "xyz", "effectiveFrom": "2027-01-01"}, "value"),
            ("customers.grading_rule_set", {"value": 1, "effectiveFrom": "2027-01-01"}, "value"),
            ("visits.application_required", {"value": "yes", "effectiveFrom": "2027-01-01"}, "value"),
            ("visits.daily_report_due_time", {"value": "25:00", "effectiveFrom": "2027-01-01"}, "value"),
            ("visits.daily_report_due_time", {"value": "9:30", "effectiveFrom": "2027-01-01"}, "value"),
            ("callbacks.frequency_by_grade", {"value": missing, "effectiveFrom": "2027-01-01"}, "value"),
            ("callbacks.frequency_by_grade", {"value": extra, "effectiveFrom": "2027-01-01"}, "value"),
            ("callbacks.frequency_by_grade", {"value": [1, 2], "effectiveFrom": "2027-01-01"}, "value"),
            ("visits.report_due_days", {"value": 3, "effectiveFrom": "2027-13-01"}, "effectiveFrom"),
            ("visits.report_due_days", {"value": 3, "effectiveFrom": "2027-02-29"}, "effectiveFrom"),
            ("visits.report_due_days", {"value": 3, "effectiveFrom": "2027/01/01"}, "effectiveFrom"),
            ("visits.report_due_days", {"value": 3, "effectiveFrom": "next year"}, "effectiveFrom"),
            ("visits.report_due_days", {"value": 3, "effectiveFrom": ""}, "effectiveFrom"),
            ("visits.report_due_days", {"value": 3, "effectiveFrom": None}, "effectiveFrom"),
            ("visits.report_due_days", {"value": 3}, "effectiveFrom"),
            ("visits.report_due_days", {"value": 3, "effectiveFrom": "2027-01-01", "note": "x" * 501}, "note"),
            ("visits.report_due_days", {"value": 3, "effectiveFrom": "2027-01-01", "by": "me"}, "by"),
        ]
        keys = {key for key, _, _ in cases}
        before_versions = {key: self.versions(key) for key in keys}
        head = self.audit_head()
        for key, body, field in cases:
            with self.subTest(key=key, body=body):
                response = self.gm.post("/policies/%s/versions" % key, body)
                self.assertStatus(response, 422, "validation.failed")
                self.assertIn(field, response.fields)
        for method, path in (("POST", "/policies/no.such_policy/versions"), ("GET", "/policies/no.such_policy"),
                             ("GET", "/policies/no.such_policy/versions")):
            with self.subTest(path=path):
                response = self.gm.request(method, path, body={"value": 1, "effectiveFrom": "2027-01-01"}
                                           if method == "POST" else None)
                self.assertStatus(response, 404, "policies.not_found")
        self.assertEqual(self.audit_head(), head)
        self.assertEqual({key: self.versions(key) for key in keys}, before_versions)

    def test_only_policy_managers_add_versions(self):
        key = "visits.report_due_days"
        before = self.versions(key)
        head = self.audit_head()
        for login in ("mgr1", "finance", "assistant", "rep1", "cs"):
            with self.subTest(login=login):
                response = self.as_user(login).post("/policies/%s/versions" % key,
                                                    {"value": 5, "effectiveFrom": "2027-01-01"})
                self.assertStatus(response, 403, "access.denied")
        self.assertEqual(self.versions(key), before)
        self.assertEqual(self.audit_head(), head)
        self.assertEqual(self.policy(key, "2027-01-01")["value"], 2)

    # ---- audit ---------------------------------------------------------------------------------
    def audit(self, **query):
        return self.assertOk(self.gm.get("/audit", query)).json

    def walk_audit(self, limit, **query):
        items, cursor = [], None
        while True:
            q = dict(query, limit=limit)
            if cursor:
                q["cursor"] = cursor
            page = self.audit(**q)
            self.assertLessEqual(len(page["items"]), limit)
            items += page["items"]
            cursor = page["nextCursor"]
            if cursor is None:
                return items
            self.assertEqual(len(page["items"]), limit)

    def test_zz_every_change_is_audited(self):
        # Named to run last in this class: it checks the changes the other tests made, plus
        # a unit and a user change made here.
        unit_name = unique("审计组")
        sales = self.unit_by_name("销售部")
        created = self.change(self.gm.post("/org/units", {"parentId": sales["id"], "name": unit_name,
                                                          "kind": "team"}), 201, "unit", None, "unit.create")
        self.changes[-1] = (created, "unit", created.json["id"], "unit.create")
        rep2 = self.user_by_username("rep2")
        self.change(self.gm.patch("/users/" + rep2["id"], {"email": "rep2@example.org"}),
                    200, "user", rep2["id"], "user.update")
        self.assertGreaterEqual(len(self.changes), 10)
        for response, entity, entity_id, action in self.changes:
            request_id = response.headers["x-request-id"]
            with self.subTest(action=action, entityId=entity_id, requestId=request_id):
                entries = [e for e in self.walk_audit(200, entity=entity, entityId=entity_id)
                           if e["requestId"] == request_id]
                self.assertEqual(len(entries), 1)
                entry = entries[0]
                self.assertEqual(set(entry), AUDIT_FIELDS)
                self.assertEqual(entry["action"], action)
                self.assertEqual(entry["actorId"], self.gm.user_id)
                self.assertEqual(entry["actorName"], "王总")
                self.assertEqual(entry["ip"], "127.0.0.1")
                self.assertEqual(entry["entity"], entity)
                self.assertEqual(entry["entityId"], entity_id)
                parse_instant(entry["at"])
                if action == "policy.version_add":
                    body_value = response.json["value"]
                    self.assertEqual(entry["after"]["value"], body_value)
                    self.assertEqual(entry["after"]["effectiveFrom"], response.json["effectiveFrom"])
                    self.assertIn("value", entry["before"])
                if action == "unit.create":
                    self.assertIsNone(entry["before"])
                    self.assertEqual(entry["after"]["name"], unit_name)
                if action == "user.update":
                    self.assertEqual(entry["before"], {"email": rep2["email"]})
                    self.assertEqual(entry["after"], {"email": "rep2@example.org"})
        # The first policy change: value 4 → 5, with the caller's request id.
        raise_entries = self.audit(entity="policy", entityId="performance.quota_stores_regular",
                                   action="policy.version_add")["items"]
        first = [e for e in raise_entries if e["requestId"] == "policy-raise-1"]
        self.assertEqual(len(first), 1)
        self.assertEqual(first[0]["before"], {"value": 4})
        self.assertEqual(first[0]["after"]["value"], 5)
        self.assertEqual(first[0]["after"]["note"], "提高指标")

    def test_audit_filters(self):
        key = "complaints.first_response_hours"
        made = self.change(self.gm.post("/policies/%s/versions" % key, {"value": 12, "effectiveFrom": "2029-01-01"}),
                           201, "policy", key, "policy.version_add")
        everything = self.walk_audit(200)
        ids = [int(e["id"]) for e in everything]
        self.assertEqual(ids, sorted(ids, reverse=True))
        self.assertEqual(len(ids), len(set(ids)))
        newest = everything[0]
        self.assertEqual(newest["requestId"], made.headers["x-request-id"])

        def check(query, predicate):
            got = self.walk_audit(200, **query)
            self.assertEqual(got, [e for e in everything if predicate(e)], query)
            return got

        self.assertTrue(check({"entity": "policy"}, lambda e: e["entity"] == "policy"))
        by_key = check({"entity": "policy", "entityId": key},
                       lambda e: e["entity"] == "policy" and e["entityId"] == key)
        self.assertEqual([e["action"] for e in by_key], ["policy.version_add", "policy.default"])
        self.assertIsNone(by_key[-1]["actorId"])
        self.assertTrue(check({"actorId": self.gm.user_id}, lambda e: e["actorId"] == self.gm.user_id))
        self.assertTrue(check({"action": "user.create"}, lambda e: e["action"] == "user.create"))
        self.assertTrue(check({"action": "session.login", "actorId": self.gm.user_id},
                              lambda e: e["action"] == "session.login" and e["actorId"] == self.gm.user_id))
        self.assertEqual(self.audit(action="no.such_action")["items"], [])
        self.assertEqual(self.audit(entityId="999999")["items"], [])
        # Dates are business dates (Asia/Shanghai).
        day = shanghai_date(newest["at"])
        on_day = check({"from": day.isoformat(), "to": day.isoformat()},
                       lambda e: shanghai_date(e["at"]) == day)
        self.assertIn(newest["id"], [e["id"] for e in on_day])
        later = (day + datetime.timedelta(days=1)).isoformat()
        earlier = (day - datetime.timedelta(days=1)).isoformat()
        check({"from": later}, lambda e: shanghai_date(e["at"]) >= day + datetime.timedelta(days=1))
        check({"to": earlier}, lambda e: shanghai_date(e["at"]) <= day - datetime.timedelta(days=1))
        check({"from": earlier, "entity": "policy"},
              lambda e: e["entity"] == "policy" and shanghai_date(e["at"]) >= day - datetime.timedelta(days=1))
        self.assertEqual(self.audit(**{"from": later})["items"], [])

    def test_audit_pagination(self):
        full = self.walk_audit(200, entity="policy")
        self.assertGreater(len(full), 7)
        for limit in (1, 7):
            with self.subTest(limit=limit):
                paged = self.walk_audit(limit, entity="policy")
                self.assertEqual([e["id"] for e in paged], [e["id"] for e in full])
        first = self.audit(limit=5)
        second = self.audit(limit=5, cursor=first["nextCursor"])
        self.assertTrue(int(second["items"][0]["id"]) < int(first["items"][-1]["id"]))

    def test_audit_is_append_only(self):
        head = self.audit_head()
        for method in ("PUT", "DELETE", "PATCH", "POST"):
            with self.subTest(method=method):
                response = self.gm.request(method, "/audit", body=None if method == "DELETE" else {})
                self.assertStatus(response, 405, "route.method_not_allowed")
        for method in ("GET", "PUT", "DELETE", "PATCH"):
            with self.subTest(method=method, path="/audit/{id}"):
                response = self.gm.request(method, "/audit/" + head,
                                           body=None if method in ("GET", "DELETE") else {"action": "x"})
                self.assertStatus(response, 404, "route.not_found")
        self.assertEqual(self.audit_head(), head)
        self.assertEqual(self.audit(limit=1)["items"][0]["id"], head)

    def test_audit_read_permission(self):
        for login in ("mgr1", "finance", "assistant", "rep1", "cs"):
            with self.subTest(login=login):
                self.assertStatus(self.as_user(login).get("/audit"), 403, "access.denied")
        self.assertOk(self.as_user("admin").get("/audit"))


if __name__ == "__main__":
    unittest.main()
