#!/usr/bin/env bash
# Sets up what is missing, then runs every test: lints, native tests, wasm tests in headless
# Chromium, and the end-to-end tests of the built site.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true

echo "==> format and lints"
cargo fmt --all --check
cargo clippy --locked --workspace --all-targets --release -- -D warnings
cargo clippy --locked --workspace --lib --tests --target wasm32-unknown-unknown -- -D warnings

echo "==> native tests (core, charts, command line)"
cargo test --locked --release --workspace

echo "==> wasm tests in headless Chromium (wasm-bindgen-test)"
cargo test --locked --target wasm32-unknown-unknown --test web

echo "==> site build (trunk build) and end-to-end tests (playwright-core + Chromium)"
trunk build
node scripts/build-single.mjs
node --test tests/e2e/
