from pathlib import Path

import duckdb
import pytest

from buyergroups import db
from buyergroups.errors import StorageError, ValidationError


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


def test_backup_and_restore_round_trip(conn: db.Connection, tmp_path: Path) -> None:
    with db.transaction(conn) as cur:
        db.set_meta(cur, "dataset", "demo")
    folder = db.backup(conn, tmp_path / "backup")
    restored = tmp_path / "restored.duckdb"
    db.restore(restored, folder)
    other = duckdb.connect(str(restored))
    assert other.execute("SELECT value FROM meta WHERE key = 'dataset'").fetchone() == ("demo",)
    other.close()


def test_restore_refuses_existing_file_and_non_backup(tmp_path: Path, db_path: Path) -> None:
    db.connect(db_path).close()
    with pytest.raises(ValidationError, match="not a backup folder"):
        db.restore(tmp_path / "new.duckdb", tmp_path)
    (tmp_path / "bk").mkdir()
    (tmp_path / "bk" / "schema.sql").write_text("")
    with pytest.raises(ValidationError, match="exists"):
        db.restore(db_path, tmp_path / "bk")
