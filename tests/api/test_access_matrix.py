"""The access matrix: every role × every endpoint, data scopes, menus, 401s."""

import unittest

from harness import (ALL_ROLES, DEMO_PASSWORD, DOC_ROUTES, ROLE_USER, ServerTestCase, phone,
                     unique)

# A literal copy of the default grants in db/migrations/0001_platform.sql, 0002_customers.sql
# 0005_workflow.sql, 0006_visit_plans.sql and 0008_field_reports.sql.
GRANTS = {
    "admin": {"org.read": "all", "org.manage": "all", "users.read": "all", "users.manage": "all",
              "roles.read": "all", "roles.manage": "all", "policies.read": "all",
              "policies.manage": "all", "audit.read": "all",
              "customers.read": "all", "customers.write": "all", "customers.assign": "all",
              "routines.manage": "all", "webhooks.manage": "all", "visits.read": "all"},
    "general_manager": {"org.read": "all", "org.manage": "all", "users.read": "all",
                        "users.manage": "all", "roles.read": "all", "policies.read": "all",
                        "policies.manage": "all", "audit.read": "all",
                        "customers.read": "all", "customers.write": "all", "customers.assign": "all",
                        "routines.manage": "all", "intel.read": "all", "webhooks.manage": "all",
                        "visits.read": "all", "visits.write": "all", "visits.review": "all"},
    "sales_manager": {"org.read": "all", "users.read": "team", "policies.read": "all",
                      "customers.read": "team", "customers.write": "team", "customers.assign": "team",
                      "routines.manage": "team", "intel.read": "team", "intel.write": "team",
                      "visits.read": "team", "visits.write": "team", "visits.review": "team"},
    "sales_assistant": {"org.read": "all", "users.read": "all", "policies.read": "all",
                        "customers.read": "all", "customers.write": "all", "routines.manage": "all",
                        "approvals.register": "all", "visits.read": "all"},
    "finance": {"org.read": "all", "users.read": "all", "policies.read": "all", "customers.read": "all"},
    "customer_service": {"org.read": "all", "users.read": "all", "customers.read": "all"},
    "rep": {"customers.read": "own", "customers.write": "own", "intel.read": "own", "intel.write": "own",
            "visits.read": "own", "visits.write": "own"},
}
PERMISSIONS = ["org.read", "org.manage", "users.read", "users.manage", "roles.read", "roles.manage",
               "policies.read", "policies.manage", "audit.read",
               "customers.read", "customers.write", "customers.assign",
               "routines.manage", "intel.read", "intel.write", "approvals.register", "webhooks.manage",
               "visits.read", "visits.write", "visits.review"]
MENU = [("dashboard", "/", None), ("customers", "/customers", "customers.read"),
        ("pool", "/customers/pool", "customers.read"),
        # Visit loop (issue #4): src/platform/access.cc MenuFor.
        ("today", "/field/today", "visits.write"), ("followUps", "/field/follow-ups", "visits.read"),
        ("dailyReport", "/reports/daily", "visits.write"), ("visitPlans", "/field/plans", "visits.write"),
        ("visitApplications", "/field/applications", "visits.write"),
        ("teamDay", "/field/team-day", "visits.review"),
        ("teamCalendar", "/field/team-calendar", "visits.review"),
        ("planProgress", "/field/progress", "visits.review"), ("overdue", "/field/overdue", "visits.review"),
        ("dailyReview", "/reports/review", "visits.review"), ("routines", "/reports/routines", "visits.read"),
        ("marketIntel", "/reports/intel", "intel.read"),
        ("summaries", "/reports/summaries", "visits.read"), ("competitors", "/reports/competitors", "intel.read"),
        ("approvals", "/approvals", None),
        ("notifications", "/notifications", None),
        ("units", "/org/units", "org.read"),
        ("users", "/org/users", "users.read"), ("roles", "/org/roles", "roles.read"),
        ("policies", "/settings/policies", "policies.read"), ("audit", "/settings/audit", "audit.read"),
        ("webhooks", "/settings/webhooks", "webhooks.manage")]
SUCCESS = {"POST /auth/tokens": 201, "POST /org/units": 201, "POST /users": 201,
           "POST /policies/{key}/versions": 201, "POST /auth/logout": 204, "POST /auth/password": 204,
           "DELETE /auth/tokens/{id}": 204, "POST /users/{id}/reset-password": 204}


class AccessMatrixTests(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for role in ALL_ROLES:
            cls.as_user(ROLE_USER[role])
        admin = cls.as_user("admin")
        units = admin.get("/org/units").json["items"]
        cls.sales_id = [u for u in units if u["name"] == "销售部"][0]["id"]
        cls.unit_a = admin.post("/org/units", {"parentId": cls.sales_id, "name": "矩阵组A", "kind": "team"}).json
        cls.unit_b = admin.post("/org/units", {"parentId": cls.sales_id, "name": "矩阵组B", "kind": "team"}).json
        cls.target = admin.post("/users", {
            "username": "matrixtarget", "name": "矩阵目标", "phone": phone(), "roles": ["rep"],
            "unitId": cls.unit_a["id"], "employmentStatus": "regular", "password": "Passw0rd1"}).json
        assert "id" in cls.target, cls.target

    def client_for(self, role):
        return self.as_user(ROLE_USER[role])

    def allowed(self, role, permission):
        return permission is None or permission in GRANTS[role]

    # ---- the matrix ------------------------------------------------------------------------
    def call(self, role, method, path):
        """Sends a harmless, valid request for the route as `role`; returns the response."""
        client = self.client_for(role)
        admin = self.admin()
        target = self.target["id"]
        if path == "/auth/logout":
            fresh = self.new_client()
            self.assertOk(fresh.login(ROLE_USER[role]))
            return fresh.post(path)
        if path == "/auth/password":
            response = client.post(path, {"currentPassword": DEMO_PASSWORD, "newPassword": "Matrix2026x"})
            if response.status == 204:
                self.assertStatus(client.post(path, {"currentPassword": "Matrix2026x",
                                                     "newPassword": DEMO_PASSWORD}), 204)
            return response
        if path == "/auth/tokens" and method == "POST":
            return client.post(path, {"name": "matrix", "expiresInDays": 1})
        if path == "/auth/tokens/{id}":
            token = self.assertStatus(client.post("/auth/tokens", {"name": "to-revoke", "expiresInDays": 1}), 201).json
            return client.delete("/auth/tokens/" + token["id"])
        if path == "/org/units" and method == "POST":
            return client.post(path, {"parentId": self.sales_id, "name": unique("矩阵"), "kind": "team"})
        if path == "/org/units/{id}":
            return client.patch("/org/units/" + self.unit_b["id"], {"name": unique("矩阵B")})
        if path == "/users" and method == "POST":
            return client.post(path, {"username": unique("m"), "name": "矩阵新人", "phone": phone(),
                                      "roles": ["rep"], "unitId": self.unit_b["id"],
                                      "employmentStatus": "probation", "password": "Passw0rd1"})
        if path in ("/users/{id}", "/users/{id}/unit-history") and method == "GET":
            return client.get(path.replace("{id}", client.user_id))
        if path == "/users/{id}" and method == "PATCH":
            return client.patch("/users/" + target, {"name": unique("矩阵目标")})
        if path == "/users/{id}/move":
            current = self.assertOk(admin.get("/users/" + target)).json["unitId"]
            other = self.unit_b["id"] if current == self.unit_a["id"] else self.unit_a["id"]
            return client.post("/users/%s/move" % target, {"unitId": other})
        if path == "/users/{id}/reset-password":
            return client.post("/users/%s/reset-password" % target, {"newPassword": "Reset2026x"})
        if path == "/users/{id}/deactivate":
            response = client.post("/users/%s/deactivate" % target)
            if response.status == 200:
                self.assertFalse(response.json["active"])
            return response
        if path == "/users/{id}/activate":
            return client.post("/users/%s/activate" % target)
        if path == "/users/{id}/unlock":
            return client.post("/users/%s/unlock" % target)
        if path == "/roles/{role}/permissions":
            return client.put("/roles/customer_service/permissions",
                              {"grants": GRANTS["customer_service"]})
        if path == "/policies/{key}/versions" and method == "POST":
            return client.post("/policies/visits.geofence_radius_m/versions",
                               {"value": 500, "effectiveFrom": "2099-01-01", "note": "matrix"})
        concrete = path.replace("{key}", "visits.report_due_days")
        self.assertNotIn("{", concrete)
        return client.request(method, concrete)

    def test_matrix(self):
        admin = self.admin()
        checked = 0
        for method, path, permission in DOC_ROUTES:
            if permission == "public":
                continue
            for role in ALL_ROLES:
                with self.subTest(role=role, route=method + " " + path):
                    if path == "/users/{id}/activate":
                        self.assertOk(admin.post("/users/%s/deactivate" % self.target["id"]))
                    if path == "/users/{id}/deactivate":
                        self.assertOk(admin.post("/users/%s/activate" % self.target["id"]))
                    write = method != "GET"
                    before = self.snapshot() if write else self.audit_head()
                    response = self.call(role, method, path)
                    if self.allowed(role, permission):
                        self.assertStatus(response, SUCCESS.get(method + " " + path, 200))
                    else:
                        self.assertStatus(response, 403, "access.denied")
                        if write:
                            self.assertUnchanged(before)
                            if path == "/users/{id}/activate":
                                self.assertFalse(admin.get("/users/" + self.target["id"]).json["active"])
                        else:
                            self.assertEqual(self.audit_head(), before)
                    checked += 1
        self.assertOk(admin.post("/users/%s/activate" % self.target["id"]))
        self.assertEqual(checked, (len(DOC_ROUTES) - 1) * len(ALL_ROLES))
        # The grants themselves are untouched by the matrix.
        roles = self.assertOk(admin.get("/roles")).json["items"]
        self.assertEqual({r["role"]: r["grants"] for r in roles}, GRANTS)

    def test_field_report_reads_by_role(self):
        # docs/api-fieldreports.md: every role against the reads of routines and intel.
        routes = [("/routine-templates", None, "routines.manage"),
                  ("/routine-assignments", None, "routines.manage"),
                  ("/routines/completion", {"period": "weekly"}, "routines.manage"),
                  ("/routines/mine", None, None),
                  ("/market-reports", None, "intel.read"),
                  ("/market-reports/rollup", {"month": "2026-11"}, "intel.read")]
        for role in ALL_ROLES:
            for path, query, permission in routes:
                with self.subTest(role=role, path=path):
                    response = self.client_for(role).get(path, query)
                    if self.allowed(role, permission):
                        self.assertStatus(response, 200)
                    else:
                        self.assertStatus(response, 403, "access.denied")

    def test_login_is_public(self):
        for role in ALL_ROLES:
            with self.subTest(role=role):
                self.assertOk(self.new_client().login(ROLE_USER[role]))

    def test_unauthenticated_requests(self):
        anonymous = self.new_client()
        bogus = self.server.client(token="tk_" + "x" * 43)
        before = self.audit_head()
        for method, path, permission in DOC_ROUTES:
            if permission == "public":
                continue
            concrete = (path.replace("{id}", self.target["id"]).replace("{role}", "rep")
                        .replace("{key}", "visits.report_due_days"))
            body = None if method in ("GET", "DELETE") else {}
            for client in (anonymous, bogus):
                with self.subTest(route=method + " " + path, bearer=client.token is not None):
                    self.assertStatus(client.request(method, concrete, body=body), 401,
                                      "auth.unauthenticated")
        self.assertEqual(self.audit_head(), before)

    # ---- /auth/me ---------------------------------------------------------------------------
    def test_me_permissions_and_menu(self):
        for role in ALL_ROLES:
            with self.subTest(role=role):
                me = self.assertOk(self.client_for(role).get("/auth/me")).json
                self.assertEqual(me["user"]["roles"], [role])
                self.assertEqual(me["permissions"], GRANTS[role])
                expected = [{"key": key, "path": path} for key, path, permission in MENU
                            if permission is None or permission in GRANTS[role]]
                self.assertEqual([{"key": m["key"], "path": m["path"]} for m in me["menu"]], expected)
                for item in me["menu"]:
                    self.assertIsInstance(item.get("icon"), str)
        rep = self.assertOk(self.client_for("rep").get("/auth/me")).json
        self.assertEqual([m["key"] for m in rep["menu"]],
                         ["dashboard", "customers", "pool", "today", "followUps", "dailyReport",
                          "visitPlans", "visitApplications", "routines", "marketIntel", "summaries",
                          "competitors", "approvals", "notifications"])
        gm = self.assertOk(self.client_for("general_manager").get("/auth/me")).json
        self.assertEqual([m["key"] for m in gm["menu"]],
                         ["dashboard", "customers", "pool", "today", "followUps", "dailyReport",
                          "visitPlans", "visitApplications", "teamDay", "teamCalendar", "planProgress",
                          "overdue", "dailyReview", "routines", "marketIntel", "summaries", "competitors",
                          "approvals", "notifications", "units", "users", "roles", "policies", "audit", "webhooks"])

    def test_roles_and_permission_catalogue(self):
        roles = self.assertOk(self.admin().get("/roles")).json["items"]
        self.assertEqual(sorted(r["role"] for r in roles), sorted(ALL_ROLES))
        catalogue = self.assertOk(self.admin().get("/permissions")).json["items"]
        self.assertEqual(sorted(p["key"] for p in catalogue), sorted(PERMISSIONS))
        for entry in catalogue:
            self.assertEqual(entry["module"], entry["key"].split(".")[0])
            self.assertIsInstance(entry["scoped"], bool)
        self.assertTrue([p for p in catalogue if p["key"] == "users.read"][0]["scoped"])

    # ---- data scopes --------------------------------------------------------------------------
    def ids(self, users):
        return [u["id"] for u in users]

    def test_users_read_scopes(self):
        admin = self.admin()
        everyone = self.all_users()
        by_name = {u["username"]: u for u in everyone}
        mgr1 = self.client_for("sales_manager")
        team_units = self.subtree(by_name["mgr1"]["unitId"])
        expected = [u for u in everyone if u["unitId"] in team_units or u["username"] == "mgr1"]
        self.assertEqual({u["username"] for u in expected}, {"mgr1", "rep1", "rep2", "rep3"})
        self.assertEqual(self.ids(self.all_users(client=mgr1)), self.ids(expected))
        self.assertOk(mgr1.get("/users/" + by_name["rep1"]["id"]))
        self.assertOk(mgr1.get("/users/%s/unit-history" % by_name["rep1"]["id"]))
        for outsider in ("rep4", "mgr2", "gm", "matrixtarget"):
            with self.subTest(outsider=outsider):
                self.assertStatus(mgr1.get("/users/" + by_name[outsider]["id"]), 404, "users.not_found")
                self.assertStatus(mgr1.get("/users/%s/unit-history" % by_name[outsider]["id"]), 404,
                                  "users.not_found")
        # Filters cannot widen the scope.
        south = self.unit_by_name("华南组")["id"]
        self.assertEqual(self.all_users(client=mgr1, unitId=south), [])
        self.assertEqual(self.all_users(client=mgr1, q="rep4"), [])
        for role in ("finance", "sales_assistant", "customer_service", "general_manager"):
            with self.subTest(role=role):
                self.assertEqual(self.ids(self.all_users(client=self.client_for(role))), self.ids(everyone))
                self.assertOk(self.client_for(role).get("/users/" + by_name["rep4"]["id"]))

        rep1 = self.client_for("rep")
        self.assertStatus(rep1.get("/users"), 403, "access.denied")
        try:
            response = admin.put("/roles/rep/permissions", {"grants": {"users.read": "own"}})
            self.assertOk(response)
            self.assertEqual(response.json, {"role": "rep", "grants": {"users.read": "own"}})
            self.assertEqual([u["username"] for u in self.all_users(client=rep1)], ["rep1"])
            self.assertOk(rep1.get("/users/" + by_name["rep1"]["id"]))
            self.assertStatus(rep1.get("/users/" + by_name["rep2"]["id"]), 404, "users.not_found")
            self.assertStatus(rep1.get("/users/%s/unit-history" % by_name["rep2"]["id"]), 404,
                              "users.not_found")
            me = self.assertOk(rep1.get("/auth/me")).json
            self.assertEqual(me["permissions"], {"users.read": "own"})
            self.assertEqual([m["key"] for m in me["menu"]],
                             ["dashboard", "approvals", "notifications", "users"])

            self.assertOk(admin.put("/roles/rep/permissions", {"grants": {"users.read": "team"}}))
            self.assertEqual(sorted(u["username"] for u in self.all_users(client=rep1)),
                             ["mgr1", "rep1", "rep2", "rep3"])
            self.assertOk(rep1.get("/users/" + by_name["rep2"]["id"]))
            self.assertStatus(rep1.get("/users/" + by_name["rep4"]["id"]), 404, "users.not_found")

            self.assertOk(admin.put("/roles/rep/permissions", {"grants": {"users.read": "all"}}))
            self.assertEqual(self.ids(self.all_users(client=rep1)), self.ids(everyone))
        finally:
            self.assertOk(admin.put("/roles/rep/permissions", {"grants": GRANTS["rep"]}))
        self.assertStatus(rep1.get("/users"), 403, "access.denied")
        self.assertEqual(self.assertOk(rep1.get("/auth/me")).json["permissions"], GRANTS["rep"])
        audit = self.assertOk(admin.get("/audit", {"entity": "role", "entityId": "rep"})).json["items"]
        self.assertEqual(len(audit), 4)
        self.assertEqual(audit[0]["before"], {"users.read": "all"})
        self.assertEqual(audit[0]["after"], GRANTS["rep"])
        self.assertEqual(audit[-1]["before"], GRANTS["rep"])
        self.assertEqual(audit[-1]["after"], {"users.read": "own"})

    def test_users_manage_team_scope(self):
        admin = self.admin()
        by_name = {u["username"]: u for u in self.all_users()}
        mgr1 = self.client_for("sales_manager")
        grants = dict(GRANTS["sales_manager"], **{"users.manage": "team"})
        try:
            self.assertOk(admin.put("/roles/sales_manager/permissions", {"grants": grants}))
            self.assertOk(mgr1.patch("/users/" + by_name["rep2"]["id"], {"name": "王芳"}))
            before = self.snapshot()
            self.assertStatus(mgr1.patch("/users/" + by_name["rep4"]["id"], {"name": "改"}), 404,
                              "users.not_found")
            self.assertStatus(mgr1.post("/users/%s/deactivate" % by_name["rep5"]["id"]), 404,
                              "users.not_found")
            self.assertUnchanged(before)
        finally:
            self.assertOk(admin.put("/roles/sales_manager/permissions",
                                    {"grants": GRANTS["sales_manager"]}))
        self.assertStatus(mgr1.patch("/users/" + by_name["rep2"]["id"], {"name": "王芳"}), 403,
                          "access.denied")

    def test_team_scope_follows_a_move_at_once(self):
        admin = self.admin()
        mgr2 = self.as_user("mgr2")
        south = self.unit_by_name("华南组")
        before = sorted(u["username"] for u in self.all_users(client=mgr2))
        self.assertEqual(before, ["mgr2", "rep4", "rep5", "rep6"])
        try:
            self.assertOk(admin.post("/users/%s/move" % mgr2.user_id, {"unitId": self.unit_a["id"]}))
            expected = [u for u in self.all_users() if u["unitId"] == self.unit_a["id"]]
            self.assertEqual(self.ids(self.all_users(client=mgr2)), self.ids(expected))
            rep4 = self.user_by_username("rep4")
            self.assertStatus(mgr2.get("/users/" + rep4["id"]), 404, "users.not_found")
        finally:
            self.assertOk(admin.post("/users/%s/move" % mgr2.user_id, {"unitId": south["id"]}))
        self.assertEqual(sorted(u["username"] for u in self.all_users(client=mgr2)), before)

    def test_role_grant_validation(self):
        admin = self.admin()
        before = self.snapshot()
        cases = [("admin", {"grants": {"org.read": "all"}}, 422),
                 ("rep", {"grants": {"users.fly": "all"}}, 422),
                 ("rep", {"grants": {"users.read": "everyone"}}, 422),
                 ("rep", {"grants": {"users.read": 1}}, 422),
                 ("rep", {}, 422),
                 ("emperor", {"grants": {}}, 404)]
        for role, body, status in cases:
            with self.subTest(role=role, body=body):
                response = admin.put("/roles/%s/permissions" % role, body)
                self.assertStatus(response, status,
                                  "validation.failed" if status == 422 else "roles.not_found")
        self.assertUnchanged(before)
        roles = self.assertOk(admin.get("/roles")).json["items"]
        self.assertEqual({r["role"]: r["grants"] for r in roles}["admin"], GRANTS["admin"])


if __name__ == "__main__":
    unittest.main()
