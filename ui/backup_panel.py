"""Admin page's Backup tab: prepare a backup of the whole database while the app serves."""

from __future__ import annotations

import streamlit as st

from buyergroups import backups, db
from buyergroups.accounts.users import User
from buyergroups.errors import BuyerGroupsError
from ui.i18n import error_text, number, t


def render(conn: db.Connection, admin: User) -> None:
    """Prepare a backup of the whole database (while the app serves) and offer it."""
    st.caption(
        t(
            "A consistent copy of the whole database as one file, made while the app serves "
            "(a zip archive on DuckDB, a pg_dump archive on PostgreSQL). Bring it back into a "
            "new DuckDB file or an empty PostgreSQL database with: python -m buyergroups "
            "--db NEW_DATABASE restore FILE"
        )
    )
    if st.button(t("Prepare a backup"), key="admin_backup_prepare"):
        try:
            with st.spinner(t("Writing the backup…")):
                st.session_state["admin_backup"] = backups.backup_archive(conn, admin)
        except BuyerGroupsError as exc:
            st.error(error_text(exc))
    prepared = st.session_state.get("admin_backup")
    if prepared:
        name, data = prepared
        st.download_button(
            t("Download {name} ({size} MB)", name=name, size=number(len(data) / 1e6, 1)),
            data=data,
            file_name=name,
            mime=backups.media_type(name),
            key="admin_backup_download",
        )
