"""Storage subcommands: init, backup, restore."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from buyergroups import db
from buyergroups.cli import db_parent, open_db
from buyergroups.config import load_settings
from buyergroups.db import archive


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add init, backup and restore."""
    init = subparsers.add_parser(
        "init", parents=[db_parent()], help="create or migrate the database"
    )
    init.set_defaults(func=_init)
    backup = subparsers.add_parser(
        "backup",
        parents=[db_parent()],
        help="EXPORT DATABASE to a new folder (Parquet files + schema)",
    )
    backup.add_argument("path", help="folder to create")
    backup.set_defaults(func=_backup)
    restore = subparsers.add_parser(
        "restore",
        parents=[db_parent()],
        help="IMPORT DATABASE from a backup folder into a new database file",
    )
    restore.add_argument(
        "path", help="backup folder made by 'backup', or the zip archive the Admin page downloads"
    )
    restore.set_defaults(func=_restore)


def _init(args: argparse.Namespace) -> int:
    conn = open_db(args)
    with db.reading(conn) as cur:
        names = [
            name
            for (name,) in cur.execute(
                "SELECT name FROM schema_migrations ORDER BY name"
            ).fetchall()
        ]
    conn.close()
    print(f"Database ready with migrations: {', '.join(names)}")
    return 0


def _backup(args: argparse.Namespace) -> int:
    conn = open_db(args)
    try:
        target = db.backup(conn, args.path)
    finally:
        conn.close()
    print(f"Backup written to {target}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    path = Path(getattr(args, "db", None) or load_settings().db_path)
    source = Path(args.path)
    if source.is_file():
        with tempfile.TemporaryDirectory(prefix="buyergroups-restore-") as scratch:
            db.restore(path, archive.unpack(source, scratch))
    else:
        db.restore(path, source)
    print(f"Restored {args.path} into {path}")
    return 0
