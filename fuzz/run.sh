#!/usr/bin/env bash
# Runs every fuzz target for SECS seconds (default 300). cargo-fuzz needs
# nightly-only sanitizer flags; RUSTC_BOOTSTRAP=1 lets the machine's stable
# toolchain accept them (no other toolchain can be fetched here). Crashes
# land in fuzz/artifacts/<target>/ and fail the run.
set -euo pipefail
cd "$(dirname "$0")"
SECS=${1:-300}
export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --version 0.13.2 --locked
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O
for t in $(cargo fuzz list); do
  mkdir -p "corpus/$t"
  echo "fuzz $t for ${SECS}s"
  cargo fuzz run -O "$t" "corpus/$t" seeds/"$t" -- -max_total_time="$SECS" -rss_limit_mb=2048 \
    -print_final_stats=1 2>&1 | grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)|ERROR|panicked|SUMMARY" || true
  if ls "artifacts/$t"/crash-* "artifacts/$t"/leak-* "artifacts/$t"/oom-* >/dev/null 2>&1; then
    echo "fuzz $t found a failure: $(ls artifacts/$t)"; exit 1
  fi
done
