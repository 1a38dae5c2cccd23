"""Organisation: units and users, moves with history, filters and pagination."""

import unittest

from harness import DEMO_PHONES, ServerTestCase, parse_instant, phone, unique

USER_FIELDS = {"id", "username", "name", "phone", "email", "roles", "unitId", "unitName", "managerId",
               "managerName", "employmentStatus", "hiredOn", "regularOn", "active", "locked",
               "mustChangePassword", "createdAt", "updatedAt"}
UNIT_FIELDS = {"id", "parentId", "name", "kind", "managerId", "managerName", "active", "memberCount"}


class OrgTests(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gm = cls.as_user("gm")

    def create_team(self, parent_name="销售部", name=None, kind="team"):
        response = self.gm.post("/org/units", {"parentId": self.unit_by_name(parent_name)["id"],
                                               "name": name or unique("组"), "kind": kind})
        self.assertStatus(response, 201)
        return response.json

    def test_seeded_units(self):
        units = self.units()
        by_name = {u["name"]: u for u in units}
        for unit in units:
            self.assertTrue(UNIT_FIELDS <= set(unit), unit)
        company = by_name["拓客示范有限公司"]
        self.assertIsNone(company["parentId"])
        self.assertEqual(company["kind"], "company")
        self.assertEqual(by_name["销售部"]["parentId"], company["id"])
        self.assertEqual(by_name["华东一组"]["parentId"], by_name["销售部"]["id"])
        self.assertEqual(by_name["华东一组"]["managerName"], "李明")
        self.assertEqual(by_name["华东一组"]["memberCount"], 4)
        self.assertEqual(by_name["华南组"]["kind"], "team")
        for unit in units:
            self.assertIsInstance(unit["id"], str)
        users = {u["username"]: u for u in self.all_users()}
        self.assertEqual(users["rep3"]["employmentStatus"], "probation")
        self.assertEqual(users["rep6"]["employmentStatus"], "probation")
        self.assertEqual(users["rep1"]["employmentStatus"], "regular")
        self.assertEqual(users["rep3"]["unitName"], "华东一组")
        self.assertEqual(users["rep6"]["unitName"], "华南组")
        self.assertEqual(users["gm"]["roles"], ["general_manager"])
        self.assertEqual(users["cs"]["roles"], ["customer_service"])
        for username in DEMO_PHONES:
            self.assertIsInstance(users[username]["id"], str)
            self.assertEqual(users[username]["phone"], DEMO_PHONES[username])

    def test_create_team_and_rep(self):
        sales = self.unit_by_name("销售部")
        mgr1 = self.user_by_username("mgr1")
        team = self.create_team(name=unique("华北组"))
        self.assertTrue(UNIT_FIELDS <= set(team), team)
        self.assertEqual(team["parentId"], sales["id"])
        self.assertEqual(team["kind"], "team")
        self.assertIsNone(team["managerId"])
        self.assertTrue(team["active"])
        self.assertEqual(team["memberCount"], 0)

        body = {"username": unique("north"), "name": "北方业务员", "phone": phone(),
                "email": "north@example.com", "roles": ["rep"], "unitId": team["id"],
                "managerId": mgr1["id"], "employmentStatus": "probation", "hiredOn": "2026-11-01",
                "password": "Passw0rd1"}
        response = self.assertStatus(self.gm.post("/users", body), 201)
        user = response.json
        self.assertEqual(set(user), USER_FIELDS)
        for field in ("username", "name", "phone", "email", "roles", "unitId", "managerId",
                      "employmentStatus", "hiredOn"):
            self.assertEqual(user[field], body[field], field)
        self.assertEqual(user["unitName"], team["name"])
        self.assertEqual(user["managerName"], "李明")
        self.assertIsNone(user["regularOn"])
        self.assertTrue(user["active"])
        self.assertFalse(user["locked"])
        self.assertFalse(user["mustChangePassword"])
        parse_instant(user["createdAt"])
        parse_instant(user["updatedAt"])
        self.assertNotIn("password", response.body.decode())
        self.assertEqual(self.assertOk(self.gm.get("/users/" + user["id"])).json, user)
        self.assertEqual(self.unit_by_name(team["name"])["memberCount"], 1)
        # The new rep can sign in.
        self.assertOk(self.new_client().login(body["username"], "Passw0rd1"))

        # Duplicates: same username (any case), same phone.
        before = self.snapshot()
        again = dict(body, phone=phone())
        response = self.gm.post("/users", again)
        self.assertStatus(response, 409, "users.username_taken")
        self.assertIn("username", response.fields)
        response = self.gm.post("/users", dict(again, username=body["username"].upper()))
        self.assertStatus(response, 409, "users.username_taken")
        response = self.gm.post("/users", dict(body, username=unique("north")))
        self.assertStatus(response, 409, "users.phone_taken")
        self.assertIn("phone", response.fields)
        response = self.gm.patch("/users/" + user["id"], {"phone": DEMO_PHONES["rep1"]})
        self.assertStatus(response, 409, "users.phone_taken")
        self.assertUnchanged(before)

    def test_create_user_rejections(self):
        team = self.create_team()
        base = {"username": unique("x"), "name": "某人", "phone": phone(), "roles": ["rep"],
                "unitId": team["id"], "employmentStatus": "regular", "password": "Passw0rd1"}
        before = self.snapshot()
        cases = [(dict(base, password="weak"), "password"),
                 (dict(base, password="longenoughbutnodigits"), "password"),
                 (dict(base, roles=[]), "roles"),
                 (dict(base, unitId="999999"), "unitId"),
                 (dict(base, managerId="999999"), "managerId"),
                 (dict(base, hiredOn="2026-05-01", regularOn="2026-01-01"), "regularOn"),
                 ({k: v for k, v in base.items() if k != "name"}, "name"),
                 ({k: v for k, v in base.items() if k != "unitId"}, "unitId")]
        for body, field in cases:
            with self.subTest(field=field):
                response = self.gm.post("/users", body)
                self.assertStatus(response, 422, "validation.failed")
                self.assertIn(field, response.fields)
        self.assertUnchanged(before)

    # docs/api.md: employmentStatus is a required field of POST /users (not marked "?").
    def test_create_user_requires_employment_status(self):
        team = self.create_team()
        response = self.gm.post("/users", {"username": unique("x"), "name": "某人", "phone": phone(),
                                           "roles": ["rep"], "unitId": team["id"], "password": "Passw0rd1"})
        self.assertStatus(response, 422, "validation.failed")
        self.assertIn("employmentStatus", response.fields)

    def test_move_keeps_history(self):
        first, second = self.create_team(), self.create_team()
        user = self.make_user(unit_name=first["name"], client=self.gm)
        moved = self.assertOk(self.gm.post("/users/%s/move" % user["id"],
                                           {"unitId": second["id"], "note": "调岗"})).json
        self.assertEqual(moved["unitId"], second["id"])
        self.assertEqual(moved["unitName"], second["name"])
        history = self.assertOk(self.gm.get("/users/%s/unit-history" % user["id"])).json["items"]
        self.assertEqual(len(history), 2, history)
        old = [h for h in history if h["unitId"] == first["id"]]
        new = [h for h in history if h["unitId"] == second["id"]]
        self.assertEqual(len(old), 1)
        self.assertEqual(len(new), 1)
        old, new = old[0], new[0]
        self.assertEqual(old["unitName"], first["name"])
        self.assertIsNotNone(old["to"])
        self.assertIsNone(new["to"])
        self.assertEqual(old["to"], new["from"])
        self.assertLessEqual(parse_instant(old["from"]), parse_instant(old["to"]))
        self.assertEqual(new["changedBy"], self.gm.user_id)
        self.assertEqual(self.unit_by_name(first["name"])["memberCount"], 0)
        self.assertEqual(self.unit_by_name(second["name"])["memberCount"], 1)

        before = self.snapshot()
        for body in ({"unitId": second["id"]}, {"unitId": "999999"}):
            with self.subTest(body=body):
                self.assertStatus(self.gm.post("/users/%s/move" % user["id"], body), 422,
                                  "validation.failed")
        self.assertStatus(self.gm.post("/users/999999/move", {"unitId": first["id"]}), 404,
                          "users.not_found")
        self.assertUnchanged(before)
        audit = self.assertOk(self.gm.get("/audit", {"entity": "user", "entityId": user["id"],
                                                     "action": "user.move"})).json["items"]
        self.assertEqual(len(audit), 1)
        self.assertEqual(audit[0]["before"]["unitId"], first["id"])
        self.assertEqual(audit[0]["after"]["unitId"], second["id"])

    def test_patch_user(self):
        user = self.make_user(client=self.gm)
        mgr2 = self.user_by_username("mgr2")
        changes = {"name": "新名字", "email": "new@example.com", "employmentStatus": "regular",
                   "hiredOn": "2025-01-02", "regularOn": "2025-04-02", "managerId": mgr2["id"],
                   "roles": ["rep", "sales_assistant"]}
        patched = self.assertOk(self.gm.patch("/users/" + user["id"], changes)).json
        for field, value in changes.items():
            self.assertEqual(sorted(patched[field]) if field == "roles" else patched[field],
                             sorted(value) if field == "roles" else value, field)
        self.assertEqual(patched["managerName"], "赵强")
        self.assertEqual(patched["username"], user["username"])
        self.assertEqual(patched["phone"], user["phone"])
        self.assertEqual(self.assertOk(self.gm.get("/users/" + user["id"])).json, patched)
        # email and managerId can be cleared.
        cleared = self.assertOk(self.gm.patch("/users/" + user["id"],
                                              {"email": None, "managerId": None})).json
        self.assertIsNone(cleared["email"])
        self.assertIsNone(cleared["managerId"])
        self.assertEqual(cleared["name"], "新名字")
        audit = self.assertOk(self.gm.get("/audit", {"entity": "user", "entityId": user["id"],
                                                     "action": "user.update"})).json["items"]
        self.assertEqual(len(audit), 2)
        self.assertEqual(audit[1]["after"]["name"], "新名字")
        self.assertEqual(audit[1]["before"]["name"], user["name"])
        before = self.snapshot()
        for body, field in (({"regularOn": "2024-01-01"}, "regularOn"),
                            ({"managerId": user["id"]}, "managerId"),
                            ({"username": "renamed"}, "username"),
                            ({"unitId": self.unit_by_name("华东一组")["id"]}, "unitId")):
            with self.subTest(body=body):
                response = self.gm.patch("/users/" + user["id"], body)
                self.assertStatus(response, 422, "validation.failed")
                self.assertIn(field, response.fields)
        self.assertStatus(self.gm.patch("/users/999999", {"name": "x"}), 404, "users.not_found")
        self.assertUnchanged(before)

    def test_deactivate_and_activate(self):
        user = self.make_user(client=self.gm)
        off = self.assertOk(self.gm.post("/users/%s/deactivate" % user["id"])).json
        self.assertFalse(off["active"])
        inactive = {u["id"] for u in self.all_users(active="false")}
        self.assertIn(user["id"], inactive)
        self.assertNotIn(user["id"], {u["id"] for u in self.all_users(active="true")})
        on = self.assertOk(self.gm.post("/users/%s/activate" % user["id"])).json
        self.assertTrue(on["active"])
        self.assertIn(user["id"], {u["id"] for u in self.all_users(active="true")})
        self.assertStatus(self.gm.post("/users/%s/deactivate" % self.gm.user_id), 409,
                          "users.cannot_deactivate_self")
        self.assertTrue(self.assertOk(self.gm.get("/auth/me")).json["user"]["active"])
        self.assertStatus(self.gm.post("/users/999999/deactivate"), 404, "users.not_found")

    def test_unit_rename_and_move(self):
        department = self.create_team(parent_name="拓客示范有限公司", kind="department")
        self.assertEqual(department["kind"], "department")
        team = self.create_team()
        user = self.make_user(unit_name=team["name"], client=self.gm)
        renamed = self.assertOk(self.gm.patch("/org/units/" + team["id"], {"name": team["name"] + "改"})).json
        self.assertEqual(renamed["name"], team["name"] + "改")
        self.assertEqual(self.assertOk(self.gm.get("/users/" + user["id"])).json["unitName"], renamed["name"])
        moved = self.assertOk(self.gm.patch("/org/units/" + team["id"], {"parentId": department["id"]})).json
        self.assertEqual(moved["parentId"], department["id"])
        # The subtree moved with it: filtering by the new department finds the member,
        # and the old department no longer does.
        self.assertIn(user["id"], {u["id"] for u in self.all_users(unitId=department["id"])})
        sales = self.unit_by_name("销售部")
        self.assertNotIn(user["id"], {u["id"] for u in self.all_users(unitId=sales["id"])})
        manager = self.user_by_username("mgr2")
        with_manager = self.assertOk(self.gm.patch("/org/units/" + team["id"], {"managerId": manager["id"]})).json
        self.assertEqual(with_manager["managerName"], "赵强")

    def test_unit_rules(self):
        sales = self.unit_by_name("销售部")
        east = self.unit_by_name("华东一组")
        company = self.unit_by_name("拓客示范有限公司")
        before = self.snapshot()
        # Cannot move a unit below itself or into its own subtree.
        for parent in (sales["id"], east["id"]):
            response = self.gm.patch("/org/units/" + sales["id"], {"parentId": parent})
            self.assertStatus(response, 422, "validation.failed")
            self.assertIn("parentId", response.fields)
        # Cannot deactivate a unit with active members.
        response = self.gm.patch("/org/units/" + east["id"], {"active": False})
        self.assertStatus(response, 422, "validation.failed")
        self.assertIn("active", response.fields)
        for body in ({"active": False}, {"parentId": sales["id"]}):
            self.assertStatus(self.gm.patch("/org/units/" + company["id"], body), 422, "validation.failed")
        # A team holds people, not units; there is one company.
        self.assertStatus(self.gm.post("/org/units", {"parentId": east["id"], "name": unique("组"),
                                                      "kind": "team"}), 422, "validation.failed")
        self.assertStatus(self.gm.post("/org/units", {"parentId": company["id"], "name": unique("司"),
                                                      "kind": "company"}), 422, "validation.failed")
        self.assertStatus(self.gm.post("/org/units", {"parentId": "999999", "name": unique("组"),
                                                      "kind": "team"}), 404, "org.not_found")
        self.assertStatus(self.gm.patch("/org/units/999999", {"name": "x"}), 404, "org.not_found")
        # Sibling names are unique.
        response = self.gm.post("/org/units", {"parentId": sales["id"], "name": "华南组", "kind": "team"})
        self.assertStatus(response, 409, "org.name_taken")
        response = self.gm.patch("/org/units/" + east["id"], {"name": "华南组"})
        self.assertStatus(response, 409, "org.name_taken")
        self.assertUnchanged(before)
        # An empty team can be deactivated; then nobody can be added to it.
        empty = self.create_team()
        off = self.assertOk(self.gm.patch("/org/units/" + empty["id"], {"active": False})).json
        self.assertFalse(off["active"])
        response = self.gm.post("/users", {"username": unique("z"), "name": "某", "phone": phone(),
                                           "roles": ["rep"], "unitId": empty["id"],
                                           "employmentStatus": "probation", "password": "Passw0rd1"})
        self.assertStatus(response, 422, "validation.failed")
        self.assertIn("unitId", response.fields)

    # R-ORG-3 (docs/modules/platform.md): no active user in an inactive unit.
    def test_cannot_activate_a_user_in_an_inactive_unit(self):
        team = self.create_team()
        user = self.make_user(unit_name=team["name"], client=self.gm)
        self.assertOk(self.gm.post("/users/%s/deactivate" % user["id"]))
        self.assertOk(self.gm.patch("/org/units/" + team["id"], {"active": False}))
        response = self.gm.post("/users/%s/activate" % user["id"])
        self.assertStatus(response, 422, "validation.failed")
        self.assertFalse(self.assertOk(self.gm.get("/users/" + user["id"])).json["active"])

    # R-ORG-3: no active unit below an inactive one; moves follow the rule of POST /org/units.
    def test_cannot_move_a_unit_below_an_inactive_unit(self):
        department = self.create_team(parent_name="拓客示范有限公司", kind="department")
        self.assertOk(self.gm.patch("/org/units/" + department["id"], {"active": False}))
        team = self.create_team()
        response = self.gm.patch("/org/units/" + team["id"], {"parentId": department["id"]})
        self.assertStatus(response, 422, "validation.failed")
        self.assertIn("parentId", response.fields)
        self.assertEqual(self.unit_by_name(team["name"])["parentId"], team["parentId"])

    # R-ORG-3: no active unit below an inactive one.
    def test_cannot_reactivate_a_unit_below_an_inactive_unit(self):
        department = self.create_team(parent_name="拓客示范有限公司", kind="department")
        team = self.create_team(parent_name=department["name"])
        self.assertOk(self.gm.patch("/org/units/" + team["id"], {"active": False}))
        self.assertOk(self.gm.patch("/org/units/" + department["id"], {"active": False}))
        response = self.gm.patch("/org/units/" + team["id"], {"active": True})
        self.assertStatus(response, 422, "validation.failed")
        self.assertFalse(self.unit_by_name(team["name"])["active"])

    # ---- listing -----------------------------------------------------------------------
    def test_list_filters(self):
        everyone = self.all_users()
        names = {u["username"] for u in everyone}
        self.assertTrue(set(DEMO_PHONES) <= names)
        for user in everyone:
            self.assertEqual(set(user), USER_FIELDS)
        # q: name substring, phone, username.
        zhang = self.all_users(q="张")
        self.assertIn("rep1", {u["username"] for u in zhang})
        self.assertEqual(zhang, [u for u in everyone if "张" in u["name"] or "张" in u["phone"]
                                 or "张" in u["username"]])
        self.assertEqual([u["username"] for u in self.all_users(q=DEMO_PHONES["rep4"])], ["rep4"])
        for q, member in (("00000011", "finance"), ("assist", "assistant"), ("rep", "rep6"),
                          ("王", "gm")):
            found = self.all_users(q=q)
            self.assertEqual(found, [u for u in everyone if q in u["name"] or q in u["phone"]
                                     or q in u["username"]], q)
            self.assertIn(member, {u["username"] for u in found})
        self.assertEqual(self.all_users(q="不存在的名字"), [])
        # unitId covers the subtree.
        sales = self.unit_by_name("销售部")
        subtree = self.subtree(sales["id"])
        in_sales = self.all_users(unitId=sales["id"])
        self.assertEqual(in_sales, [u for u in everyone if u["unitId"] in subtree])
        self.assertTrue({"mgr1", "mgr2", "rep1", "rep6", "assistant"} <= {u["username"] for u in in_sales})
        self.assertNotIn("finance", {u["username"] for u in in_sales})
        east = self.unit_by_name("华东一组")
        self.assertEqual([u["username"] for u in self.all_users(unitId=east["id"])],
                         [u["username"] for u in everyone if u["unitId"] == east["id"]])
        # role and active.
        managers = self.all_users(role="sales_manager")
        self.assertEqual(managers, [u for u in everyone if "sales_manager" in u["roles"]])
        self.assertTrue({"mgr1", "mgr2"} <= {u["username"] for u in managers})
        self.assertEqual(self.all_users(role="no_such_role"), [])
        self.assertEqual(self.all_users(active="true"), [u for u in everyone if u["active"]])
        self.assertEqual(self.all_users(active="false"), [u for u in everyone if not u["active"]])
        combined = self.all_users(role="rep", unitId=east["id"], active="true")
        self.assertEqual(combined, [u for u in everyone if "rep" in u["roles"] and u["unitId"] == east["id"]
                                    and u["active"]])

    def test_cursor_pagination(self):
        everyone = self.all_users()
        for query in ({}, {"role": "rep"}, {"q": "1380000"}):
            with self.subTest(query=query):
                expected = self.all_users(**query)
                seen, cursor, pages = [], None, 0
                while True:
                    q = dict(query, limit=2)
                    if cursor:
                        q["cursor"] = cursor
                    page = self.assertOk(self.gm.get("/users", q)).json
                    pages += 1
                    self.assertLessEqual(len(page["items"]), 2)
                    seen += page["items"]
                    cursor = page["nextCursor"]
                    if cursor is None:
                        break
                    self.assertIsInstance(cursor, str)
                    self.assertEqual(len(page["items"]), 2)
                    self.assertLess(pages, 100)
                ids = [u["id"] for u in seen]
                self.assertEqual(len(ids), len(set(ids)), "duplicates across pages")
                self.assertEqual(ids, [u["id"] for u in expected])
                self.assertGreaterEqual(pages, (len(expected) + 1) // 2)
        self.assertGreaterEqual(len(everyone), 13)
        self.assertIn("nextCursor", self.assertOk(self.gm.get("/users", {"limit": 200})).json)
        self.assertIsNone(self.assertOk(self.gm.get("/users", {"limit": 200})).json["nextCursor"])


if __name__ == "__main__":
    unittest.main()
