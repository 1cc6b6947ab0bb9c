#!/usr/bin/env bash
# Chaos: two instances share Redis and a storage directory; 8 file transfers
# and a recording upload half their chunks through A, A is killed with
# SIGKILL, the clients move to B and finish there. Every chunk A
# acknowledged must be kept, every file must download with its SHA-256, and
# the recording must be processed on B. Needs Redis and ffmpeg
# (tests/services.sh up provides both).
source "$(dirname "$0")/lib.sh"
"$ROOT/tests/services.sh" up >/dev/null
set -a; . "$ROOT/.services/env"; set +a
PREFIX="chaos$RANDOM:"
DATA="$WORK/data"; mkdir -p "$DATA"
COMMON=(REDIS_URL="$REDIS_URL" RTC_REDIS_PREFIX="$PREFIX" RTC_STORAGE=local RTC_DATA_DIR="$DATA" RTC_INSTANCE_TTL_SECS=3 RTC_SCRATCH_DIR="$WORK")
start_server A "${COMMON[@]}"
start_server B "${COMMON[@]}"
ffmpeg -v error -f lavfi -i testsrc=size=640x360:rate=25 -f lavfi -i sine=frequency=440 \
  -t 8 -c:v libvpx -b:v 500k -c:a libopus -y "$WORK/media.webm"
"$LOADGEN" --url "$A_URL" failover --url-b "$B_URL" --kill-pid "$A_PID" \
  --transfers 8 --kib 4096 --chunk-kib 256 --media "$WORK/media.webm"
