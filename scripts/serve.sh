#!/usr/bin/env bash
# Sets up what is missing, then builds and serves the demo at http://127.0.0.1:8080
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh serve
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
echo "==> serving the demo at http://127.0.0.1:8080 (Ctrl-C to stop)"
exec trunk serve --address 127.0.0.1 --port 8080
