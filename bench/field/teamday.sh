#!/usr/bin/env bash
# The team day summary of the department of 5,000 reps alone, on a database left by
# run.sh (FIELD_KEEP=DIR, and on PostgreSQL TUOKE_PG_KEEP_DIR=… of scripts/with-postgres.sh):
# wrk from one connection for $DURATION (default 10 s) with the latency percentiles, and
# the CPU per request of the server and (PostgreSQL) of the database cluster, which the
# other engineers' load on the shared machine changes less than the latency; with PERF=1
# a `perf record -g` of the server meanwhile (docs/benchmarks.md, "Team day and check-in,
# session 9"). The binaries can be alternated on the same data:
#   flock /work/coord/bench.lock env TUOKE=build-x/tuoke bash bench/field/teamday.sh sqlite DIR
#   flock /work/coord/bench.lock env TUOKE_PG_KEEP_DIR=PGDIR bash scripts/with-postgres.sh \
#     env TUOKE=build-x/tuoke bash bench/field/teamday.sh postgres DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
backend=${1:?sqlite or postgres}
keep=${2:?the FIELD_KEEP directory of a run.sh run}
TUOKE=${TUOKE:-build/tuoke}
DURATION=${DURATION:-10s}
out=${PERF_OUT:-/tmp/tuoke-teamday.perf.data}
pid=
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
if [ "$backend" = sqlite ]; then
  db_args=(--data-dir "$keep/sqlite")
else
  name=$(cat "$keep/postgres_database.txt")
  db_args=(--database "postgresql://postgres@/$name?host=$TUOKE_TEST_PG_HOST&port=$TUOKE_TEST_PG_PORT")
fi
data="$keep/$backend-data"
port=$(free_port)
"$TUOKE" "${db_args[@]}" --log-level warn serve --port "$port" ${SERVER_THREADS:+--threads "$SERVER_THREADS"} --no-access-log >/dev/null 2>&1 &
pid=$!
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.02; done
summary_url="http://127.0.0.1:$port/api/v1/team-day?unitId=$(cat "$data/unit_id.txt")&view=summary"
auth="Authorization: Bearer $(cat "$data/gm_token.txt")"
# The answer's digest: an unchanged answer is the first thing a change must keep.
curl -fsS -H "$auth" "$summary_url" | sha256sum | sed 's/ .*/ answer_sha256/'
curl -fsS -o /dev/null -H "$auth" "$summary_url"  # warm: statements prepared, pages cached
# On PostgreSQL also the database's CPU (bench/field/db_cpu.sh).
source bench/field/db_cpu.sh
cpu_before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
db_before=$(db_cpu "$backend")
wrk -t1 -c1 -d"$DURATION" --latency -H "$auth" "$summary_url" >/tmp/tuoke-teamday-wrk.$$ &
wrk_pid=$!
if [ "${PERF:-0}" = 1 ]; then sleep 1; perf record -F 999 -g -p "$pid" -o "$out" -- sleep 8 2>/dev/null; fi
wait "$wrk_pid"
cpu_after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
db_after=$(db_cpu "$backend")
wrk_out=$(cat /tmp/tuoke-teamday-wrk.$$); rm -f /tmp/tuoke-teamday-wrk.$$
requests=$(awk '/requests in/ {print $1}' <<<"$wrk_out")
ticks=$(getconf CLK_TCK)
awk '$1 == "50%" || $1 == "90%" || $1 == "99%" { printf "%s %s  ", $1, $2 } END { print "" }' <<<"$wrk_out"
echo "requests $requests  load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server_cpu_ms_per_request $(python3 -c "print(round(($cpu_after - $cpu_before) * 1000 / $ticks / $requests, 2))")"
if [ "$backend" != sqlite ]; then
  echo "database_cpu_ms_per_request $(python3 -c "print(round(($db_after - $db_before) * 1000 / $ticks / $requests, 2))")"
fi
