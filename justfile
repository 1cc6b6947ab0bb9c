# Developer commands. `just test` runs everything; `just test <crate>` one crate.
set shell := ["bash", "-euo", "pipefail", "-c"]

# Domain crates that must never depend on a web framework or a database driver.
domain := "kernel auth redact signaling-core reconnection file-transfer recording storage app"

default: test

# Run the server on embedded defaults (in-memory state, no other service).
run *ARGS:
    cargo run -p server --release -- {{ARGS}}

# Run the tests of one crate (package name), or of the whole workspace.
# Starts the real services the tests need first (tests/services.sh), and
# builds the server binary for the tests that run it as a process of its
# own (RTC_SERVER_BIN).
test crate="": services
    set -a; . ./.services/env; set +a; \
    cargo build -q -p server; export RTC_SERVER_BIN="${RTC_SERVER_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/debug/rtc-server}"; \
    if [ -z "{{crate}}" ]; then cargo nextest run --workspace --no-fail-fast && ./tests/browser/run.sh; \
    else cargo nextest run -p {{crate}} --no-fail-fast; fi

# Real WebRTC calls in headless Chromium (installs Chromium and playwright-core).
browser:
    ./tests/browser/run.sh

# The JavaScript client package (clients/js): npm ci, tsc --noEmit, rebuild
# the committed module, its .d.ts and docs/client-api.md (fails if they
# differ from the source), then its Node tests against the real server.
js:
    ./clients/js/check.sh

# Rewrite docs/openapi.json (the REST API document, which the TypeScript
# client's REST types are generated from) from the handlers.
openapi:
    cargo run -q -p server -- openapi > docs/openapi.json

# REST API conformance: schemathesis (pinned, PyPI) runs every operation of
# the server's /openapi.json against the real server, with fixtures
# (tests/conformance: run.sh, schemathesis.toml with the exclusions).
conformance:
    cargo build -q -p server
    ./tests/conformance/run.sh

# Rebuild the committed client REST types (src/api-types.ts, generated from
# docs/openapi.json by build.mjs), module and API reference from clients/js/src.
js-build:
    cd clients/js && node scripts/deps.mjs && node scripts/build.mjs && node scripts/api-doc.mjs

# Install (if needed) and start private Redis etc. for the tests.
services:
    ./tests/services.sh up

# Stop the services started by `just services`.
services-down:
    ./tests/services.sh down

# Formatting and lints, as CI runs them.
lint:
    cargo fmt --all -- --check
    cd fuzz && cargo fmt -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Architecture invariants (docs/ARCHITECTURE.md): domain crates know no
# actix, Redis or MongoDB; the kernel depends on no workspace crate;
# reconnection and recording get their basics from the kernel, not the room
# crate; only adapters (storage, webhooks' sender, redis-adapter,
# mongo-adapter) use HTTP, object-store or database clients directly.
layering:
    for c in {{domain}}; do \
      if cargo tree -p "$c" -e normal --prefix none | grep -Eq '^(actix|actix-web|actix-ws|awc|redis|deadpool-redis|mongodb) '; then \
        echo "layering violation: $c depends on I/O it must reach through a port"; exit 1; fi; \
    done; \
    if cargo tree -p kernel -e normal --prefix none --depth 1 | tail -n +2 | grep -Eq '^(auth|signaling-core|reconnection|file-transfer|recording|storage|webhooks|redact|redis-adapter|mongo-adapter|media-ffmpeg|app|server) '; then \
      echo "layering violation: kernel depends on a workspace crate"; exit 1; fi; \
    for c in reconnection recording file-transfer; do \
      if cargo tree -p "$c" -e normal --prefix none | grep -Eq '^signaling-core '; then \
        echo "layering violation: $c depends on the room crate; shared basics come from kernel"; exit 1; fi; \
    done; \
    for c in kernel auth redact signaling-core reconnection file-transfer recording media-ffmpeg app media; do \
      if cargo tree -p "$c" -e normal --prefix none --depth 1 | tail -n +2 | grep -Eq '^(reqwest|object_store|redis|deadpool-redis|mongodb) '; then \
        echo "layering violation: $c uses an HTTP, object-store or database client directly (only adapters may)"; exit 1; fi; \
    done; echo "layering ok"

# Benchmarks (release build; server and load generator on separate cores).
bench:
    ./apps/loadgen/bench.sh

# The SFU under load: forwarded Mbit/s, loss, latency, memory per track
# (docs/performance.md, "Media plane").
bench-media:
    ./apps/loadgen/bench-media.sh

# The Rust client's documentation examples compile (and run where they can).
doc:
    cargo test -p rtc-client --doc

# Everything CI checks.
ci: lint layering test doc js conformance fuzz-smoke bench-smoke

# The whole benchmark for a second per scenario on debug builds: proves it
# still runs (figures come from `just bench`, never from CI).
bench-smoke:
    BENCH_PROFILE=dev BENCH_SECS=1 BENCH_REPS=1 BENCH_IDLE=500 BENCH_MIB=8 BENCH_JOINS=20 ./apps/loadgen/bench.sh
    BENCH_PROFILE=dev BENCH_SECS=1 BENCH_MEDIA_FANOUT=3 BENCH_MEDIA_MEETING=2 ./apps/loadgen/bench-media.sh

# Every fuzz target for 20 s (CI); `just fuzz` runs them longer.
fuzz-smoke:
    ./fuzz/run.sh 20

# Print a development token (HS256 with RTC_JWT_SECRET, else the public
# development secret of a server started without one: --insecure-dev, which warns).
token user room="" role="":
    cargo run -q -p server -- mint-token --insecure-dev --user {{user}} {{ if room != "" { "--room " + room } else { "" } }} {{ if role != "" { "--role " + role } else { "" } }}

# Fuzz every target for SECS seconds each (cargo-fuzz; installs it if missing).
fuzz secs="300":
    ./fuzz/run.sh {{secs}}

# Soak: 10,000 WebSocket connections held 60 s with zero errors.
soak conns="10000" secs="60":
    ./tests/chaos/soak.sh {{conns}} {{secs}}

# Chaos: SIGKILL an instance mid-transfer/recording; restart Redis under load.
chaos:
    ./tests/chaos/failover.sh
    ./tests/chaos/redis-restart.sh
