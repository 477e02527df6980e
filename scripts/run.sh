#!/usr/bin/env bash
# Quick start: install into .venv and run the app on the embedded DuckDB
# (data/buyergroups.duckdb, seeded with the demo dataset on first start).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt
export HF_HUB_OFFLINE=1
exec .venv/bin/streamlit run streamlit_app.py --server.headless true "$@"
