"""Process-wide resources and the signed-in user, for pages.

The DuckDB connection is cached once per process and database path; package
functions open a fresh cursor from it for every unit of work, which is what
keeps Streamlit's session threads from reading each other's results.
"""

from __future__ import annotations

import streamlit as st

from buyergroups import db, demo
from buyergroups.config import Settings, load_settings
from buyergroups.errors import NotSignedIn
from buyergroups.users import User


def settings() -> Settings:
    """Settings from the environment (read per run; cheap)."""
    return load_settings()


@st.cache_resource(show_spinner="Opening the database…")
def _open(db_path: str, seed_demo: bool) -> db.Connection:
    conn = db.connect(db_path)
    if seed_demo:
        demo.seed_if_empty(conn)
    return conn


def connection() -> db.Connection:
    """The process-wide connection to the configured database (migrated, demo-seeded)."""
    current = settings()
    return _open(str(current.db_path), current.seed_demo)


def current_user() -> User:
    """The signed-in user; the entry file's login gate guarantees one."""
    user = st.session_state.get("auth_user")
    if user is None:
        raise NotSignedIn("Please sign in first.")
    return user
