#!/usr/bin/env bash
# Browser tests: serves the built web client from a fresh demo database on a free
# port, runs the Playwright suite in Debian's Chromium against it, stops the server.
set -euo pipefail
TUOKE_BIN=${1:?usage: run-e2e.sh PATH/TO/tuoke}
cd "$(dirname "$0")/.."
data=$(mktemp -d /tmp/tuoke-e2e.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$TUOKE_BIN" --data-dir "$data" --log-level warn seed-demo >/dev/null
"$TUOKE_BIN" --data-dir "$data" --log-level warn serve --port "$port" --web-dir web/dist --no-access-log \
  >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
TUOKE_URL="http://127.0.0.1:$port" node tests/e2e/run.mjs
