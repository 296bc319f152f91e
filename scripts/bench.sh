#!/usr/bin/env bash
# Fleet benchmark against a local moto_server (see scripts/bench.py); prints figures and ratios.
#   scripts/bench.sh [--services 500] [--sample 20]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c 'import moto.server' >/dev/null 2>&1; then
  python3 -m pip install --quiet 'moto[server]'
fi
cargo build --release --locked --quiet
exec python3 scripts/bench.py --binary target/release/ecs-onoff "$@"
