"""Shared fixtures: a fresh migrated DuckDB file per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from buyergroups import db


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


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
def demo_template(tmp_path_factory) -> Path:
    """A demo-seeded database file, built once per test session."""
    from tests.ui_support import seed_demo_file

    return seed_demo_file(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def app_db(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo database that the app under AppTest opens."""
    from tests.ui_support import copy_db

    path = copy_db(demo_template, tmp_path)
    monkeypatch.setenv("BUYERGROUPS_DB", str(path))
    monkeypatch.setenv("BUYERGROUPS_SEED_DEMO", "0")
    return path
