"""transfer.py URL MANAGER FROM TO ROUNDS: times R-CUST-61's POST /customers/assign of 500 of
FROM's customers to TO (with the hand-over) and back (without), ROUNDS times, on a running
server of the bench database (docs/benchmarks.md, session 23); prints the times and medians."""
import json, os, statistics, sys, time, urllib.parse
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load import Client, login_token
url, manager, src, dst, rounds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
client = Client(url, login_token(url, manager))
def user_id(login):
    status, body, _ = client.request("GET", "/api/v1/users?" + urllib.parse.urlencode({"q": login, "limit": 50}))
    for u in json.loads(body)["items"]:
        if u["username"] == login: return u["id"]
    raise SystemExit("no user " + login)
a, b = user_id(src), user_id(dst)
status, body, _ = client.request("GET", "/api/v1/customers?" + urllib.parse.urlencode({"ownerId": a, "limit": 200}))
ids = [c["id"] for c in json.loads(body)["items"]]
cursor = json.loads(body)["nextCursor"]
while len(ids) < 500 and cursor:
    status, body, _ = client.request("GET", "/api/v1/customers?" + urllib.parse.urlencode({"ownerId": a, "limit": 200, "cursor": cursor}))
    ids += [c["id"] for c in json.loads(body)["items"]]; cursor = json.loads(body)["nextCursor"]
ids = ids[:500]
there, back = [], []
for _ in range(rounds):
    t = time.perf_counter(); status, body, _ = client.request("POST", "/api/v1/customers/assign", {"ids": ids, "ownerId": b, "handOver": True})
    there.append(time.perf_counter() - t); assert status == 200, body[:300]
    r = json.loads(body); assert len(r["assigned"]) == 500, r.keys()
    t = time.perf_counter(); status, body, _ = client.request("POST", "/api/v1/customers/assign", {"ids": ids, "ownerId": a})
    back.append(time.perf_counter() - t); assert status == 200, body[:300]
print("500 with hand-over (s):", ["%.3f" % x for x in there], "median %.3f" % statistics.median(there))
print("500 back without (s):", ["%.3f" % x for x in back], "median %.3f" % statistics.median(back))
