"""Stored embedding vectors on both engines: the few statements whose SQL differs.

DuckDB keeps a vector as ``FLOAT[]`` (float32 list) and moves passages in and out
as Arrow; PostgreSQL keeps it as ``BYTEA`` holding the float32 values
(little-endian), moved with COPY and fetched rows. Callers write the rest of
their SQL once and ask here for the vector's select expression, its length test,
a bulk insert and a batched read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from buyergroups.db import Connection, engine

_FLOAT32 = np.dtype("<f4")


def select_sql(cur: Connection, column: str, dim: int) -> str:
    """The select expression of vector ``column`` as the engine returns a ``dim`` vector."""
    if engine(cur) == "postgresql":
        return column
    return f"{column}::FLOAT[{int(dim)}]"


def fits_sql(cur: Connection, column: str, dim: int) -> tuple[str, list[Any]]:
    """A condition (and its parameter) true for vectors of ``dim`` values."""
    if engine(cur) == "postgresql":
        return f"length({column}) = ?", [int(dim) * _FLOAT32.itemsize]
    return f"len({column}) = ?", [int(dim)]


def as_array(stored: Any) -> np.ndarray:
    """A stored vector (a DuckDB list or PostgreSQL bytes) as a float32 array."""
    if isinstance(stored, bytes | bytearray | memoryview):
        return np.frombuffer(bytes(stored), dtype=_FLOAT32).astype(np.float32)
    return np.asarray(stored, dtype=np.float32)


def is_vector_type(cur: Connection, data_type: str) -> bool:
    """True for the column type (information_schema's ``data_type``) the engine stores vectors in."""
    if engine(cur) == "postgresql":
        return data_type.lower() == "bytea"
    return data_type.upper() == "FLOAT[]"


def stored_value(cur: Connection, vector: Any) -> Any:
    """A vector read from either engine, as ``cur``'s engine stores it (None stays None)."""
    if vector is None:
        return None
    values = as_array(vector)
    if engine(cur) == "postgresql":
        return values.astype(_FLOAT32).tobytes()
    return values.tolist()


def insert_table(
    cur: Connection,
    target: str,
    table: pa.Table,
    vectors: np.ndarray,
    constants: Mapping[str, Any],
) -> None:
    """Insert the rows of Arrow ``table`` with ``vectors`` (one row each) and ``constants``.

    ``target``, the table's column names and the constants' names are the
    caller's constants, never user text.
    """
    names = list(table.column_names)
    extra = list(constants)
    if engine(cur) == "postgresql":
        _copy_rows(cur, target, table, vectors, constants)
        return
    flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).ravel())
    width = vectors.shape[1] if vectors.ndim == 2 else 0
    incoming = table.append_column("vector", pa.FixedSizeListArray.from_arrays(flat, width))
    cur.register("incoming_vectors", incoming)
    try:
        cur.execute(
            f"INSERT INTO {target} ({', '.join(names)}, vector, {', '.join(extra)})"  # nosec B608
            f" SELECT {', '.join(names)}, vector::FLOAT[], {', '.join('?' for _ in extra)}"
            " FROM incoming_vectors",
            list(constants.values()),
        )
    finally:
        cur.unregister("incoming_vectors")


def _copy_rows(
    cur: Connection,
    target: str,
    table: pa.Table,
    vectors: np.ndarray,
    constants: Mapping[str, Any],
) -> None:
    names = [*table.column_names, "vector", *constants]
    fixed = list(constants.values())
    matrix = np.ascontiguousarray(vectors, dtype=_FLOAT32)
    rows = table.to_pylist()
    sql = f"COPY {target} ({', '.join(names)}) FROM STDIN"  # nosec B608 - fixed names
    with cur.raw.cursor() as raw, raw.copy(sql) as copy:  # type: ignore[union-attr]
        for i, values in enumerate(rows):
            copy.write_row([*values.values(), matrix[i].tobytes(), *fixed])


def read_batches(
    cur: Connection,
    sql: str,
    params: Sequence[Any],
    schema: pa.Schema,
    dim: int,
    batch_rows: int,
) -> Iterator[tuple[pa.RecordBatch, np.ndarray]]:
    """Run ``sql`` (its last column the vector, selected with :func:`select_sql`) in batches.

    Yields each batch's other columns (typed by ``schema``) and its vectors as
    a float32 matrix of ``dim`` columns.
    """
    if engine(cur) != "postgresql":
        for batch in cur.sql(sql, params=list(params)).to_arrow_reader(batch_size=batch_rows):  # type: ignore[union-attr]
            values = batch.column("vector").flatten().to_numpy(zero_copy_only=False)
            yield batch.drop_columns(["vector"]), values.reshape(-1, int(dim))
        return
    found = cur.execute(sql, list(params)).fetchall()
    names = schema.names
    for start in range(0, len(found), batch_rows):
        chunk = found[start : start + batch_rows]
        columns = list(zip(*chunk, strict=True))
        arrays = [pa.array(list(columns[i]), type=schema.field(i).type) for i in range(len(names))]
        matrix = np.frombuffer(b"".join(bytes(v) for v in columns[-1]), dtype=_FLOAT32)
        yield (
            pa.RecordBatch.from_arrays(arrays, schema=schema),
            matrix.astype(np.float32).reshape(-1, int(dim)),
        )
