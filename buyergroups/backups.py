"""A backup as one download, for the Admin page while the app serves.

The app's own connection makes it (so the DuckDB file need not be free): the storage
layer's backup folder packed into one zip archive (:mod:`buyergroups.db.archive`), which
``python -m buyergroups restore`` takes as it takes the folder. Platform admins only;
each download is in the activity log.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from buyergroups import activity, auth, db
from buyergroups.accounts.users import User
from buyergroups.db import archive


def backup_archive(conn: db.Connection, actor: User | None) -> tuple[str, bytes]:
    """(file name, zip bytes) of a consistent backup of the whole database, for an admin."""
    admin = auth.require_admin(actor)
    stamp = db.now().strftime("%Y%m%d-%H%M%S")
    with tempfile.TemporaryDirectory(prefix="buyergroups-backup-") as scratch:
        folder = db.backup(conn, Path(scratch) / "backup")
        data = archive.pack(folder, Path(scratch) / "backup.zip").read_bytes()
    with db.transaction(conn) as cur:
        activity.record(cur, admin, "backup", "database", None)
    return f"buyergroups-backup-{stamp}.zip", data
