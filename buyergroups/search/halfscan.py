"""A float16 copy of the index matrix for a fast first pass, with a proven error bound.

Scoring a large matrix is bound by memory bandwidth, so reading half the bytes
roughly halves the time. The first pass is not the answer: the index re-scores
every row that could still be in the top-k in float32, from the float32
matrix, so results stay identical to brute force. What makes that safe is a
bound ``E`` on the distance between the first-pass score of a row and its
float32 score, valid for every row at once:

With ``x`` a stored row (float32), ``h`` its float16 copy, ``q`` the query,
``q16`` the float16 query, ``d`` the dimension, ``M`` an upper bound of every
row norm, ``u16 = 2**-11`` and ``u32 = 2**-24`` the unit roundoffs and
``g = d*u32 / (1 - d*u32)``:

- float32 brute force differs from the real dot ``x·q`` by at most ``g·M·|q|``;
- ``|x·q - h·q16| <= |x-h|·|q| + |h|·|q-q16|``, with ``|x-h| <= u16·M + t·sqrt(d)``
  (``t = 2**-25`` covers subnormals) and ``|h| <= M·(1+u16) + t·sqrt(d)``;
- torch multiplies float16 by float16 exactly in float32 and adds in float32
  (unless the CPU "reduced precision reduction" switch is on, which is
  checked), adding at most ``g·|h|·|q16|``;
- it rounds the result to float16: at most ``u16·|h|·|q16|·(1+g) + t``.

``E`` is that sum times 1.01 plus a slack covering float32 rounding of the
bonus addition. A row whose first-pass score plus ``E`` stays below the k-th
best float32 score found so far cannot be in the top-k.
"""

from __future__ import annotations

import math
import os
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

U16 = 2.0**-11
U32 = 2.0**-24
TINY16 = 2.0**-25
# float16 holds up to 65504: with both norms at most 64 no product or sum overflows.
MAX_NORM = 64.0
GATHER_ROWS = 2048


def _torch() -> ModuleType:
    """torch, imported on first use: pages that never search must not pay for it."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see embedder: no spinning threads
    import torch

    return torch


def fp32_reduction() -> bool:
    """True when torch adds float16 products in float32 on the CPU (its default)."""
    torch = _torch()
    return not torch._C._get_cpu_allow_fp16_reduced_precision_reduction()


class HalfMatrix:
    """float16 rows kept in step with the float32 matrix, and a bound of their norms."""

    def __init__(self, dim: int) -> None:
        torch = _torch()
        self.dim = dim
        self.data: torch.Tensor = torch.zeros((16, dim), dtype=torch.float16)
        self.max_norm = 0.0

    @property
    def nbytes(self) -> int:
        """Bytes held by the float16 rows."""
        return self.data.numel() * self.data.element_size()

    def write(self, first: int, vectors: np.ndarray, capacity: int) -> None:
        """Store ``vectors`` as rows ``first...``; grow to ``capacity`` rows when needed."""
        torch = _torch()
        rows = torch.from_numpy(np.ascontiguousarray(vectors, dtype=np.float32))
        if len(rows):
            norms = torch.linalg.vector_norm(rows, dim=1)
            top = float(norms.max()) if bool(torch.isfinite(norms).all()) else math.inf
            # float32 norms are off by at most d*u32 relative; 1e-4 covers it.
            self.max_norm = max(self.max_norm, top * (1 + 1e-4))
        if first == 0 and capacity == len(vectors):
            self.data = rows.to(torch.float16)
            return
        if capacity > len(self.data):
            grown = torch.empty((capacity, self.dim), dtype=torch.float16)
            grown[:first] = self.data[:first]
            self.data = grown
        self.data[first : first + len(rows)] = rows.to(torch.float16)

    def keep(self, kept: np.ndarray) -> None:
        """Keep only rows ``kept`` (compaction); the norm bound stays valid."""
        torch = _torch()
        self.data = self.data.index_select(0, torch.from_numpy(kept)).contiguous()

    def usable(self, query: np.ndarray) -> bool:
        """Whether the bound holds for this query (finite, norms in range, float32 sums)."""
        norm = float(np.linalg.norm(query.astype(np.float64)))
        return (
            fp32_reduction()
            and self.max_norm <= MAX_NORM
            and math.isfinite(norm)
            and norm <= MAX_NORM
        )

    def bound(self, query: np.ndarray, bonus_max: float = 0.0) -> float:
        """The largest possible gap between a first-pass and a float32 score (see module)."""
        d = self.dim
        g = d * U32 / (1 - d * U32)
        q = query.astype(np.float64)
        q16 = query.astype(np.float16).astype(np.float64)
        q_norm, q16_norm = float(np.linalg.norm(q)), float(np.linalg.norm(q16))
        q_error = float(np.linalg.norm(q - q16))
        big = self.max_norm
        subnormal = TINY16 * math.sqrt(d)
        h_norm = big * (1 + U16) + subnormal
        brute = g * big * q_norm
        quantised = (U16 * big + subnormal) * q_norm + h_norm * q_error
        summed = g * h_norm * q16_norm
        rounded = U16 * h_norm * q16_norm * (1 + g) + TINY16
        slack = 8 * U32 * (big * q_norm + abs(bonus_max) + 1) + 1e-7
        return 1.01 * (brute + quantised + summed + rounded) + slack

    def scores(self, query: np.ndarray, total: int, rows: np.ndarray | None) -> np.ndarray:
        """First-pass float32 scores of every row below ``total``, or of ``rows``."""
        torch = _torch()
        q16 = torch.from_numpy(query.astype(np.float16))
        if rows is None:
            return torch.mv(self.data[:total], q16).numpy().astype(np.float32)
        out = torch.empty(len(rows), dtype=torch.float16)
        wanted = torch.from_numpy(rows)
        buffer = torch.empty((GATHER_ROWS, self.dim), dtype=torch.float16)
        for start in range(0, len(rows), GATHER_ROWS):
            chunk = wanted[start : start + GATHER_ROWS]
            block = buffer[: len(chunk)]
            torch.index_select(self.data, 0, chunk, out=block)
            torch.mv(block, q16, out=out[start : start + len(chunk)])
        return out.numpy().astype(np.float32)
