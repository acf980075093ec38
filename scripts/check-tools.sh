#!/usr/bin/env bash
# Checks the tools `make` needs before anything is installed, and says what is missing.
set -euo pipefail

python="${PYTHON:-python3}"
problems=()

if ! command -v "$python" >/dev/null; then
  problems+=("$python not found: install Python 3.11 or newer (Debian: apt-get install python3 python3-venv)")
elif ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  problems+=("$python is $("$python" --version 2>&1); Nodeloom needs Python 3.11 or newer")
elif ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
  else
    problems+=("$python has no venv module: apt-get install python3-venv")
  fi
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  problems+=("node and npm not found: install Node.js 20.19 or newer")
elif ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  problems+=("node is $(node --version); the frontend build (Vite) needs Node.js 20.19 or newer")
fi

if [ ${#problems[@]} -gt 0 ]; then
  printf 'make: cannot set up Nodeloom:\n' >&2
  printf '  - %s\n' "${problems[@]}" >&2
  exit 1
fi
