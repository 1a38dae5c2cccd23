#!/usr/bin/env bash
# What a bulk write's GIN pending list costs other sessions (docs/adr/0019): while one
# session holds 100,000 inserted customers uncommitted, with gin_pending_list_limit at each
# of LIMITS, another session times searches through customers_words and two single
# inserts. Needs the 1M-customer PostgreSQL bench database (bench/customers/run.sh with
# TUOKE_PG_KEEP_DIR); rolls every insert back. Take the bench lock:
#   flock /work/coord/bench.lock env LIMITS="4MB 64MB" TUOKE_PG_KEEP_DIR=/path \
#     bash scripts/with-postgres.sh bash bench/customers/gin_pending_cost.sh
set -u
db="postgresql://postgres@/tuoke_bench?host=$TUOKE_TEST_PG_HOST&port=$TUOKE_TEST_PG_PORT"
q() { psql "$db" -qAtX -c "$1"; }
q "CREATE EXTENSION IF NOT EXISTS pageinspect" >/dev/null
q "DROP TABLE IF EXISTS gx; CREATE UNLOGGED TABLE gx AS SELECT * FROM customers WHERE id <= 100000; UPDATE gx SET id = id + 5000000" >/dev/null
q "SELECT count(*) FROM gx"
q "DROP TABLE IF EXISTS gy; CREATE UNLOGGED TABLE gy AS SELECT * FROM gx WHERE id IN (5000007, 5000011); UPDATE gy SET id = id + 1000000" >/dev/null
words="array_to_tsvector(array_prepend('#' || COALESCE(owner_id, 0), string_to_array(search_words, ' ')))"
for limit in ${LIMITS:-4MB 64MB 4MB 64MB}; do
  psql "$db" -qAtX -c "BEGIN; SET LOCAL gin_pending_list_limit = '$limit'; INSERT INTO customers OVERRIDING SYSTEM VALUE SELECT * FROM gx; SELECT pg_sleep(60); ROLLBACK;" >/dev/null &
  a=$!
  started=$(date +%s.%N)
  until [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'")" = 1 ]; do sleep 0.2; done
  echo "== limit $limit: insert of 100,000 took $(echo "$(date +%s.%N) - $started" | bc | cut -c1-5) s"
  q "SELECT 'pending pages of customers_words: ' || n_pending_pages FROM gin_metapage_info(get_raw_page('customers_words', 0))" 2>/dev/null
  for term in guangzhou:* zeyue:* bjlt:*; do
    for i in 1 2 3; do
      psql "$db" -qAtX -c "SET enable_seqscan = off" -c "EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM customers WHERE $words @@ '$term'::tsquery" | python3 -c 'import json,sys; print("search %s: %.1f ms" % (sys.argv[1], json.load(sys.stdin)[0]["Execution Time"]))' "$term"
    done
  done
  t0=$(date +%s.%N)
  q "BEGIN; INSERT INTO customers OVERRIDING SYSTEM VALUE SELECT * FROM gy WHERE id = 6000007 RETURNING 0; ROLLBACK" >/dev/null
  echo "single insert (default 4 MB limit): $(echo "($(date +%s.%N) - $t0) * 1000" | bc | cut -c1-7) ms"
  t0=$(date +%s.%N)
  q "BEGIN; INSERT INTO customers OVERRIDING SYSTEM VALUE SELECT * FROM gy WHERE id = 6000011 RETURNING 0; ROLLBACK" >/dev/null
  echo "second single insert: $(echo "($(date +%s.%N) - $t0) * 1000" | bc | cut -c1-7) ms"
  q "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE wait_event = 'PgSleep'" >/dev/null
  wait $a
  q "VACUUM customers" >/dev/null
done
q "DROP TABLE gx; DROP TABLE gy"
q "CHECKPOINT"; sync
