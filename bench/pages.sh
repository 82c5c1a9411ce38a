#!/usr/bin/env bash
# Measures the main pages on the demo data with wrk (Debian package `wrk`): starts a release
# server in a temp dir, signs in as a demo user, and loads each page for a few seconds.
# Usage: bench/pages.sh [seconds per page, default 10] [connections, default 16]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/agora/target}"
duration="${1:-10}"
connections="${2:-16}"
command -v wrk >/dev/null || { echo "bench/pages.sh: install wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release --locked -q
dir=$(mktemp -d /tmp/agora-bench.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$CARGO_TARGET_DIR/release/agora" serve --demo --bind "127.0.0.1:$port" --data-dir "$dir" >"$dir/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 50); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done
jar="$dir/cookies"
token=$(curl -fs -c "$jar" -b "$jar" "$base/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
curl -fs -c "$jar" -b "$jar" -o /dev/null --data-urlencode "csrf_token=$token" \
  --data-urlencode "email=marie@northwind.example" --data-urlencode "password=agora-demo-2026" "$base/login"
cookie=$(awk '$6 == "agora_session" {print "agora_session=" $7}' "$jar")
post=$(curl -fs -b "$cookie" "$base/c/plant-safety" | grep -o 'href="/posts/[0-9]*"' | head -1 | grep -o '[0-9]*')
echo "Agora $(git rev-parse --short HEAD) · $(nproc) cores · wrk -t2 -c$connections -d${duration}s · signed in as a demo employee"
printf '%-26s %10s %10s %10s\n' page req/s p50 p99
for page in / /c /c/plant-safety "/posts/$post" /tags/safety /ideas /ideas/1 /notifications /api/v1/communities /healthz; do
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency -H "Cookie: $cookie" "$base$page")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(grep -E 'Non-2xx|Socket errors' <<<"$out" || true)
  printf '%-26s %10s %10s %10s %s\n' "$page" "$rps" "$p50" "$p99" "$errors"
done
