from pathlib import Path

import duckdb
import pytest

from buyergroups import db
from buyergroups.errors import StaleEditError, StorageError, ValidationError, WriteConflict


def test_migrations_apply_to_empty_db_and_are_idempotent(db_path: Path) -> None:
    conn = db.connect(db_path)
    names = [
        n for (n,) in conn.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()
    ]
    assert names == [name for name, _ in db.migration_files()]
    assert names[0] == "0001_init.sql"
    conn.close()
    again = db.connect(db_path)
    assert db.migrate(again) == []
    again.close()


def test_a_database_of_a_newer_schema_is_refused_in_one_line(db_path: Path) -> None:
    conn = db.connect(db_path)
    with db.transaction(conn) as cur:
        cur.execute("INSERT INTO schema_migrations VALUES ('9999_future.sql', ?)", [db.now()])
    conn.close()
    with pytest.raises(StorageError) as refused:
        db.connect(db_path)
    assert str(refused.value) == (
        "The database has schema version 9999, newer than this program's "
        f"{db.migration_files()[-1][0][:4]}: upgrade the program."
    )


def test_transaction_rolls_back_everything_on_error(conn: db.Connection) -> None:
    with pytest.raises(StorageError), db.transaction(conn) as cur:
        cur.execute("INSERT INTO meta VALUES ('a', '1')")
        cur.execute("INSERT INTO no_such_table VALUES (1)")
    assert db.get_meta(conn, "a") is None


def test_transaction_rolls_back_on_python_error(conn: db.Connection) -> None:
    with pytest.raises(RuntimeError), db.transaction(conn) as cur:
        cur.execute("INSERT INTO meta VALUES ('b', '1')")
        raise RuntimeError("boom")
    assert db.get_meta(conn, "b") is None


def test_unique_violation_is_a_validation_error(conn: db.Connection) -> None:
    with db.transaction(conn) as cur:
        cur.execute("INSERT INTO meta VALUES ('k', '1')")
    with pytest.raises(ValidationError), db.transaction(conn) as cur:
        cur.execute("INSERT INTO meta VALUES ('k', '2')")
    assert db.get_meta(conn, "k") == "1"


@pytest.mark.duckdb_only
def test_backup_and_restore_round_trip(conn: db.Connection, tmp_path: Path) -> None:
    with db.transaction(conn) as cur:
        db.set_meta(cur, "dataset", "demo")
    folder = db.backup(conn, tmp_path / "backup")
    restored = tmp_path / "restored.duckdb"
    db.restore(restored, folder)
    other = duckdb.connect(str(restored))
    assert other.execute("SELECT value FROM meta WHERE key = 'dataset'").fetchone() == ("demo",)
    other.close()


@pytest.mark.duckdb_only
def test_restore_refuses_existing_file_and_non_backup(tmp_path: Path, db_path: Path) -> None:
    db.connect(db_path).close()
    with pytest.raises(ValidationError, match="not a backup folder"):
        db.restore(tmp_path / "new.duckdb", tmp_path)
    (tmp_path / "bk").mkdir()
    (tmp_path / "bk" / "schema.sql").write_text("")
    with pytest.raises(ValidationError, match="exists"):
        db.restore(db_path, tmp_path / "bk")


def _items(conn: db.Connection) -> list[tuple]:
    return conn.cursor().execute("SELECT * FROM items ORDER BY id").fetchall()


@pytest.fixture
def items(conn: db.Connection) -> db.Connection:
    with db.transaction(conn) as cur:
        cur.execute(
            "CREATE TABLE items (id INTEGER PRIMARY KEY, title VARCHAR, version INTEGER,"
            " deleted_at TIMESTAMP)"
        )
        cur.execute("INSERT INTO items VALUES (1, 'one', 3, NULL), (2, 'two', 1, '2024-01-01')")
    return conn


def test_compare_and_set_wins_only_on_the_expected_version(items: db.Connection) -> None:
    def save(title: str, expected: int, **options) -> bool:
        with db.transaction(items) as cur:
            return db.compare_and_set(
                cur,
                "items",
                1,
                {"title": title},
                version_column="version",
                expected=expected,
                **{"next_version": expected + 1, **options},
            )

    assert save("stale", 2) is False
    assert _items(items)[0] == (1, "one", 3, None)
    assert save("fresh", 3) is True
    assert _items(items)[0] == (1, "fresh", 4, None)
    assert save("kept version", 4, next_version=None) is True
    assert _items(items)[0] == (1, "kept version", 4, None)


def test_compare_and_set_live_only_skips_a_deleted_row(items: db.Connection) -> None:
    with db.transaction(items) as cur:
        args = (cur, "items", 2, {"title": "x"})
        assert (
            db.compare_and_set(
                *args, version_column="version", expected=1, next_version=2, live_only=True
            )
            is False
        )
        assert db.compare_and_set(*args, version_column="version", expected=1, next_version=2)
    assert _items(items)[1][1:3] == ("x", 2)


def test_compare_and_set_refuses_names_that_are_not_identifiers(items: db.Connection) -> None:
    with pytest.raises(ValueError, match="not an SQL identifier"), db.transaction(items) as cur:
        db.compare_and_set(
            cur,
            "items",
            1,
            {"title = 'x'; --": 1},
            version_column="version",
            expected=3,
            next_version=4,
        )
    assert _items(items)[0] == (1, "one", 3, None)


def test_two_transactions_writing_one_row_end_in_a_write_conflict(items: db.Connection) -> None:
    with db.transaction(items) as first:
        assert db.compare_and_set(
            first,
            "items",
            1,
            {"title": "first"},
            version_column="version",
            expected=3,
            next_version=4,
        )
        with pytest.raises(WriteConflict) as conflict, db.transaction(items) as second:
            db.compare_and_set(
                second,
                "items",
                1,
                {"title": "second"},
                version_column="version",
                expected=3,
                next_version=4,
            )
    # Users see it as before: a stale edit with the same message.
    assert isinstance(conflict.value, StaleEditError)
    assert str(conflict.value) == (
        "Someone else saved the same item at the same moment; nothing of your change was "
        "stored. Reload and try again."
    )
    assert _items(items)[0] == (1, "first", 4, None)
