"""Exact in-memory vector index: a float32 matrix with columnar metadata for filters.

Rows are passages keyed by (item_kind, item_id, passage_no). Filters and the
access rule select the rows *before* scoring: a small subset is gathered in
cache-sized chunks and scored alone, so its cost follows the rows kept; a large
one is scored with the full matrix and masked. Many rows are first scored from
a float16 copy (half the memory traffic), then every row that could still be
in the top-k is re-scored in float32 (see ``halfscan``), so results are the
same as float32 brute force. Removal marks rows dead; the matrix is compacted
when dead rows pile up.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from buyergroups.search.changes import ChangeFollower
from buyergroups.search.columns import (
    NO_DATE,
    Growing,
    Postings,
    Vocabulary,
    cpv_number,
    cpv_range,
    day_number,
    flat_lists,
    one_of,
)
from buyergroups.search.halfscan import HalfMatrix

KINDS: tuple[str, ...] = ("criterion", "document", "dialogue", "tender")
_KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
NO_GROUP = -1
GATHER_CHUNK = 512
FULL_SCAN_FRACTION = 0.35
# Below this many rows to score, one float32 pass is as fast as two passes.
HALF_PASS_MIN_ROWS = 20_000


@dataclass(frozen=True)
class Filters:
    """What a search keeps; empty fields keep everything."""

    kinds: tuple[str, ...] = ()
    group_ids: tuple[int, ...] = ()
    exclude_group_ids: tuple[int, ...] = ()
    countries: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    ambition_levels: tuple[str, ...] = ()
    criterion_types: tuple[str, ...] = ()
    cpv_prefix: str = ""
    languages: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    exclude_items: tuple[tuple[str, int], ...] = ()
    # Keep only these items (None: no such limit), e.g. the benchmark's good examples.
    only_items: tuple[tuple[str, int], ...] | None = None

    def is_empty(self) -> bool:
        """True when the filters keep every row."""
        return self == Filters()


@dataclass(frozen=True)
class Access:
    """Which rows an actor may read: public rows plus ``groups`` (None: every group)."""

    signed_in: bool = True
    groups: frozenset[int] | None = field(default_factory=frozenset)

    @classmethod
    def everything(cls) -> Access:
        """An admin's (or the benchmark's) access: every row."""
        return cls(signed_in=True, groups=None)


@dataclass(frozen=True)
class RankedRow:
    """One scored row of the index."""

    item_kind: str
    item_id: int
    passage_no: int
    score: float
    semantic: float
    row: int = -1


def _coded(column: pa.ChunkedArray, code: Callable[[str], int]) -> np.ndarray:
    """Integer codes of a string column, calling ``code`` once per distinct value."""
    encoded = pc.dictionary_encode(pc.fill_null(column.combine_chunks(), ""))
    codes = np.array([code(text) for text in encoded.dictionary.to_pylist()], dtype=np.int64)
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    return codes[indices] if len(codes) else np.zeros(0, dtype=np.int64)


class VectorIndex:
    """Passage vectors of one model with their filterable metadata."""

    def __init__(self, dim: int, model_id: str) -> None:
        self.dim = dim
        self.model_id = model_id
        # Where this index stands in the search change log (store.refresh_index).
        self.changes = ChangeFollower()
        # Streamlit sessions share one index: refresh and search hold this lock.
        self.lock = threading.RLock()
        self._matrix = np.zeros((16, dim), dtype=np.float32)
        self._half = HalfMatrix(dim)
        self.half_pass_min_rows = HALF_PASS_MIN_ROWS
        self._kind = Growing(np.int8)
        self._item = Growing(np.int64)
        self._passage = Growing(np.int32)
        self._group = Growing(np.int32, NO_GROUP)
        self._public = Growing(np.bool_, False)
        self._alive = Growing(np.bool_, False)
        self._language = Growing(np.int32)
        self._ambition = Growing(np.int32)
        self._type = Growing(np.int32)
        self._day = Growing(np.int32, NO_DATE)
        self._vocab = Vocabulary()
        self._lists = {name: Postings() for name in ("countries", "themes", "cpv", "codes")}
        self._dead = 0

    def __len__(self) -> int:
        """Number of live rows."""
        return self._kind.size - self._dead

    @property
    def matrix(self) -> np.ndarray:
        """Every stored row (live and dead), for benchmarks and tests; do not modify."""
        return self._matrix[: self._kind.size]

    @property
    def half_matrix_nbytes(self) -> int:
        """Bytes held by the float16 copy used for the first pass."""
        return self._half.nbytes

    @property
    def nbytes(self) -> int:
        """Bytes held by both matrices and the metadata columns (postings excluded)."""
        columns = sum(column.data.nbytes for column in self._columns())
        return self._matrix.nbytes + self._half.nbytes + columns

    def add_table(self, table: pa.Table, vectors: np.ndarray) -> None:
        """Append rows described by ``table`` (search_items columns) with their vectors."""
        if table.num_rows != len(vectors):
            raise ValueError("one vector per row is needed")
        if table.num_rows and vectors.shape[1] != self.dim:
            raise ValueError(f"vectors have {vectors.shape[1]} values, the index {self.dim}")
        first = self._kind.size
        self._append_vectors(first, vectors)
        self._append_columns(table)
        rows = np.arange(first, first + table.num_rows, dtype=np.int64)
        self._append_lists(table, rows)

    def _append_vectors(self, first: int, vectors: np.ndarray) -> None:
        need = first + len(vectors)
        if first == 0 and vectors.flags.c_contiguous and vectors.flags.writeable:
            self._matrix = vectors.astype(np.float32, copy=False)  # a fresh load: adopt it
        else:
            if need > len(self._matrix):
                grown = np.empty((max(need, 2 * len(self._matrix)), self.dim), dtype=np.float32)
                grown[:first] = self._matrix[:first]
                self._matrix = grown
            self._matrix[first:need] = vectors
        self._half.write(first, self._matrix[first:need], len(self._matrix))

    def _append_columns(self, table: pa.Table) -> None:
        kinds = _coded(table.column("item_kind"), lambda kind: _KIND_CODE[kind])
        self._kind.extend(kinds.astype(np.int8))
        self._item.extend(table.column("item_id").to_numpy())
        self._passage.extend(table.column("passage_no").to_numpy())
        self._group.extend(pc.fill_null(table.column("group_id"), NO_GROUP).to_numpy())
        published = _coded(table.column("visibility"), lambda v: int(v == "published"))
        self._public.extend((published == 1) | (kinds == _KIND_CODE["tender"]))
        self._alive.extend(np.ones(table.num_rows, dtype=np.bool_))
        self._language.extend(_coded(table.column("language"), self._vocab.code))
        self._ambition.extend(_coded(table.column("ambition_level"), self._vocab.code))
        self._type.extend(_coded(table.column("criterion_type"), self._vocab.code))
        days = pc.cast(table.column("item_date"), pa.int32())
        self._day.extend(pc.fill_null(days, NO_DATE).to_numpy())

    def _append_lists(self, table: pa.Table, rows: np.ndarray) -> None:
        for name in ("countries", "themes"):
            at, indices, distinct = flat_lists(table.column(name))
            codes = np.array([self._vocab.code(text) for text in distinct], dtype=np.int64)
            self._lists[name].extend(rows[at], codes[indices] if len(distinct) else indices)
        cpv = self._cpv_pairs(table, "cpv_codes", rows)
        concepts = self._cpv_pairs(table, "concept_codes", rows)
        self._lists["cpv"].extend(*cpv)
        self._lists["codes"].extend(
            np.concatenate([cpv[0], concepts[0]]), np.concatenate([cpv[1], concepts[1]])
        )

    @staticmethod
    def _cpv_pairs(table: pa.Table, name: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        at, indices, distinct = flat_lists(table.column(name))
        numbers = np.array([cpv_number(code) or -1 for code in distinct], dtype=np.int64)
        values = numbers[indices] if len(distinct) else indices
        valid = values >= 0
        return rows[at][valid], values[valid]

    def remove_item(self, item_kind: str, item_id: int) -> int:
        """Drop every passage of one item; returns how many rows it had."""
        rows = np.flatnonzero(
            (self._kind.view == _KIND_CODE[item_kind])
            & (self._item.view == item_id)
            & self._alive.view
        )
        self._alive.view[rows] = False
        self._dead += len(rows)
        return len(rows)

    def replace_item(
        self, item_kind: str, item_id: int, table: pa.Table, vectors: np.ndarray
    ) -> None:
        """Replace one item's passages by the rows of ``table`` (empty: just remove)."""
        self.remove_item(item_kind, item_id)
        if table.num_rows:
            self.add_table(table, vectors)
        self.compact_if_sparse()

    def compact_if_sparse(self) -> None:
        """Drop dead rows once they are a quarter of the matrix."""
        total = self._kind.size
        if self._dead == 0 or self._dead < max(1024, total // 4):
            return
        kept = np.flatnonzero(self._alive.view)
        new_row = np.full(total, -1, dtype=np.int64)
        new_row[kept] = np.arange(len(kept))
        self._matrix = np.ascontiguousarray(self._matrix[kept])
        self._half.keep(kept)
        for column in self._columns():
            column.keep(kept)
        for postings in self._lists.values():
            postings.renumber(new_row)
        self._dead = 0

    def _columns(self) -> Iterable[Growing]:
        return (
            self._kind,
            self._item,
            self._passage,
            self._group,
            self._public,
            self._alive,
            self._language,
            self._ambition,
            self._type,
            self._day,
        )

    # -- selecting rows -------------------------------------------------------

    def candidates(self, filters: Filters, access: Access) -> np.ndarray | None:
        """A boolean mask of the rows to score, or None for every row."""
        if not access.signed_in:
            return np.zeros(self._kind.size, dtype=np.bool_)
        if filters.is_empty() and access.groups is None and self._dead == 0:
            return None
        mask = self._alive.view.copy()
        if access.groups is not None:
            member = one_of(self._group.view, sorted(access.groups))
            mask &= self._public.view | member
        self._apply_scalar_filters(mask, filters)
        self._apply_list_filters(mask, filters)
        for item_kind, item_id in filters.exclude_items:
            mask &= ~((self._kind.view == _KIND_CODE[item_kind]) & (self._item.view == item_id))
        if filters.only_items is not None:
            mask &= self._only(filters.only_items)
        return mask

    def _only(self, items: tuple[tuple[str, int], ...]) -> np.ndarray:
        keep = np.zeros(self._kind.size, dtype=np.bool_)
        for item_kind in {kind for kind, _ in items}:
            ids = sorted(item_id for kind, item_id in items if kind == item_kind)
            keep |= (self._kind.view == _KIND_CODE[item_kind]) & one_of(self._item.view, ids)
        return keep

    def _apply_scalar_filters(self, mask: np.ndarray, filters: Filters) -> None:
        if filters.kinds:
            mask &= one_of(self._kind.view, [_KIND_CODE[k] for k in filters.kinds])
        if filters.group_ids:
            mask &= one_of(self._group.view, filters.group_ids)
        if filters.exclude_group_ids:
            mask &= ~one_of(self._group.view, filters.exclude_group_ids)
        for column, wanted in (
            (self._language, filters.languages),
            (self._ambition, filters.ambition_levels),
            (self._type, filters.criterion_types),
        ):
            if wanted:
                mask &= one_of(column.view, self._known_codes(wanted))
        if filters.date_from is not None:
            mask &= self._day.view >= day_number(filters.date_from)
        if filters.date_to is not None:
            mask &= (self._day.view <= day_number(filters.date_to)) & (self._day.view != NO_DATE)

    def _apply_list_filters(self, mask: np.ndarray, filters: Filters) -> None:
        for name, wanted in (("countries", filters.countries), ("themes", filters.themes)):
            if wanted:
                keep = np.zeros_like(mask)
                for code in self._known_codes(wanted):
                    keep[self._lists[name].equal(code)] = True
                mask &= keep
        if filters.cpv_prefix:
            mask &= self._rows_mask(self._lists["cpv"].between(*cpv_range(filters.cpv_prefix)))

    def _known_codes(self, texts: Sequence[str]) -> list[int]:
        return [code for text in texts if (code := self._vocab.known(text)) is not None]

    def _rows_mask(self, rows: np.ndarray) -> np.ndarray:
        keep = np.zeros(self._kind.size, dtype=np.bool_)
        keep[rows] = True
        return keep

    def rows_with_code_prefix(self, prefix: str) -> np.ndarray:
        """Rows whose CPV codes or recognised CPV concepts start with ``prefix``."""
        return self._lists["codes"].between(*cpv_range(prefix))

    def rows_with_theme(self, theme: str) -> np.ndarray:
        """Rows tagged with the MVI theme ``theme``."""
        code = self._vocab.known(theme)
        return np.zeros(0, np.int64) if code is None else self._lists["themes"].equal(code)

    def rows_with_type(self, criterion_type: str) -> np.ndarray:
        """Rows of criteria of type ``criterion_type``."""
        code = self._vocab.known(criterion_type)
        return np.zeros(0, np.int64) if not code else np.flatnonzero(self._type.view == code)

    # -- scoring --------------------------------------------------------------

    def search(
        self,
        query: np.ndarray,
        k: int,
        mask: np.ndarray | None = None,
        bonus: np.ndarray | None = None,
    ) -> list[RankedRow]:
        """Exact top-``k`` rows by semantic score plus ``bonus`` (one value per row)."""
        query = np.asarray(query, dtype=np.float32)
        rows, semantic = self._semantic(query, k, mask, bonus)
        score = semantic if bonus is None else semantic + (bonus if rows is None else bonus[rows])
        top = _top_k(score, k)
        picked = top if rows is None else rows[top]
        return [
            RankedRow(
                KINDS[self._kind.data[row]],
                int(self._item.data[row]),
                int(self._passage.data[row]),
                float(score[at]),
                float(semantic[at]),
                int(row),
            )
            for at, row in zip(top, picked, strict=True)
        ]

    def _selection(self, mask: np.ndarray | None) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(rows to score or None for all, mask to apply after a full scan or None)."""
        if mask is None:
            return None, None
        if int(np.count_nonzero(mask)) > FULL_SCAN_FRACTION * self._kind.size:
            return None, mask
        return np.flatnonzero(mask), None

    def _semantic(
        self, query: np.ndarray, k: int, mask: np.ndarray | None, bonus: np.ndarray | None
    ) -> tuple[np.ndarray | None, np.ndarray]:
        """(rows scored or None for all rows, their float32 semantic scores).

        The rows returned always include the top-``k`` by semantic plus bonus.
        """
        rows, after = self._selection(mask)
        count = self._kind.size if rows is None else len(rows)
        if count >= self.half_pass_min_rows and self._half.usable(query):
            return self._two_pass(query, k, rows, after, bonus)
        if rows is not None:
            return rows, self._gathered_scores(rows, query)
        scores = self._matrix[: self._kind.size] @ query
        return None, scores if after is None else np.where(after, scores, np.float32(-np.inf))

    def _two_pass(
        self,
        query: np.ndarray,
        k: int,
        rows: np.ndarray | None,
        after: np.ndarray | None,
        bonus: np.ndarray | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """float16 scores for all, then float32 for every row that could be in the top-k."""
        approx = self._half.scores(query, self._kind.size, rows)
        if after is not None:
            approx[~after] = -np.inf
        extra = None if bonus is None else (bonus if rows is None else bonus[rows])
        if extra is not None:
            approx += extra
        first = _top_k(approx, k)
        if len(first) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        first_rows = first if rows is None else rows[first]
        exact = self._gathered_scores(first_rows, query)
        if extra is not None:
            exact = exact + extra[first]
        bonus_max = 0.0 if extra is None else float(np.max(np.abs(extra)))
        floor = float(exact.min()) - self._half.bound(query, bonus_max)
        kept = np.flatnonzero(approx >= floor)
        kept_rows = kept if rows is None else rows[kept]
        return kept_rows, self._gathered_scores(kept_rows, query)

    def _gathered_scores(self, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
        # Gathering in small chunks keeps each chunk in cache while it is scored.
        out = np.empty(len(rows), dtype=np.float32)
        buffer = np.empty((GATHER_CHUNK, self.dim), dtype=np.float32)
        for start in range(0, len(rows), GATHER_CHUNK):
            chunk = rows[start : start + GATHER_CHUNK]
            block = buffer[: len(chunk)]
            np.take(self._matrix, chunk, axis=0, out=block)
            np.matmul(block, query, out=out[start : start + len(chunk)])
        return out


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest finite scores, best first (ties: lower position first)."""
    finite = int(np.count_nonzero(np.isfinite(scores)))
    k = min(k, finite)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k < len(scores):
        # Every position tied with the k-th best competes, so ties break the same way always.
        kth = scores[np.argpartition(-scores, k - 1)[k - 1]]
        part = np.flatnonzero(scores >= kth)
    else:
        part = np.arange(len(scores))
    order = np.lexsort((part, -scores[part]))[:k]
    return part[order]
