"""Storage subcommands: init, backup, restore, copy."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from buyergroups import db
from buyergroups.cli import db_parent, open_db
from buyergroups.config import load_settings
from buyergroups.db import postgres, transfer


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add init, backup, restore and copy."""
    init = subparsers.add_parser(
        "init", parents=[db_parent()], help="create or migrate the database"
    )
    init.set_defaults(func=_init)
    backup = subparsers.add_parser(
        "backup",
        parents=[db_parent()],
        help="a consistent copy while the app serves: a new folder (DuckDB) or file (PostgreSQL)",
    )
    backup.add_argument(
        "path",
        help="DuckDB: a new folder (EXPORT DATABASE); PostgreSQL: a new file (pg_dump archive)",
    )
    backup.set_defaults(func=_backup)
    restore = subparsers.add_parser(
        "restore",
        parents=[db_parent()],
        help="bring a backup back into a new DuckDB file or an empty PostgreSQL database",
    )
    restore.add_argument(
        "path",
        help="backup folder or zip archive (DuckDB), or pg_dump file (PostgreSQL) made by 'backup'"
        " or downloaded on the Admin page",
    )
    restore.add_argument(
        "--replace",
        action="store_true",
        help="PostgreSQL: a database that holds data gets the backup in its place (one transaction)",
    )
    restore.set_defaults(func=_restore)
    copy = subparsers.add_parser(
        "copy",
        help="copy every table from one database to another (DuckDB file <-> PostgreSQL)",
    )
    copy.add_argument(
        "--from", dest="source", required=True, help="DuckDB file or postgresql:// URL"
    )
    copy.add_argument(
        "--to", dest="target", required=True, help="new or empty DuckDB file or PostgreSQL database"
    )
    copy.set_defaults(func=_copy)


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
    # A backup copies the database as it is: no migration first.
    conn = db.connect(getattr(args, "db", None) or load_settings().db_path, migrate_schema=False)
    try:
        target = db.backup(conn, args.path)
    finally:
        conn.close()
    print(f"Backup written to {target}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    target = getattr(args, "db", None) or load_settings().db_path
    db.restore(target, args.path, replace=args.replace)
    print(f"Restored {args.path} into {_shown(target)}")
    return 0


def _copy(args: argparse.Namespace) -> int:
    counts = transfer.copy_database(args.source, args.target, progress=_progress)
    print(
        f"Copied {sum(counts.values())} rows in {len(counts)} tables"
        f" from {_shown(args.source)} to {_shown(args.target)}"
    )
    return 0


def _progress(table: str, copied: int) -> None:
    print(f"  {table}: {copied} rows", file=sys.stderr)


def _shown(target: str | Path) -> str:
    return postgres.display_url(str(target)) if db.is_url(target) else str(target)
