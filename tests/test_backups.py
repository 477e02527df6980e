"""The backup download (buyergroups.backups) and backup archives (buyergroups.db.archive)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from buyergroups import backups, cli, db
from buyergroups.accounts import manage
from buyergroups.db import archive
from buyergroups.errors import PermissionDenied, ValidationError


def _contents(conn: db.Connection) -> dict[str, list[tuple]]:
    with db.reading(conn) as cur:
        tables = [
            r["table_name"]
            for r in db.rows(
                cur,
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'main' ORDER BY table_name",
            )
        ]
        return {
            name: sorted(cur.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for name in tables
        }


def test_an_admins_archive_restores_every_table_exactly(conn, tmp_path) -> None:
    from buyergroups import demo

    demo.seed_if_empty(conn)
    admin = manage.create_user(
        conn, None, "Ada", "backup-admin@example.org", "violet-harbour-42", is_admin=True
    )
    name, data = backups.backup_archive(conn, admin)
    before = _contents(conn)
    assert before["buyer_groups"] and before["criteria"] and before["tenders"]
    (tmp_path / name).write_bytes(data)
    restored = tmp_path / "restored.duckdb"
    assert cli.main(["--db", str(restored), "restore", str(tmp_path / name)]) == 0
    copy = db.connect(restored)
    after = _contents(copy)
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
