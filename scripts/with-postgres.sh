#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL cluster of its own: initdb in a temp
# directory owned by the `postgres` system user (initdb refuses root), a private
# port and a Unix socket in that directory, no TCP listener. The cluster is stopped
# and removed when the command ends, whatever its outcome.
#
# Exports for the command:
#   TUOKE_TEST_PG_ADMIN_URL  maintenance database (to CREATE DATABASE per test suite)
#   TUOKE_TEST_PG_URL        a fresh database `tuoke_test` for store tests
# TUOKE_PG_KEEP_DIR=/path keeps the cluster in that directory instead (created when
# missing, stopped but not removed at the end): for benchmarks whose data takes long to load.
# TUOKE_PG_SETTINGS adds server settings, e.g. "-c shared_buffers=6GB" for a benchmark of
# a sized server (docs/operations.md, "Sizing PostgreSQL").
set -euo pipefail

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "with-postgres: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi

keep=${TUOKE_PG_KEEP_DIR:-}
if [ -n "$keep" ]; then
  workdir=$keep
  mkdir -p "$workdir"
else
  workdir=$(mktemp -d /tmp/tuoke-pg.XXXXXX)
fi
chmod 755 "$workdir"
port=$(( 20000 + RANDOM % 20000 ))
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres:postgres "$workdir"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}
cleanup() {
  if [ -n "$keep" ]; then
    as_postgres "$PGBIN/pg_ctl" -D "$workdir/data" -m fast stop >/dev/null 2>&1 || true
  else
    as_postgres "$PGBIN/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$workdir"
  fi
}
trap cleanup EXIT INT TERM

if [ ! -f "$workdir/data/PG_VERSION" ]; then
  as_postgres "$PGBIN/initdb" -D "$workdir/data" -U postgres -A trust -E UTF8 --no-sync >"$workdir/initdb.log" 2>&1 \
    || { cat "$workdir/initdb.log" >&2; exit 1; }
fi
# Durability is pointless for a throw-away cluster; speed is not.
as_postgres "$PGBIN/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t 60 \
  -o "-p $port -k $workdir -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 ${TUOKE_PG_SETTINGS:-}" \
  start >/dev/null

export TUOKE_TEST_PG_ADMIN_URL="postgresql://postgres@/postgres?host=$workdir&port=$port"
export TUOKE_TEST_PG_URL="postgresql://postgres@/tuoke_test?host=$workdir&port=$port"
export TUOKE_TEST_PG_HOST="$workdir"
export TUOKE_TEST_PG_PORT="$port"
psql "$TUOKE_TEST_PG_ADMIN_URL" -qAt -c "DROP DATABASE IF EXISTS tuoke_test" -c "CREATE DATABASE tuoke_test" >/dev/null

"$@"
