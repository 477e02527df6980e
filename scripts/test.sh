#!/usr/bin/env bash
# Quick start: install into .venv and run lint, security scan and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-dev.txt
export HF_HUB_OFFLINE=1
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/bandit -q -r buyergroups -c pyproject.toml --severity-level medium
.venv/bin/python -m pytest "$@"
