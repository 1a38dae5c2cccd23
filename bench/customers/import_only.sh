#!/usr/bin/env bash
# The import phase of run.sh alone, for measuring the import (docs/benchmarks.md, "Import,
# session 8"): starts the server on a COPY of the 1M SQLite bench database, sends the
# 100,000-row CSV of prepare.py as b20r10 (skip_bad, duplicates acknowledged; MODE=dry_run
# for the checks only), prints wall time, the server's CPU time over the request
# (utime + stime of /proc/PID/stat), VmHWM and the RSS samples' peak, then undoes the import
# (undo_import.sql). Take the bench lock: flock /work/coord/bench.lock bash … .
# usage: WORK=/copy/of/data-dir bench/customers/import_only.sh BUILD_DIR [perf]
# PostgreSQL: DATABASE=postgresql://… (a kept bench database of run.sh, e.g. under
# scripts/with-postgres.sh with TUOKE_PG_KEEP_DIR) instead of WORK; the import is undone
# there as run.sh does. PGSS=1 (pg_stat_statements preloaded in the cluster) resets the
# statement statistics before the request and prints the costliest statements after it.
set -euo pipefail
BIN=$1/tuoke
PERF=${2:-}
if [ -n "${DATABASE:-}" ]; then
  db_args=(--database "$DATABASE")
else
  : "${WORK:?set WORK to a data directory holding a copy of the bench database (never the original)}"
  db_args=(--data-dir "$WORK")
fi
CSV=${CSV:-/tmp/tuoke-bench-customers-sqlite/import.csv}
OUT=${OUT:-/tmp/tuoke-import-only}
mkdir -p "$OUT"
cd "$(dirname "$0")/../.."
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" "${db_args[@]}" --log-level "${LOG_LEVEL:-warn}" serve --port "$port" --threads 4 --no-access-log >"$OUT/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.05; done
# The start-up jobs (the pool reclaim scans every customer) may hold the writer for longer
# than a login waits on a cold page cache: the login is tried again until it succeeds.
tok=$(python3 - "$port" <<'PY'
import sys, time; sys.path.insert(0, "bench/customers")
import load
for attempt in range(12):
    try:
        print(load.login_token("http://127.0.0.1:%s" % sys.argv[1], "b20r10"))
        break
    except AssertionError as error:
        print("login failed, again in 5 s:", error, file=sys.stderr)
        time.sleep(5)
else:
    sys.exit("no login")
PY
)
( while kill -0 $pid 2>/dev/null; do echo "$(date +%s.%N) $(awk '/VmRSS/{print $2}' /proc/$pid/status)"; sleep 0.25; done ) >"$OUT/rss.txt" 2>/dev/null &
if [ -n "$PERF" ]; then perf record -F "${FREQ:-499}" --call-graph "${CG:-dwarf}" -p $pid -o "$OUT/perf.data" >/dev/null 2>&1 & perfpid=$!; fi
if [ -n "${PGSS:-}" ]; then
  psql "$DATABASE" -qc "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" >/dev/null
fi
cpu0=$(awk '{print $14 + $15}' /proc/$pid/stat)
# PostgreSQL: the CPU of the cluster's processes (backends, writers, autovacuum) as well
# (the cluster of scripts/with-postgres.sh: its postmaster and the postmaster's children).
pg_cpu() {
  local master; master=$(head -n 1 "$TUOKE_TEST_PG_HOST/data/postmaster.pid")
  for p in $master $(pgrep -P "$master"); do awk '{print $14 + $15}' /proc/$p/stat 2>/dev/null; done | awk '{s += $1} END {print s + 0}'
}
[ -z "${DATABASE:-}" ] || pgcpu0=$(pg_cpu)
io0=$(awk '{printf "%s ", $2}' /proc/$pid/io)
start=$(date +%s.%N)
curl -sS -o "$OUT/report.json" -w '%{http_code}\n' -H "Authorization: Bearer $tok" -H 'Content-Type: text/csv' \
  --data-binary @"$CSV" "http://127.0.0.1:$port/api/v1/customers/import-file?mode=${MODE:-skip_bad}&acknowledgeDuplicates=true"
end=$(date +%s.%N)
if [ -n "$PERF" ]; then kill -INT $perfpid; wait $perfpid || true; fi
cpu1=$(awk '{print $14 + $15}' /proc/$pid/stat)
[ -z "${DATABASE:-}" ] || echo "PostgreSQL CPU $(echo "($(pg_cpu) - $pgcpu0) / $(getconf CLK_TCK)" | bc -l | cut -c1-6) s"
io1=$(awk '{printf "%s ", $2}' /proc/$pid/io)
# /proc/PID/io over the request: read/write calls and bytes (pread of pages missing from
# SQLite's cache, WAL writes including dirty pages spilled before the commit).
python3 -c 'import sys; a, b = ([int(x) for x in v.split()] for v in sys.argv[1:3]); d = [y - x for x, y in zip(a, b)]
print("io: %d reads %.0f MB, %d writes %.0f MB" % (d[2], d[0] / 1e6, d[3], d[1] / 1e6))' "$io0" "$io1"
echo "import: wall $(echo "$end - $start" | bc) s, server CPU $(echo "($cpu1 - $cpu0) / $(getconf CLK_TCK)" | bc -l | cut -c1-6) s"
python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print({k: v for k, v in r.items() if k != "rows"})' "$OUT/report.json"
grep VmHWM /proc/$pid/status
if [ -n "${PGSS:-}" ]; then
  psql "$DATABASE" -c "SELECT calls, round(total_exec_time::numeric) AS ms, rows, shared_blks_hit + shared_blks_read AS blks,
    wal_bytes / 1000000 AS wal_mb, left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS q
    FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 20" | tee "$OUT/pgss.txt"
fi
kill $pid; wait $pid 2>/dev/null || true
if [ "${MODE:-}" != dry_run ]; then
  if [ -n "${DATABASE:-}" ]; then
    bash bench/customers/undo_import.sh postgres "$DATABASE"
  else
    bash bench/customers/undo_import.sh sqlite "$WORK/tuoke.db"
  fi
fi
echo undone
# The database's writes (PostgreSQL's checkpoints: the bench cluster runs with fsync off;
# SQLite's WAL) otherwise reach the disk after the bench lock is released, beside the next
# run (docs/benchmarks.md, "Import and the tag filter, session 13").
[ -z "${DATABASE:-}" ] || psql "$DATABASE" -q -c "CHECKPOINT"
sync
