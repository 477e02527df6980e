#!/usr/bin/env bash
# The suite's PostgreSQL pass on its own: a throwaway PostgreSQL 15 on a free localhost
# port (stopped on exit, also on failure), then the tests that touch the database, on it.
# Not yet part of scripts/test.sh (the README's test command): the pass is not green yet
# (issue #12). Usage: scripts/test_postgresql.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
PG_BIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PG_BIN/initdb" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
fi
export HF_HUB_OFFLINE=1
# The server refuses to run as root: as root it runs as the postgres user.
pg_dir="$(mktemp -d)"
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi; }
stop_pg() {
  if [ -f "$pg_dir/data/postmaster.pid" ]; then
    as_pg "'$PG_BIN/pg_ctl' -D '$pg_dir/data' -m immediate -w stop" >/dev/null 2>&1 || true
  fi
  rm -rf "$pg_dir"
}
trap stop_pg EXIT
if [ "$(id -u)" = 0 ]; then chown postgres "$pg_dir"; fi
pg_port="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as_pg "'$PG_BIN/initdb' -D '$pg_dir/data' -U postgres --auth=trust -E UTF8 --no-sync" >/dev/null
as_pg "'$PG_BIN/pg_ctl' -D '$pg_dir/data' -l '$pg_dir/server.log' -w start -o \
  '-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200'" >/dev/null
BUYERGROUPS_TEST_DB="postgresql://postgres@127.0.0.1:$pg_port/postgres" \
  .venv/bin/python -m pytest -m "not e2e" "$@"
