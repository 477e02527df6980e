"""The ``search_items`` table: passage records, writes, and loading the in-memory index."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, fields
from datetime import date

import numpy as np
import pyarrow as pa

from buyergroups import db
from buyergroups.db import vectors as stored_vectors
from buyergroups.search import changes
from buyergroups.search.index import VectorIndex

Key = tuple[str, int, int]
LOAD_BATCH_ROWS = 32_768


@dataclass(frozen=True)
class Passage:
    """One indexable piece of text with the metadata filters and ranking use."""

    item_kind: str
    item_id: int
    passage_no: int
    group_id: int | None
    visibility: str
    title: str
    heading: str
    text: str
    language: str
    countries: tuple[str, ...]
    themes: tuple[str, ...]
    ambition_level: str
    criterion_type: str
    cpv_codes: tuple[str, ...]
    concept_codes: tuple[str, ...]
    item_date: date | None

    @property
    def key(self) -> Key:
        return (self.item_kind, self.item_id, self.passage_no)

    @property
    def embedded_text(self) -> str:
        """What the model reads: title, heading and text."""
        head = f"{self.title} — {self.heading}" if self.heading else self.title
        return f"{head}\n{self.text}" if self.text else head

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.embedded_text.encode("utf-8")).hexdigest()

    def metadata(self) -> tuple[object, ...]:
        """Every stored field except the text (compared to spot metadata-only changes)."""
        return tuple(getattr(self, name) for name in _META_COLUMNS)


PASSAGE_COLUMNS = [f.name for f in fields(Passage)]
_META_COLUMNS = [name for name in PASSAGE_COLUMNS[3:] if name != "text"]
_LIST_COLUMNS = {"countries", "themes", "cpv_codes", "concept_codes"}
_SCHEMA = pa.schema(
    [
        ("item_kind", pa.string()),
        ("item_id", pa.int32()),
        ("passage_no", pa.int32()),
        ("group_id", pa.int32()),
        ("visibility", pa.string()),
        ("title", pa.string()),
        ("heading", pa.string()),
        ("text", pa.string()),
        ("language", pa.string()),
        ("countries", pa.list_(pa.string())),
        ("themes", pa.list_(pa.string())),
        ("ambition_level", pa.string()),
        ("criterion_type", pa.string()),
        ("cpv_codes", pa.list_(pa.string())),
        ("concept_codes", pa.list_(pa.string())),
        ("item_date", pa.date32()),
    ]
)
INDEX_COLUMNS = [
    "item_kind",
    "item_id",
    "passage_no",
    "group_id",
    "visibility",
    "language",
    "countries",
    "themes",
    "ambition_level",
    "criterion_type",
    "cpv_codes",
    "concept_codes",
    "item_date",
]
_INDEX_SCHEMA = pa.schema([_SCHEMA.field(name) for name in INDEX_COLUMNS])


def passages_table(passages: list[Passage]) -> pa.Table:
    """Passages as an Arrow table with the search_items column types."""
    rows = (tuple(getattr(p, name) for name in PASSAGE_COLUMNS) for p in passages)
    columns = list(zip(*rows, strict=True)) if passages else []
    arrays = {name: list(columns[i]) if passages else [] for i, name in enumerate(PASSAGE_COLUMNS)}
    for name in _LIST_COLUMNS:
        arrays[name] = [list(values) for values in arrays[name]]
    return pa.table(arrays, schema=_SCHEMA)


@dataclass(frozen=True)
class StoredRow:
    """What sync needs to know about a stored passage."""

    text_hash: str
    model_id: str
    metadata: tuple[object, ...]


def stored_rows(cur: db.Connection, scope: tuple[str, int] | None = None) -> dict[Key, StoredRow]:
    """Stored passages (all, or of one item) without their vectors."""
    where, params = ("WHERE item_kind = ? AND item_id = ?", list(scope)) if scope else ("", [])
    found: dict[Key, StoredRow] = {}
    select = ", ".join(
        ["item_kind", "item_id", "passage_no", "text_hash", "model_id", *_META_COLUMNS]
    )
    sql = f"SELECT {select} FROM search_items {where}"  # nosec B608 - fixed fragments
    for kind, item_id, passage_no, text_hash, model_id, *meta in cur.execute(
        sql, params
    ).fetchall():
        normal = tuple(tuple(v) if isinstance(v, list) else v for v in meta)
        found[(kind, item_id, passage_no)] = StoredRow(text_hash, model_id, normal)
    return found


def write_embedded(
    cur: db.Connection, passages: list[Passage], vectors: np.ndarray, model_id: str
) -> None:
    """Insert (replacing) passages with their vectors, inside the caller's transaction."""
    table = passages_table(passages)
    table = table.append_column("text_hash", pa.array([p.text_hash for p in passages]))
    delete_keys(cur, [p.key for p in passages])
    stored_vectors.insert_table(
        cur, "search_items", table, vectors, {"model_id": model_id, "indexed_at": db.now()}
    )


def update_metadata(cur: db.Connection, passage: Passage) -> None:
    """Store a passage's new metadata (its text and vector did not change)."""
    assignments = ", ".join(f"{name} = ?" for name in _META_COLUMNS)
    values = [getattr(passage, name) for name in _META_COLUMNS]
    values = [list(v) if isinstance(v, tuple) else v for v in values]
    cur.execute(
        f"UPDATE search_items SET {assignments}"  # nosec B608 - fixed column names
        " WHERE item_kind = ? AND item_id = ? AND passage_no = ?",
        [*values, *passage.key],
    )


def delete_keys(cur: db.Connection, keys: list[Key]) -> None:
    """Delete stored passages by key (one set-based statement)."""
    if keys:
        kinds, item_ids, passage_nos = (list(column) for column in zip(*keys, strict=True))
        cur.execute(
            "DELETE FROM search_items s USING (SELECT unnest(?::VARCHAR[]) AS item_kind,"
            " unnest(?::INTEGER[]) AS item_id, unnest(?::INTEGER[]) AS passage_no) AS gone"
            " WHERE s.item_kind = gone.item_kind AND s.item_id = gone.item_id"
            " AND s.passage_no = gone.passage_no",
            [kinds, item_ids, passage_nos],
        )


def log_changes(cur: db.Connection, items: set[tuple[str, int]]) -> None:
    """Record the items whose stored passages changed (for other in-memory indexes)."""
    if items:
        kinds, item_ids = (list(column) for column in zip(*sorted(items), strict=True))
        cur.execute(
            "INSERT INTO search_changes (item_kind, item_id, changed_at)"
            " SELECT unnest(?::VARCHAR[]), unnest(?::INTEGER[]), ?",
            [kinds, item_ids, db.now()],
        )


def model_counts(cur: db.Connection) -> dict[str, int]:
    """Stored passages per model id (vectors of different models never mix in one index)."""
    found = cur.execute(
        "SELECT model_id, count(*) FROM search_items GROUP BY model_id ORDER BY model_id"
    ).fetchall()
    return {str(model_id): int(count) for model_id, count in found}


def _load_rows(
    cur: db.Connection, model_id: str, dim: int, items: list[tuple[str, int]] | None
) -> tuple[pa.Table, np.ndarray]:
    """Metadata and vectors of ``model_id``; vectors are copied batch by batch into one matrix.

    Streaming avoids holding the whole result as Arrow next to the matrix: at a
    million rows that halves the load time and the peak memory.
    """
    fits, fits_params = stored_vectors.fits_sql(cur, "vector", dim)
    where = f" WHERE model_id = ? AND {fits}"
    params: list[object] = [model_id, *fits_params]
    if items is not None:
        where += " AND (item_kind || ':' || item_id) IN (SELECT unnest(?::VARCHAR[]))"
        params.append([f"{kind}:{item_id}" for kind, item_id in items])
    expected = int(db.value(cur, f"SELECT count(*) FROM search_items{where}", params))  # nosec B608
    select = ", ".join(INDEX_COLUMNS)
    vector = stored_vectors.select_sql(cur, "vector", dim)
    sql = f"SELECT {select}, {vector} AS vector FROM search_items{where}"  # nosec B608
    vectors = np.empty((expected, int(dim)), dtype=np.float32)
    batches, at = [], 0
    for batch, values in stored_vectors.read_batches(
        cur, sql, params, _INDEX_SCHEMA, dim, LOAD_BATCH_ROWS
    ):
        if at + batch.num_rows > len(vectors):  # rows were added since the count
            vectors = np.concatenate([vectors[:at], np.empty((batch.num_rows, dim), np.float32)])
        vectors[at : at + batch.num_rows] = values
        at += batch.num_rows
        batches.append(batch)
    table = pa.Table.from_batches(batches) if batches else _INDEX_SCHEMA.empty_table()
    return table, vectors[:at]


def _latest_change(cur: db.Connection) -> int:
    # fetchall, not fetchone: an unfinished result blocks the relation API (cur.sql) after it.
    return int(cur.execute("SELECT coalesce(max(id), 0) FROM search_changes").fetchall()[0][0])


def _start_following(cur: db.Connection, index: VectorIndex, now: float) -> None:
    latest = _latest_change(cur)
    recent = cur.execute(
        "SELECT id FROM search_changes WHERE id > ?", [latest - changes.START_WINDOW]
    ).fetchall()
    index.changes.start(latest, [int(change_id) for (change_id,) in recent], now)


def load_index(conn: db.Connection, model_id: str, dim: int) -> VectorIndex:
    """Build the in-memory index from the stored vectors of ``model_id``.

    The change log is read first, so whatever commits while the rows load is
    applied again by the next :func:`refresh_index`, never missed.
    """
    index = VectorIndex(dim, model_id)
    with db.reading(conn) as cur:
        _start_following(cur, index, time.monotonic())
        table, vectors = _load_rows(cur, model_id, dim, None)
    index.add_table(table, vectors)
    return index


def refresh_index(conn: db.Connection, index: VectorIndex, now: float | None = None) -> int:
    """Reload the items other writers changed since the index last looked; returns how many.

    One indexed read of the log rows above the highest id applied, and of any id
    still missing below it (usually none);
    the changed items' stored passages and vectors are loaded, never re-embedded.
    The caller holds ``index.lock``.
    """
    now = time.monotonic() if now is None else now
    with db.reading(conn) as cur:
        top, gaps = index.changes.frontier()
        found = cur.execute(
            "SELECT id, item_kind, item_id FROM search_changes"
            " WHERE id > ? OR id IN (SELECT unnest(?::BIGINT[]))",
            [top, gaps],
        ).fetchall()
        unseen = index.changes.unseen(
            [(int(change_id), kind, int(item_id)) for change_id, kind, item_id in found]
        )
        items = sorted({(kind, item_id) for _, kind, item_id in unseen})
        if items:
            table, vectors = _load_rows(cur, index.model_id, index.dim, items)
    if not items:
        index.changes.mark_applied([], now)  # gaps old enough are given up
        return 0
    for kind, item_id in items:
        index.remove_item(kind, item_id)
    index.add_table(table, vectors)
    index.compact_if_sparse()
    index.changes.mark_applied([change_id for change_id, _, _ in unseen], now)
    return len(items)
