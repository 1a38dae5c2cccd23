#!/usr/bin/env bash
# The check-in burst of run.sh on one backend, with the server's CPU time per request
# (utime + stime of the server process over the burst / requests; on PostgreSQL also the
# database cluster's, session 8) and, with PERF=1, a
# `perf record -g` of the server for 10 s in the middle of the burst (PERF_CALLGRAPH=dwarf
# and PERF_FREQ=… for call stacks through code built without frame pointers) (docs/benchmarks.md,
# "Check-in burst, session 7"). Run it under the bench lock:
#   flock /work/coord/bench.lock env TUOKE=build-x/tuoke BURST=12s bash bench/field/profile.sh sqlite [perf.data]
#   flock /work/coord/bench.lock bash scripts/with-postgres.sh env TUOKE=… bash bench/field/profile.sh postgres
set -euo pipefail
cd "$(dirname "$0")/../.."
backend=${1:-sqlite}
out=${2:-/tmp/tuoke-field-profile.data}
TUOKE=${TUOKE:-build/tuoke}
work=$(mktemp -d /tmp/tuoke-field-profile.XXXXXX)
pid=
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; sleep 1; kill -9 "$pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
if [ "$backend" = sqlite ]; then
  mkdir -p "$work/sqlite"
  db_args=(--data-dir "$work/sqlite")
  sql="sqlite3 $work/sqlite/tuoke.db"
else
  name="tuoke_field_profile_$$"
  psql "$TUOKE_TEST_PG_ADMIN_URL" -qAt -c "CREATE DATABASE $name" >/dev/null
  url="postgresql://postgres@/$name?host=$TUOKE_TEST_PG_HOST&port=$TUOKE_TEST_PG_PORT"
  db_args=(--database "$url")
  sql="psql $url -v ON_ERROR_STOP=1 -qAt"
fi
"$TUOKE" "${db_args[@]}" --log-level warn seed-demo >/dev/null
python3 bench/field/prepare.py --sql "$sql" --out "$work/data" --reps "${REPS:-10000}" >/dev/null
port=$(free_port)
"$TUOKE" "${db_args[@]}" --log-level warn serve --port "$port" ${SERVER_THREADS:+--threads "$SERVER_THREADS"} --no-access-log >"$work/serve.log" 2>&1 &
pid=$!
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.02; done
source bench/field/backfill.sh
wait_for_search_backfill "$sql"
# On PostgreSQL also the database's CPU (bench/field/db_cpu.sh).
source bench/field/db_cpu.sh
cpu_before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
db_before=$(db_cpu "$backend")
# The load generator runs on the same cores: its own CPU (user + system, from the
# subshell's `times`, i.e. of its child wrk) is reported too (session 10), and the whole
# machine's busy share over the burst (/proc/stat), so a change of the server can be told
# from a change of the load generator or of the neighbours.
machine_before=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8}' /proc/stat)
(wrk -t2 -c64 -d"${BURST:-20s}" --latency -s "${BURST_SCRIPT:-bench/field/checkin_burst.lua}" "http://127.0.0.1:$port" -- \
  "$work/data/tokens.csv" 1 2 >"$work/wrk.txt"; times >"$work/wrk-times.txt") &
wrk_pid=$!
if [ "${PERF:-0}" = 1 ]; then sleep 3; perf record -F "${PERF_FREQ:-999}" --call-graph "${PERF_CALLGRAPH:-fp}" -p "$pid" -o "$out" -- sleep 10 2>/dev/null; fi
wait "$wrk_pid"
cpu_after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
db_after=$(db_cpu "$backend")
machine_after=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8}' /proc/stat)
cat "$work/wrk.txt"
requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
ticks=$(getconf CLK_TCK)
echo "server_cpu_ms_per_request $(python3 -c "print(round(($cpu_after - $cpu_before) * 1000 / $ticks / $requests, 3))")"
# `times` prints "user system" of the subshell, then of its children (wrk): 0m1.234s each.
wrk_seconds=$(awk 'NR == 2 { total = 0; for (i = 1; i <= 2; ++i) { split($i, p, "m"); sub(/s/, "", p[2]); total += p[1] * 60 + p[2] } print total }' "$work/wrk-times.txt")
echo "wrk_cpu_ms_per_request $(python3 -c "print(round($wrk_seconds * 1000 / $requests, 3))")"
read -r busy_before all_before <<<"$machine_before"; read -r busy_after all_after <<<"$machine_after"
echo "machine_busy_share $(python3 -c "print(round(($busy_after - $busy_before) / max(1, $all_after - $all_before), 3))")"
echo "load_average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$backend" != sqlite ]; then
  echo "database_cpu_ms_per_request $(python3 -c "print(round(($db_after - $db_before) * 1000 / $ticks / $requests, 3))")"
fi
grep -v '^$' "$work/serve.log" | sort | uniq -c | sort -rn | head -5 || true
