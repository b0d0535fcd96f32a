#!/usr/bin/env bash
# The side-by-side benchmark in one command: builds the demo, installs the peers (numpy, PyTorch)
# into a local venv (bench/peers/.venv), then runs the demo's native and browser benchmarks and the
# peers on this machine and prints every figure and ratio (bench/all.mjs; JSON in bench-out/).
# Figures are recorded in BENCHMARKS.md; nothing here asserts a speed.
#   BENCH_SECONDS=3  timing budget per figure      BENCH_TORCH=0  skip PyTorch (a ~4 GB install)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
cargo build --locked --release --bin obstruction
trunk build

venv=bench/peers/.venv
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
PYTHON="$venv/bin/python" node bench/all.mjs
