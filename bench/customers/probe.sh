#!/usr/bin/env bash
# Starts a build's server on a copy of the 1M SQLite bench database, warms it with one pass
# and runs probe.py (3 requests per sample); run it for two builds in turn to compare them.
#   bash bench/customers/probe.sh build /tmp/srch     (a directory holding a copy: tuoke.db)
set -euo pipefail
BUILD_DIR=${1:-build}
DATA=${2:?a directory with a copy of /tmp/tuoke-bench-customers-sqlite/tuoke.db}
SAMPLES=${SAMPLES:-/tmp/tuoke-bench-customers-sqlite/samples.json}
cd "$(dirname "$0")/../.."
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BUILD_DIR/tuoke" --data-dir "$DATA" --log-level warn serve --port "$port" --threads 4 --no-access-log \
  >"$DATA/probe-serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.1; done
python3 bench/customers/probe.py --server "http://127.0.0.1:$port" --samples "$SAMPLES" --reps 1 >/dev/null
echo "$BUILD_DIR $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
python3 bench/customers/probe.py --server "http://127.0.0.1:$port" --samples "$SAMPLES" --reps 3
