"""Privilege escalation through user management, and a few protocol details."""

from harness import ServerTestCase, phone, unique


class PrivilegeTests(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gm = cls.as_user("gm")

    def test_users_manage_cannot_grant_the_admin_role(self):
        gm_id = self.user_by_username("gm")["id"]
        before = self.snapshot()
        # Own roles: never, whatever is asked.
        response = self.gm.patch("/users/" + gm_id, {"roles": ["general_manager", "admin"]})
        self.assertStatus(response, 403, "access.denied")
        # Someone else's admin role: only with roles.manage, which the GM lacks by default.
        rep = self.make_user(client=self.gm)
        self.assertStatus(self.gm.patch("/users/" + rep["id"], {"roles": ["rep", "admin"]}), 403, "access.denied")
        admin_id = self.user_by_username("admin")["id"]
        self.assertStatus(self.gm.patch("/users/" + admin_id, {"roles": ["rep"]}), 403, "access.denied")
        team = self.unit_by_name("华南组")
        created = self.gm.post("/users", {"username": unique("adm"), "name": "新管理员", "phone": phone(),
                                          "roles": ["admin"], "unitId": team["id"],
                                          "employmentStatus": "regular", "password": "Passw0rd1"})
        self.assertStatus(created, 403, "access.denied")
        self.assertEqual(self.user_by_username("gm")["roles"], ["general_manager"])
        self.assertEqual(self.user_by_username("admin")["roles"], ["admin"])
        self.assertEqual(len(self.all_users()), len(before["users"]) + 1)  # only the rep above

    def test_admin_may_grant_the_admin_role_to_others(self):
        admin = self.as_user("admin")
        rep = self.make_user(client=admin)
        updated = self.assertOk(admin.patch("/users/" + rep["id"], {"roles": ["rep", "admin"]})).json
        self.assertEqual(sorted(updated["roles"]), ["admin", "rep"])
        # Ordinary role changes stay with users.manage.
        other = self.make_user(client=self.gm)
        changed = self.assertOk(self.gm.patch("/users/" + other["id"], {"roles": ["sales_assistant"]})).json
        self.assertEqual(changed["roles"], ["sales_assistant"])

    def test_bearer_scheme_is_case_insensitive(self):
        token = self.assertStatus(self.gm.post("/auth/tokens", {"name": unique("t"), "expiresInDays": 1}), 201).json
        client = self.server.client()
        for scheme in ("Bearer", "bearer", "BEARER"):
            response = client.get("/auth/me", headers={"Authorization": scheme + " " + token["token"]})
            self.assertOk(response)
            self.assertEqual(response.json["user"]["username"], "gm")

    def test_chinese_letters_count_in_passwords(self):
        user = self.make_user(client=self.gm, password="拓客销售2026")
        client = self.new_client()
        self.assertOk(client.login(user["username"], "拓客销售2026"))

    def test_unscoped_permissions_take_all_only(self):
        admin = self.as_user("admin")
        before = self.assertOk(admin.get("/roles")).json
        response = admin.put("/roles/finance/permissions", {"grants": {"org.read": "team"}})
        self.assertStatus(response, 422, "validation.failed")
        self.assertIn("grants.org.read", response.fields)
        self.assertEqual(self.assertOk(admin.get("/roles")).json, before)
