#!/usr/bin/env bash
# Websocket fan-out: delivery latency of posts to many subscribers, and server memory over
# many connect/disconnect cycles. Starts a release server on the demo data in a temp dir.
# Usage: bench/fanout.sh [connections, default 1000] [posts, default 20] [churn cycles, default 10000]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/agora/target}"
connections="${1:-1000}"
posts="${2:-20}"
cycles="${3:-10000}"
ulimit -n "$(ulimit -Hn)"
cargo build --release --locked -q --bin agora --example fanout
dir=$(mktemp -d /tmp/agora-fanout.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
agora="$CARGO_TARGET_DIR/release/agora"
"$agora" serve --demo --bind "127.0.0.1:$port" --data-dir "$dir" >"$dir/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 50); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done
token=$("$agora" token create --email carl@northwind.example --data-dir "$dir" 2>/dev/null)
echo "Agora $(git rev-parse --short HEAD) · $(nproc) cores · SQLite · server and clients on one machine"
"$CARGO_TARGET_DIR/release/examples/fanout" latency "$base" "$token" plant-safety "$connections" "$posts"
"$CARGO_TARGET_DIR/release/examples/fanout" churn "$base" "$token" "$cycles" "$server"
