#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what it needs (just,
# nextest, and through tests/services.sh a private redis-server), then runs
# `just ci` (format, lints, layering check, every test). CI calls exactly
# this. A missing service fails the tests; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }

if ! need just; then
  echo "installing just (PyPI rust-just)"
  python3 -m pip install --quiet --user rust-just || python3 -m pip install --quiet rust-just
  export PATH="$HOME/.local/bin:$PATH"
fi
if ! need cargo-nextest; then
  echo "installing cargo-nextest"
  cargo install cargo-nextest --locked
fi
rustup component list --installed 2>/dev/null | grep -q clippy || rustup component add clippy rustfmt || true

# A fresh clone gains nothing from incremental caches, which take tens of
# GB across the debug, fuzz and bench builds; on CI they are left out.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi

# Private services for this run, stopped by PID at the end.
trap './tests/services.sh down' EXIT
just ci
