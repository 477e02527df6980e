"""Every table of a database as comparable rows, on either engine (for exact-copy tests)."""

from __future__ import annotations

from typing import Any

import numpy as np

from buyergroups import db
from buyergroups.db import transfer


def _comparable(value: Any) -> Any:
    # A vector is a float32 list on DuckDB and float32 bytes on PostgreSQL: compare the floats.
    if isinstance(value, bytes | memoryview):
        return tuple(np.frombuffer(bytes(value), dtype="<f4").tolist())
    if isinstance(value, list):
        return tuple(_comparable(item) for item in value)
    return value


def contents(conn: db.Connection) -> dict[str, list[tuple]]:
    """Every table (``schema_migrations`` aside) → its rows, sorted, in comparable form."""
    with db.reading(conn) as cur:
        found = {}
        for name, columns in transfer.tables(cur).items():
            listed = ", ".join(column for column, _ in columns)
            fetched = cur.execute(f"SELECT {listed} FROM {name}").fetchall()
            found[name] = sorted(
                (tuple(_comparable(value) for value in row) for row in fetched), key=repr
            )
        return found


def migrations(conn: db.Connection) -> list[str]:
    with db.reading(conn) as cur:
        return transfer.applied_migrations(cur)


def sequences(conn: db.Connection) -> dict[str, int]:
    """Each id sequence's last value."""
    with db.reading(conn) as cur:
        return {name: transfer.sequence_value(cur, name) for name in transfer.sequences(cur)}
