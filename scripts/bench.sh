#!/usr/bin/env bash
# The side-by-side benchmark in one command: installs what it needs (scripts/setup.sh test: the
# npm devDependencies, TF.js among them, and Chromium), builds the demo (the native CLI and the web
# app), installs the Python peers (numpy, PyTorch) into a local venv (bench/peers/.venv), then
# runs bench/all.mjs: the demo in the browser and natively against numpy, PyTorch and TensorFlow.js,
# timed in interleaved rounds, and prints every figure and ratio (JSON in bench-out/bench.json).
# Figures are recorded in BENCHMARKS.md; nothing here asserts a speed.
#
# Environment (passed through to bench/all.mjs, whose header says more):
#   BENCH_SECONDS=3       timing budget per figure and contestant in a round (windows of 1/5 of it)
#   BENCH_ROUNDS=5        interleaved rounds of the steps/s figures
#   BENCH_SWEEP_ROUNDS=3  rounds of the Fig. 4 sweep, browser against the numpy pool
#   BENCH_TORCH=0         skip PyTorch (a ~4 GB install)
#   PYTHON, OBSTRUCTION_BIN, DIST   override the venv's python, the CLI and the web app that this
#                         script builds (the build still runs)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
cargo build --locked --release --bin obstruction
trunk build

venv="$PWD/bench/peers/.venv"
if [ ! -x "$venv/bin/python" ]; then
  echo "bench: creating $venv"
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import numpy" 2>/dev/null; then
  echo "bench: installing numpy into $venv"
  "$venv/bin/pip" install --quiet numpy
fi
if [ "${BENCH_TORCH:-1}" != "0" ] && ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
  # The registry's default Linux wheel is the CUDA build and pulls the CUDA libraries (about 4 GB
  # in all, a few minutes); it runs on the CPU all the same. No CPU-only wheel is on that registry.
  echo "bench: installing PyTorch into $venv (about 4 GB; BENCH_TORCH=0 skips it)"
  "$venv/bin/pip" install --quiet torch || echo "bench: PyTorch could not be installed; its column will be empty"
fi
# Absolute: bench/all.mjs runs the peers with bench/peers/ as their working directory.
PYTHON="${PYTHON:-$venv/bin/python}" node bench/all.mjs
