# Sourced by bench/field/profile.sh and teamday.sh. db_cpu BACKEND prints the CPU the
# PostgreSQL cluster has used, in clock ticks: the postmaster (with what its exited children
# used) and its live children (the server's backends among them); 0 on SQLite.
# Needs TUOKE_TEST_PG_HOST (scripts/with-postgres.sh) on PostgreSQL.
db_cpu() {
  if [ "$1" = sqlite ]; then echo 0; return; fi
  local postmaster; postmaster=$(head -1 "$TUOKE_TEST_PG_HOST/data/postmaster.pid")
  { awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat"
    for child in $(pgrep -P "$postmaster"); do awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null || true; done
  } | awk '{ total += $1 } END { print total + 0 }'
}
