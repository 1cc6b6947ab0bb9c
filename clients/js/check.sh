#!/usr/bin/env bash
# Checks of the JavaScript client package (`just js`, part of `just ci`):
# installs the pinned devDependencies (npm ci, when package-lock.json
# changed), regenerates the REST types from docs/openapi.json
# (src/api-types.ts), type-checks (tsc --noEmit), rebuilds the browser
# module, its declarations and docs/client-api.md and fails if the committed
# copies differ (so a server change that alters the REST document without
# regenerating the client's types fails here), then runs the Node tests
# against the real server. Needs Node 20+ and npm (installed from Debian if
# absent).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "installing nodejs npm"
  export DEBIAN_FRONTEND=noninteractive
  (apt-get install -y --no-install-recommends nodejs npm >/dev/null 2>&1) ||
    { apt-get update -qq && apt-get install -y --no-install-recommends nodejs npm >/dev/null; }
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 20 ]; then
  echo "clients/js needs Node 20 or newer (found $(node --version))" >&2
  exit 1
fi

cd "$here"
node scripts/deps.mjs

echo "== REST types from docs/openapi.json"
node scripts/api-types.mjs
echo "== tsc --noEmit"
node_modules/.bin/tsc --noEmit -p tsconfig.json
echo "== build (module, declarations, API reference)"
node scripts/build.mjs
node scripts/api-doc.mjs
cd "$root"
generated=(clients/js/src/api-types.ts apps/server/web/rtc-client.js apps/server/web/rtc-client.d.ts docs/client-api.md)
if [ -n "$(git status --porcelain -- "${generated[@]}")" ]; then
  git --no-pager diff --stat -- "${generated[@]}"
  git status --short -- "${generated[@]}"
  echo "the committed build differs from clients/js/src or docs/openapi.json; this run rewrote it (\`just js-build\` does only that): commit it" >&2
  exit 1
fi

echo "== node tests against the real server"
cargo build -q -p server
target="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
export RTC_SERVER_BIN="$target/debug/rtc-server"
flags=()
# Node 20 has WebSocket only behind a flag (22 has it by default).
node -e 'process.exit(typeof WebSocket === "function" ? 0 : 1)' || flags+=(--experimental-websocket)
cd "$here"
node "${flags[@]}" --test --test-reporter=spec test/*.test.mjs
