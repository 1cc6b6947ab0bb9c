#!/usr/bin/env bash
# Soak: 10,000 authenticated WebSocket connections held for 60 seconds, each
# pinging every 15 s; any connect failure, error frame, unexpected close or
# missing pong fails the run. Prints connects/s, RSS per connection and CPU.
# Usage: tests/chaos/soak.sh [CONNS] [SECS]
source "$(dirname "$0")/lib.sh"
CONNS=${1:-10000}
SECS=${2:-60}
ulimit -n "$(ulimit -Hn)"
start_server A RTC_STORAGE=memory
echo "soak: $CONNS connections for ${SECS}s against $A_URL (pid $A_PID)"
"$LOADGEN" --url "$A_URL" --server-pid "$A_PID" hold --conns "$CONNS" --secs "$SECS" --room-size 20 --ping-every 15
