#!/usr/bin/env bash
# Runs every test stage, even after one fails, then reports each stage and exits
# non-zero if any failed. Services (PostgreSQL, the app server, Chromium) are started
# and stopped by the test suites' own fixtures, so a failing test never leaves them up.
set -uo pipefail
cd "$(dirname "$0")/.."

bin=.venv/bin
results=()
failed=0

stage() {
  local name=$1; shift
  echo
  echo "━━━ $name: $*"
  local started=$SECONDS
  if "$@"; then
    results+=("ok      $name ($((SECONDS - started)) s)")
  else
    results+=("FAILED  $name ($((SECONDS - started)) s)")
    failed=1
  fi
}

stage "lint" "$bin/ruff" check .
stage "format" "$bin/ruff" format --check .
stage "python tests" "$bin/pytest" tests
stage "frontend tests" npm --prefix frontend test
stage "end-to-end tests" "$bin/pytest" e2e

echo
echo "━━━ summary"
printf '  %s\n' "${results[@]}"
exit $failed
