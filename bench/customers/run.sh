#!/usr/bin/env bash
# Customer-archive benchmarks at 1M customers (issue #3; figures in docs/benchmarks.md).
# Not part of `make test`: it generates 1,000,000 customers and 3,000,000 contacts.
#   bash bench/customers/run.sh sqlite [build-dir]
#   bash scripts/with-postgres.sh bash bench/customers/run.sh postgres [build-dir]
# Environment: TUOKE (a prebuilt server binary), CUSTOMERS (default 1000000), REQUESTS per measurement (default 300),
# KEEP=1 keeps the generated database in $WORK (default /tmp/tuoke-bench-customers-<backend>);
# FROM_SQLITE=/tmp/tuoke-bench-customers-sqlite/tuoke.db makes the PostgreSQL run copy the
# SQLite run's customers instead of generating them again. With TUOKE_PG_KEEP_DIR (a kept
# cluster, scripts/with-postgres.sh) REUSE=1 measures on the database a previous run loaded;
# SETUP_ONLY=1 stops after loading and preparing the inputs. PREWARM=1 (PostgreSQL) reads the
# customers' and contacts' tables and indexes into the buffer cache before measuring, as a
# server that has run for a while has them (pg_prewarm; size shared_buffers for them with
# TUOKE_PG_SETTINGS, docs/operations.md "Sizing PostgreSQL").
set -euo pipefail
BACKEND=${1:?sqlite or postgres}
BUILD_DIR=${2:-build}
cd "$(dirname "$0")/../.."
CUSTOMERS=${CUSTOMERS:-1000000}
REQUESTS=${REQUESTS:-300}
WORK=${WORK:-/tmp/tuoke-bench-customers-$BACKEND}
# TUOKE=path measures a prebuilt server binary (copied aside, so the tree may change
# meanwhile); the build directory then only provides the generator and the hello-world.
if [ -z "${TUOKE:-}" ]; then
  cmake --build "$BUILD_DIR" -j 2 --target tuoke bench_customers_gen bench_hello_restinio >/dev/null
fi
TUOKE=${TUOKE:-$BUILD_DIR/tuoke}
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
  if [ -z "${REUSE:-}" ]; then
    psql "$TUOKE_TEST_PG_ADMIN_URL" -qAt -c "DROP DATABASE IF EXISTS tuoke_bench" -c "CREATE DATABASE tuoke_bench" >/dev/null
  fi
  db_url="postgresql://postgres@/tuoke_bench?host=$TUOKE_TEST_PG_HOST&port=$TUOKE_TEST_PG_PORT"
  db_args=(--database "$db_url")
  sql="psql $db_url -AtF '	' -c"
fi

if [ -n "${REUSE:-}" ]; then
  echo "reusing the database of a previous run" >&2
elif [ "$BACKEND" = postgres ] && [ -n "${FROM_SQLITE:-}" ]; then
  # Copy the customers a SQLite run generated (FROM_SQLITE=/path/tuoke.db) instead of
  # generating them again: the same rows on both backends, and the pinyin of 4M names is
  # not computed twice. The org (same logins, same ids on a fresh database) comes from the
  # generator with --customers 0; the ids are checked before copying.
  "$BUILD_DIR/bench_customers_gen" --database "$db_url" --customers 0 >/dev/null 2>"$WORK/generate.log"
  users_sql="SELECT id, username FROM users ORDER BY id"
  if [ "$(sqlite3 -separator ' ' "$FROM_SQLITE" "$users_sql")" != "$(psql "$db_url" -AtF ' ' -c "$users_sql")" ]; then
    echo "users differ between $FROM_SQLITE and PostgreSQL" >&2; exit 1
  fi
  started=$(date +%s)
  # Indexes are built once after the copy rather than maintained row by row (the trigram
  # GIN indexes above all); their definitions are read back from pg_indexes.
  index_filter="tablename IN ('customers', 'contacts', 'customer_tags') AND indexname NOT IN (SELECT conname FROM pg_constraint)"
  psql "$db_url" -At -c "SELECT indexdef || ';' FROM pg_indexes WHERE $index_filter" >"$WORK/indexes.sql"
  psql "$db_url" -At -c "SELECT 'DROP INDEX ' || indexname || ';' FROM pg_indexes WHERE $index_filter" | psql "$db_url" -q
  copy_table() {  # table, columns
    sqlite3 -batch -separator '	' -nullvalue '\N' "$FROM_SQLITE" "SELECT $2 FROM $1" |
      psql "$db_url" -q -c "COPY $1 ($2) FROM STDIN"
  }
  copy_table customers "id, name, type, industry, province, city, district, address, phone, status, source, \
man_money, man_authority, man_need, purchase_power, purchase_horizon, importance, potential, credit_status, tags, \
grade, grade_reason, grade_source, computed_grade, computed_reason, grade_reason_json, owner_id, owned_since, \
previous_owner_id, pool_entered_at, last_follow_up_at, name_key, phone_key, address_key, search_pinyin, \
search_initials, search_words, created_by, created_at, updated_at"
  copy_table contacts "id, customer_id, name, title, mobile, purchase_role, personality, created_at, updated_at, \
search_pinyin, search_words"
  copy_table customer_tags "customer_id, tag"
  psql "$db_url" -q -c "SET maintenance_work_mem = '512MB'" -f "$WORK/indexes.sql"
  psql "$db_url" -q -c "SELECT setval(pg_get_serial_sequence('customers', 'id'), (SELECT MAX(id) FROM customers))" \
    -c "SELECT setval(pg_get_serial_sequence('contacts', 'id'), (SELECT MAX(id) FROM contacts))" -c "ANALYZE" >/dev/null
  echo "{\"copiedFrom\": \"$FROM_SQLITE\", \"seconds\": $(( $(date +%s) - started ))}" >"$WORK/generate.json"
elif [ ! -f "$WORK/generated" ] || [ "$BACKEND" = postgres ]; then
  rm -f "$WORK"/tuoke.db*
  /usr/bin/time -f "%e s, max RSS %M KB" "$BUILD_DIR/bench_customers_gen" --database "$db_url" --customers "$CUSTOMERS" \
    2>"$WORK/generate.log" >"$WORK/generate.json"
  touch "$WORK/generated"
fi
echo "generator: $(cat "$WORK/generate.json") ($(tail -n 1 "$WORK/generate.log"))" >&2
python3 bench/customers/prepare.py --sql "$sql" --out "$WORK"
if [ -n "${SETUP_ONLY:-}" ]; then exit 0; fi
if [ "$BACKEND" = postgres ] && [ -n "${PREWARM:-}" ]; then
  started=$(date +%s.%N)
  psql "$db_url" -qAt -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" -c "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c
    WHERE c.relname IN ('customers', 'contacts', 'customer_tags')
       OR c.oid IN (SELECT indexrelid FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
                    WHERE t.relname IN ('customers', 'contacts', 'customer_tags'))" |
    { read -r pages; echo "prewarmed $pages pages in $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $started }") s" >&2; }
fi

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
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
# The next run measures the same customers (bench/customers/undo_import.sh).
if [ "$BACKEND" = sqlite ]; then
  bash bench/customers/undo_import.sh sqlite "$WORK/tuoke.db"
else
  bash bench/customers/undo_import.sh postgres "$db_url"
fi
# The database's writes (PostgreSQL's checkpoints: the bench cluster runs with fsync off;
# SQLite's WAL) otherwise reach the disk after the bench lock is released, beside the next
# run (docs/benchmarks.md, "Import and the tag filter, session 13").
[ "$BACKEND" = sqlite ] || psql "$db_url" -q -c "CHECKPOINT"
sync
