#!/usr/bin/env bash
# Chaos: two instances share Redis; 20 pairs (sender on A, receiver on B)
# send 50 offers/s each for 20 s while Redis is stopped at 5 s and started
# again at 9 s. The per-second timeline shows refusals with an error code
# during the outage (never a crash or a hang) and the recovery after it.
source "$(dirname "$0")/lib.sh"
command -v redis-server >/dev/null || "$ROOT/tests/services.sh" up >/dev/null
RPORT=$(free_port)
redis-server --port "$RPORT" --save "" --appendonly no --daemonize no > "$WORK/redis.log" 2>&1 &
RPID=$!; PIDS+=("$RPID")
for _ in $(seq 100); do redis-cli -p "$RPORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
COMMON=(REDIS_URL="redis://127.0.0.1:$RPORT" RTC_STORAGE=memory)
start_server A "${COMMON[@]}"
start_server B "${COMMON[@]}"
(
  sleep 5; echo ">>> t=5s: Redis stopped"; kill "$RPID"
  sleep 4; echo ">>> t=9s: Redis started"
  redis-server --port "$RPORT" --save "" --appendonly no --daemonize yes > /dev/null
) &
"$LOADGEN" --url "$A_URL" steady --url-b "$B_URL" --pairs 20 --rate 50 --secs 20
redis-cli -p "$RPORT" shutdown nosave >/dev/null 2>&1 || true
for n in A B; do
  u="${n}_URL"
  echo "instance $n health after: $(curl -s -o /dev/null -w '%{http_code}' "${!u}/webrtc/health")"
done
