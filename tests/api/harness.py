"""Black-box test harness for the Tuoke HTTP API.

Starts a real `tuoke` server per test class on the backend chosen by the
environment (TUOKE_BACKEND = sqlite | postgres, TUOKE_BIN = the binary) and
offers a small HTTP client that keeps the session cookie and CSRF token.
Standard library only.
"""

import datetime
import http.client
import itertools
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.abspath(os.environ.get("TUOKE_BIN") or os.path.join(REPO_ROOT, "build", "tuoke"))
BACKEND = os.environ.get("TUOKE_BACKEND", "sqlite")
DEMO_PASSWORD = "tuoke2026"
API = "/api/v1"

# Demo users in seed order; phones are 138000000NN in the same order.
DEMO_USERS = ["admin", "gm", "mgr1", "mgr2", "rep1", "rep2", "rep3", "rep4", "rep5", "rep6",
              "assistant", "finance", "cs"]
DEMO_PHONES = {name: "138%08d" % i for i, name in enumerate(DEMO_USERS)}
ROLE_USER = {  # one demo user per role
    "admin": "admin", "general_manager": "gm", "sales_manager": "mgr1", "rep": "rep1",
    "sales_assistant": "assistant", "finance": "finance", "customer_service": "cs",
}
ALL_ROLES = ["rep", "sales_manager", "general_manager", "sales_assistant", "finance",
             "customer_service", "admin"]

# Every route of docs/api.md: (method, path relative to /api/v1, permission or None).
# None = any signed-in user; "public" = no sign-in needed.
DOC_ROUTES = [
    ("POST", "/auth/login", "public"),
    ("POST", "/auth/logout", None),
    ("GET", "/auth/me", None),
    ("POST", "/auth/password", None),
    ("GET", "/auth/tokens", None),
    ("POST", "/auth/tokens", None),
    ("DELETE", "/auth/tokens/{id}", None),
    ("GET", "/org/units", "org.read"),
    ("POST", "/org/units", "org.manage"),
    ("PATCH", "/org/units/{id}", "org.manage"),
    ("GET", "/users", "users.read"),
    ("GET", "/users/{id}", "users.read"),
    ("POST", "/users", "users.manage"),
    ("PATCH", "/users/{id}", "users.manage"),
    ("POST", "/users/{id}/move", "users.manage"),
    ("GET", "/users/{id}/unit-history", "users.read"),
    ("POST", "/users/{id}/reset-password", "users.manage"),
    ("POST", "/users/{id}/deactivate", "users.manage"),
    ("POST", "/users/{id}/activate", "users.manage"),
    ("POST", "/users/{id}/unlock", "users.manage"),
    ("GET", "/permissions", "roles.read"),
    ("GET", "/roles", "roles.read"),
    ("PUT", "/roles/{role}/permissions", "roles.manage"),
    ("GET", "/policies", "policies.read"),
    ("GET", "/policies/{key}", "policies.read"),
    ("GET", "/policies/{key}/versions", "policies.read"),
    ("POST", "/policies/{key}/versions", "policies.manage"),
    ("GET", "/audit", "audit.read"),
]
OPS_ROUTES = [("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics"),
              ("GET", "/api/v1/openapi.json")]

_counter = itertools.count(1)


def unique(prefix="t"):
    """A short name unique within this test process."""
    return "%s%d%d" % (prefix, os.getpid() % 10000, next(_counter))


def phone():
    """A unique plausible mobile number (11 digits, 139…)."""
    return "139%04d%04d" % (os.getpid() % 10000, next(_counter) % 10000)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shanghai_date(instant=None):
    """Business date (Asia/Shanghai, UTC+8 without DST) of an RFC 3339 instant or now."""
    if instant is None:
        moment = datetime.datetime.now(datetime.timezone.utc)
    else:
        moment = parse_instant(instant)
    return (moment + datetime.timedelta(hours=8)).date()


def parse_instant(text):
    """Parses an RFC 3339 UTC timestamp like 2026-11-22T03:04:05.123Z (raises if malformed)."""
    if not isinstance(text, str) or not text.endswith("Z"):
        raise ValueError("not an RFC 3339 UTC timestamp: %r" % (text,))
    body = text[:-1]
    fmt = "%Y-%m-%dT%H:%M:%S.%f" if "." in body else "%Y-%m-%dT%H:%M:%S"
    return datetime.datetime.strptime(body, fmt).replace(tzinfo=datetime.timezone.utc)


class Response:
    """status, json (None when the body is not JSON), headers (lower-case names)."""

    def __init__(self, status, body, header_list):
        self.status = status
        self.body = body
        self.header_list = header_list
        self.headers = {}
        for name, value in header_list:
            self.headers.setdefault(name.lower(), value)
        try:
            self.json = json.loads(body.decode("utf-8")) if body else None
        except (ValueError, UnicodeDecodeError):
            self.json = None

    def __iter__(self):
        return iter((self.status, self.json, self.headers))

    def header_all(self, name):
        return [v for n, v in self.header_list if n.lower() == name.lower()]

    @property
    def error_code(self):
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"].get("code")
        return None

    @property
    def details(self):
        if isinstance(self.json, dict) and isinstance(self.json.get("error"), dict):
            return self.json["error"].get("details") or {}
        return {}

    @property
    def fields(self):
        return self.details.get("fields") or {}

    def __repr__(self):
        text = self.body[:400].decode("utf-8", "replace")
        return "<Response %d %s>" % (self.status, text)


class Client:
    """An HTTP client for one server: session cookie, CSRF token, or bearer token."""

    def __init__(self, port, token=None):
        self.port = port
        self.cookie = None
        self.csrf = None
        self.token = token
        self.me = None
        self.last_set_cookie = None

    @staticmethod
    def url(path, query=None):
        if not path.startswith(("/api/", "/healthz", "/readyz", "/metrics")):
            path = API + path
        if query:
            path += "?" + urllib.parse.urlencode(query)
        return path

    def request(self, method, path, body=None, query=None, headers=None, raw=None,
                csrf=True, cookie=True, auth=True):
        url = self.url(path, query)
        send_headers = {"Accept": "application/json"}
        data = None
        if raw is not None:
            data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
            send_headers["Content-Type"] = "application/json"
        elif body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            send_headers["Content-Type"] = "application/json"
        if cookie and self.cookie:
            send_headers["Cookie"] = "tuoke_session=" + self.cookie
        if auth and self.token:
            send_headers["Authorization"] = "Bearer " + self.token
        if csrf and self.csrf and method in ("POST", "PUT", "PATCH", "DELETE"):
            send_headers["X-CSRF-Token"] = self.csrf
        if headers:
            send_headers.update(headers)
        for attempt in range(3):
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                connection.request(method, url, body=data, headers=send_headers)
                reply = connection.getresponse()
                response = Response(reply.status, reply.read(), reply.getheaders())
                break
            except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
                if attempt == 2:
                    raise
                time.sleep(0.05)
            finally:
                connection.close()
        for value in response.header_all("set-cookie"):
            if value.startswith("tuoke_session="):
                self.last_set_cookie = value
                self.cookie = value.split(";", 1)[0].split("=", 1)[1] or None
        return response

    def get(self, path, query=None, **kw):
        return self.request("GET", path, query=query, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def login(self, login, password=DEMO_PASSWORD):
        response = self.post("/auth/login", {"login": login, "password": password})
        if response.status == 200:
            self.csrf = response.json["csrfToken"]
            self.me = response.json
        return response

    @property
    def user_id(self):
        return self.me["user"]["id"]


class Server:
    """One tuoke server process on its own fresh database."""

    def __init__(self, seed=True):
        self.tempdir = tempfile.mkdtemp(prefix="tuoke-api-")
        if BACKEND == "postgres":
            admin_url = os.environ.get("TUOKE_TEST_PG_ADMIN_URL")
            if not admin_url:
                raise RuntimeError("TUOKE_BACKEND=postgres needs TUOKE_TEST_PG_ADMIN_URL "
                                   "(run under scripts/with-postgres.sh)")
            name = "tuoke_api_%d_%d" % (os.getpid(), next(_counter))
            subprocess.run(["psql", admin_url, "-qAt", "-c", "CREATE DATABASE " + name],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            self.db_args = ["--database", "postgresql://postgres@/%s?host=%s&port=%s" % (
                name, os.environ["TUOKE_TEST_PG_HOST"], os.environ["TUOKE_TEST_PG_PORT"])]
        elif BACKEND == "sqlite":
            self.db_args = ["--data-dir", self.tempdir]
        else:
            raise RuntimeError("unknown TUOKE_BACKEND %r" % BACKEND)
        self.process = None
        self.port = None
        if seed:
            result = self.cli("seed-demo")
            if result.returncode != 0:
                raise RuntimeError("seed-demo failed: " + result.stderr + result.stdout)

    def cli(self, *args, input_text=None, db_args=None):
        """Runs `tuoke <db args> args…`; returns the CompletedProcess (text)."""
        return subprocess.run([BIN] + (self.db_args if db_args is None else db_args) + list(args),
                              input=input_text, capture_output=True, text=True, timeout=120)

    def start(self):
        self.port = free_port()
        self.log_path = os.path.join(self.tempdir, "server-%d.log" % self.port)
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [BIN] + self.db_args + ["serve", "--port", str(self.port), "--bind", "127.0.0.1",
                                    "--no-access-log"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                break
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    connection.close()
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        with open(self.log_path, "rb") as f:
            raise RuntimeError("server did not start:\n" + f.read().decode("utf-8", "replace"))

    def stop(self):
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            self.process = None
            self.log.close()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tempdir, ignore_errors=True)

    def client(self, token=None):
        return Client(self.port, token=token)


class ServerTestCase(unittest.TestCase):
    """A test class with its own seeded server; sessions are cached per login."""

    seed = True
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        cls.server = Server(seed=cls.seed)
        try:
            cls.server.start()
        except Exception:
            cls.server.cleanup()
            raise
        cls._sessions = {}

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    @classmethod
    def as_user(cls, login, password=DEMO_PASSWORD):
        """A signed-in client for `login`, reused within the class."""
        client = cls._sessions.get(login)
        if client is None:
            client = cls.server.client()
            response = client.login(login, password)
            if response.status != 200:
                raise AssertionError("login %s failed: %r" % (login, response))
            cls._sessions[login] = client
        return client

    @classmethod
    def new_client(cls):
        return cls.server.client()

    # ---- helpers -------------------------------------------------------------------
    def assertStatus(self, response, status, code=None):
        self.assertEqual(response.status, status, response)
        if code is not None:
            self.assertEqual(response.error_code, code, response)
        if status >= 400:
            # Every error uses the envelope with the request id of the response.
            self.assertIsInstance(response.json, dict, response)
            error = response.json.get("error")
            self.assertIsInstance(error, dict, response)
            self.assertIsInstance(error.get("message"), str, response)
            self.assertEqual(error.get("requestId"), response.headers.get("x-request-id"), response)
        return response

    def assertOk(self, response, status=200):
        return self.assertStatus(response, status)

    def admin(self):
        return self.as_user("admin")

    def audit_head(self):
        """Id of the newest audit entry (as seen by admin)."""
        response = self.admin().get("/audit", {"limit": 1})
        self.assertStatus(response, 200)
        items = response.json["items"]
        return items[0]["id"] if items else None

    def all_users(self, client=None, **query):
        client = client or self.admin()
        items, cursor = [], None
        while True:
            q = dict(query, limit=200)
            if cursor:
                q["cursor"] = cursor
            response = client.get("/users", q)
            self.assertStatus(response, 200)
            items += response.json["items"]
            cursor = response.json["nextCursor"]
            if not cursor:
                return items

    def user_by_username(self, username):
        for user in self.all_users(q=username):
            if user["username"] == username:
                return user
        raise AssertionError("no user " + username)

    def units(self, client=None):
        response = (client or self.admin()).get("/org/units")
        self.assertStatus(response, 200)
        return response.json["items"]

    def unit_by_name(self, name):
        matches = [u for u in self.units() if u["name"] == name]
        self.assertEqual(len(matches), 1, name)
        return matches[0]

    def subtree(self, unit_id):
        """Ids of a unit and all units below it."""
        units = self.units()
        result, frontier = {unit_id}, [unit_id]
        while frontier:
            current = frontier.pop()
            for unit in units:
                if unit["parentId"] == current and unit["id"] not in result:
                    result.add(unit["id"])
                    frontier.append(unit["id"])
        return result

    def make_user(self, role="rep", unit_name="华南组", password="Passw0rd1", client=None, **extra):
        """Creates a fresh user through the API; returns the User JSON."""
        client = client or self.admin()
        username = unique("u")
        body = {
            "username": username, "name": "测试" + username, "phone": phone(),
            "roles": [role], "unitId": self.unit_by_name(unit_name)["id"],
            "employmentStatus": "regular", "password": password,
        }
        body.update(extra)
        response = client.post("/users", body)
        self.assertStatus(response, 201)
        return response.json

    def new_rep(self, unit_name="华南组"):
        """A fresh rep made through the API and a client signed in as them."""
        user = self.make_user(role="rep", unit_name=unit_name)
        client = self.new_client()
        self.assertOk(client.login(user["username"], "Passw0rd1"))
        return user, client

    def snapshot(self):
        """State that a rejected write must not change: units, users, audit head."""
        return {"units": self.units(), "users": self.all_users(), "audit": self.audit_head()}

    def assertUnchanged(self, before):
        after = self.snapshot()
        self.assertEqual(after["audit"], before["audit"], "an audit entry was written")
        self.assertEqual(after["units"], before["units"])
        self.assertEqual(after["users"], before["users"])
