#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit and property tests, CLI tests, and integration
# tests against a local moto_server (installed here with pip when missing). No real AWS is used.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python3 -c 'import moto.server' >/dev/null 2>&1; then
  echo "moto_server is missing: installing moto[server] with pip" >&2
  python3 -m pip install --quiet 'moto[server]'
fi

cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --locked 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
awk '/^test result:/ { passed += $4; failed += $6 } END { printf "tests: %d passed, %d failed\n", passed, failed }' "$log"
exit "$status"
