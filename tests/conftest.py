"""Shared fixtures: a fresh migrated database per test, on DuckDB or on PostgreSQL.

By default every database is a DuckDB file. With ``BUYERGROUPS_TEST_DB`` set to
a PostgreSQL server's URL (``postgresql://user@host:port/postgres``, an account
that may create databases) the database fixtures (``db_path``, ``conn``,
``world``, ``demo_template``, ``app_db``) give a fresh PostgreSQL database per
test instead, made from a template migrated (or demo-seeded) once per session,
and only the tests that use one of them run: the others (parsers, i18n,
layers, pure functions) do not touch the engine and ran on DuckDB already.
Tests marked ``duckdb_only`` test DuckDB itself (its file, lock or EXPORT) and
are left out of that pass; ``postgresql_only`` ones run only in it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from buyergroups import db
from tests import pg_support

DB_FIXTURES = {"db_path", "conn", "world", "demo_template", "app_db"}


def pytest_collection_modifyitems(config, items) -> None:
    """On PostgreSQL, keep only the tests that use a database fixture."""
    on_postgres = pg_support.server_url() is not None
    kept, dropped = [], []
    for item in items:
        uses_db = bool(DB_FIXTURES & set(getattr(item, "fixturenames", ())))
        marked_duck = item.get_closest_marker("duckdb_only") is not None
        marked_pg = item.get_closest_marker("postgresql_only") is not None
        keep = ((uses_db or marked_pg) and not marked_duck) if on_postgres else not marked_pg
        (kept if keep else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture
def db_path(tmp_path: Path) -> Iterator[Path | str]:
    """A DuckDB file path, or (on PostgreSQL) the URL of a fresh migrated database."""
    if pg_support.server_url() is None:
        yield tmp_path / "test.duckdb"
        return
    with pg_support.fresh_database(pg_support.migrated_template()) as url:
        yield url


@pytest.fixture
def conn(db_path: Path) -> Iterator[db.Connection]:
    connection = db.connect(db_path)
    yield connection
    connection.close()


@pytest.fixture
def world(conn: db.Connection):
    from tests.factories import make_world

    return make_world(conn)


def pytest_sessionfinish(session, exitstatus) -> None:
    """Close the connections AppTests cached, so nothing is left open at interpreter exit."""
    import gc
    import sys

    if "streamlit" in sys.modules:
        sys.modules["streamlit"].cache_resource.clear()
    gc.collect()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path | str:
    """A demo-seeded database file (or PostgreSQL template database), built once per session."""
    from tests.ui_support import seed_demo_file

    if pg_support.server_url() is not None:
        return pg_support.demo_template(seed_demo_file)
    return seed_demo_file(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def app_db(
    demo_template: Path | str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path | str]:
    """A private copy of the demo database that the app under AppTest opens."""
    from tests.ui_support import copy_db

    monkeypatch.setenv("BUYERGROUPS_SEED_DEMO", "0")
    if pg_support.server_url() is not None:
        with pg_support.fresh_database(str(demo_template)) as url:
            monkeypatch.setenv("BUYERGROUPS_DB", url)
            yield url
            _close_cached_connections()
        return
    path = copy_db(demo_template, tmp_path)
    monkeypatch.setenv("BUYERGROUPS_DB", str(path))
    yield path


def _close_cached_connections() -> None:
    """Pools the app cached on a database about to be dropped are closed first."""
    import sys

    if "streamlit" in sys.modules:
        sys.modules["streamlit"].cache_resource.clear()


if os.environ.get("BUYERGROUPS_TEST_DB", "").startswith("postgres"):
    # The per-test databases are dropped at the end of the session too, whatever happened.
    pytest_unconfigure = pg_support.drop_leftovers
