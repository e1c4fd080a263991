#!/usr/bin/env bash
# Memory under a burst of logins: start the release server on a scratch data dir,
# register one user, send 600 logins at concurrency 32 (and 64 registrations at
# concurrency 32), and report the server's resident memory before and after.
# Target: RSS stays under 100 MB. Needs `cargo build --release` first.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/sqlagent
port=${PORT:-8097}
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
SQLAGENT_DATA_DIR="$dir" LEPTOS_SITE_ADDR="127.0.0.1:$port" RUST_LOG=warn "$bin" >"$dir/log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
rss() { awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$pid/status"; }
base="http://127.0.0.1:$port"
curl -sf -X POST "$base/users/" -H 'Content-Type: application/json' \
  -d '{"name":"Bench","email":"bench@example.com","password":"password123"}' >/dev/null
echo "RSS after start-up: $(rss)"
start=$(date +%s.%N)
codes=$(seq 600 | xargs -P32 -I{} curl -s -o /dev/null -w "%{http_code}\n" -X POST "$base/login" \
  -d 'username=bench@example.com&password=password123' | sort | uniq -c | tr '\n' ' ')
echo "600 logins at concurrency 32: $codes in $(echo "$(date +%s.%N) - $start" | bc) s; RSS $(rss)"
codes=$(seq 64 | xargs -P32 -I{} curl -s -o /dev/null -w "%{http_code}\n" -X POST "$base/users/" \
  -H 'Content-Type: application/json' -d '{"name":"B","email":"b{}@example.com","password":"password123"}' \
  | sort | uniq -c | tr '\n' ' ')
echo "64 registrations at concurrency 32: $codes; RSS $(rss); peak $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' "/proc/$pid/status")"
