"""A backup as one download, for the Admin page while the app serves.

The app's own connection makes it (so the DuckDB file need not be free): on DuckDB the
storage layer's backup folder packed into one zip archive (:mod:`buyergroups.db.archive`),
on PostgreSQL the ``pg_dump`` file (:mod:`buyergroups.db.pg_tools`);
``python -m buyergroups restore`` takes either. Platform admins only; each download is
in the activity log.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from buyergroups import activity, auth, db
from buyergroups.accounts.users import User

MEDIA_TYPES = {".zip": "application/zip", ".dump": "application/octet-stream"}


def backup_archive(conn: db.Connection, actor: User | None) -> tuple[str, bytes]:
    """(file name, bytes) of a consistent backup of the whole database, for an admin."""
    admin = auth.require_admin(actor)
    stamp = db.now().strftime("%Y%m%d-%H%M%S")
    with tempfile.TemporaryDirectory(prefix="buyergroups-backup-") as scratch:
        made = db.backup_file(conn, Path(scratch))
        data = made.read_bytes()
    with db.transaction(conn) as cur:
        activity.record(cur, admin, "backup", "database", None)
    return f"buyergroups-backup-{stamp}{made.suffix}", data


def media_type(name: str) -> str:
    """The download's media type, from the backup file's name."""
    return MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")
