#!/usr/bin/env bash
# Field benchmarks (issue #4 item 7; docs/benchmarks.md "Check-in burst and team day"):
#   - the morning burst: 10,000 reps check in (then out, then in …) at full speed against
#     the real server for $BURST (default 20 s), wrk with bench/field/checkin_burst.lua,
#     64 connections, 2 threads: sustained check-ins/s and latency percentiles; then the
#     same mix from 8 connections for 10 s (latency without most of the queueing);
#   - the RESTinio hello-world of bench/run.sh in the same run, same wrk settings;
#   - GET /team-day?view=summary for a department of 5,000 reps after the burst, and the
#     full team day of one team of 100 reps (one connection each).
# On SQLite, and on PostgreSQL when TUOKE_TEST_PG_ADMIN_URL is set (run under
# scripts/with-postgres.sh for a throw-away cluster):
#   bash bench/field/run.sh [build-dir]
#   bash scripts/with-postgres.sh bash bench/field/run.sh [build-dir]
# SERVER_THREADS=N passes --threads N (default: the server's own choice by backend).
set -euo pipefail
BUILD_DIR=${1:-build}
REPS=${REPS:-10000}
BURST=${BURST:-20s}
cd "$(dirname "$0")/../.."
# TUOKE / HELLO name prebuilt binaries instead (then nothing is built).
if [ -z "${TUOKE:-}" ]; then cmake --build "$BUILD_DIR" -j 2 --target tuoke bench_hello_restinio >/dev/null; fi
TUOKE=${TUOKE:-$BUILD_DIR/tuoke}
HELLO=${HELLO:-$BUILD_DIR/bench_hello_restinio}
# FIELD_KEEP=DIR keeps the run's data there (tokens, unit ids: with TUOKE_PG_KEEP_DIR of
# scripts/with-postgres.sh, the PostgreSQL database after the burst can be looked at later).
work=${FIELD_KEEP:-$(mktemp -d /tmp/tuoke-field-bench.XXXXXX)}
mkdir -p "$work"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; if [ -z "${FIELD_KEEP:-}" ]; then rm -rf "$work"; fi; }
trap cleanup EXIT

source bench/field/backfill.sh
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# "requests rps p50 p99" from wrk --latency output (latencies in ms).
wrk_summary() {
  awk '
    function ms(v) { if (v ~ /us$/) { sub(/us/, "", v); return v / 1000 } if (v ~ /ms$/) { sub(/ms/, "", v); return v + 0 } sub(/s/, "", v); return v * 1000 }
    / requests in / { requests = $1 }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /burst_failures/ { failures = $2 }
    /burst_replays/ { replays = $2 }
    END { printf "%s %s %.2f %.2f %s %s\n", requests, rps, p50, p99, (failures == "" ? 0 : failures), (replays == "" ? "–" : replays) }'
}

hello_port=$(free_port)
"$HELLO" "$hello_port" 4 >/dev/null 2>&1 &
pids+=($!)
until curl -fsS "http://127.0.0.1:$hello_port/" >/dev/null 2>&1; do sleep 0.01; done

run_backend() {
  local backend=$1 db_args sql
  if [ "$backend" = sqlite ]; then
    mkdir -p "$work/sqlite"
    db_args=(--data-dir "$work/sqlite")
    sql="sqlite3 $work/sqlite/tuoke.db"
  else
    local name="tuoke_field_bench_$$"
    echo "$name" >"$work/postgres_database.txt"
    psql "$TUOKE_TEST_PG_ADMIN_URL" -qAt -c "CREATE DATABASE $name" >/dev/null
    local url="postgresql://postgres@/$name?host=$TUOKE_TEST_PG_HOST&port=$TUOKE_TEST_PG_PORT"
    db_args=(--database "$url")
    sql="psql $url -v ON_ERROR_STOP=1 -qAt"
  fi
  "$TUOKE" "${db_args[@]}" --log-level warn seed-demo >/dev/null
  local prepared; prepared=$(python3 bench/field/prepare.py --sql "$sql" --out "$work/$backend-data" --reps "$REPS")
  local port; port=$(free_port)
  "$TUOKE" "${db_args[@]}" --log-level warn serve --port "$port" ${SERVER_THREADS:+--threads "$SERVER_THREADS"} --no-access-log \
    >"$work/$backend-serve.log" 2>&1 &
  local pid=$!
  pids+=($pid)
  until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.02; done
  wait_for_search_backfill "$sql"
  local url="http://127.0.0.1:$port"
  local tokens="$work/$backend-data/tokens.csv"
  local in_line low_line hello_line team_line full_line
  # BURST_SCRIPT names another version of the burst script (to compare load generators).
  local script=${BURST_SCRIPT:-bench/field/checkin_burst.lua}
  in_line=$(wrk -t2 -c64 -d"$BURST" --latency -s "$script" "$url" -- "$tokens" 1 2 | wrk_summary)
  # The same mix from 8 connections: with wrk's closed loop the latency at 64 connections
  # is mostly queueing (64 / throughput); this shows the time of one check-in.
  low_line=$(wrk -t2 -c8 -d10s --latency -s "$script" "$url" -- "$tokens" 2 2 | wrk_summary)
  hello_line=$(wrk -t2 -c64 -d10s --latency "http://127.0.0.1:$hello_port/" | wrk_summary)
  local gm_token unit_id team_id
  gm_token=$(cat "$work/$backend-data/gm_token.txt")
  unit_id=$(cat "$work/$backend-data/unit_id.txt")
  team_id=$(cat "$work/$backend-data/team_id.txt")
  # The department's summary (counts per rep, what the screen loads for thousands of
  # reps) and one team's full view (every check-in and visit).
  local summary_url="$url/api/v1/team-day?unitId=$unit_id&view=summary" full_url="$url/api/v1/team-day?unitId=$team_id"
  local reps_shown bytes team_reps team_bytes
  reps_shown=$(curl -fsS -H "Authorization: Bearer $gm_token" "$summary_url" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["reps"]), d["summary"]["checkIns"])')
  bytes=$(curl -fsS -o /dev/null -w '%{size_download}' -H "Authorization: Bearer $gm_token" "$summary_url")
  team_line=$(wrk -t1 -c1 -d10s --latency -H "Authorization: Bearer $gm_token" "$summary_url" | wrk_summary)
  team_reps=$(curl -fsS -H "Authorization: Bearer $gm_token" "$full_url" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["reps"]), d["summary"]["checkIns"])')
  team_bytes=$(curl -fsS -o /dev/null -w '%{size_download}' -H "Authorization: Bearer $gm_token" "$full_url")
  full_line=$(wrk -t1 -c1 -d5s --latency -H "Authorization: Bearer $gm_token" "$full_url" | wrk_summary)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "### $backend"
  echo "$prepared"
  # replays: 200 answers to a copy of a check-in (none expected, every request is new).
  echo "| measurement | requests | req/s | p50 ms | p99 ms | failures | replays |"
  echo "|---|---|---|---|---|---|---|"
  read -r n rps p50 p99 failures replays <<<"$in_line";  echo "| burst: $REPS reps check in, then out, … ($BURST, POST /check-ins) | $n | $rps | $p50 | $p99 | $failures | $replays |"
  read -r n rps p50 p99 failures replays <<<"$low_line"; echo "| the same from 8 connections (10 s) | $n | $rps | $p50 | $p99 | $failures | $replays |"
  read -r n rps p50 p99 failures <<<"$hello_line"; echo "| RESTinio hello-world (same run) | $n | $rps | $p50 | $p99 | – | – |"
  read -r n rps p50 p99 failures <<<"$team_line";  echo "| GET /team-day?view=summary, department of ${reps_shown% *} reps, ${reps_shown#* } check-ins, $bytes bytes (1 connection) | $n | $rps | $p50 | $p99 | – | – |"
  read -r n rps p50 p99 failures <<<"$full_line";  echo "| GET /team-day (full), team of ${team_reps% *} reps, ${team_reps#* } check-ins, $team_bytes bytes (1 connection) | $n | $rps | $p50 | $p99 | – | – |"
  echo
}

run_backend sqlite
if [ -n "${TUOKE_TEST_PG_ADMIN_URL:-}" ]; then run_backend postgres; fi
