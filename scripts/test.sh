#!/usr/bin/env bash
# Quick start: install into .venv and run lint, security scan and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-dev.txt
# Browser tests drive Debian's Chromium; install it when missing and we may (root + apt).
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null
fi
export HF_HUB_OFFLINE=1
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/bandit -q -r buyergroups -c pyproject.toml --severity-level medium
.venv/bin/python -m pytest "$@"
