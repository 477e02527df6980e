"""Helpers for Streamlit AppTests: a demo database per test and a signed-in session."""

from __future__ import annotations

import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

from buyergroups import db, demo
from buyergroups.accounts import sessions
from buyergroups.accounts.users import User, find_by_email
from buyergroups.config import load_settings

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")


def seed_demo_file(folder: Path | str) -> Path | str:
    """A demo-seeded database, its search index embedded with the default model.

    ``folder`` gets a ``demo.duckdb`` file; a PostgreSQL URL is seeded itself.
    Built once per session by the fixture: the app's background warm-up then
    only loads the stored vectors of every copy instead of embedding them again.
    """
    from buyergroups.search import indexer
    from buyergroups.search.embedder import load_embedder

    path = folder if db.is_url(folder) else Path(folder) / "demo.duckdb"
    conn = db.connect(path)
    demo.seed(conn)
    indexer.sync(conn, load_embedder())
    conn.close()
    return path


def copy_db(template: Path, folder: Path) -> Path:
    """A private copy of the template database for one test."""
    target = folder / "app.duckdb"
    shutil.copy(template, target)
    return target


def user_by_email(path: Path, email: str) -> User:
    conn = db.connect(path)
    try:
        with db.reading(conn) as cur:
            found = find_by_email(cur, email)
    finally:
        conn.close()
    assert found is not None, email
    return found


def signed_in_app(path: Path, email: str, *, timeout: float = 30) -> AppTest:
    """An AppTest of the whole app with ``email`` signed in through a real server session.

    The caller sets BUYERGROUPS_DB to ``path`` first (monkeypatch.setenv).
    """
    conn = db.connect(path)
    try:
        with db.reading(conn) as cur:
            user = find_by_email(cur, email)
        assert user is not None, email
        token = sessions.start_session(conn, user.id, load_settings())
    finally:
        conn.close()
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.session_state["auth_token"] = token
    return at


def show_workspace_tab(at: AppTest, name: str) -> AppTest:
    """Open the workspace tab ``name`` (its English label), as a click on it does; runs ``at``.

    Only the open tab of the workspace runs, so a test opens the tab it drives first.
    """
    from buyergroups import i18n

    user = at.session_state["auth_user"]
    at.session_state["workspace_tab"] = i18n.translate(name, i18n.supported(user.language))
    return at.run()
