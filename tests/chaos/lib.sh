# Shared by the soak and chaos scripts: release build, free ports, servers
# started in the background and stopped on exit. Loopback only.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
cargo build --release -q -p server -p loadgen
SERVER="$ROOT/target/release/rtc-server"
LOADGEN="$ROOT/target/release/loadgen"
export RTC_JWT_SECRET="chaos-secret-0123456789abcdef-0123"
# The scenarios measure the server, not its rate limits or per-address caps.
export RTC_MAX_CONNECTIONS_PER_USER=1000000 RTC_MAX_CONNECTIONS_PER_IP=1000000
export RTC_RATE_LIMITS="signaling=1000000000/60,websocket_message=1000000000/60,room_create=100000000/3600,api_call=100000000/60,file_share=1000000/3600,chat_message=100000000/60"
export RUST_LOG=warn
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_server NAME [ENV=VALUE...]: starts an instance, sets ${NAME}_PID and ${NAME}_URL.
start_server() {
  local name=$1; shift
  local port; port=$(free_port)
  env "$@" "$SERVER" --bind "127.0.0.1:$port" > "$WORK/$name.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 200); do
    curl -sf "http://127.0.0.1:$port/webrtc/health" >/dev/null && break
    sleep 0.05
  done
  curl -sf "http://127.0.0.1:$port/webrtc/health" >/dev/null || { cat "$WORK/$name.log"; exit 1; }
  printf -v "${name}_PID" '%s' "$pid"
  printf -v "${name}_URL" '%s' "http://127.0.0.1:$port"
}
