"""Where the ingest tests find their fixtures and the shared public data."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def shared(*parts: str) -> Path:
    """A path under ../shared/data; skips the test when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not present")
    return path


def fixture_bytes(name: str) -> bytes:
    """The bytes of one of our own fixtures."""
    return (FIXTURES / name).read_bytes()
