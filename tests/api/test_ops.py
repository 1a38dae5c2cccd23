"""Operations: health, readiness, metrics, request ids, routing, OpenAPI, and the CLI."""

import os
import re
import shutil
import sqlite3
import time
import unittest

from harness import (BACKEND, DEMO_PASSWORD, DOC_ROUTES, OPS_ROUTES, Server, ServerTestCase, unique)

# A literal copy of the endpoints of docs/api-customers.md (issue #3).
CUSTOMER_ROUTES = [
    ("GET", "/customers", "customers.read"),
    ("GET", "/customers/export.csv", "customers.read"),
    ("GET", "/customers/export.xlsx", "customers.read"),
    ("POST", "/customers/import", "customers.write"),
    ("POST", "/customers/duplicate-check", "customers.read"),
    ("POST", "/customers", "customers.write"),
    ("GET", "/customers/{id}", "customers.read"),
    ("PATCH", "/customers/{id}", "customers.write"),
    ("POST", "/customers/{id}/grade-override", "customers.assign"),
    ("DELETE", "/customers/{id}/grade-override", "customers.assign"),
    ("GET", "/customers/{id}/grade-history", "customers.read"),
    ("GET", "/customers/{id}/status-history", "customers.read"),
    ("POST", "/customers/{id}/assign", "customers.assign"),
    ("POST", "/customers/assign", "customers.assign"),
    ("GET", "/customers/pool/status", "customers.read"),
    ("POST", "/customers/{id}/release", "customers.write"),
    ("POST", "/customers/{id}/claim", "customers.write"),
    ("GET", "/customers/{id}/timeline", "customers.read"),
    ("POST", "/customers/{id}/follow-ups", "customers.write"),
    ("POST", "/customers/{id}/contacts", "customers.write"),
    ("PATCH", "/contacts/{id}", "customers.write"),
    ("DELETE", "/contacts/{id}", "customers.write"),
    ("POST", "/customers/merge", "customers.assign"),
    ("POST", "/customers/merges/{id}/reverse", "customers.assign"),
    ("GET", "/customer-views", "customers.read"),
    ("POST", "/customer-views", "customers.read"),
    ("PATCH", "/customer-views/{id}", "customers.read"),
    ("DELETE", "/customer-views/{id}", "customers.read"),
    ("POST", "/customers/import-file", "customers.write"),
    ("POST", "/customers/{id}/attachments", "customers.write"),
    ("GET", "/customers/{id}/attachments", "customers.read"),
    ("GET", "/customer-attachments/{id}/content", "customers.read"),
    ("DELETE", "/customer-attachments/{id}", "customers.write"),
]

# A literal copy of the endpoints of docs/api-fieldreports.md (issue #4 items 6, 9, 10).
FIELD_REPORT_ROUTES = [
    ("GET", "/daily-reports", "visits.read"),
    ("GET", "/daily-reports/draft", "visits.write"),
    ("GET", "/daily-reports/missing", "visits.review"),
    ("GET", "/daily-reports/{id}", "visits.read"),
    ("PUT", "/daily-reports/{date}", "visits.write"),
    ("POST", "/daily-reports/{date}/submit", "visits.write"),
    ("POST", "/daily-reports/{id}/comment", "visits.review"),
    ("GET", "/morning-notes", "visits.read"),
    ("PUT", "/morning-notes", "visits.write"),
    ("GET", "/period-reports", "visits.read"),
    ("GET", "/period-reports/draft", "visits.write"),
    ("GET", "/period-reports/{id}", "visits.read"),
    ("PUT", "/period-reports/{period}/{start}", "visits.write"),
    ("POST", "/period-reports/{period}/{start}/submit", "visits.write"),
    ("POST", "/period-reports/{id}/comment", "visits.review"),
    ("GET", "/routine-templates", "routines.manage"),
    ("POST", "/routine-templates", "routines.manage"),
    ("GET", "/routine-templates/{id}", "routines.manage"),
    ("PATCH", "/routine-templates/{id}", "routines.manage"),
    ("GET", "/routine-assignments", "routines.manage"),
    ("POST", "/routine-assignments", "routines.manage"),
    ("DELETE", "/routine-assignments/{id}", "routines.manage"),
    ("GET", "/routines/mine", None),
    ("POST", "/routines/items/{id}/check", None),
    ("GET", "/routines/completion", "routines.manage"),
    ("GET", "/market-reports", "intel.read"),
    ("POST", "/market-reports", "intel.write"),
    ("GET", "/market-reports/rollup", "intel.read"),
    ("GET", "/market-reports/{id}", "intel.read"),
    ("PATCH", "/market-reports/{id}", "intel.write"),
    ("DELETE", "/market-reports/{id}", "intel.write"),
    ("GET", "/competitor-profiles", "intel.read"),
    ("POST", "/competitor-profiles", "intel.write"),
    ("GET", "/competitor-profiles/{id}", "intel.read"),
    ("PATCH", "/competitor-profiles/{id}", "intel.write"),
    ("DELETE", "/competitor-profiles/{id}", "intel.write"),
    ("POST", "/competitor-profiles/{id}/offers", "intel.write"),
    ("PATCH", "/competitor-offers/{id}", "intel.write"),
    ("DELETE", "/competitor-offers/{id}", "intel.write"),
    ("GET", "/competitor-comparison", "intel.read"),
]

# A literal copy of the endpoints of docs/api-workflow.md (issue #4 items 1 and 11).
# None: every signed-in user (deciding is authorised by being the step's approver).
WORKFLOW_ROUTES = [
    ("GET", "/approvals", None),
    ("GET", "/approvals/{id}", None),
    ("POST", "/approvals/{id}/approve", None),
    ("POST", "/approvals/{id}/reject", None),
    ("POST", "/approvals/{id}/return", None),
    ("POST", "/approvals/{id}/register", "approvals.register"),
    ("POST", "/approvals/{id}/withdraw", None),
    ("GET", "/approval-delegation", None),
    ("PUT", "/approval-delegation", None),
    ("GET", "/notifications", None),
    ("GET", "/notifications/unread-count", None),
    ("POST", "/notifications/read-all", None),
    ("POST", "/notifications/{id}/read", None),
    ("GET", "/webhooks", "webhooks.manage"),
    ("POST", "/webhooks", "webhooks.manage"),
    ("PATCH", "/webhooks/{id}", "webhooks.manage"),
    ("DELETE", "/webhooks/{id}", "webhooks.manage"),
    ("POST", "/webhooks/{id}/test", "webhooks.manage"),
    ("GET", "/webhooks/{id}/deliveries", "webhooks.manage"),
]

# A literal copy of the endpoints of docs/api-visits.md "Check-ins, visits, follow-ups"
# (issue #4 items 4, 5, 7).
FIELD_VISIT_ROUTES = [
    ("POST", "/check-ins", "visits.write"),
    ("GET", "/check-ins", "visits.read"),
    ("GET", "/check-ins/{id}", "visits.read"),
    ("GET", "/check-ins/{id}/photo", "visits.read"),
    ("POST", "/check-ins/{id}/pin-customer", "visits.write"),
    ("GET", "/visits", "visits.read"),
    ("GET", "/visits/{id}", "visits.read"),
    ("PATCH", "/visits/{id}", "visits.write"),
    ("POST", "/visits/{id}/submit-report", "visits.write"),
    ("POST", "/visits/{id}/review", "visits.review"),
    ("GET", "/follow-up-items", "visits.read"),
    ("POST", "/follow-up-items", "visits.write"),
    ("PATCH", "/follow-up-items/{id}", "visits.write"),
    ("POST", "/follow-up-items/{id}/done", "visits.write"),
    ("GET", "/team-day", "visits.read"),
    ("GET", "/my-day", "visits.read"),
]

# A literal copy of the endpoints of docs/api-visits.md "Plans, applications, norms"
# (issue #4 items 2, 3, 8).
PLAN_ROUTES = [
    ("GET", "/visit-plans", "visits.read"),
    ("POST", "/visit-plans", "visits.write"),
    ("GET", "/visit-plans/progress", "visits.read"),
    ("GET", "/visit-plans/{id}", "visits.read"),
    ("PATCH", "/visit-plans/{id}", "visits.write"),
    ("GET", "/visit-plans/{id}/coverage", "visits.read"),
    ("POST", "/visit-plans/{id}/submit", "visits.write"),
    ("GET", "/visit-applications", "visits.read"),
    ("POST", "/visit-applications", "visits.write"),
    ("GET", "/visit-applications/{id}", "visits.read"),
    ("PATCH", "/visit-applications/{id}", "visits.write"),
    ("POST", "/visit-applications/{id}/submit", "visits.write"),
    ("GET", "/visit-norms", "visits.read"),
]

SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class HttpOpsTests(ServerTestCase):

    def test_healthz_and_readyz(self):
        client = self.new_client()
        response = self.assertOk(client.get("/healthz"))
        self.assertEqual(response.json["status"], "ok")
        response = self.assertOk(client.get("/readyz"))
        self.assertEqual(response.json["status"], "ready")
        self.assertIsInstance(response.json["schemaVersion"], int)
        self.assertGreaterEqual(response.json["schemaVersion"], 1)
        status = self.server.cli("migrate", "--status")
        self.assertEqual(status.returncode, 0, status.stderr)
        match = re.search(r"schema version (\d+) of (\d+)", status.stdout)
        self.assertTrue(match, status.stdout)
        self.assertEqual(int(match.group(1)), response.json["schemaVersion"])

    def test_metrics(self):
        client = self.new_client()
        self.assertOk(client.get("/healthz"))
        self.assertStatus(client.get("/api/v1/users"), 401)
        response = self.assertOk(client.get("/metrics"))
        self.assertTrue(response.headers["content-type"].startswith("text/plain"), response.headers)
        text = response.body.decode("utf-8")
        self.assertIn("# TYPE tuoke_http_requests_total counter", text)
        self.assertRegex(text, r'(?m)^tuoke_http_requests_total\{[^}]*route="/healthz"[^}]*\} [1-9]')
        self.assertRegex(text, r'(?m)^tuoke_http_requests_total\{[^}]*status="401"[^}]*\} [1-9]')
        self.assertRegex(text, r"(?m)^process_resident_memory_bytes [0-9.e+]+$")
        sqlite_memory = int(re.search(r"(?m)^tuoke_sqlite_memory_bytes ([0-9]+)$", text).group(1))
        # The SQLite heap holds at least the open connection's schema and statements.
        if BACKEND == "sqlite":
            self.assertGreater(sqlite_memory, 100_000)
        for line in text.splitlines():
            if line and not line.startswith("#"):
                self.assertRegex(line, r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eEInfa]+$')

    def test_request_ids(self):
        client = self.new_client()
        seen = set()
        for method, path in (("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics"),
                             ("GET", "/api/v1/auth/me"), ("GET", "/api/v1/nope"), ("DELETE", "/api/v1/users"),
                             ("POST", "/api/v1/auth/login"), ("GET", "/api/v1/openapi.json")):
            with self.subTest(path=path):
                response = client.request(method, path, body={} if method == "POST" else None)
                request_id = response.headers.get("x-request-id")
                self.assertTrue(request_id and SANE_ID.match(request_id), response.headers)
                self.assertNotIn(request_id, seen)
                seen.add(request_id)
                if response.status >= 400:
                    self.assertEqual(response.json["error"]["requestId"], request_id)
        for sane in ("abc-123_X.y", "0" * 64, "req-" + unique()):
            response = client.get("/healthz", headers={"X-Request-Id": sane})
            self.assertEqual(response.headers["x-request-id"], sane)
        response = client.get("/api/v1/auth/me", headers={"X-Request-Id": "trace-401"})
        self.assertEqual(response.json["error"]["requestId"], "trace-401")
        for insane in ("has space", "x" * 65, "<script>", "semi;colon", "ünï"):
            with self.subTest(insane=insane):
                response = client.request("GET", "/healthz",
                                          headers={"X-Request-Id": insane.encode("utf-8").decode("latin-1")})
                self.assertNotEqual(response.headers["x-request-id"], insane)
                self.assertRegex(response.headers["x-request-id"], SANE_ID)

    def test_unknown_routes_and_methods(self):
        client = self.as_user("admin")
        for path in ("/api/v1/nope", "/api/v2/users", "/api/v1/users/1/nope", "/api/v1/", "/api/v1/audit/1"):
            with self.subTest(path=path):
                self.assertStatus(client.get(path), 404, "route.not_found")
        for method, path in (("DELETE", "/api/v1/users"), ("PUT", "/api/v1/org/units"),
                             ("GET", "/api/v1/auth/login"), ("POST", "/healthz"), ("DELETE", "/api/v1/users/1"),
                             ("PUT", "/api/v1/policies/visits.report_due_days"), ("POST", "/api/v1/roles")):
            with self.subTest(method=method, path=path):
                self.assertStatus(client.request(method, path, body={} if method != "DELETE" else None),
                                  405, "route.method_not_allowed")

    def test_openapi_matches_the_documented_routes(self):
        response = self.assertOk(self.new_client().get("/api/v1/openapi.json"))
        document = response.json
        self.assertRegex(document["openapi"], r"^3\.0\.\d+$")
        self.assertIn("title", document["info"])
        actual = set()
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                if method in ("get", "put", "post", "patch", "delete", "head", "options"):
                    actual.add((method.upper(), path))
                    self.assertIn("responses", operation)
        documented = ({(method, "/api/v1" + path)
                       for method, path, _ in DOC_ROUTES + CUSTOMER_ROUTES + FIELD_REPORT_ROUTES
                       + WORKFLOW_ROUTES + FIELD_VISIT_ROUTES + PLAN_ROUTES}
                      | set(OPS_ROUTES))
        self.assertEqual(actual, documented,
                         "only in openapi: %s; only in docs: %s" % (sorted(actual - documented),
                                                                   sorted(documented - actual)))

    def test_openapi_paths_are_really_routed(self):
        document = self.assertOk(self.new_client().get("/api/v1/openapi.json")).json
        admin = self.new_client()
        self.assertOk(admin.login("admin"))
        checked = 0
        for path, operations in sorted(document["paths"].items()):
            for method in sorted(operations):
                concrete = re.sub(r"\{[^}]+\}", "999999", path)
                with self.subTest(method=method, path=path):
                    if path.endswith("/auth/logout"):
                        continue  # checked last: it ends the session
                    if path.endswith("/auth/password"):
                        body = {"currentPassword": "wrong-password-1", "newPassword": "Another1pass"}
                    else:
                        body = None if method in ("get", "delete") else {}
                    response = admin.request(method.upper(), concrete, body=body)
                    self.assertNotIn(response.error_code, ("route.not_found", "route.method_not_allowed"),
                                     response)
                    self.assertLess(response.status, 500, response)
                    checked += 1
        self.assertGreaterEqual(checked, len(DOC_ROUTES) + len(CUSTOMER_ROUTES) + len(FIELD_REPORT_ROUTES)
                                + len(WORKFLOW_ROUTES) + len(FIELD_VISIT_ROUTES) + len(PLAN_ROUTES)
                                + len(OPS_ROUTES) - 1)
        response = admin.post("/api/v1/auth/logout")
        self.assertStatus(response, 204)


class CliTests(unittest.TestCase):
    """The administration commands, each on its own database."""

    maxDiff = 4000

    def test_migrate_backup_doctor_on_a_seeded_database(self):
        server = Server(seed=True)
        try:
            result = server.cli("migrate")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("already up to date", result.stdout)
            result = server.cli("migrate", "--status")
            self.assertEqual(result.returncode, 0, result.stderr)
            match = re.search(r"schema version (\d+) of (\d+)", result.stdout)
            self.assertTrue(match, result.stdout)
            self.assertEqual(match.group(1), match.group(2))
            self.assertNotIn("pending", result.stdout)

            server.start()  # records the policy defaults, as doctor expects
            result = server.cli("doctor")
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            self.assertIn("all checks passed", result.stdout)
            self.assertNotIn("FAIL", result.stdout)

            backup = os.path.join(server.tempdir, "backup.out")
            if BACKEND == "sqlite":
                result = server.cli("backup", "-o", backup)
                self.assertEqual(result.returncode, 0, result.stderr)
                connection = sqlite3.connect(backup)
                try:
                    names = {row[0] for row in connection.execute("SELECT username FROM users")}
                    policies = connection.execute("SELECT COUNT(*) FROM policy_versions").fetchone()[0]
                finally:
                    connection.close()
                self.assertTrue({"admin", "gm", "rep1", "cs"} <= names, names)
                self.assertEqual(len(names), 13)
                self.assertGreater(policies, 0)
            else:
                if shutil.which("pg_dump") is None:
                    self.skipTest("pg_dump is not installed")
                result = server.cli("backup", "-o", backup)
                self.assertEqual(result.returncode, 0, result.stderr)
                with open(backup, "rb") as f:
                    head = f.read(5)
                self.assertGreater(os.path.getsize(backup), 1000)
                self.assertEqual(head, b"PGDMP")
            # An existing file is never overwritten.
            size = os.path.getsize(backup)
            result = server.cli("backup", "-o", backup)
            self.assertNotEqual(result.returncode, 0)
            self.assertEqual(os.path.getsize(backup), size)
        finally:
            server.cleanup()

    def test_doctor_fails_on_an_unreachable_database(self):
        server = Server(seed=False)
        try:
            for url in ("postgresql://postgres@127.0.0.1:1/nothing?connect_timeout=3",
                        "sqlite:/nonexistent-dir-%s/sub/tuoke.db" % unique()):
                with self.subTest(url=url):
                    result = server.cli("doctor", db_args=["--database", url])
                    self.assertNotEqual(result.returncode, 0, result.stdout)
                    self.assertIn("FAIL", result.stdout)
        finally:
            server.cleanup()

    def test_user_add_on_an_empty_database(self):
        server = Server(seed=False)
        try:
            args = ["user", "add", "--username", "boss", "--name", "老板", "--phone", "13912345678",
                    "--role", "admin"]
            result = server.cli(*args)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("--company", result.stderr)
            result = server.cli(*args, "--company", "新公司")
            self.assertEqual(result.returncode, 0, result.stderr)
            match = re.search(r"temporary password: (\S+)", result.stdout)
            self.assertTrue(match, result.stdout)
            password = match.group(1)
            # A second user in the now non-empty database needs no --company.
            result = server.cli("user", "add", "--username", "clerk", "--name", "文员", "--phone",
                                "13912345679", "--role", "sales_assistant")
            self.assertEqual(result.returncode, 0, result.stderr)
            # Duplicates are refused.
            result = server.cli(*args)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("users.username_taken", result.stderr)

            server.start()
            client = server.client()
            self.assertStatus(client.login("boss", "wrong-pass-1"), 401)
            me = client.login("boss", password)
            self.assertEqual(me.status, 200, me)
            self.assertTrue(me.json["user"]["mustChangePassword"])
            self.assertEqual(me.json["user"]["roles"], ["admin"])
            self.assertEqual(me.json["user"]["unitName"], "新公司")
            self.assertStatus(client.get("/org/units"), 403, "auth.password_change_required")
            self.assertStatus(client.post("/auth/password", {"currentPassword": password,
                                                             "newPassword": "BossPassw0rd"}), 204)
            units = client.get("/org/units")
            self.assertStatus(units, 200)
            self.assertEqual([(u["name"], u["kind"]) for u in units.json["items"]], [("新公司", "company")])
            self.assertEqual(sorted(u["username"] for u in client.get("/users").json["items"]),
                             ["boss", "clerk"])
        finally:
            server.cleanup()

    def test_seed_demo_twice_and_cli_user_commands(self):
        server = Server(seed=True)
        try:
            result = server.cli("seed-demo", "--if-empty")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("skipped", result.stdout)
            result = server.cli("seed-demo")
            self.assertNotEqual(result.returncode, 0)

            result = server.cli("user", "deactivate", "rep6")
            self.assertEqual(result.returncode, 0, result.stderr)
            result = server.cli("user", "reset-password", "13800000008")  # rep5 by phone
            self.assertEqual(result.returncode, 0, result.stderr)
            temporary = re.search(r"temporary password: (\S+)", result.stdout).group(1)
            result = server.cli("user", "reset-password", "--password-stdin", "rep4",
                                input_text="Chosen2026x\n")
            self.assertEqual(result.returncode, 0, result.stderr)
            result = server.cli("user", "deactivate", "nobody")
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("users.not_found", result.stderr)

            server.start()
            self.assertStatus(server.client().login("rep6", DEMO_PASSWORD), 403, "auth.account_inactive")
            client = server.client()
            self.assertEqual(client.login("rep5", temporary).status, 200)
            self.assertTrue(client.me["user"]["mustChangePassword"])
            self.assertEqual(server.client().login("rep5", DEMO_PASSWORD).status, 401)
            client = server.client()
            self.assertEqual(client.login("rep4", "Chosen2026x").status, 200)
            self.assertFalse(client.me["user"]["mustChangePassword"])
        finally:
            server.cleanup()

    def test_restart_keeps_data(self):
        server = Server(seed=True)
        try:
            server.start()
            admin = server.client()
            self.assertEqual(admin.login("admin").status, 200)
            sales = [u for u in admin.get("/org/units").json["items"] if u["name"] == "销售部"][0]
            name = unique("重启组")
            self.assertEqual(admin.post("/org/units", {"parentId": sales["id"], "name": name,
                                                       "kind": "team"}).status, 201)
            version = admin.post("/policies/visits.report_due_days/versions",
                                 {"value": 4, "effectiveFrom": "2027-01-01"})
            self.assertEqual(version.status, 201, version)
            server.stop()
            server.start()
            # Sessions live in the database: the old cookie still works on the new process.
            admin.port = server.port
            self.assertStatus(admin.get("/auth/me"), 200)
            again = server.client()
            self.assertEqual(again.login("admin").status, 200)
            names = [u["name"] for u in again.get("/org/units").json["items"]]
            self.assertIn(name, names)
            self.assertEqual(again.get("/policies/visits.report_due_days", {"date": "2027-01-01"}).json["value"], 4)
            self.assertEqual(len(again.get("/users", {"limit": 200}).json["items"]), 13)
            # The policy defaults are not recorded twice.
            versions = again.get("/policies/visits.report_due_days/versions").json["items"]
            self.assertEqual([v["effectiveFrom"] for v in versions], ["2027-01-01", "2000-01-01"])
        finally:
            server.cleanup()

    # helpers shared with ServerTestCase
    assertStatus = ServerTestCase.assertStatus


class SharedDatabaseTests(ServerTestCase):
    """Two processes on one database: the CLI or a second server (docs/operations.md)."""

    def second_server(self):
        second = Server(seed=False)
        second.db_args = self.server.db_args
        self.addCleanup(second.cleanup)
        return second.start()

    # docs/operations.md, ADR 0004: each process caches a verified session for at most 2 s;
    # a change made by another process (the CLI, a second server) is honoured within 2 s.
    PROPAGATION_SECONDS = 2.0

    def eventually(self, request, status, code):
        """Polls `request` until it answers `status`; fails after the documented 2 s (+ margin)."""
        started = time.monotonic()
        while True:
            response = request()
            if response.status == status:
                self.assertStatus(response, status, code)
                return time.monotonic() - started
            if time.monotonic() - started > self.PROPAGATION_SECONDS + 1.0:
                self.fail("still %r after %.1f s" % (response, time.monotonic() - started))
            time.sleep(0.1)

    def cli_ends_session(self, login, *command):
        client = self.new_client()
        self.assertOk(client.login(login))
        self.assertOk(client.get("/auth/me"))  # the session was just verified
        result = self.server.cli(*command)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.eventually(lambda: client.get("/auth/me"), 401, "auth.unauthenticated")
        time.sleep(0.3)
        self.assertStatus(client.get("/auth/me"), 401, "auth.unauthenticated")

    def test_cli_deactivate_ends_sessions_of_a_running_server(self):
        self.cli_ends_session("rep1", "user", "deactivate", "rep1")
        self.assertStatus(self.new_client().login("rep1"), 403, "auth.account_inactive")

    def test_cli_reset_password_ends_sessions_of_a_running_server(self):
        self.cli_ends_session("rep2", "user", "reset-password", "rep2")
        self.assertStatus(self.new_client().login("rep2"), 401, "auth.invalid_credentials")

    def test_cli_deactivated_user_cannot_log_in_to_a_running_server(self):
        result = self.server.cli("user", "deactivate", "rep3")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertStatus(self.new_client().login("rep3"), 403, "auth.account_inactive")

    def test_deactivation_on_one_server_ends_sessions_on_another(self):
        second = self.second_server()
        victim = self.new_client()
        self.assertOk(victim.login("rep4"))
        victim.port = second.port  # the same session, served by the other process
        self.assertOk(victim.get("/auth/me"))
        token = self.assertStatus(victim.post("/auth/tokens", {"name": "t", "expiresInDays": 1}), 201).json
        bearer = second.client(token=token["token"])
        self.assertOk(bearer.get("/auth/me"))
        rep4 = self.user_by_username("rep4")
        self.assertOk(self.admin().post("/users/%s/deactivate" % rep4["id"]))
        self.eventually(lambda: victim.get("/auth/me"), 401, "auth.unauthenticated")
        self.eventually(lambda: bearer.get("/auth/me"), 401, "auth.unauthenticated")

    def test_grant_changes_on_one_server_apply_on_another(self):
        second = self.second_server()
        admin = self.admin()
        rep5 = second.client()
        self.assertOk(rep5.login("rep5"))
        self.assertStatus(rep5.get("/org/units"), 403, "access.denied")
        try:
            self.assertOk(admin.put("/roles/rep/permissions", {"grants": {"org.read": "all"}}))
            self.eventually(lambda: rep5.get("/org/units"), 200, None)
        finally:
            self.assertOk(admin.put("/roles/rep/permissions", {"grants": {}}))
        self.eventually(lambda: rep5.get("/org/units"), 403, "access.denied")

    def test_data_written_by_one_server_is_read_by_another(self):
        second = self.second_server()
        admin = self.admin()
        sales = self.unit_by_name("销售部")
        created = self.assertStatus(admin.post("/org/units", {"parentId": sales["id"], "name": unique("共享"),
                                                              "kind": "team"}), 201).json
        other = second.client()
        self.assertOk(other.login("gm"))
        self.assertIn(created["id"], [u["id"] for u in self.assertOk(other.get("/org/units")).json["items"]])
        self.assertStatus(other.post("/policies/visits.report_due_days/versions",
                                     {"value": 5, "effectiveFrom": "2031-01-01"}), 201)
        self.assertEqual(self.assertOk(admin.get("/policies/visits.report_due_days/versions")).json["items"][0]["value"], 5)
