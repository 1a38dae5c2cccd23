#!/usr/bin/env python3
"""Load client of the customer benchmarks (bench/customers/run.sh, docs/benchmarks.md).

Measures, against a running `tuoke serve` over HTTP with a bearer token, the latency of
list and search requests in a manager's scope, of the duplicate check and of create; the
time of a 100,000-row export and import; the hello-world baseline with the same client;
and the server's RSS (VmRSS sampled every 50 ms, and VmHWM) during all of it.
Prints one JSON object. Standard library only.

  load.py --server http://127.0.0.1:PORT --pid PID --hello http://127.0.0.1:PORT2/ \
          --manager b01m --rep b01r01 --database-kind sqlite --samples-from samples.json
"""

import argparse
import http.client
import json
import os
import random
import statistics
import threading
import time
import urllib.parse

PASSWORD = "tuoke2026"


class Client:
    def __init__(self, base, token=None):
        parsed = urllib.parse.urlparse(base)
        self.host, self.port = parsed.hostname, parsed.port
        self.token = token
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=1800)

    def request(self, method, path, body=None, headers=None, raw=None):
        send = {"Accept": "application/json"}
        if self.token:
            send["Authorization"] = "Bearer " + self.token
        data = None
        if raw is not None:
            data = raw
        elif body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            send["Content-Type"] = "application/json"
        send.update(headers or {})
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=data, headers=send)
                reply = self.connection.getresponse()
                return reply.status, reply.read(), dict((k.lower(), v) for k, v in reply.getheaders())
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=1800)
                if attempt:
                    raise


def login_token(base, login):
    client = Client(base)
    status, body, headers = client.request("POST", "/api/v1/auth/login", {"login": login, "password": PASSWORD})
    assert status == 200, (status, body)
    cookie = headers["set-cookie"].split(";", 1)[0]
    csrf = json.loads(body)["csrfToken"]
    status, body, _ = client.request("POST", "/api/v1/auth/tokens", {"name": "bench", "expiresInDays": 1},
                                     headers={"Cookie": cookie, "X-CSRF-Token": csrf})
    assert status == 201, (status, body)
    return json.loads(body)["token"]


class RssSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.samples, self.running = pid, 0.0, [], True
        self.phase_peak = 0.0

    def rss(self, field="VmRSS"):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
        return 0.0

    def run(self):
        while self.running:
            value = self.rss()
            self.samples.append(value)
            self.peak = max(self.peak, value)
            self.phase_peak = max(self.phase_peak, value)
            time.sleep(0.05)

    def end_phase(self):
        """The peak RSS since the previous call (MB): which part of the run holds the memory."""
        peak, self.phase_peak = max(self.phase_peak, self.rss()), 0.0
        return round(peak, 1)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def measure(base, token, paths, method="GET", bodies=None, requests=200, connections=2, expect=(200,)):
    """Runs `requests` requests over `connections` keep-alive connections, cycling through
    `paths` (and `bodies`); answers latency statistics in milliseconds."""
    latencies, errors = [], []
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker():
        client = Client(base, token)
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            path = paths[index % len(paths)]
            body = bodies[index % len(bodies)] if bodies else None
            started = time.perf_counter()
            status, payload, _ = client.request(method, path, body)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if status not in expect:
                    errors.append((status, payload[:200]))

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    return {"n": len(latencies), "median_ms": round(statistics.median(latencies), 2),
            "p99_ms": round(percentile(latencies, 0.99), 2), "max_ms": round(max(latencies), 2)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--hello", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--manager", default="b01m")
    parser.add_argument("--importer", default="b20r10")
    parser.add_argument("--samples", required=True, help="JSON with names, phones, contact names to search")
    parser.add_argument("--import-csv", required=True)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    samples = json.load(open(args.samples))
    random.seed(7)
    result = {}
    sampler = RssSampler(args.pid)
    result["idle_rss_mb"] = round(sampler.rss(), 1)
    sampler.start()

    result["hello"] = measure(args.hello, None, ["/"], requests=args.requests)
    token = login_token(args.server, args.manager)
    q = lambda **query: "/api/v1/customers?" + urllib.parse.urlencode(query)
    n = args.requests
    result["list_first_page"] = measure(args.server, token, [q(limit=50)], requests=n)
    result["list_filter_grade"] = measure(args.server, token, [q(grade=g, limit=50) for g in
                                                               ("key", "important", "general", "watch")], requests=n)
    result["list_filter_city_tag"] = measure(args.server, token, [q(city=c, tag="重点", limit=50) for c in
                                                                  ("北京市", "广州市", "杭州市", "成都市")], requests=n)
    # A tag alone (each tag is on ~5 % of the customers; R-CUST-41 merges the owners' orders).
    result["list_filter_tag"] = measure(args.server, token, [q(tag=t, limit=50) for t in
                                                             ("重点", "展会", "老客户", "工程", "零售", "外地", "大单", "回款慢")],
                                        requests=n)
    # Page 20 by cursor: follow nextCursor once to get realistic cursors.
    client = Client(args.server, token)
    cursor, pages = None, []
    for _ in range(20):
        status, body, _ = client.request("GET", q(limit=50, **({"cursor": cursor} if cursor else {})))
        cursor = json.loads(body)["nextCursor"]
        pages.append(q(limit=50, cursor=cursor))
    result["list_next_pages_by_cursor"] = measure(args.server, token, pages, requests=n)
    result["search_name_substring"] = measure(args.server, token, [q(q=s) for s in samples["name_parts"]], requests=n)
    result["search_pinyin_initials"] = measure(args.server, token, [q(q=s) for s in samples["initials"]], requests=n)
    result["search_pinyin_full"] = measure(args.server, token, [q(q=s) for s in samples["pinyin"]], requests=n)
    result["search_phone"] = measure(args.server, token, [q(q=s) for s in samples["phones"]], requests=n)
    result["search_contact_name_3"] = measure(args.server, token, [q(q=s) for s in samples["contacts3"]], requests=n)
    result["search_contact_name_2"] = measure(args.server, token, [q(q=s) for s in samples["contacts2"]], requests=n)
    result["search_short_2_chars"] = measure(args.server, token, [q(q=s) for s in samples["short"]], requests=n)
    # The first two letters of a name's initials, as a search box sends them while typing
    # (R-CUST-57: too short for an index, tested row by row).
    result["search_two_letters"] = measure(args.server, token, [q(q=s[:2]) for s in samples["initials"]],
                                           requests=n)
    result["search_common_word"] = measure(args.server, token, [q(q=s) for s in ("有限公司", "建材", "科技")],
                                           requests=max(30, n // 10))
    result["duplicate_check"] = measure(args.server, token, ["/api/v1/customers/duplicate-check"], method="POST",
                                        bodies=[{"name": name, "phone": phone} for name, phone in
                                                zip(samples["names"], samples["phones_full"])], requests=n)
    result["create_with_duplicate_check"] = measure(
        args.server, token, ["/api/v1/customers"], method="POST",
        bodies=[{"name": "基准新建%06d号客户有限公司" % i, "type": "distributor", "phone": "0571-%08d" % (60000000 + i)}
                for i in range(n)], requests=n, connections=1, expect=(201, 409))

    phase_rss = {"lists_and_searches": sampler.end_phase()}
    # Export of the manager's list (their teams' customers and the pool).
    client = Client(args.server, token)
    started = time.perf_counter()
    status, body, headers = client.request("GET", "/api/v1/customers/export.csv")
    result["export_csv"] = {"status": status, "rows": int(headers.get("x-export-rows", 0)),
                            "seconds": round(time.perf_counter() - started, 2), "bytes": len(body)}
    started = time.perf_counter()
    status, body, headers = client.request("GET", "/api/v1/customers/export.xlsx")
    result["export_xlsx"] = {"status": status, "rows": int(headers.get("x-export-rows", 0)),
                             "seconds": round(time.perf_counter() - started, 2), "bytes": len(body)}
    del body
    phase_rss["exports"] = sampler.end_phase()

    # Import of 100,000 rows from one CSV file, as a rep (hold limit raised by run.sh).
    importer = Client(args.server, login_token(args.server, args.importer))
    data = open(args.import_csv, "rb").read()
    started = time.perf_counter()
    status, body, _ = importer.request("POST", "/api/v1/customers/import-file?mode=skip_bad&acknowledgeDuplicates=true",
                                       raw=data, headers={"Content-Type": "text/csv"})
    report = json.loads(body)
    result["import_csv"] = {"status": status, "seconds": round(time.perf_counter() - started, 2),
                            "rows": report.get("total"), "created": report.get("created"),
                            "contacts": report.get("contactsCreated"), "invalid": report.get("invalid"),
                            "error": None if status == 200 else report.get("error")}
    phase_rss["import"] = sampler.end_phase()
    sampler.running = False
    sampler.join()
    result["rss_peak_by_phase_mb"] = phase_rss
    result["peak_rss_mb"] = round(max(sampler.peak, sampler.rss("VmHWM") if os.path.exists("/proc/%d" % args.pid) else 0), 1)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
