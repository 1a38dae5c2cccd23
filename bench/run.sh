#!/usr/bin/env bash
# Platform benchmarks (issue #2). Prints a Markdown table for docs/benchmarks.md.
#   bash bench/run.sh [build-dir]      (or: make bench)
# Measures, in one run on this machine:
#   - RESTinio hello-world vs authenticated GETs (bearer token) of a policy (memory)
#     and of a user (/api/v1/users/{id}, one SQLite query),
#     wrk, 64 connections, 2 threads, 10 s each, alternating, 3 rounds: medians;
#   - tuoke serve time to ready (log line and first /healthz answer), idle RSS;
#   - JSON serialisation/parsing micro-benchmarks (nlohmann vs RapidJSON).
set -euo pipefail
BUILD_DIR=${1:-build}
cd "$(dirname "$0")/.."
cmake --build "$BUILD_DIR" -j 2 --target tuoke bench_hello_restinio bench_json >/dev/null
TUOKE="$BUILD_DIR/tuoke"
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
work=$(mktemp -d /tmp/tuoke-bench.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# wrk prints "Requests/sec: N" and, with --latency, "99% X.XXms|us|s".
wrk_run() {
  local out; out=$(wrk -t2 -c64 -d"$DURATION" --latency "$@")
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /ms$/) {sub(/ms/,"",v); print v} else if (v ~ /us$/) {sub(/us/,"",v); print v/1000} else {sub(/s/,"",v); print v*1000}}' <<<"$out")
  echo "$rps $p99"
}

"$TUOKE" --data-dir "$work" --log-level warn seed-demo >/dev/null

# Start-up: time from exec to the first successful /healthz, five times.
ready_times=()
for i in 1 2 3 4 5; do
  port=$(free_port)
  start=$(date +%s%N)
  "$TUOKE" --data-dir "$work" serve --port "$port" --no-access-log >"$work/serve-$i.log" 2>&1 &
  pid=$!
  until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.005; done
  ready_times+=($(( ($(date +%s%N) - start) / 1000000 )))
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
ready_ms=$(printf '%s\n' "${ready_times[@]}" | median)
logged_ms=$(grep -ho 'ready in [0-9]* ms' "$work"/serve-*.log | awk '{print $3}' | median)

api_port=$(free_port)
"$TUOKE" --data-dir "$work" --log-level warn serve --port "$api_port" --threads 4 --no-access-log >"$work/serve.log" 2>&1 &
pids+=($!); api_pid=$!
hello_port=$(free_port)
"$BUILD_DIR/bench_hello_restinio" "$hello_port" 4 >/dev/null 2>&1 &
pids+=($!)
until curl -fsS "http://127.0.0.1:$api_port/healthz" >/dev/null 2>&1; do sleep 0.01; done
until curl -fsS "http://127.0.0.1:$hello_port/" >/dev/null 2>&1; do sleep 0.01; done
sleep 1
idle_rss=$(rss_mb "$api_pid")

cookies="$work/cookies"
csrf=$(curl -fsS -c "$cookies" -H 'Content-Type: application/json' \
  -d '{"login":"mgr1","password":"tuoke2026"}' "http://127.0.0.1:$api_port/api/v1/auth/login" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["csrfToken"])')
token=$(curl -fsS -b "$cookies" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -d '{"name":"bench","expiresInDays":1}' "http://127.0.0.1:$api_port/api/v1/auth/tokens" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
rep_id=$(curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$api_port/api/v1/users?q=rep1" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
api_url="http://127.0.0.1:$api_port/api/v1/users/$rep_id"
curl -fsS -H "Authorization: Bearer $token" "$api_url" >/dev/null

policy_url="http://127.0.0.1:$api_port/api/v1/policies/visits.geofence_radius_m"
curl -fsS -H "Authorization: Bearer $token" "$policy_url" >/dev/null

hello_rps=(); hello_p99=(); api_rps=(); api_p99=(); policy_rps=(); policy_p99=()
for round in $(seq 1 "$ROUNDS"); do
  read -r r p < <(wrk_run "http://127.0.0.1:$hello_port/"); hello_rps+=("$r"); hello_p99+=("$p")
  read -r r p < <(wrk_run -H "Authorization: Bearer $token" "$policy_url"); policy_rps+=("$r"); policy_p99+=("$p")
  read -r r p < <(wrk_run -H "Authorization: Bearer $token" "$api_url"); api_rps+=("$r"); api_p99+=("$p")
done
loaded_rss=$(rss_mb "$api_pid")
h_rps=$(printf '%s\n' "${hello_rps[@]}" | median); h_p99=$(printf '%s\n' "${hello_p99[@]}" | median)
a_rps=$(printf '%s\n' "${api_rps[@]}" | median); a_p99=$(printf '%s\n' "${api_p99[@]}" | median)
ratio=$(awk -v a="$a_rps" -v h="$h_rps" 'BEGIN {printf "%.2f", a/h}')
p_rps=$(printf '%s\n' "${policy_rps[@]}" | median); p_p99=$(printf '%s\n' "${policy_p99[@]}" | median)
policy_ratio=$(awk -v a="$p_rps" -v h="$h_rps" 'BEGIN {printf "%.2f", a/h}')

echo "## Platform benchmark ($(date -u +%Y-%m-%d), $(nproc) cores, SQLite, ${ROUNDS} rounds × ${DURATION}, medians)"
echo
echo "| measurement | value |"
echo "|---|---|"
echo "| RESTinio hello-world, 64 connections | ${h_rps} req/s, p99 ${h_p99} ms |"
echo "| GET /api/v1/policies/{key} with bearer token (served from memory), 64 connections | ${p_rps} req/s, p99 ${p_p99} ms |"
echo "| ratio policy GET / hello-world (target ≥ 0.5) | ${policy_ratio} |"
echo "| GET /api/v1/users/{id} with bearer token (one SQLite query), 64 connections | ${a_rps} req/s, p99 ${a_p99} ms |"
echo "| ratio user GET / hello-world | ${ratio} |"
echo "| per-round req/s hello | ${hello_rps[*]} |"
echo "| per-round req/s policy GET | ${policy_rps[*]} |"
echo "| per-round req/s user GET | ${api_rps[*]} |"
echo "| time to first /healthz answer (median of 5) | ${ready_ms} ms (server's own log: ${logged_ms} ms) |"
echo "| idle RSS after start-up | ${idle_rss} MB |"
echo "| RSS after the load | ${loaded_rss} MB |"
echo
echo "### JSON libraries"
echo
echo '```'
"$BUILD_DIR/bench_json" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true 2>/dev/null | grep -E "median|Benchmark"
echo '```'
