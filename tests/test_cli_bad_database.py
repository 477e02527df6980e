"""A database the command line cannot use: one line on stderr, exit code 2, no traceback.

Run through the real command line (a subprocess), as an operator types it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from buyergroups import db

ROOT = Path(__file__).resolve().parents[1]
LATEST = db.migration_files()[-1][0][:4]


def _run(*words: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "buyergroups", *words],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), "BUYERGROUPS_SEED_DEMO": "0"},
        timeout=120,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _one_line(done: subprocess.CompletedProcess, start: str) -> str:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(start), done.stderr
    return done.stderr


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql://nohost.invalid/x", "failed to resolve host 'nohost.invalid'"),
        ("postgresql://[bad", 'matching "]" in IPv6 host address'),
        ("postgresql://bg@127.0.0.1:notaport/x", 'invalid integer value "notaport"'),
        ("postgresql://bg@127.0.0.1:{port}/x", "Connection refused"),
        ("postgresql://bg:s3cret@127.0.0.1:{port}/x", "Connection refused"),
    ],
)
@pytest.mark.parametrize(
    "command", [["init"], ["user", "list"], ["backup", "out.dump"], ["export", "tenders"]]
)
def test_a_wrong_url_or_a_refused_connection_is_one_line(
    url: str, reason: str, command: list[str], tmp_path: Path
) -> None:
    url = url.format(port=_free_port())
    done = _run("--db", url, *command, cwd=tmp_path)
    shown = url.replace(":s3cret@", ":***@")
    said = _one_line(done, f"error: Cannot open the database {shown}: ")
    assert reason in said and "s3cret" not in said
    assert list(tmp_path.iterdir()) == []  # no backup file, no folder named after the URL


def test_a_copy_to_or_from_a_server_that_refuses_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql://bg@127.0.0.1:{_free_port()}/x"
    source = tmp_path / "source.duckdb"
    db.connect(source).close()
    for words in (["--from", url, "--to", "new.duckdb"], ["--from", str(source), "--to", url]):
        said = _one_line(_run("copy", *words, cwd=tmp_path), "error: Cannot open the database ")
        assert "Connection refused" in said
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.duckdb"]


@pytest.mark.parametrize("typed", ["postgresl://bg@db.example/buyergroups", "postgresql:/x"])
def test_a_mistyped_url_is_not_taken_for_a_file(typed: str, tmp_path: Path) -> None:
    done = _run("--db", typed, "init", cwd=tmp_path)
    _one_line(done, "error: ")
    assert "is neither a DuckDB file nor a PostgreSQL URL" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_duckdb_file_of_a_newer_schema_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "newer.duckdb"
    conn = db.connect(path)
    with db.transaction(conn) as cur:
        cur.execute("INSERT INTO schema_migrations VALUES ('9999_future.sql', ?)", [db.now()])
    conn.close()
    for command in (["init"], ["user", "list"], ["demo"]):
        done = _run("--db", str(path), *command)
        assert _one_line(done, "error: ") == (
            f"error: The database has schema version 9999, newer than this program's {LATEST}:"
            " upgrade the program.\n"
        )


@pytest.mark.postgresql_only
def test_a_postgresql_database_of_a_newer_schema_is_one_line(db_path: str) -> None:
    conn = db.connect(db_path)
    with db.transaction(conn) as cur:
        cur.execute("INSERT INTO schema_migrations VALUES ('9999_future.sql', ?)", [db.now()])
    conn.close()
    for command in (["init"], ["user", "list"]):
        done = _run("--db", db_path, *command)
        assert _one_line(done, "error: ") == (
            f"error: The database has schema version 9999, newer than this program's {LATEST}:"
            " upgrade the program.\n"
        )


@pytest.mark.postgresql_only
def test_a_database_missing_on_a_running_server_is_one_line(db_path: str) -> None:
    parts = urlsplit(db_path)
    missing = urlunsplit(parts._replace(path="/no_such_database"))
    said = _one_line(_run("--db", missing, "init"), f"error: Cannot open the database {missing}: ")
    assert 'database "no_such_database" does not exist' in said
