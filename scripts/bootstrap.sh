#!/usr/bin/env bash
# Fresh machine set-up: install into .venv, import the data snapshots, verify every claim.
# Usage: bash scripts/bootstrap.sh [SHARED_DATA_DIR]   (default ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e ".[test]"
# One named vintage "202602": the 202602 factors and size portfolios, the 2x3 / daily files of
# 202510, the 5-factor and momentum files of 202511, and the FRED snapshot of 2026-08-10.
.venv/bin/smallcap-bt data import --vintage 202602 --default \
  "$data/french/202602" "$data/french/202510" "$data/french/202511" "$data/fred/2026-08-10"
.venv/bin/smallcap-bt data list --vintage 202602
.venv/bin/smallcap-bt verify --vintage 202602
