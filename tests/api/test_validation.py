"""Input validation: malformed bodies, size limit, unknown fields, types, text, limits."""

import json
import unittest

from harness import ServerTestCase, phone, unique


class ValidationTests(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin = cls.as_user("admin")
        units = admin.get("/org/units").json["items"]
        cls.sales_id = [u for u in units if u["name"] == "销售部"][0]["id"]
        cls.team_id = [u for u in units if u["name"] == "华南组"][0]["id"]
        users = admin.get("/users", {"q": "rep5"}).json["items"]
        cls.rep5 = [u for u in users if u["username"] == "rep5"][0]

    def valid_user_body(self, **extra):
        body = {"username": unique("v"), "name": "校验", "phone": phone(), "roles": ["rep"],
                "unitId": self.team_id, "employmentStatus": "probation", "password": "Passw0rd1"}
        body.update(extra)
        return body

    def rejected_writes(self):
        """(method, path) targets for the body checks: each would write if the body were valid."""
        return [("POST", "/org/units"), ("PATCH", "/org/units/" + self.team_id),
                ("POST", "/users"), ("PATCH", "/users/" + self.rep5["id"]),
                ("POST", "/users/%s/move" % self.rep5["id"]),
                ("POST", "/policies/visits.report_due_days/versions"),
                ("PUT", "/roles/rep/permissions"), ("POST", "/auth/tokens")]

    # ---- malformed bodies -------------------------------------------------------------
    def test_malformed_json(self):
        before = self.snapshot()
        for raw in ('{"name":', "not json", "{'name': 'x'}", '{"name":"x",}', "", "\x00",
                    '{"name":"x"} trailing'):
            for method, path in self.rejected_writes():
                with self.subTest(raw=raw, path=path, method=method):
                    response = self.admin().request(method, path, raw=raw)
                    self.assertStatus(response, 400, "request.malformed_json")
        self.assertUnchanged(before)

    def test_body_must_be_an_object(self):
        before = self.snapshot()
        for raw in ("[]", '[{"name":"x"}]', '"text"', "42", "null", "true"):
            for method, path in self.rejected_writes():
                with self.subTest(raw=raw, path=path, method=method):
                    response = self.admin().request(method, path, raw=raw)
                    self.assertStatus(response, 400, "request.malformed_json")
        self.assertUnchanged(before)

    def test_body_over_one_mebibyte(self):
        before = self.snapshot()
        filler = "x" * (1024 * 1024)
        raw = json.dumps({"parentId": self.sales_id, "name": filler, "kind": "team"})
        self.assertGreater(len(raw), 1024 * 1024)
        for method, path in self.rejected_writes():
            with self.subTest(path=path, method=method):
                response = self.admin().request(method, path, raw=raw)
                self.assertStatus(response, 413, "request.body_too_large")
        # Just under the limit is read and judged on its content.
        raw = json.dumps({"parentId": self.sales_id, "name": "y" * (1024 * 1024 - 100), "kind": "team"})
        self.assertLessEqual(len(raw), 1024 * 1024)
        response = self.admin().post("/org/units", raw=raw)
        self.assertStatus(response, 422, "validation.failed")
        self.assertIn("name", response.fields)
        self.assertUnchanged(before)

    # ---- unknown fields and types -------------------------------------------------------
    def test_unknown_fields_are_named(self):
        before = self.snapshot()
        cases = [
            ("POST", "/org/units", {"parentId": self.sales_id, "name": unique("组"), "kind": "team",
                                    "colour": "red", "path": "/1/"}, {"colour", "path"}),
            ("PATCH", "/org/units/" + self.team_id, {"name": "新名", "memberCount": 3}, {"memberCount"}),
            ("POST", "/users", self.valid_user_body(isAdmin=True), {"isAdmin"}),
            ("PATCH", "/users/" + self.rep5["id"], {"name": "新名", "passwordHash": "x", "active": False},
             {"passwordHash", "active"}),
            ("POST", "/users/%s/move" % self.rep5["id"], {"unitId": self.sales_id, "when": "now"}, {"when"}),
            ("POST", "/users/%s/reset-password" % self.rep5["id"],
             {"newPassword": "Passw0rd9", "mustChange": False}, {"mustChange"}),
            ("POST", "/policies/visits.report_due_days/versions",
             {"value": 3, "effectiveFrom": "2027-01-01", "approvedBy": "gm"}, {"approvedBy"}),
            ("PUT", "/roles/rep/permissions", {"grants": {}, "role": "admin"}, {"role"}),
            ("POST", "/auth/tokens", {"name": "t", "expiresInDays": 5, "scopes": ["all"]}, {"scopes"}),
            ("POST", "/auth/login", {"login": "admin", "password": "tuoke2026", "remember": True},
             {"remember"}),
        ]
        for method, path, body, unknown in cases:
            with self.subTest(path=path, method=method):
                response = self.admin().request(method, path, body=body)
                self.assertStatus(response, 422, "validation.failed")
                self.assertTrue(unknown <= set(response.fields), response.fields)
        self.assertUnchanged(before)

    def test_wrong_types(self):
        before = self.snapshot()
        cases = [
            ("POST", "/org/units", {"parentId": self.sales_id, "name": 123, "kind": "team"}, "name"),
            ("POST", "/org/units", {"parentId": True, "name": unique("组"), "kind": "team"}, "parentId"),
            ("POST", "/org/units", {"parentId": self.sales_id, "name": unique("组"), "kind": ["team"]}, "kind"),
            ("POST", "/org/units", {"parentId": self.sales_id, "name": unique("组"), "kind": "squad"}, "kind"),
            ("POST", "/org/units", {"parentId": "-1", "name": unique("组"), "kind": "team"}, "parentId"),
            ("PATCH", "/org/units/" + self.team_id, {"active": "no"}, "active"),
            ("PATCH", "/org/units/" + self.team_id, {"name": {"zh": "x"}}, "name"),
            ("POST", "/users", self.valid_user_body(roles="rep"), "roles"),
            ("POST", "/users", self.valid_user_body(roles=["rep", "emperor"]), "roles"),
            ("POST", "/users", self.valid_user_body(unitId=1.5), "unitId"),
            ("POST", "/users", self.valid_user_body(employmentStatus=1), "employmentStatus"),
            ("POST", "/users", self.valid_user_body(hiredOn="2026-02-30"), "hiredOn"),
            ("POST", "/users", self.valid_user_body(phone=13900000000), "phone"),
            ("POST", "/users", self.valid_user_body(username="1abc"), "username"),
            ("POST", "/users", self.valid_user_body(email="not-an-email"), "email"),
            ("PATCH", "/users/" + self.rep5["id"], {"name": None, "phone": ["1"]}, "phone"),
            ("PATCH", "/users/" + self.rep5["id"], {"employmentStatus": "intern"}, "employmentStatus"),
            ("POST", "/users/%s/move" % self.rep5["id"], {"unitId": {"id": 1}}, "unitId"),
            ("POST", "/users/%s/move" % self.rep5["id"], {}, "unitId"),
            ("POST", "/policies/visits.report_due_days/versions",
             {"value": 3, "effectiveFrom": 20270101}, "effectiveFrom"),
            ("PUT", "/roles/rep/permissions", {"grants": ["users.read"]}, "grants"),
            ("POST", "/auth/tokens", {"name": "t", "expiresInDays": 1.5}, "expiresInDays"),
            ("POST", "/auth/login", {"login": 42, "password": "x"}, "login"),
        ]
        for method, path, body, field in cases:
            with self.subTest(path=path, body=body):
                response = self.admin().request(method, path, body=body)
                self.assertStatus(response, 422, "validation.failed")
                self.assertIn(field, response.fields)
        self.assertUnchanged(before)

    # ---- text ------------------------------------------------------------------------------
    def test_hostile_text_is_stored_verbatim(self):
        texts = [
            "Robert'); DROP TABLE users;--",
            "' OR '1'='1",
            '<script>alert("x")</script>',
            "a\\b\"c'd`e&amp;<b>",
            "100% _under_ \\%",
            "😀 拓客 ümlaut",
        ]
        created = []
        for text in texts:
            with self.subTest(text=text):
                response = self.admin().post("/org/units",
                                             {"parentId": self.sales_id, "name": text, "kind": "team"})
                self.assertStatus(response, 201)
                self.assertEqual(response.json["name"], text)
                self.assertTrue(response.headers["content-type"].startswith("application/json"))
                self.assertEqual(response.headers.get("x-content-type-options"), "nosniff")
                created.append(response.json["id"])
                user = self.admin().post("/users", self.valid_user_body(name=text, unitId=response.json["id"]))
                self.assertStatus(user, 201)
                self.assertEqual(user.json["name"], text)
                self.assertEqual(user.json["unitName"], text)
                shown = self.assertOk(self.admin().get("/users/" + user.json["id"])).json
                self.assertEqual(shown["name"], text)
        names = {u["id"]: u["name"] for u in self.units()}
        self.assertEqual([names[i] for i in created], texts)
        # The tables are all still there and work.
        everyone = self.all_users()
        self.assertGreaterEqual(len(everyone), 13 + len(texts))
        self.assertOk(self.new_client().login("rep1"))
        # LIKE wildcards in q are literal.
        percent = self.assertOk(self.admin().get("/users", {"q": "%", "limit": 200})).json["items"]
        self.assertEqual(sorted(u["name"] for u in percent), ["100% _under_ \\%"])
        underscore = self.assertOk(self.admin().get("/users", {"q": "_under", "limit": 200})).json["items"]
        self.assertEqual([u["name"] for u in underscore], ["100% _under_ \\%"])
        quote = self.assertOk(self.admin().get("/users", {"q": "' OR '1'='1", "limit": 200})).json["items"]
        self.assertEqual([u["name"] for u in quote], ["' OR '1'='1"])
        # And the audit trail holds the same text.
        audit = self.assertOk(self.admin().get("/audit", {"entity": "unit", "entityId": created[2]})).json
        self.assertEqual(audit["items"][0]["after"]["name"], texts[2])

    def test_control_characters_rejected(self):
        before = self.snapshot()
        for text in ("abc\x00def", "bell\x07", "esc\x1b[31m", "del\x7f", "a\x0bb"):
            with self.subTest(text=repr(text)):
                response = self.admin().post("/org/units",
                                             {"parentId": self.sales_id, "name": text, "kind": "team"})
                self.assertStatus(response, 422, "validation.failed")
                self.assertIn("name", response.fields)
                response = self.admin().patch("/users/" + self.rep5["id"], {"name": text})
                self.assertStatus(response, 422, "validation.failed")
                self.assertIn("name", response.fields)
        # Invalid UTF-8 and lone surrogates never get stored.
        for raw in (b'{"parentId":"%s","name":"\xff\xfe","kind":"team"}' % self.sales_id.encode(),
                    b'{"parentId":"%s","name":"\\ud800x","kind":"team"}' % self.sales_id.encode()):
            with self.subTest(raw=raw):
                response = self.admin().post("/org/units", raw=raw)
                self.assertIn(response.status, (400, 422), response)
        self.assertUnchanged(before)

    def test_length_limits(self):
        before = self.snapshot()
        response = self.admin().post("/org/units", {"parentId": self.sales_id, "name": "长" * 65, "kind": "team"})
        self.assertStatus(response, 422, "validation.failed")
        self.assertIn("name", response.fields)
        response = self.admin().post("/org/units", {"parentId": self.sales_id, "name": "  ", "kind": "team"})
        self.assertStatus(response, 422, "validation.failed")
        self.assertUnchanged(before)
        # 64 characters of Chinese are 192 bytes but within the limit.
        response = self.admin().post("/org/units", {"parentId": self.sales_id, "name": "长" * 64, "kind": "team"})
        self.assertStatus(response, 201)
        self.assertEqual(response.json["name"], "长" * 64)

    # ---- list parameters -------------------------------------------------------------------
    def test_limit_and_cursor(self):
        for path in ("/users", "/audit"):
            for limit in ("0", "201", "abc", "-1", "1.5", "99999999999999999999"):
                with self.subTest(path=path, limit=limit):
                    response = self.admin().get(path, {"limit": limit})
                    self.assertStatus(response, 422, "validation.failed")
                    self.assertIn("limit", response.fields)
            for cursor in ("abc", "-5"):
                with self.subTest(path=path, cursor=cursor):
                    response = self.admin().get(path, {"cursor": cursor})
                    self.assertStatus(response, 422, "validation.failed")
                    self.assertIn("cursor", response.fields)
            for limit in ("1", "200"):
                response = self.assertOk(self.admin().get(path, {"limit": limit}))
                self.assertLessEqual(len(response.json["items"]), int(limit))
            default = self.assertOk(self.admin().get(path)).json
            self.assertLessEqual(len(default["items"]), 50)
        self.assertEqual(len(self.admin().get("/audit").json["items"]), 50)

    def test_bad_query_parameters(self):
        cases = [("/users", {"active": "yes"}, "active"), ("/users", {"unitId": "abc"}, "unitId"),
                 ("/users", {"q": "x" * 65}, "q"), ("/audit", {"from": "2026-02-30"}, "from"),
                 ("/audit", {"to": "tomorrow"}, "to"), ("/audit", {"actorId": "me"}, "actorId"),
                 ("/policies", {"date": "2026-13-01"}, "date"),
                 ("/policies/visits.report_due_days", {"date": "01/01/2027"}, "date")]
        for path, query, field in cases:
            with self.subTest(path=path, query=query):
                response = self.admin().get(path, query)
                self.assertStatus(response, 422, "validation.failed")
                self.assertIn(field, response.fields)


if __name__ == "__main__":
    unittest.main()
