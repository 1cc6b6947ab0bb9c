#!/usr/bin/env bash
# REST API conformance (`just conformance`, part of `just ci`): schemathesis
# (PyPI, pinned) checks every operation of the server's /openapi.json
# against the real server: phases coverage, fuzzing and stateful, all checks,
# 25 examples per operation; any failure or error fails the run.
#
# The server runs on embedded defaults (no Redis) on a free loopback port,
# with a per-run JWT secret, the admin API on, webhooks to a local sink and
# rate limits out of the fuzzer's way. Before the run a host and three
# participants join a room over the WebSocket (ws_keeper.py holds them) and
# this script creates breakout rooms, file transfers, recordings and a live
# stream; schemathesis.toml passes their ids as the operations' path
# parameters and holds the short list of exclusions; hooks.py lets the
# stateful phase follow its links. Reports: target/conformance/.
#
#   RTC_SERVER_BIN=path/to/rtc-server tests/conformance/run.sh   # a built server
#   tests/conformance/run.sh            # target/debug/rtc-server (build it first)
#   tests/conformance/run.sh --seed 1   # extra arguments go to `st run`
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

ST_VERSION=4.32.5
WEBSOCKETS_VERSION=15.0.1
VENV="$root/.services/schemathesis-venv"

apt_install() {
  local SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  ($SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1) ||
    { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
}

# ---- tools ----
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  echo "installing python3-venv (apt)"
  apt_install python3-venv
fi
if ! command -v ffmpeg >/dev/null || ! command -v ffprobe >/dev/null; then
  echo "installing ffmpeg (apt)"
  apt_install ffmpeg
fi
if [ "$("$VENV/bin/st" --version 2>/dev/null)" != "st, version $ST_VERSION" ] ||
   ! "$VENV/bin/python" -c "import websockets, sys; sys.exit(websockets.__version__ != '$WEBSOCKETS_VERSION')" 2>/dev/null; then
  echo "installing schemathesis $ST_VERSION and websockets $WEBSOCKETS_VERSION (PyPI) into .services/schemathesis-venv"
  rm -rf "$VENV"
  mkdir -p "$root/.services"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "schemathesis==$ST_VERSION" "websockets==$WEBSOCKETS_VERSION"
fi
PY="$VENV/bin/python"

if [ -z "${RTC_SERVER_BIN:-}" ]; then
  target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
  RTC_SERVER_BIN="$target/debug/rtc-server"
else
  target="$root/target"
fi
BIN="$RTC_SERVER_BIN"
[ -x "$BIN" ] || { echo "no server binary at $BIN (cargo build -p server, or set RTC_SERVER_BIN)" >&2; exit 1; }

OUT="${CONFORMANCE_OUT:-$target/conformance}"
rm -rf "$OUT"
mkdir -p "$OUT/data"

pids=()
cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  exit "$rc"
}
trap cleanup EXIT INT TERM

# wait_for FILE PID WHAT: until FILE has a line, while PID lives (10 s).
wait_for() {
  for _ in $(seq 100); do
    [ -s "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  echo "$3 did not start" >&2; exit 1
}

# A webhook receiver, so the webhook operations (replay) have webhooks to act on.
"$PY" -c '
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(204)
        self.end_headers()
    def log_message(self, *args):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()' > "$OUT/webhook.port" &
pids+=($!)
wait_for "$OUT/webhook.port" "${pids[-1]}" "the webhook receiver"

# ---- the server ----
rand() { python3 -c "import secrets; print(secrets.token_hex($1))"; }
# Only the settings below: no RTC_* from the caller's environment (a TURN
# secret, say, puts GET /webrtc/config behind a token), no Redis, no MongoDB.
for v in $(compgen -e); do
  case "$v" in RTC_SERVER_BIN) ;; RTC_*|REDIS_URL|MONGODB_URI) unset "$v" ;; esac
done
export RTC_JWT_SECRET="$(rand 24)"
export RTC_ADMIN_API_KEY="conformance-$(rand 16)"
export RTC_ADMIN_API_SECRET="$(rand 32)"
export RTC_WEBHOOK_URL="http://127.0.0.1:$(head -n1 "$OUT/webhook.port")/hooks"
export RTC_WEBHOOK_SECRET="$(rand 24)"
export RTC_RATE_LIMITS="chat_message=1000000/60,hand_raise=1000000/60,reaction=1000000/60,file_share=1000000/60,room_create=1000000/60,settings_update=1000000/60,api_call=1000000/60"
# Fixtures (the rooms an admin created, the finished recording) outlive the
# run; the fuzzer's transfers and recordings are not capped at a handful.
export RTC_EMPTY_ROOM_TTL_SECS=3600
export RTC_TRANSFER_MAX_PER_USER=100000
export RTC_RECORDING_MAX_CONCURRENT=100000
# The document declares POST /webrtc/dev/token: serve it so it is tested.
export RTC_DEV_TOKENS=true
export RTC_DATA_DIR="$OUT/data"
export RTC_SCRATCH_DIR="$OUT/data"

"$BIN" --bind 127.0.0.1:0 > "$OUT/server.log" 2>&1 &
pids+=($!)
server_pid=${pids[-1]}
for _ in $(seq 100); do
  grep -q -m1 '^listening on http://' "$OUT/server.log" && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
BASE="$(grep -o -m1 '^listening on http://[0-9.:]*' "$OUT/server.log" | sed 's/^listening on //' || true)"
[ -n "$BASE" ] || { cat "$OUT/server.log" >&2; echo "the server did not start" >&2; exit 1; }
echo "server on $BASE (log: $OUT/server.log)"
curl -sS --fail "$BASE/openapi.json" > "$OUT/openapi.json"  # the document under test, for the record

# ---- fixtures ----
mint() { "$BIN" mint-token --user "$1" --role "$2" --ttl 7200; }
# CONF_ROOM holds everything but the recordings that would collide with the
# running CONF_RECORDING (a room runs one recording at a time). For each of
# the two recording route families (1: /recording/, 2: /recordings/) the
# host also joins a room where a recording runs for DELETE and stop to end
# (CONF_STOP_ROOM_n) and one where none runs, for start (CONF_START_ROOM_n).
export CONF_ROOM=conformance-room
export CONF_STOP_ROOM_1=conformance-stop-1 CONF_STOP_ROOM_2=conformance-stop-2
export CONF_START_ROOM_1=conformance-start-1 CONF_START_ROOM_2=conformance-start-2
export CONF_DOOMED_ROOM=conformance-doomed
export CONF_HOST=conf-host CONF_GUEST=conf-guest CONF_VICTIM=conf-victim
export CONF_WAITER=conf-waiter CONF_REJECTEE=conf-rejectee CONF_RETURNEE=conf-returnee
export CONF_HOST_TOKEN; CONF_HOST_TOKEN="$(mint "$CONF_HOST" host)"
guest_token="$(mint "$CONF_GUEST" participant)"
{
  echo "$CONF_ROOM $CONF_HOST $CONF_HOST_TOKEN"
  echo "$CONF_ROOM $CONF_GUEST $guest_token"
  echo "$CONF_ROOM $CONF_VICTIM $(mint "$CONF_VICTIM" participant)"
  echo "$CONF_ROOM $CONF_WAITER $(mint "$CONF_WAITER" participant)"
  echo "$CONF_ROOM $CONF_REJECTEE $(mint "$CONF_REJECTEE" participant)"
  echo "$CONF_ROOM $CONF_RETURNEE $(mint "$CONF_RETURNEE" participant)"
  for room in "$CONF_STOP_ROOM_1" "$CONF_STOP_ROOM_2" "$CONF_START_ROOM_1" "$CONF_START_ROOM_2"; do
    echo "$room $CONF_HOST $CONF_HOST_TOKEN"
  done
} > "$OUT/tokens"

# call METHOD PATH [curl args...]: the response body; fails on a non-2xx.
call() {
  local method=$1 path=$2; shift 2
  curl -sS --fail-with-body -X "$method" "$@" "$BASE$path"
}
host=(-H "Authorization: Bearer $CONF_HOST_TOKEN")
guest=(-H "Authorization: Bearer $guest_token")
admin=(-u "$RTC_ADMIN_API_KEY:$RTC_ADMIN_API_SECRET")
json=(-H 'content-type: application/json')
field() { "$PY" -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

for room in "$CONF_ROOM" "$CONF_DOOMED_ROOM"; do
  call POST /webrtc/admin/rooms "${admin[@]}" "${json[@]}" -d "{\"room_id\":\"$room\"}" >/dev/null
done
# The victim is kicked (and maybe banned); the waiter and the rejectee are
# kept in the waiting room (for admit and reject; a rejected one stays out);
# the returnee is sent there (return) and let back in.
"$PY" "$here/ws_keeper.py" "$BASE" "$CONF_ROOM" "$OUT/tokens" "$OUT/ws.ready" \
  --victim "$CONF_VICTIM" --waiter "$CONF_WAITER" --waiter "$CONF_REJECTEE" 2> "$OUT/ws_keeper.log" &
pids+=($!)
keeper_pid=${pids[-1]}
for _ in $(seq 300); do
  [ -f "$OUT/ws.ready" ] && break
  kill -0 "$keeper_pid" 2>/dev/null || break
  sleep 0.1
done
[ -f "$OUT/ws.ready" ] || { cat "$OUT/ws_keeper.log" >&2; echo "participants did not join" >&2; exit 1; }

r="/webrtc/rooms/$CONF_ROOM"

export CONF_BREAKOUT CONF_DOOMED_BREAKOUT
CONF_BREAKOUT="$(call POST "$r/breakout-rooms" "${host[@]}" "${json[@]}" -d '{"name":"fixture"}' | field id)"
CONF_DOOMED_BREAKOUT="$(call POST "$r/breakout-rooms" "${host[@]}" "${json[@]}" -d '{"name":"doomed"}' | field id)"

# Transfers. Host -> guest: two peer-to-peer ones accepted (progress; pause
# and resume), a server-mode one accepted (chunks), one to cancel. Guest ->
# host: a finished one (download, missing), one offered to accept and one
# to reject.
printf 'conformance' > "$OUT/file.bin"
sha="$(sha256sum "$OUT/file.bin" | cut -d' ' -f1)"
offer() { # MODE RECEIVER TOKEN-ARGS... -> transfer id
  local mode=$1 to=$2; shift 2
  call POST "$r/file-transfer/offer" "$@" "${json[@]}" \
    -d "{\"receiver\":\"$to\",\"file_name\":\"fixture.txt\",\"file_size\":11,\"sha256\":\"$sha\",\"mode\":\"$mode\"}" |
    field transfer_id
}
export CONF_TRANSFER CONF_PAUSED_TRANSFER CONF_UPLOAD_TRANSFER CONF_DOOMED_TRANSFER CONF_DONE_TRANSFER CONF_OFFERED_TRANSFER CONF_REJECTED_TRANSFER
CONF_TRANSFER="$(offer peer_to_peer "$CONF_GUEST" "${host[@]}")"
call POST "$r/file-transfer/$CONF_TRANSFER/accept" "${guest[@]}" >/dev/null
CONF_PAUSED_TRANSFER="$(offer peer_to_peer "$CONF_GUEST" "${host[@]}")"
call POST "$r/file-transfer/$CONF_PAUSED_TRANSFER/accept" "${guest[@]}" >/dev/null
CONF_UPLOAD_TRANSFER="$(offer server "$CONF_GUEST" "${host[@]}")"
call POST "$r/file-transfer/$CONF_UPLOAD_TRANSFER/accept" "${guest[@]}" >/dev/null
CONF_DOOMED_TRANSFER="$(offer server "$CONF_GUEST" "${host[@]}")"
CONF_DONE_TRANSFER="$(offer server "$CONF_HOST" "${guest[@]}")"
call POST "$r/file-transfer/$CONF_DONE_TRANSFER/accept" "${host[@]}" >/dev/null
call PUT "$r/file-transfer/$CONF_DONE_TRANSFER/chunks/0?sha256=$sha" "${guest[@]}" \
  -H 'content-type: application/octet-stream' --data-binary "@$OUT/file.bin" >/dev/null
CONF_OFFERED_TRANSFER="$(offer server "$CONF_HOST" "${guest[@]}")"
CONF_REJECTED_TRANSFER="$(offer server "$CONF_HOST" "${guest[@]}")"

# Recordings: a finished one with real media (download, link, thumbnail), a
# running one (chunks, status) and, in the stop rooms, one for each route
# family's DELETE and actions (stop, pause, resume).
ffmpeg -v error -y -f lavfi -i testsrc=size=160x120:rate=10 -f lavfi -i sine=frequency=440 \
  -t 1 -c:v libvpx -b:v 100k -c:a libopus -f webm "$OUT/clip.webm"
start_recording() { call POST "/webrtc/rooms/$1/recordings/start?source=client" "${host[@]}" | field recording_id; }
export CONF_DONE_RECORDING CONF_RECORDING CONF_DOOMED_RECORDING_1 CONF_DOOMED_RECORDING_2
CONF_DONE_RECORDING="$(start_recording "$CONF_ROOM")"
call PUT "$r/recordings/$CONF_DONE_RECORDING/chunks/0" "${host[@]}" \
  -H 'content-type: video/webm' --data-binary "@$OUT/clip.webm" >/dev/null
call POST "$r/recordings/$CONF_DONE_RECORDING/stop" "${host[@]}" >/dev/null
for _ in $(seq 100); do
  status="$(call GET "$r/recordings/$CONF_DONE_RECORDING/status" "${host[@]}" | field status)"
  [ "$status" = processing ] || break
  sleep 0.2
done
[ "$status" = completed ] || { echo "the fixture recording ended as $status" >&2; exit 1; }
CONF_RECORDING="$(start_recording "$CONF_ROOM")"
CONF_DOOMED_RECORDING_1="$(start_recording "$CONF_STOP_ROOM_1")"
CONF_DOOMED_RECORDING_2="$(start_recording "$CONF_STOP_ROOM_2")"

# A signed link (GET /webrtc/links/{key}) to the finished recording.
link="$(call GET "$r/recordings/$CONF_DONE_RECORDING/link" "${host[@]}" | field url)"
export CONF_LINK_KEY CONF_LINK_EXPIRES CONF_LINK_SIG
read -r CONF_LINK_KEY CONF_LINK_EXPIRES CONF_LINK_SIG < <("$PY" -c '
import sys, urllib.parse as u
p = u.urlsplit(sys.argv[1]); q = dict(u.parse_qsl(p.query))
print(u.unquote(p.path.removeprefix("/webrtc/links/")), q["expires"], q["sig"])' "$link")

export CONF_STREAM
CONF_STREAM="$(call POST "$r/live-streams/start" "${host[@]}" "${json[@]}" -d '{"title":"fixture"}' | field stream_id)"

echo "fixtures: room $CONF_ROOM; breakout $CONF_BREAKOUT; transfer $CONF_TRANSFER; recording $CONF_RECORDING; stream $CONF_STREAM"

# ---- the run ----
export CONF_DIR="$here"
# Schemathesis' cache (`st replay`) and Hypothesis' example database (known
# failures are tried first next time) persist in .services/, not in the tree.
export CONF_STATE="$root/.services/conformance"
export HYPOTHESIS_STORAGE_DIRECTORY="$CONF_STATE/hypothesis"
set +e
"$VENV/bin/st" --config-file "$here/schemathesis.toml" run "$BASE/openapi.json" \
  --checks all --phases coverage,fuzzing,stateful --max-examples 25 \
  --report junit,ndjson --report-junit-path "$OUT/junit.xml" \
  --report-ndjson-path "$OUT/events.ndjson" --no-color "$@"
rc=$?
set -e
if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "the server died during the run; see $OUT/server.log" >&2
  rc=1
fi
echo "reports: $OUT/junit.xml, $OUT/events.ndjson; document: $OUT/openapi.json; server log: $OUT/server.log"
exit "$rc"
