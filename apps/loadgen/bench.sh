#!/usr/bin/env bash
# Benchmarks on this machine: builds release binaries, starts rtc-server on
# core 0 and the load generator on core 1, runs the scenarios, prints the
# figures, and stops the server. Used by `just bench`; figures go to
# docs/performance.md by hand, with the machine they were taken on.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -p server -p loadgen --quiet
SECRET="bench-secret-0123456789abcdef-0123"
DATA=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export RTC_JWT_SECRET="$SECRET"
# Benchmarks measure the server, not its rate limits.
export RTC_MAX_CONNECTIONS_PER_USER=1000000 RTC_MAX_CONNECTIONS_PER_IP=1000000
export RTC_RATE_LIMITS="signaling=1000000000/60,websocket_message=1000000000/60,room_create=100000000/3600,api_call=100000000/60,file_share=1000000/3600"
RTC_STORAGE=local RTC_DATA_DIR="$DATA" RTC_LOG_JSON=false RUST_LOG=warn \
  taskset -c 0 ./target/release/rtc-server --bind "127.0.0.1:$PORT" > "$DATA/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/webrtc/health" >/dev/null && break; sleep 0.1; done
LG="taskset -c 1 ./target/release/loadgen --url http://127.0.0.1:$PORT --server-pid $PID"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
$LG relay --conns 100 --size 200 --secs "${BENCH_SECS:-10}" --window 32
$LG relay --conns 100 --size 3000 --secs "${BENCH_SECS:-10}" --window 32
$LG transfer --mib 100 --chunk-kib 1024
$LG transfer --mib 100 --chunk-kib 64
