#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit and property tests, CLI tests, and integration
# tests against a local moto_server. moto (and the checkers of `export`) are installed into a
# project-local virtual environment
# (.venv), never into the system Python, so this works where pip install is refused (PEP 668).
# No real AWS is used.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
# moto_server for the AWS APIs; cfn-lint and python-hcl2 check what `export` writes; parliament
# lints the IAM policies.
requirements=('moto[server]==5.2.1' 'cfn-lint==1.58.0' 'python-hcl2==8.1.4' 'parliament==1.6.4')
if ! "$venv/bin/python" -c 'import moto.server, cfnlint, hcl2, parliament' >/dev/null 2>&1; then
  echo "test.sh: installing ${requirements[*]} into $venv (a project-local virtual environment)" >&2
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    echo "test.sh: 'python3 -m venv' failed: install Python's venv module (Debian: apt-get install python3-venv)" >&2
    exit 1
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
fi
export ECS_ONOFF_TEST_PYTHON="$PWD/$venv/bin/python"

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
