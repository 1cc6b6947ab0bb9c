#!/usr/bin/env bash
# Benchmarks (`just bench`): rtc-server against the PeerJS server and a bare
# relay, on this machine. Every server runs pinned to core 0, the load
# generator to core 1. Scenarios 1-3 run against all three servers,
# alternating, BENCH_REPS times (default 3); then the rtc-only scenarios
# 3b (idle connections 50 to a room) and 4-8 (6: two instances over Redis,
# with join visibility; 8: three). Prints every run and a table of medians;
# the raw output is kept in
# target/bench/latest.txt. Stops by itself (about 8 minutes with defaults).
#
#   BENCH_SECS=10 BENCH_REPS=3 ./apps/loadgen/bench.sh
# `just bench-smoke` (in CI) runs everything briefly on debug builds:
#   BENCH_PROFILE=dev BENCH_SECS=1 BENCH_REPS=1 BENCH_IDLE=500 BENCH_MIB=8 BENCH_JOINS=20
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SECS=${BENCH_SECS:-10}
REPS=${BENCH_REPS:-3}
IDLE=${BENCH_IDLE:-10000}
MIB=${BENCH_MIB:-100}
JOINS=${BENCH_JOINS:-200}
# BENCH_ONLY=cluster runs only the multi-instance scenarios (6 and 8).
ONLY=${BENCH_ONLY:-}
PROFILE=${BENCH_PROFILE:-release}
BIN=target/$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")
cargo build --profile "$PROFILE" -q -p server -p loadgen -p bare-relay
# Single-instance runs use embedded defaults: a REDIS_URL or MONGODB_URI
# left in the environment (tests/services.sh exports them) would turn the
# relay into a Redis benchmark.
unset REDIS_URL MONGODB_URI S3_ENDPOINT S3_BUCKET RTC_STORAGE RTC_CONFIG
PEER_DIR="$HOME/.cache/rtc-bench/peerjs"
if [ ! -x "$PEER_DIR/node_modules/.bin/peerjs" ]; then
  echo "installing the PeerJS server (npm: peer@1.0.2)"
  mkdir -p "$PEER_DIR"
  (cd "$PEER_DIR" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error peer@1.0.2)
fi
command -v redis-server >/dev/null || ./tests/services.sh up >/dev/null

SECRET="bench-secret-0123456789abcdef-0123"
export RTC_JWT_SECRET="$SECRET"
# Benchmarks measure the server, not its rate limits or per-address caps.
export RTC_MAX_CONNECTIONS_PER_USER=1000000 RTC_MAX_CONNECTIONS_PER_IP=1000000
export RTC_RATE_LIMITS="signaling=1000000000/60,websocket_message=1000000000/60,room_create=100000000/3600,api_call=100000000/60,file_share=1000000/3600,chat_message=1000000000/60"
export RUST_LOG=warn RTC_LOG_JSON=false
# One core each: one actix worker for rtc-server (node and the bare relay are single-threaded).
export RTC_WORKERS=1
ulimit -n "$(ulimit -Hn)"
WORK=$(mktemp -d)
mkdir -p target/bench
OUT=target/bench/latest.txt
: > "$OUT"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.05; done; echo "port $1 never opened"; exit 1; }

# start KIND [EXTRA_ENV...]: sets PID and URL.
start() {
  local kind=$1; shift
  local port; port=$(free_port)
  case $kind in
    rtc) env RTC_STORAGE=local RTC_DATA_DIR="$WORK/data" "$@" taskset -c 0 ./$BIN/rtc-server --bind "127.0.0.1:$port" > "$WORK/$kind-$port.log" 2>&1 & ;;
    peerjs) taskset -c 0 "$PEER_DIR/node_modules/.bin/peerjs" --port "$port" --path / -c 100000 > "$WORK/peerjs-$port.log" 2>&1 & ;;
    bare) taskset -c 0 ./$BIN/bare-relay "127.0.0.1:$port" > "$WORK/bare-$port.log" 2>&1 & ;;
  esac
  PID=$!; PIDS+=("$PID"); URL="http://127.0.0.1:$port"
  wait_port "$port"
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
lg() { taskset -c 1 ./$BIN/loadgen --url "$URL" --server-pid "$PID" "$@" 2>&1 | tee -a "$OUT"; }

{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
  echo "date: $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD), secs=$SECS reps=$REPS"
} | tee -a "$OUT"

for rep in $( [ "$ONLY" = cluster ] || seq "$REPS"); do
  for kind in rtc peerjs bare; do
    echo "== rep $rep: $kind" | tee -a "$OUT"
    start "$kind"
    lg relay --protocol "$kind" --conns 100 --size 200 --secs "$SECS" --window 32
    lg relay --protocol "$kind" --conns 100 --size 3000 --secs "$SECS" --window 32
    lg relay --protocol "$kind" --conns 1000 --size 200 --secs "$SECS" --rate 10
    stop "$PID"
    start "$kind"
    lg idle --protocol "$kind" --conns "$IDLE" --hold-secs 2
    stop "$PID"
  done
done

if [ "$ONLY" != cluster ]; then
echo "== scenario 3b: idle connections, 50 to a room (rtc)" | tee -a "$OUT"
start rtc
lg idle --protocol rtc --conns "$IDLE" --hold-secs 2 --per-room 50
stop "$PID"
echo "== scenario 5: room broadcast" | tee -a "$OUT"
start rtc
lg broadcast --rooms 20 --size 50 --every-ms 2000 --secs "$SECS"
stop "$PID"
fi

echo "== scenario 6: two instances over Redis" | tee -a "$OUT"
RPORT=$(free_port)
taskset -c 0 redis-server --port "$RPORT" --save "" --appendonly no > "$WORK/redis.log" 2>&1 &
PIDS+=("$!"); wait_port "$RPORT"
start rtc REDIS_URL="redis://127.0.0.1:$RPORT" RTC_REDIS_PREFIX=b1:
URL_B=$URL
start rtc REDIS_URL="redis://127.0.0.1:$RPORT" RTC_REDIS_PREFIX=b1:
lg relay --protocol rtc --url-b "$URL_B" --conns 100 --size 200 --secs "$SECS" --window 32
lg relay --protocol rtc --url-b "$URL_B" --conns 1000 --size 200 --secs "$SECS" --rate 10
lg visibility --url-b "$URL_B" --joins "$JOINS"

echo "== scenario 8: three instances over Redis (every relay crosses instances)" | tee -a "$OUT"
URL_A=$URL
start rtc REDIS_URL="redis://127.0.0.1:$RPORT" RTC_REDIS_PREFIX=b1:
lg relay --protocol rtc --url-b "$URL_A,$URL_B" --conns 100 --size 200 --secs "$SECS" --window 32
lg relay --protocol rtc --url-b "$URL_A,$URL_B" --conns 1000 --size 200 --secs "$SECS" --rate 10

if [ "$ONLY" != cluster ]; then
echo "== scenario 7: file transfer" | tee -a "$OUT"
start rtc
lg transfer --mib "$MIB" --chunk-kib 1024
lg transfer --mib "$MIB" --chunk-kib 64
fi

python3 - "$OUT" <<'PY'
import re, statistics, sys
runs = {}
kind = None
for line in open(sys.argv[1]):
    m = re.match(r"== rep \d+: (\w+)", line)
    if m: kind = m.group(1); continue
    m = re.match(r"relay proto=(\w+) conns=(\d+) size=(\d+)B (\S+)(?: across 2 instances)?: .* rate=(\d+) msg/s p50=([\d.]+)ms p99=([\d.]+)ms p99.9=([\d.]+)ms", line)
    if m and "across" not in line:
        key = (m.group(1).lower(), f"relay {m.group(2)} conns {m.group(3)} B {m.group(4)}")
        runs.setdefault(key, []).append((float(m.group(5)), float(m.group(6)), float(m.group(7)), float(m.group(8))))
    m = re.match(r"idle proto=(\w+): (\d+) connections in ([\d.]+)s \((\d+)/s\)(, (\d+) per room)?", line)
    if m: last_idle = (m.group(1).lower() + (f" {m.group(6)}/room" if m.group(6) else ""), int(m.group(4)))
    m = re.match(r"  server: cpu to connect ([\d.]+)s, rss \d+ -> \d+ KiB = ([\d.]+) KiB", line)
    if m: runs.setdefault((last_idle[0], "idle"), []).append((last_idle[1], float(m.group(1)), float(m.group(2)), 0))
print("\nmedians (relay: msg/s, p50/p99/p99.9 ms; idle: connects/s, server CPU s, KiB per connection)")
for (k, s) in sorted(runs, key=lambda x: (x[1], x[0])):
    v = runs[(k, s)]
    med = [statistics.median(x[i] for x in v) for i in range(4)]
    if s.startswith("relay"):
        print(f"{s:32} {k:7} {med[0]:>10.0f} msg/s  p50 {med[1]:.3f}  p99 {med[2]:.3f}  p99.9 {med[3]:.3f}  (n={len(v)})")
    else:
        print(f"{s:32} {k:7} {med[0]:>10.0f} conn/s  cpu {med[1]:.2f}s  {med[2]:.1f} KiB/conn  (n={len(v)})")
PY
