"""Process-wide resources and the signed-in user, for pages.

The DuckDB connection is cached once per process and database path; package
functions open a fresh cursor from it for every unit of work, which is what
keeps Streamlit's session threads from reading each other's results.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import streamlit as st
from streamlit.errors import StreamlitAPIException

from buyergroups import db, demo
from buyergroups.accounts.users import User
from buyergroups.config import Settings, load_settings
from buyergroups.errors import BuyerGroupsError, NotSignedIn, msg
from ui.i18n import N_, error_text, t


def settings() -> Settings:
    """Settings from the environment (read per run; cheap).

    A setting the package cannot use stops the page with its message (no traceback).
    """
    try:
        return load_settings()
    except BuyerGroupsError as exc:
        st.error(error_text(exc))
        st.stop()


# The resources this process has built, so that only their first build shows a spinner.
_BUILT: set[tuple[object, ...]] = set()


@contextlib.contextmanager
def loading(key: tuple[object, ...], text: str) -> Iterator[None]:
    """A spinner with ``text`` in the session's language while ``key`` is built the first time.

    ``st.cache_resource(show_spinner=...)`` takes its text once, in no particular
    language; its cached functions use ``show_spinner=False`` and this instead.
    """
    if key in _BUILT:
        yield
        return
    with st.spinner(t(text)):
        yield
    _BUILT.add(key)


@st.cache_resource(show_spinner=False)
def _open(db_path: str, seed_demo: bool) -> db.Connection:
    conn = db.connect(db_path)
    if seed_demo:
        demo.seed_if_empty(conn)
    return conn


def connection() -> db.Connection:
    """The process-wide connection to the configured database (migrated, demo-seeded)."""
    current = settings()
    key = (str(current.db_path), current.seed_demo)
    try:
        with loading(("database", *key), N_("Opening the database…")):
            return _open(*key)
    except BuyerGroupsError as exc:  # e.g. the file is held by another process
        st.error(error_text(exc))
        st.stop()


ENTRY_FILE = "streamlit_app.py"


def current_user() -> User:
    """The signed-in user; the entry file's login gate guarantees one.

    On a fresh server, before any session has set up the navigation, Streamlit
    may run a file of pages/ on its own (file-based routing, e.g. a bookmarked
    /co2): such a visitor is sent through the entry file's sign-in gate first.
    """
    user = st.session_state.get("auth_user")
    if user is None:
        with contextlib.suppress(StreamlitAPIException):  # not reachable (a test host)
            st.switch_page(ENTRY_FILE)
        raise NotSignedIn(msg("Please sign in first."))
    return user
