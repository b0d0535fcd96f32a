#!/usr/bin/env bash
# Builds the single-file offline copy of the demo, dist-single/relu-obstruction.html: one HTML file
# with the wasm and every script and stylesheet inlined, that works opened straight from disk.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh serve
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
trunk build
node scripts/build-single.mjs
