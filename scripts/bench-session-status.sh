#!/usr/bin/env bash
# Load benchmark (not a test): authenticated GET /databases/session-status with
# Redis sessions, on loopback only, bounded to 10 s. Needs a release build
# (`make build`) and wrk (installed from apt if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk; }
port=${PORT:-8090}
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT

RUST_LOG=warn SQLAGENT_DATA_DIR="$dir" REDIS_URL=redis://127.0.0.1:6379 LEPTOS_SITE_ROOT=target/site \
  target/release/sqlagent --addr "127.0.0.1:$port" &
pid=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done

curl -sf -X POST "http://127.0.0.1:$port/users/" -H 'Content-Type: application/json' \
  -d '{"name":"Bench","email":"bench@example.com","password":"bench-password"}' >/dev/null
token=$(curl -sf -X POST "http://127.0.0.1:$port/login" -d 'username=bench@example.com&password=bench-password' \
  | sed -E 's/.*"access_token":"([^"]+)".*/\1/')

wrk -t2 -c64 -d10s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/databases/session-status"
