"""``copy --from --to``: every table moved exactly between a DuckDB file and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from buyergroups import cli, db, demo
from buyergroups.db import transfer
from buyergroups.errors import ValidationError
from buyergroups.search import indexer
from buyergroups.search.embedder import HashingEmbedder
from tests import pg_support
from tests.db_contents import contents, migrations, sequences
from tests.factories import CRITERION
from tests.ui_support import user_by_email

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_duckdb(tmp_path_factory) -> Path:
    """A demo DuckDB file with its search vectors, one soft-deleted group and an empty list."""
    path = tmp_path_factory.mktemp("copy") / "demo.duckdb"
    conn = db.connect(path)
    demo.seed(conn)
    indexer.sync(conn, HashingEmbedder())
    with db.transaction(conn) as cur:
        cur.execute(
            "UPDATE buyer_groups SET deleted_at = ?, cpv_codes = [] WHERE id = 9", [db.now()]
        )
        cur.execute("SELECT nextval('comments_id_seq')")  # a sequence ahead of its table
    conn.close()
    return path


def _open(target: Path | str) -> db.Connection:
    return db.connect(target)


def _state(target: Path | str) -> tuple[dict, list, dict]:
    conn = _open(target)
    try:
        return contents(conn), migrations(conn), sequences(conn)
    finally:
        conn.close()


@pytest.mark.postgresql_only
def test_duckdb_to_postgresql_and_back_keeps_every_table_exactly(
    demo_duckdb: Path, tmp_path: Path, capsys
) -> None:
    original, shipped, counters = _state(demo_duckdb)
    assert original["search_items"] and original["tenders"] and original["activity"]
    with pg_support.empty_database() as url:
        assert cli.main(["copy", "--from", str(demo_duckdb), "--to", url]) == 0
        out = capsys.readouterr().out
        total = sum(len(rows) for rows in original.values())
        assert out.startswith(f"Copied {total} rows in {len(original)} tables from ")
        assert _state(url) == (original, shipped, counters)
        back = tmp_path / "back.duckdb"
        assert cli.main(["copy", "--from", url, "--to", str(back)]) == 0
    assert _state(back) == (original, shipped, counters)


@pytest.mark.postgresql_only
def test_a_copied_postgresql_database_takes_new_saves(demo_duckdb: Path) -> None:
    from buyergroups import criteria

    with pg_support.empty_database() as url:
        transfer.copy_database(demo_duckdb, url)
        facilitator = user_by_email(url, "joost.verhagen@demo.buyergroups.example")
        conn = db.connect(url)
        try:
            with db.reading(conn) as cur:
                group_id = db.value(
                    cur, "SELECT group_id FROM group_users WHERE user_id = ?", [facilitator.id]
                )
                highest = db.value(cur, "SELECT max(id) FROM criteria")
            new_id = criteria.create_criterion(conn, facilitator, group_id, **CRITERION)
            saved = criteria.get_criterion(conn, facilitator, new_id)
        finally:
            conn.close()
    assert new_id == highest + 1
    assert saved["title"] == CRITERION["title"]


@pytest.mark.postgresql_only
def test_a_target_that_holds_data_is_refused_and_left_alone(demo_duckdb: Path, capsys) -> None:
    with pg_support.empty_database() as url:
        transfer.copy_database(demo_duckdb, url)
        before = _state(url)
        assert cli.main(["copy", "--from", str(demo_duckdb), "--to", url]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: The target {url} is not empty (action_plans, ")
        assert err.count("\n") == 1
        assert _state(url) == before


def test_a_duckdb_target_that_holds_data_is_refused(demo_duckdb: Path, tmp_path: Path) -> None:
    target = tmp_path / "filled.duckdb"
    conn = db.connect(target)
    with db.transaction(conn) as cur:
        db.set_meta(cur, "dataset", "real")
    conn.close()
    with pytest.raises(ValidationError, match=r"is not empty \(meta hold rows\)"):
        transfer.copy_database(demo_duckdb, target)


def test_a_target_of_a_newer_schema_is_refused(demo_duckdb: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "newer.duckdb"
    conn = db.connect(target)
    with db.transaction(conn) as cur:
        cur.execute("INSERT INTO schema_migrations VALUES ('9999_future.sql', ?)", [db.now()])
    conn.close()
    latest = db.migration_files()[-1][0][:4]
    assert cli.main(["copy", "--from", str(demo_duckdb), "--to", str(target)]) == 2
    assert capsys.readouterr().err == (
        f"error: The target {target} has schema version 9999, not this program's {latest};"
        " copy into a new DuckDB file or an empty PostgreSQL database.\n"
    )
    assert target.exists()  # not the copy's own file: left where it was


def test_copy_from_a_missing_file_or_onto_itself_exits_2(demo_duckdb: Path, tmp_path) -> None:
    missing = tmp_path / "missing.duckdb"
    for source, target, said in [
        (missing, tmp_path / "new.duckdb", f"error: {missing} does not exist.\n"),
        (demo_duckdb, demo_duckdb, "error: The source and the target are the same database.\n"),
    ]:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "buyergroups",
                "copy",
                "--from",
                str(source),
                "--to",
                str(target),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        assert (done.returncode, done.stderr) == (2, said)
    assert not (tmp_path / "new.duckdb").exists()
