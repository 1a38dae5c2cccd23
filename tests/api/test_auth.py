"""Authentication: login, lock-out, cookies, CSRF, logout, passwords, API tokens."""

import datetime
import unittest

from harness import DEMO_PASSWORD, DEMO_PHONES, ServerTestCase, parse_instant, unique


class AuthTests(ServerTestCase):

    def fresh_user(self, role="sales_assistant", password="Passw0rd1"):
        return self.make_user(role=role, unit_name="综合管理部", password=password)

    # ---- login -----------------------------------------------------------------------
    def test_login_by_username_and_by_phone(self):
        by_name = self.new_client()
        response = self.assertOk(by_name.login("rep1"))
        me = response.json
        self.assertEqual(me["user"]["username"], "rep1")
        self.assertEqual(me["user"]["phone"], DEMO_PHONES["rep1"])
        self.assertEqual(me["user"]["roles"], ["rep"])
        self.assertIsInstance(me["csrfToken"], str)
        self.assertGreaterEqual(len(me["csrfToken"]), 16)
        self.assertIsInstance(me["permissions"], dict)
        self.assertIsInstance(me["menu"], list)
        self.assertTrue(by_name.cookie)

        by_phone = self.new_client()
        response = self.assertOk(by_phone.login(DEMO_PHONES["rep1"]))
        self.assertEqual(response.json["user"]["id"], me["user"]["id"])
        self.assertNotEqual(by_phone.cookie, by_name.cookie)
        self.assertNotEqual(by_phone.csrf, by_name.csrf)
        # Each session works on its own and /auth/me returns the same CSRF token.
        for client in (by_name, by_phone):
            me_again = self.assertOk(client.get("/auth/me")).json
            self.assertEqual(me_again["user"]["id"], me["user"]["id"])
            self.assertEqual(me_again["csrfToken"], client.csrf)

    def test_unknown_login_and_wrong_password_look_the_same(self):
        client = self.new_client()
        unknown = self.assertStatus(client.login("nobody-here", "whatever1"), 401,
                                    "auth.invalid_credentials")
        self.assertIn("remainingAttempts", unknown.details)
        self.assertIsNone(client.cookie)
        self.assertStatus(client.get("/auth/me"), 401, "auth.unauthenticated")

    def test_wrong_password_counts_down_then_locks(self):
        user = self.fresh_user()
        client = self.new_client()
        remaining = []
        for _ in range(4):
            response = self.assertStatus(client.login(user["username"], "Wrong0000"), 401,
                                         "auth.invalid_credentials")
            self.assertNotIn("set-cookie", response.headers)
            remaining.append(response.details["remainingAttempts"])
        self.assertEqual(remaining, [4, 3, 2, 1])

        before = datetime.datetime.now(datetime.timezone.utc)
        locked = self.assertStatus(client.login(user["username"], "Wrong0000"), 423,
                                   "auth.account_locked")
        locked_until = parse_instant(locked.details["lockedUntil"])
        self.assertGreater(locked_until, before)
        self.assertLess(locked_until, before + datetime.timedelta(days=1))

        # The right password does not get in while locked, by username or by phone.
        self.assertStatus(client.login(user["username"], "Passw0rd1"), 423, "auth.account_locked")
        self.assertStatus(client.login(user["phone"], "Passw0rd1"), 423, "auth.account_locked")
        self.assertIsNone(client.cookie)

        shown = self.assertOk(self.admin().get("/users/" + user["id"])).json
        self.assertTrue(shown["locked"])
        audit = self.assertOk(self.admin().get(
            "/audit", {"entity": "user", "entityId": user["id"], "action": "user.lock"})).json
        self.assertEqual(len(audit["items"]), 1)

        unlocked = self.assertOk(self.admin().post("/users/%s/unlock" % user["id"])).json
        self.assertFalse(unlocked["locked"])
        self.assertEqual(unlocked["id"], user["id"])
        self.assertOk(client.login(user["username"], "Passw0rd1"))
        self.assertOk(client.get("/auth/me"))

    def test_successful_login_resets_the_failure_count(self):
        user = self.fresh_user()
        client = self.new_client()
        for expected in (4, 3):
            response = self.assertStatus(client.login(user["username"], "Wrong0000"), 401)
            self.assertEqual(response.details["remainingAttempts"], expected)
        self.assertOk(client.login(user["username"], "Passw0rd1"))
        response = self.assertStatus(self.new_client().login(user["username"], "Wrong0000"), 401)
        self.assertEqual(response.details["remainingAttempts"], 4)

    def test_cookie_flags(self):
        client = self.new_client()
        self.assertOk(client.login("rep2"))
        cookie = client.last_set_cookie
        parts = [p.strip() for p in cookie.split(";")]
        self.assertTrue(parts[0].startswith("tuoke_session=") and len(parts[0]) > 30, cookie)
        attributes = {p.split("=", 1)[0].lower(): (p.split("=", 1)[1] if "=" in p else True)
                      for p in parts[1:]}
        self.assertIs(attributes.get("httponly"), True, cookie)
        self.assertEqual(attributes.get("samesite"), "Lax", cookie)
        self.assertEqual(attributes.get("path"), "/", cookie)
        # The token is not readable from the JSON body (only the CSRF token is).
        token = parts[0].split("=", 1)[1]
        self.assertNotIn(token, client.me.__repr__())

    # ---- CSRF ------------------------------------------------------------------------
    def test_csrf_required_for_cookie_writes(self):
        target = self.fresh_user()
        admin = self.new_client()
        self.assertOk(admin.login("admin"))
        other = self.new_client()
        self.assertOk(other.login("admin"))
        before = self.snapshot()
        for headers in ({}, {"X-CSRF-Token": "wrong-token-wrong-token-wrong-token-x"},
                        {"X-CSRF-Token": ""}):
            with self.subTest(headers=headers):
                response = admin.patch("/users/" + target["id"], {"name": "改名"}, csrf=False,
                                       headers=headers)
                self.assertStatus(response, 403, "auth.csrf_failed")
                response = admin.post("/org/units", {"parentId": self.unit_by_name("销售部")["id"],
                                                     "name": unique("组"), "kind": "team"},
                                      csrf=False, headers=headers)
                self.assertStatus(response, 403, "auth.csrf_failed")
                response = admin.post("/auth/tokens", {"name": "x", "expiresInDays": 5}, csrf=False, headers=headers)
                self.assertStatus(response, 403, "auth.csrf_failed")
                response = admin.post("/auth/logout", csrf=False, headers=headers)
                self.assertStatus(response, 403, "auth.csrf_failed")
        # Another session's CSRF token does not work either.
        response = admin.patch("/users/" + target["id"], {"name": "改名"}, csrf=False,
                               headers={"X-CSRF-Token": other.csrf})
        self.assertStatus(response, 403, "auth.csrf_failed")
        self.assertUnchanged(before)
        self.assertEqual([t for t in self.assertOk(admin.get("/auth/tokens")).json["items"]
                          if t["name"] == "x"], [])
        self.assertOk(admin.get("/auth/me"))  # the logout attempts did not end the session
        # Safe methods need no token; with the token the write works.
        self.assertOk(admin.get("/users/" + target["id"], csrf=False))
        changed = self.assertOk(admin.patch("/users/" + target["id"], {"name": "改名"})).json
        self.assertEqual(changed["name"], "改名")

    # ---- logout ----------------------------------------------------------------------
    def test_logout_ends_the_session(self):
        client, other = self.new_client(), self.new_client()
        self.assertOk(client.login("rep3"))
        self.assertOk(other.login("rep3"))
        old_cookie = client.cookie
        response = self.assertStatus(client.post("/auth/logout"), 204)
        self.assertEqual(response.body, b"")
        cleared = client.last_set_cookie
        self.assertTrue(cleared.startswith("tuoke_session=;"), cleared)
        self.assertIn("Max-Age=0", cleared)
        client.cookie = old_cookie  # a client that ignores the clearing cookie
        self.assertStatus(client.get("/auth/me"), 401, "auth.unauthenticated")
        self.assertStatus(client.post("/auth/logout"), 401, "auth.unauthenticated")
        self.assertOk(other.get("/auth/me"))  # only this session ended

    def test_garbage_session_cookie_is_unauthenticated(self):
        client = self.new_client()
        for value in ("x", "ts_" + "A" * 43, "ts_" + "A" * 500):
            client.cookie = value
            self.assertStatus(client.get("/auth/me"), 401, "auth.unauthenticated")

    # ---- password change ---------------------------------------------------------------
    def test_password_change(self):
        user = self.fresh_user()
        first, second = self.new_client(), self.new_client()
        self.assertOk(first.login(user["username"], "Passw0rd1"))
        self.assertOk(second.login(user["username"], "Passw0rd1"))
        head = self.audit_head()
        for weak in ("short1", "onlyletters", "1234567890", "a1" * 65):
            with self.subTest(weak=weak):
                response = first.post("/auth/password",
                                      {"currentPassword": "Passw0rd1", "newPassword": weak})
                self.assertStatus(response, 422, "validation.failed")
                self.assertIn("newPassword", response.fields)
        response = first.post("/auth/password",
                              {"currentPassword": "Wrong0000", "newPassword": "NewPassw0rd"})
        self.assertStatus(response, 422, "validation.failed")
        self.assertIn("currentPassword", response.fields)
        response = first.post("/auth/password", {"currentPassword": "Passw0rd1"})
        self.assertStatus(response, 422, "validation.failed")
        self.assertEqual(self.audit_head(), head)
        self.assertOk(second.get("/auth/me"))  # nothing ended yet

        self.assertStatus(first.post("/auth/password",
                                     {"currentPassword": "Passw0rd1", "newPassword": "NewPassw0rd"}),
                          204)
        self.assertOk(first.get("/auth/me"))
        self.assertStatus(second.get("/auth/me"), 401, "auth.unauthenticated")
        self.assertStatus(self.new_client().login(user["username"], "Passw0rd1"), 401,
                          "auth.invalid_credentials")
        self.assertOk(self.new_client().login(user["username"], "NewPassw0rd"))
        audit = self.assertOk(self.admin().get(
            "/audit", {"entity": "user", "entityId": user["id"], "action": "user.password_change"}))
        self.assertEqual(len(audit.json["items"]), 1)
        self.assertNotIn("NewPassw0rd", audit.body.decode())

    # ---- admin reset ----------------------------------------------------------------
    def test_admin_reset_password_forces_a_change(self):
        user = self.fresh_user()
        old_session = self.new_client()
        self.assertOk(old_session.login(user["username"], "Passw0rd1"))

        self.assertStatus(self.admin().post("/users/%s/reset-password" % user["id"],
                                            {"newPassword": "weak"}), 422, "validation.failed")
        self.assertOk(old_session.get("/auth/me"))
        self.assertStatus(self.admin().post("/users/%s/reset-password" % user["id"],
                                            {"newPassword": "Temp0rary1"}), 204)
        self.assertStatus(old_session.get("/auth/me"), 401, "auth.unauthenticated")
        shown = self.assertOk(self.admin().get("/users/" + user["id"])).json
        self.assertTrue(shown["mustChangePassword"])
        self.assertStatus(self.new_client().login(user["username"], "Passw0rd1"), 401)

        client = self.new_client()
        me = self.assertOk(client.login(user["username"], "Temp0rary1")).json
        self.assertTrue(me["user"]["mustChangePassword"])
        blocked = [("GET", "/users", None), ("GET", "/users/" + user["id"], None),
                   ("GET", "/org/units", None), ("GET", "/policies", None),
                   ("GET", "/auth/tokens", None), ("POST", "/auth/tokens", {"name": "t", "expiresInDays": 5}),
                   ("PATCH", "/users/" + user["id"], {"name": "x"}),
                   ("GET", "/roles", None), ("GET", "/audit", None)]
        for method, path, body in blocked:
            with self.subTest(method=method, path=path):
                self.assertStatus(client.request(method, path, body=body), 403,
                                  "auth.password_change_required")
        self.assertTrue(self.assertOk(client.get("/auth/me")).json["user"]["mustChangePassword"])
        self.assertStatus(client.post("/auth/password", {"currentPassword": "Temp0rary1",
                                                         "newPassword": "MyOwnPassw0rd"}), 204)
        me = self.assertOk(client.get("/auth/me")).json
        self.assertFalse(me["user"]["mustChangePassword"])
        self.assertOk(client.get("/auth/tokens"))
        self.assertOk(client.get("/users"))  # sales_assistant: users.read all

    def test_logout_allowed_while_password_change_pending(self):
        user = self.fresh_user()
        self.assertStatus(self.admin().post("/users/%s/reset-password" % user["id"],
                                            {"newPassword": "Temp0rary1"}), 204)
        client = self.new_client()
        self.assertOk(client.login(user["username"], "Temp0rary1"))
        self.assertStatus(client.post("/auth/logout"), 204)
        self.assertStatus(client.get("/auth/me"), 401)

    # ---- API tokens ---------------------------------------------------------------------
    def test_api_tokens(self):
        user = self.fresh_user()
        client = self.new_client()
        self.assertOk(client.login(user["username"], "Passw0rd1"))
        self.assertEqual(self.assertOk(client.get("/auth/tokens")).json["items"], [])
        for bad in ({"name": "x", "expiresInDays": 0}, {"name": "x", "expiresInDays": 366},
                    {"name": "x", "expiresInDays": "30"}, {"name": ""}, {"expiresInDays": 3},
                    {"name": "x", "scope": "all"}):
            with self.subTest(bad=bad):
                self.assertStatus(client.post("/auth/tokens", bad), 422, "validation.failed")

        now = datetime.datetime.now(datetime.timezone.utc)
        created = self.assertStatus(client.post("/auth/tokens", {"name": "ci", "expiresInDays": 30}),
                                    201).json
        self.assertEqual(set(created), {"id", "name", "token", "expiresAt"})
        self.assertEqual(created["name"], "ci")
        expires = parse_instant(created["expiresAt"])
        self.assertLess(abs((expires - now) - datetime.timedelta(days=30)),
                        datetime.timedelta(minutes=5))
        token = created["token"]

        listed = self.assertOk(client.get("/auth/tokens")).json["items"]
        self.assertEqual([t["id"] for t in listed], [created["id"]])
        self.assertEqual(set(listed[0]), {"id", "name", "createdAt", "expiresAt", "lastUsedAt"})
        self.assertEqual(listed[0]["name"], "ci")
        self.assertNotIn(token, repr(listed))  # shown once only

        bearer = self.server.client(token=token)
        me = self.assertOk(bearer.get("/auth/me")).json
        self.assertEqual(me["user"]["id"], user["id"])
        self.assertOk(bearer.get("/users/" + user["id"]))
        # No CSRF needed with a bearer token.
        second = self.assertStatus(bearer.post("/auth/tokens", {"name": "second", "expiresInDays": 365}), 201).json
        self.assertEqual(len(self.assertOk(bearer.get("/auth/tokens")).json["items"]), 2)
        # A bearer token is not a session cookie, and a session is not a bearer token.
        as_cookie = self.new_client()
        as_cookie.cookie = token
        self.assertStatus(as_cookie.get("/auth/me"), 401, "auth.unauthenticated")
        self.assertStatus(self.server.client(token=client.cookie).get("/auth/me"), 401,
                          "auth.unauthenticated")
        # Another user cannot revoke it.
        self.assertStatus(self.admin().delete("/auth/tokens/" + created["id"]), 404, "tokens.not_found")
        self.assertOk(bearer.get("/auth/me"))

        self.assertStatus(client.delete("/auth/tokens/" + created["id"]), 204)
        self.assertStatus(bearer.get("/auth/me"), 401, "auth.unauthenticated")
        self.assertStatus(client.delete("/auth/tokens/" + created["id"]), 404, "tokens.not_found")
        listed = self.assertOk(client.get("/auth/tokens")).json["items"]
        self.assertEqual([t["id"] for t in listed], [second["id"]])
        self.assertOk(self.server.client(token=second["token"]).get("/auth/me"))

    def test_token_expiry_defaults_to_90_days(self):
        client = self.as_user("rep4")
        created = self.assertStatus(client.post("/auth/tokens", {"name": "no-expiry"}), 201).json
        expires = datetime.datetime.strptime(created["expiresAt"], "%Y-%m-%dT%H:%M:%S.%fZ")
        days = (expires - datetime.datetime.utcnow()).total_seconds() / 86400
        self.assertAlmostEqual(days, 90, delta=0.1)
        self.assertStatus(client.post("/auth/tokens", {"name": "too-long", "expiresInDays": 366}), 422,
                          "validation.failed")

    def test_csrf_applies_to_every_unsafe_method(self):
        client = self.new_client()
        self.assertOk(client.login("admin"))
        token = self.assertStatus(client.post("/auth/tokens", {"name": "k", "expiresInDays": 2}), 201).json
        head = self.audit_head()
        self.assertStatus(client.delete("/auth/tokens/" + token["id"], csrf=False), 403, "auth.csrf_failed")
        self.assertStatus(client.put("/roles/rep/permissions", {"grants": {}}, csrf=False), 403,
                          "auth.csrf_failed")
        self.assertStatus(client.post("/policies/visits.report_due_days/versions",
                                      {"value": 3, "effectiveFrom": "2030-01-01"}, csrf=False),
                          403, "auth.csrf_failed")
        self.assertEqual(self.audit_head(), head)
        self.assertEqual([t["id"] for t in self.assertOk(client.get("/auth/tokens")).json["items"]],
                         [token["id"]])

    def test_bad_bearer_token(self):
        for token in ("x", "tk_" + "A" * 43, "tk_" + "B" * 300):
            self.assertStatus(self.server.client(token=token).get("/auth/me"), 401,
                              "auth.unauthenticated")

    # ---- deactivation --------------------------------------------------------------------
    def test_deactivated_user_cannot_log_in_and_sessions_die(self):
        user = self.fresh_user()
        session = self.new_client()
        self.assertOk(session.login(user["username"], "Passw0rd1"))
        token = self.assertStatus(session.post("/auth/tokens", {"name": "t", "expiresInDays": 1}), 201).json["token"]
        bearer = self.server.client(token=token)
        self.assertOk(bearer.get("/auth/me"))

        shown = self.assertOk(self.admin().post("/users/%s/deactivate" % user["id"])).json
        self.assertFalse(shown["active"])
        self.assertStatus(session.get("/auth/me"), 401, "auth.unauthenticated")
        self.assertStatus(bearer.get("/auth/me"), 401, "auth.unauthenticated")
        response = self.new_client().login(user["username"], "Passw0rd1")
        self.assertStatus(response, 403, "auth.account_inactive")
        self.assertNotIn("set-cookie", response.headers)

        self.assertTrue(self.assertOk(self.admin().post("/users/%s/activate" % user["id"])).json["active"])
        self.assertOk(self.new_client().login(user["username"], "Passw0rd1"))


if __name__ == "__main__":
    unittest.main()
