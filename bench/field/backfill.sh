# Sourced by bench/field/run.sh, profile.sh and teamday.sh. wait_for_search_backfill SQL
# waits (up to 120 s) until the server has filled the search words of the customers and
# contacts prepare.py inserted with plain SQL (the server's background filler,
# customer_search.cc), so the burst measures check-ins and not that one-off fill beside them
# (it ran during the first seconds of every burst until session 12: 10,000 customer updates,
# ~1.5 s of database time on PostgreSQL). SQL is the command line that runs a statement
# ("sqlite3 FILE" or "psql URL -qAt"), given the statement on its input.
wait_for_search_backfill() {
  local sql=$1 left
  for _ in $(seq 1 1200); do
    left=$(echo "SELECT (SELECT COUNT(*) FROM customers WHERE search_words IS NULL) + (SELECT COUNT(*) FROM contacts WHERE search_words IS NULL);" | $sql 2>/dev/null | tail -1)
    [ "$left" = 0 ] && return 0
    sleep 0.1
  done
  echo "the server did not fill the search words within 120 s ($left rows left)" >&2
  return 1
}
