#!/usr/bin/env bash
# Regenerate requirements.lock: exact versions, with sha256 hashes, of the dependencies and the
# test extras of pyproject.toml, for CPython 3.11 on linux x86_64 (resolved with uv from PyPI),
# within scripts/lock-constraints.txt (versions the locked environment avoids, with reasons).
# Usage: bash scripts/lock.sh [--upgrade | --upgrade-package NAME ...]
set -euo pipefail
cd "$(dirname "$0")/.."
uv="$(command -v uv || true)"
if [ -z "$uv" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  [ -x .venv/bin/uv ] || .venv/bin/pip install --quiet uv
  uv=.venv/bin/uv
fi
"$uv" pip compile pyproject.toml --extra test --generate-hashes \
  --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
  --custom-compile-command "bash scripts/lock.sh" \
  --constraint scripts/lock-constraints.txt \
  --output-file requirements.lock "$@"
