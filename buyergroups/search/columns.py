"""Columnar building blocks of the vector index: growing buffers, postings, codes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NO_DATE = np.iinfo(np.int32).min
_EPOCH = date(1970, 1, 1)


class Growing:
    """A 1-D numpy buffer that grows by doubling."""

    def __init__(self, dtype: type | np.dtype, fill: int | bool = 0) -> None:
        self.fill = fill
        self.data = np.full(16, fill, dtype=dtype)
        self.size = 0

    def extend(self, values: np.ndarray) -> None:
        need = self.size + len(values)
        if need > len(self.data):
            grown = np.full(max(need, 2 * len(self.data)), self.fill, dtype=self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : need] = values
        self.size = need

    @property
    def view(self) -> np.ndarray:
        return self.data[: self.size]

    def keep(self, kept: np.ndarray) -> None:
        values = self.view[kept].copy()
        self.size = 0
        self.extend(values)


class Postings:
    """Rows per integer value of a multi-valued column, sorted lazily for range look-ups."""

    def __init__(self) -> None:
        self._values = Growing(np.int64)
        self._rows = Growing(np.int64)
        self._sorted: tuple[np.ndarray, np.ndarray] | None = None

    def extend(self, rows: np.ndarray, values: np.ndarray) -> None:
        """Record that each ``rows[i]`` holds ``values[i]``."""
        self._rows.extend(rows)
        self._values.extend(values)
        self._sorted = None

    def between(self, low: int, high: int) -> np.ndarray:
        """Rows holding a value in [low, high) (a row may repeat)."""
        if self._sorted is None:
            order = np.argsort(self._values.view, kind="stable")
            self._sorted = (self._values.view[order], self._rows.view[order])
        values, rows = self._sorted
        start, stop = np.searchsorted(values, [low, high])
        return rows[start:stop]

    def equal(self, value: int) -> np.ndarray:
        """Rows holding ``value``."""
        return self.between(value, value + 1)

    def renumber(self, new_row: np.ndarray) -> None:
        """Apply a compaction: ``new_row[old]`` is the new row number, -1 when dropped."""
        mapped = new_row[self._rows.view]
        kept = mapped >= 0
        values = self._values.view[kept].copy()
        self._values.size = self._rows.size = 0
        self.extend(mapped[kept], values)


class Vocabulary:
    """Stable small integer codes for strings (0 is the empty string)."""

    def __init__(self) -> None:
        self._code: dict[str, int] = {"": 0}

    def code(self, text: str | None) -> int:
        """The code of ``text``, adding it when new."""
        return self._code.setdefault(text or "", len(self._code))

    def codes(self, texts: Sequence[str | None]) -> np.ndarray:
        """Codes of many strings (vectorised over distinct values)."""
        if len(texts) == 0:
            return np.zeros(0, dtype=np.int64)
        distinct, inverse = np.unique(
            np.asarray(texts, dtype=object).astype(str), return_inverse=True
        )
        return np.array([self.code(t) for t in distinct], dtype=np.int64)[inverse]

    def known(self, text: str) -> int | None:
        """The code of ``text`` or None when never seen."""
        return self._code.get(text)


def one_of(values: np.ndarray, wanted: Sequence[int] | np.ndarray) -> np.ndarray:
    """``np.isin(values, wanted)`` for integer columns, without its sort (several times faster)."""
    wanted = np.unique(np.asarray(wanted, dtype=np.int64))
    if len(wanted) == 0 or len(values) == 0:
        return np.zeros(len(values), dtype=np.bool_)
    if len(wanted) <= 8:
        keep = values == wanted[0]
        for value in wanted[1:]:
            keep |= values == value
        return keep
    low, high = int(values.min()), int(values.max())
    wanted = wanted[(wanted >= low) & (wanted <= high)]
    table = np.zeros(high - low + 1, dtype=np.bool_)
    table[wanted - low] = True
    return np.take(table, values.astype(np.int64) - low)


def cpv_number(code: str) -> int | None:
    """A CPV code's 8 digits as an integer (None for anything else)."""
    digits = (code or "")[:8]
    return int(digits) if len(digits) == 8 and digits.isdigit() else None


def cpv_range(prefix: str) -> tuple[int, int]:
    """The integer range [low, high) of 8-digit CPV codes starting with ``prefix``."""
    scale = 10 ** (8 - len(prefix))
    return int(prefix) * scale, (int(prefix) + 1) * scale


def day_number(value: date | None) -> int:
    return NO_DATE if value is None else (value - _EPOCH).days


def flat_lists(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """A list<string> column as (row of each value, index into distinct, distinct values)."""
    lists = column.combine_chunks()
    lengths = pc.fill_null(pc.list_value_length(lists), 0).to_numpy(zero_copy_only=False)
    rows = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths.astype(np.int64))
    encoded = pc.dictionary_encode(lists.flatten())
    indices = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return rows, indices, encoded.dictionary.to_pylist()
