"""The backup download (buyergroups.backups) and backup archives (buyergroups.db.archive)."""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from buyergroups import backups, cli, db
from buyergroups.accounts import manage
from buyergroups.db import archive, pg_tools, postgres
from buyergroups.errors import PermissionDenied, ValidationError
from tests import pg_support
from tests.db_contents import contents, migrations, sequences

ROOT = Path(__file__).resolve().parents[1]


def test_an_admins_archive_restores_every_table_exactly(conn, db_path, tmp_path) -> None:
    """The Admin page's download: a zip archive on DuckDB, the pg_dump file on PostgreSQL."""
    from buyergroups import demo

    demo.seed_if_empty(conn)
    admin = manage.create_user(
        conn, None, "Ada", "backup-admin@example.org", "violet-harbour-42", is_admin=True
    )
    name, data = backups.backup_archive(conn, admin)
    before = contents(conn)
    assert before["buyer_groups"] and before["criteria"] and before["tenders"]
    on_postgres = db.is_url(db_path)
    assert name.endswith(".dump" if on_postgres else ".zip")
    assert backups.media_type(name) == (
        "application/octet-stream" if on_postgres else "application/zip"
    )
    (tmp_path / name).write_bytes(data)
    with contextlib.ExitStack() as stack:
        if on_postgres:
            restored = stack.enter_context(pg_support.empty_database())
        else:
            restored = str(tmp_path / "restored.duckdb")
        assert cli.main(["--db", restored, "restore", str(tmp_path / name)]) == 0
        copy = db.connect(restored)
        after = contents(copy)
        copy.close()
    # The download itself is logged after the copy was taken.
    last_id = max(entry[0] for entry in before["activity"])
    before["activity"] = [entry for entry in before["activity"] if entry[0] != last_id]
    assert after == before
    with db.reading(conn) as cur:
        logged = db.row(cur, "SELECT action, item_kind, user_id FROM activity ORDER BY id DESC")
    assert logged == {"action": "backup", "item_kind": "database", "user_id": admin.id}


def test_only_a_platform_admin_gets_an_archive(world, conn) -> None:
    member = manage.create_user(conn, None, "Max", "max@example.org", "violet-harbour-42")
    with pytest.raises(PermissionDenied):
        backups.backup_archive(conn, member)
    with pytest.raises(PermissionDenied):
        backups.backup_archive(conn, None)


def test_an_archive_with_a_path_outside_its_folder_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as packed:
        packed.writestr("../escape.sql", "x")
    with pytest.raises(ValidationError, match="outside its own folder"):
        archive.unpack(bad, tmp_path / "out")
    assert not (tmp_path / "escape.sql").exists()


def test_restore_of_a_file_that_is_no_archive_exits_2(tmp_path: Path, capsys) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_text("not a zip")
    assert cli.main(["--db", str(tmp_path / "new.duckdb"), "restore", str(junk)]) == 2
    assert "is not a zip archive" in capsys.readouterr().err
    assert not (tmp_path / "new.duckdb").exists()


# --- PostgreSQL: pg_dump and pg_restore -------------------------------------------------


def _state(target: str | Path) -> tuple[dict, list, dict]:
    conn = db.connect(target, migrate_schema=False)
    try:
        return contents(conn), migrations(conn), sequences(conn)
    finally:
        conn.close()


def _run_cli(*words: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "buyergroups", *words],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        check=False,
    )


@pytest.mark.postgresql_only
def test_a_postgresql_backup_made_while_serving_restores_every_table_exactly(
    app_db: str, tmp_path: Path, capsys
) -> None:
    serving = db.connect(app_db)
    before = _state(app_db)
    assert before[0]["search_items"] and before[0]["tenders"] and before[0]["activity"]
    dump = tmp_path / "demo.dump"
    with db.transaction(serving) as cur:  # a save in progress while the backup runs
        db.set_meta(cur, "unsaved", "not in the backup")
        assert cli.main(["--db", app_db, "backup", str(dump)]) == 0
    serving.close()
    assert capsys.readouterr().out == f"Backup written to {dump}\n"
    assert dump.read_bytes()[:5] == b"PGDMP"
    with pg_support.empty_database() as url:
        assert cli.main(["--db", url, "restore", str(dump)]) == 0
        assert _state(url) == before
        # A database that holds data is refused in one line, and left as it was ...
        conn = db.connect(url)
        with db.transaction(conn) as cur:
            cur.execute("DELETE FROM criterion_revisions")
            cur.execute("UPDATE users SET name = 'changed'")
        conn.close()
        changed = _state(url)
        assert cli.main(["--db", url, "restore", str(dump)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: The database {url} is not empty (36 tables); ")
        assert err.endswith("add --replace to put the backup in place of what it holds.\n")
        assert _state(url) == changed
        # ... unless --replace: then the backup takes its place, exactly.
        assert cli.main(["--db", url, "restore", "--replace", str(dump)]) == 0
        assert _state(url) == before


@pytest.mark.postgresql_only
def test_a_failing_dump_is_one_line_and_leaves_no_file(db_path: str, tmp_path: Path) -> None:
    role = f"bg_reader_{secrets.token_hex(3)}"
    with postgres.admin_connection(db_path) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        parts = urlsplit(db_path)
        url = urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port}"))
        done = _run_cli("--db", url, "backup", str(tmp_path / "x.dump"))
    finally:
        with postgres.admin_connection(db_path) as admin:
            admin.execute(f'DROP ROLE "{role}"')
    assert done.returncode == 2
    assert done.stderr.startswith("error: pg_dump failed; no backup was written: query failed: ")
    assert "permission denied" in done.stderr and done.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.postgresql_only
def test_missing_tools_are_one_line_that_says_what_to_install(db_path: str, tmp_path: Path) -> None:
    done = _run_cli(
        "--db",
        db_path,
        "backup",
        str(tmp_path / "x.dump"),
        env={"BUYERGROUPS_PG_BIN": str(tmp_path)},
    )
    assert (done.returncode, done.stderr) == (
        2,
        f"error: pg_dump of PostgreSQL 15 or newer is not installed in {tmp_path}"
        " (BUYERGROUPS_PG_BIN): install the PostgreSQL client tools (Debian:"
        " postgresql-client-15) or set BUYERGROUPS_PG_BIN to the folder that holds them.\n",
    )


@pytest.mark.postgresql_only
def test_restore_into_postgresql_refuses_what_is_no_pg_dump(conn, tmp_path: Path) -> None:
    folder = db.backup(db.connect(tmp_path / "small.duckdb"), tmp_path / "duck")
    zipped = archive.pack(folder, tmp_path / "duck.zip")
    junk = tmp_path / "junk.dump"
    junk.write_text("not a dump")
    with pg_support.empty_database() as url:
        for source, said in [
            (zipped, f"{zipped} is a DuckDB backup: restore it into a new DuckDB file, then move"),
            (junk, f"{junk} is not a PostgreSQL backup (a pg_dump archive in its custom format)."),
        ]:
            done = _run_cli("--db", url, "restore", str(source))
            assert done.returncode == 2
            assert done.stderr.startswith(f"error: {said}")
            assert done.stderr.count("\n") == 1


def test_a_pg_dump_file_is_not_restored_into_a_duckdb_file(tmp_path: Path, capsys) -> None:
    dump = tmp_path / "x.dump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00")
    assert cli.main(["--db", str(tmp_path / "new.duckdb"), "restore", str(dump)]) == 2
    assert capsys.readouterr().err == (
        f"error: {dump} is a PostgreSQL backup (pg_dump): restore it into an empty PostgreSQL"
        " database (--db postgresql://...).\n"
    )


def test_the_password_goes_to_the_tools_environment_never_their_arguments() -> None:
    conninfo, env = pg_tools.connection_parts(
        "postgresql://bg:s3cret%21@db.example:5433/buyergroups?sslmode=require"
    )
    assert conninfo == "user=bg dbname=buyergroups host=db.example port=5433 sslmode=require"
    assert env["PGPASSWORD"] == "s3cret!"
