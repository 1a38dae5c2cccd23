#!/usr/bin/env bash
# The whole suite: unit tests (both backends), API tests against the real binary on
# SQLite and PostgreSQL, web unit tests and browser tests. Called by `make test`.
set -euo pipefail
BUILD_DIR=${1:-build}
cd "$(dirname "$0")/.."
started=$(date +%s)
bash scripts/with-postgres.sh ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 900 -j 2
echo "make test took $(( $(date +%s) - started )) s"
