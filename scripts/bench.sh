#!/usr/bin/env bash
# Runs the benchmarks (native and in headless Chromium) and prints their figures as JSON.
# Figures are recorded in BENCHMARKS.md; nothing here asserts a speed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
cargo build --locked --release --bin obstruction
trunk build
node bench/browser.mjs
