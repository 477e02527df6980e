"""Fixtures of the search tests: a temporary DuckDB file and the hashing test embedder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from buyergroups import db
from buyergroups.search.embedder import HashingEmbedder


@pytest.fixture
def search_conn(tmp_path: Path) -> Iterator[db.Connection]:
    connection = db.connect(tmp_path / "t.duckdb")
    yield connection
    connection.close()


@pytest.fixture
def hashing() -> HashingEmbedder:
    return HashingEmbedder(dim=64)
