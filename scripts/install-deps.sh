#!/usr/bin/env bash
# Installs every Debian package Tuoke needs to build, run and test.
# Idempotent: does nothing when everything is present. Runs as root (Debian 12).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  librestinio-dev libboost-dev libboost-system-dev libfmt-dev libhttp-parser-dev
  nlohmann-json3-dev libsqlite3-dev libpq-dev libsodium-dev libspdlog-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql postgresql-client
  chromium
  curl sqlite3 wrk python3 rapidjson-dev libxlsxwriter-dev
  fonts-wqy-zenhei
  libicu-dev
  libcurl4-openssl-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# Node.js may come from Debian or from NodeSource (which bundles npm): check the commands.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root or install them" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
