"""Shared fixtures: a fresh migrated DuckDB file per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from buyergroups import db

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


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
