#!/usr/bin/env bash
# Installs what relu-obstruction needs, skipping whatever is already there.
#   scripts/setup.sh serve   what the demo needs (wasm target, wasm-bindgen CLI, Trunk, wasm-opt)
#   scripts/setup.sh test    that, plus Chromium, ChromeDriver and playwright-core for the tests
# Safe to run again: a warm run takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE="${1:-test}"
TRUNK_VERSION="0.21.14"
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

step() { printf '==> %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=""
apt_install() {
  if [ -z "$APT_UPDATED" ]; then
    step "apt-get update"
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  step "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

if ! have cargo || ! have rustup; then
  echo "error: Rust (cargo and rustup) is required; install it with rustup first" >&2
  exit 1
fi

if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "Rust target wasm32-unknown-unknown: present"
else
  step "Rust target wasm32-unknown-unknown: installing"
  rustup target add wasm32-unknown-unknown
fi

step "crates: cargo fetch --locked"
cargo fetch --locked --quiet

# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" = "$WB_VERSION" ] \
  && [ "$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}')" = "$WB_VERSION" ]; then
  step "wasm-bindgen CLI $WB_VERSION: present"
else
  step "wasm-bindgen CLI $WB_VERSION: installing (cargo install, about 3 minutes)"
  # Not --locked: the CLI's own lockfile pins a crate version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi

if [ "$(trunk --version 2>/dev/null)" = "trunk $TRUNK_VERSION" ]; then
  step "Trunk $TRUNK_VERSION: present"
else
  step "Trunk $TRUNK_VERSION: installing (cargo install, about 8 minutes)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

if ! have node || ! have npm; then
  apt_install nodejs npm
fi
# npm packages: wasm-opt from binaryen; playwright-core and axe-core for the end-to-end tests;
# TensorFlow.js and esbuild for the benchmark's TF.js peer (bench/tfjs.mjs).
LOCK_HASH="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -x node_modules/.bin/wasm-opt ] && [ -f node_modules/.lock-hash ] \
  && [ "$(cat node_modules/.lock-hash)" = "$LOCK_HASH" ]; then
  step "npm packages (binaryen, playwright-core, axe-core, TensorFlow.js, esbuild): present"
else
  step "npm packages (binaryen, playwright-core, axe-core, TensorFlow.js, esbuild): npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$LOCK_HASH" > node_modules/.lock-hash
fi

if [ "$MODE" = "test" ]; then
  if have chromium && have chromedriver; then
    step "Chromium and ChromeDriver: present"
  else
    apt_install chromium chromium-driver
  fi
fi
step "setup done"
