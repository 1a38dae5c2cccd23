"""Times each search sample of a class against a running server, as one user: the
slowest samples tell which terms a plan handles badly (docs/benchmarks.md, "Search,
session 8"). Not part of `make test`.

  python3 bench/customers/probe.py --server http://127.0.0.1:PORT \
      --samples /tmp/tuoke-bench-customers-sqlite/samples.json --classes pinyin,common
"""
import argparse
import json
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--samples", required=True, help="samples.json of prepare.py")
    parser.add_argument("--classes", default="pinyin,common,contacts2,initials,short,name_parts")
    parser.add_argument("--user", default="b01m")
    parser.add_argument("--reps", type=int, default=3, help="requests per sample; the median is reported")
    args = parser.parse_args()
    samples = json.load(open(args.samples))
    samples["common"] = ["有限公司", "建材", "科技"]
    client = load.Client(args.server, load.login_token(args.server, args.user))
    for name in args.classes.split(","):
        timed = []
        for term in samples[name]:
            path = "/api/v1/customers?" + urllib.parse.urlencode({"q": term, "limit": 50})
            times = []
            for _ in range(args.reps):
                started = time.perf_counter()
                status, body, _ = client.request("GET", path)
                times.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    raise SystemExit("%s: %d %s" % (term, status, body[:200]))
            timed.append((statistics.median(times), term, len(json.loads(body)["items"])))
        timed.sort(reverse=True)
        medians = [t[0] for t in timed]
        print("%s: %d terms, median %.1f ms, slowest %s" % (
            name, len(timed), statistics.median(medians),
            ", ".join("%s %.1f ms (%d rows)" % (term, ms, rows) for ms, term, rows in timed[:5])))


if __name__ == "__main__":
    main()
