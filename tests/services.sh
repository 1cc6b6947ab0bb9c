#!/usr/bin/env bash
# Real services for the tests: installs (idempotently) and starts private
# instances on free loopback ports, writes their addresses to
# .services/env, and stops them by PID. See ../shared/design/test-services.md.
#
#   tests/services.sh up     install if needed, start what is not running
#   tests/services.sh down   stop what was started here
#   tests/services.sh env    print the env file (after up)
#
# A variable already set by the user (REDIS_URL, MONGODB_URI, S3_ENDPOINT with S3_BUCKET,
# S3_ACCESS_KEY, S3_SECRET_KEY, AZURITE_BLOB_STORAGE_URL) points the tests at an existing service
# instead, and nothing is started for it.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="$PWD/.services"
ENV="$DIR/env"
# Tools built from source are cached per machine, not per clone.
TOOLS="${RTC_TEST_TOOLS:-$HOME/.cache/rtc-test-tools}"
mkdir -p "$DIR" "$TOOLS"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

apt_install() {
  local SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  if [ ! -f "$DIR/.apt-updated" ]; then $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq && touch "$DIR/.apt-updated"; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null
}

set_env() { # name value
  touch "$ENV"
  grep -v "^$1=" "$ENV" > "$ENV.tmp" || true
  echo "$1=$2" >> "$ENV.tmp"
  mv "$ENV.tmp" "$ENV"
}

redis_up() {
  if [ -n "${REDIS_URL:-}" ]; then set_env REDIS_URL "$REDIS_URL"; return; fi
  command -v redis-server >/dev/null || { echo "installing redis-server (apt)"; apt_install redis-server; }
  local d="$DIR/redis"; mkdir -p "$d"
  if alive "$d/redis.pid"; then return; fi
  local port; port=$(free_port)
  redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --daemonize yes --pidfile "$d/redis.pid" --dir "$d" --logfile "$d/redis.log"
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -p "$port" ping >/dev/null || { echo "redis did not start; see $d/redis.log"; exit 1; }
  set_env REDIS_URL "redis://127.0.0.1:$port"
  echo "redis on 127.0.0.1:$port"
}

wait_port() { # port logfile
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "service on port $1 did not start; see $2"; exit 1
}

s3_up() {
  if [ -n "${S3_ENDPOINT:-}" ]; then
    for v in S3_ENDPOINT S3_BUCKET S3_ACCESS_KEY S3_SECRET_KEY S3_REGION; do
      [ -n "${!v:-}" ] && set_env "$v" "${!v}"
    done
    return
  fi
  local bin="$TOOLS/bin/s3s-fs"
  if [ ! -x "$bin" ]; then
    echo "installing s3s-fs 0.14.1 (an S3 server that checks SigV4; cargo, about 4 minutes)"
    cargo install s3s-fs --version 0.14.1 --features binary --locked --root "$TOOLS" --quiet
  fi
  local d="$DIR/s3"; mkdir -p "$d/data/rtc-test"
  if alive "$d/s3.pid"; then return; fi
  local port; port=$(free_port)
  nohup "$bin" --host 127.0.0.1 --port "$port" --access-key rtc-test-key \
    --secret-key rtc-test-secret-0123456789 "$d/data" > "$d/s3.log" 2>&1 &
  echo $! > "$d/s3.pid"
  wait_port "$port" "$d/s3.log"
  set_env S3_ENDPOINT "http://127.0.0.1:$port"
  set_env S3_BUCKET rtc-test
  set_env S3_ACCESS_KEY rtc-test-key
  set_env S3_SECRET_KEY rtc-test-secret-0123456789
  set_env S3_REGION us-east-1
  echo "s3s-fs on 127.0.0.1:$port"
}

mongo_up() {
  if [ -n "${MONGODB_URI:-}" ]; then set_env MONGODB_URI "$MONGODB_URI"; return; fi
  local venv="$TOOLS/secantusdb"
  if [ ! -x "$venv/bin/secantusd-py" ]; then
    echo "installing secantusdb 0.7.0b3 (a MongoDB wire-protocol server; PyPI)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --pre 'secantusdb==0.7.0b3'
  fi
  local d="$DIR/mongo"; mkdir -p "$d"
  if alive "$d/mongo.pid"; then return; fi
  local port; port=$(free_port)
  nohup "$venv/bin/secantusd-py" --host 127.0.0.1 --port "$port" --storage-path :memory: \
    --cache-size 256M > "$d/mongo.log" 2>&1 &
  echo $! > "$d/mongo.pid"
  wait_port "$port" "$d/mongo.log"
  set_env MONGODB_URI "mongodb://127.0.0.1:$port/?directConnection=true"
  # For tests that stop and restart a database of their own.
  set_env SECANTUSD "$venv/bin/secantusd-py"
  echo "secantusdb on 127.0.0.1:$port"
}

# Azurite, Microsoft's Azure Storage emulator (npm, pinned), which checks
# shared-key and SAS signatures: the Azure signed-URL tests run against it.
azurite_up() {
  if [ -n "${AZURITE_BLOB_STORAGE_URL:-}" ]; then
    set_env AZURITE_BLOB_STORAGE_URL "$AZURITE_BLOB_STORAGE_URL"; return
  fi
  command -v npm >/dev/null || { echo "installing nodejs npm (apt)"; apt_install nodejs npm; }
  local pkg="$TOOLS/azurite"
  if [ ! -x "$pkg/node_modules/.bin/azurite-blob" ]; then
    echo "installing azurite 3.37.0 (the Azure Storage emulator; npm, about 20 s)"
    mkdir -p "$pkg"
    (cd "$pkg" && npm install --no-audit --no-fund --loglevel=error azurite@3.37.0)
  fi
  local d="$DIR/azurite"; mkdir -p "$d"
  if alive "$d/azurite.pid"; then return; fi
  local port; port=$(free_port)
  nohup "$pkg/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$port" \
    --inMemoryPersistence --skipApiVersionCheck > "$d/azurite.log" 2>&1 &
  echo $! > "$d/azurite.pid"
  wait_port "$port" "$d/azurite.log"
  set_env AZURITE_BLOB_STORAGE_URL "http://127.0.0.1:$port"
  echo "azurite on 127.0.0.1:$port"
}

ffmpeg_up() {
  command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null && return
  echo "installing ffmpeg (apt)"
  apt_install ffmpeg
}

# The OpenAPI 3.1 validator the API-document test runs (PyPI, pinned).
validator_up() {
  local venv="$TOOLS/openapi-validator"
  if [ ! -x "$venv/bin/openapi-spec-validator" ]; then
    echo "installing openapi-spec-validator 0.9.0 (PyPI)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'openapi-spec-validator==0.9.0'
  fi
  set_env OPENAPI_VALIDATOR "$venv/bin/openapi-spec-validator"
}

down() {
  for pidfile in "$DIR"/*/*.pid; do
    [ -f "$pidfile" ] || continue
    if alive "$pidfile"; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
    rm -f "$pidfile"
  done
  rm -f "$ENV"
}

case "${1:-up}" in
  up) redis_up; s3_up; mongo_up; azurite_up; ffmpeg_up; validator_up ;;
  down) down ;;
  env) cat "$ENV" ;;
  *) echo "usage: $0 up|down|env"; exit 2 ;;
esac
