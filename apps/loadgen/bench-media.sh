#!/usr/bin/env bash
# The media benchmark (`just bench-media`): rtc-server's SFU pinned to core
# 0, the load generator's str0m peers on core 1. Publishers send a 720p30
# VP8 clip (about 1.5 Mbit/s) and 48 kbit/s Opus made here by ffmpeg, in a
# loop. Runs one publisher to N subscribers for each N in
# BENCH_MEDIA_FANOUT, then a meeting of BENCH_MEDIA_MEETING publishers and
# as many subscribers; a fresh server for each run. Output in
# target/bench/media.txt.
#
#   BENCH_SECS=10 BENCH_MEDIA_FANOUT="25 50 100" ./apps/loadgen/bench-media.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${BENCH_SECS:-10}
FANOUT=${BENCH_MEDIA_FANOUT:-25 50 100 150}
MEETING=${BENCH_MEDIA_MEETING:-10}
PROFILE=${BENCH_PROFILE:-release}
BIN=target/$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")
cargo build --profile "$PROFILE" -q -p server -p loadgen
command -v ffmpeg >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y --no-install-recommends ffmpeg >/dev/null; }
unset REDIS_URL MONGODB_URI S3_ENDPOINT S3_BUCKET RTC_STORAGE RTC_CONFIG
CLIP=target/bench/media
mkdir -p "$CLIP"
if [ ! -s "$CLIP/clip.ivf" ]; then
  ffmpeg -v error -y -f lavfi -i testsrc2=size=1280x720:rate=30 -t 10 -c:v libvpx -b:v 1500k -minrate 1500k -maxrate 1500k \
    -deadline realtime -cpu-used 8 -g 60 -f ivf "$CLIP/clip.ivf"
fi
if [ ! -s "$CLIP/clip.ogg" ]; then
  ffmpeg -v error -y -f lavfi -i sine=frequency=440:duration=10 -c:a libopus -b:a 48k -frame_duration 20 "$CLIP/clip.ogg"
fi
SECRET="bench-secret-0123456789abcdef-0123"
export RTC_JWT_SECRET="$SECRET" RUST_LOG=warn RTC_LOG_JSON=false RTC_WORKERS=1
export RTC_MEDIA_MODE=sfu RTC_ROOM_CAPACITY=10000 RTC_MEDIA_MAX_PEERS=100000
export RTC_MAX_CONNECTIONS_PER_USER=1000000 RTC_MAX_CONNECTIONS_PER_IP=1000000
export RTC_RATE_LIMITS="signaling=1000000000/60,websocket_message=1000000000/60,room_create=100000000/3600,api_call=100000000/60"
ulimit -n "$(ulimit -Hn)"
OUT=target/bench/media.txt
: > "$OUT"
WORK=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.05; done; echo "port $1 never opened"; exit 1; }
run() {
  local pubs=$1 subs=$2 label=$3 port
  port=$(free_port)
  taskset -c 0 ./$BIN/rtc-server --bind "127.0.0.1:$port" > "$WORK/server.log" 2>&1 &
  PID=$!
  wait_port "$port"
  taskset -c 1 ./$BIN/loadgen --url "http://127.0.0.1:$port" --server-pid "$PID" \
    media --ivf "$CLIP/clip.ivf" --ogg "$CLIP/clip.ogg" --pubs "$pubs" --subs "$subs" --secs "$SECS" --label "$label" 2>&1 | tee -a "$OUT"
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
}
{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
  echo "date: $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD), secs=$SECS"
} | tee -a "$OUT"
for n in $FANOUT; do run 1 "$n" fanout; done
run "$MEETING" "$MEETING" meeting
