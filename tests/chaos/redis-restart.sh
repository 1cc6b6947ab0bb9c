#!/usr/bin/env bash
# Chaos: two instances share Redis; 20 pairs (sender on A, receiver on B)
# send 50 offers/s each for 20 s while Redis is stopped at 5 s and started
# again at 9 s. Twice: with an append-only file (a restart keeps the state,
# as in deploy/), and without persistence (the restart loses every room).
# The per-second timeline shows refusals with an error code during the
# outage (never a crash or a hang) and the recovery after it.
source "$(dirname "$0")/lib.sh"
command -v redis-server >/dev/null || "$ROOT/tests/services.sh" up >/dev/null

phase() {
  local name=$1 persist=$2
  local rport; rport=$(free_port)
  local rdir="$WORK/redis-$name"; mkdir -p "$rdir"
  local args=(--port "$rport" --dir "$rdir" --save "" --appendonly "$persist")
  redis-server "${args[@]}" > "$rdir/log" 2>&1 &
  local rpid=$!
  for _ in $(seq 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.05; done
  start_server "A$name" REDIS_URL="redis://127.0.0.1:$rport" RTC_STORAGE=memory RTC_REDIS_PREFIX="$name:"
  start_server "B$name" REDIS_URL="redis://127.0.0.1:$rport" RTC_STORAGE=memory RTC_REDIS_PREFIX="$name:"
  local a="A${name}_URL" b="B${name}_URL"
  echo "== Redis restart, appendonly=$persist"
  (
    sleep 5; echo ">>> t=5s: Redis stopped"; redis-cli -p "$rport" shutdown >/dev/null 2>&1 || kill "$rpid"
    sleep 4; echo ">>> t=9s: Redis started"
    redis-server "${args[@]}" --daemonize yes > /dev/null
  ) &
  local chaos=$!
  "$LOADGEN" --url "${!a}" steady --url-b "${!b}" --pairs 20 --rate 50 --secs 20
  wait "$chaos"
  for u in "$a" "$b"; do
    echo "health after: $(curl -s -o /dev/null -w '%{http_code}' "${!u}/webrtc/health")"
  done
  redis-cli -p "$rport" shutdown nosave >/dev/null 2>&1 || true
}

phase kept yes
phase lost no
