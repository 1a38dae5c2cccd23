#!/usr/bin/env bash
# Undoes the benchmark's import (undo_import.sql) after run.sh or import_only.sh.
# usage: bench/customers/undo_import.sh sqlite PATH/tuoke.db | bench/customers/undo_import.sh postgres URL
set -euo pipefail
here=$(dirname "$0")
case $1 in
  sqlite)
    # One transaction: the imported customers' search rows go first, so the contact trigger
    # has nothing to rewrite; the audit log's append-only trigger is dropped and created
    # again from its own stored text around the script.
    trigger=$(sqlite3 "$2" "SELECT sql FROM sqlite_schema WHERE name = 'audit_log_no_delete'")
    sqlite3 "$2" "BEGIN" "DELETE FROM customer_search WHERE rowid IN (SELECT id FROM customers WHERE owner_id =
      (SELECT id FROM users WHERE username = 'b20r10') AND name LIKE '%导入%')" \
      "DROP TRIGGER audit_log_no_delete" ".read $here/undo_import.sql" "$trigger" "COMMIT"
    ;;
  postgres)
    # Triggers off for this session: the audit log's append-only trigger, and the foreign-key
    # triggers (customers.referrer_customer_id has no index, and checking it for each of
    # 100,000 deleted customers scans the table each time).
    # The audit log's statistics first: the run's import has just added 200,000 entries,
    # and the contacts' audit DELETE is planned from them (undo_import.sql).
    psql "$2" -q -c "ANALYZE audit_log"
    psql "$2" -q -c "SET session_replication_role = replica" -f "$here/undo_import.sql"
    # The deleted rows stay in the indexes as dead entries until a vacuum: at the head of the
    # list order (the newest customers), the next run's first pages would walk past 100,000
    # of them (first page p99 1,098 ms measured once).
    psql "$2" -q -c "VACUUM ANALYZE customers, contacts, customer_tags, customer_events, customer_grade_history, customer_owner_history, audit_log"
    ;;
  *) echo "usage: $0 sqlite DB | postgres URL" >&2; exit 2 ;;
esac
