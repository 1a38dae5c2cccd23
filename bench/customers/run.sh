#!/usr/bin/env bash
# Customer-archive benchmarks at 1M customers (issue #3; figures in docs/benchmarks.md).
# Not part of `make test`: it generates 1,000,000 customers and 3,000,000 contacts.
#   bash bench/customers/run.sh sqlite [build-dir]
#   bash scripts/with-postgres.sh bash bench/customers/run.sh postgres [build-dir]
# Environment: CUSTOMERS (default 1000000), REQUESTS per measurement (default 300),
# KEEP=1 keeps the generated database in $WORK (default /tmp/tuoke-bench-customers-<backend>).
set -euo pipefail
BACKEND=${1:?sqlite or postgres}
BUILD_DIR=${2:-build}
cd "$(dirname "$0")/../.."
CUSTOMERS=${CUSTOMERS:-1000000}
REQUESTS=${REQUESTS:-300}
WORK=${WORK:-/tmp/tuoke-bench-customers-$BACKEND}
cmake --build "$BUILD_DIR" -j 2 --target tuoke bench_customers_gen bench_hello_restinio >/dev/null
TUOKE="$BUILD_DIR/tuoke"
mkdir -p "$WORK"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

if [ "$BACKEND" = sqlite ]; then
  db_url="sqlite:$WORK/tuoke.db"
  db_args=(--data-dir "$WORK")
  sql="sqlite3 -separator '	' $WORK/tuoke.db"
else
  : "${TUOKE_TEST_PG_ADMIN_URL:?run under scripts/with-postgres.sh}"
  psql "$TUOKE_TEST_PG_ADMIN_URL" -qAt -c "DROP DATABASE IF EXISTS tuoke_bench" -c "CREATE DATABASE tuoke_bench" >/dev/null
  db_url="postgresql://postgres@/tuoke_bench?host=$TUOKE_TEST_PG_HOST&port=$TUOKE_TEST_PG_PORT"
  db_args=(--database "$db_url")
  sql="psql $db_url -AtF '	' -c"
fi

if [ ! -f "$WORK/generated" ] || [ "$BACKEND" = postgres ]; then
  rm -f "$WORK"/tuoke.db*
  /usr/bin/time -f "%e s, max RSS %M KB" "$BUILD_DIR/bench_customers_gen" --database "$db_url" --customers "$CUSTOMERS" \
    2>"$WORK/generate.log" >"$WORK/generate.json"
  touch "$WORK/generated"
fi
echo "generator: $(cat "$WORK/generate.json") ($(tail -n 1 "$WORK/generate.log"))" >&2
python3 bench/customers/prepare.py --sql "$sql" --out "$WORK"

port=$(free_port)
"$TUOKE" "${db_args[@]}" --log-level warn serve --port "$port" --threads 4 --no-access-log >"$WORK/serve.log" 2>&1 &
server_pid=$!; pids+=($server_pid)
hello_port=$(free_port)
"$BUILD_DIR/bench_hello_restinio" "$hello_port" 4 >/dev/null 2>&1 &
pids+=($!)
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.05; done
until curl -fsS "http://127.0.0.1:$hello_port/" >/dev/null 2>&1; do sleep 0.05; done

# The importer holds ~5,000 generated customers; the 100,000-row import needs room (R-CUST-32).
cookies="$WORK/cookies"
csrf=$(curl -fsS -c "$cookies" -H 'Content-Type: application/json' -d '{"login":"gm","password":"tuoke2026"}' \
  "http://127.0.0.1:$port/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrfToken"])')
today=$(TZ=Asia/Shanghai date +%F)
curl -fsS -b "$cookies" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -d "{\"value\":1000000,\"effectiveFrom\":\"$today\",\"note\":\"benchmark import\"}" \
  "http://127.0.0.1:$port/api/v1/policies/customers.max_held_per_rep/versions" >/dev/null || true

python3 bench/customers/load.py --server "http://127.0.0.1:$port" --hello "http://127.0.0.1:$hello_port" \
  --pid "$server_pid" --samples "$WORK/samples.json" --import-csv "$WORK/import.csv" --requests "$REQUESTS" \
  | tee "$WORK/result-$BACKEND.json"
