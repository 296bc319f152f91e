#!/usr/bin/env bash
# Benchmarks; every figure comes from one run and is printed with its ratios.
#   1. Fleet-file validation at 5,000 to 40,000 services (scripts/bench_validate.py, offline).
#   2. apply / re-plan / awscli loop against a local moto_server (scripts/bench.py).
#   3. 300 services with and without a 12-day calendar (scripts/bench_calendar.py).
#   scripts/bench.sh [--services 500] [--sample 20]
# moto (and boto3) come from the project's .venv, as in scripts/test.sh; the awscli loop needs
# `aws` on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
if ! "$venv/bin/python" -c 'import moto.server' >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'moto[server]==5.2.1'
fi
cargo build --release --locked --quiet
"$venv/bin/python" scripts/bench_validate.py --binary target/release/ecs-onoff
"$venv/bin/python" scripts/bench.py --binary target/release/ecs-onoff "$@"
"$venv/bin/python" scripts/bench_calendar.py --binary target/release/ecs-onoff
