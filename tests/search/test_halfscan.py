"""Two-pass scoring: float16 first pass, float32 re-scoring, identical to brute force."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
import torch

from buyergroups.search.halfscan import MAX_NORM, HalfMatrix
from buyergroups.search.index import Access, Filters, VectorIndex
from buyergroups.search.store import Passage, passages_table

BASE = Passage(
    "criterion",
    0,
    0,
    1,
    "published",
    "t",
    "",
    "x",
    "en",
    ("NL",),
    ("climate",),
    "basis",
    "technical_specification",
    ("39130000",),
    (),
    date(2024, 1, 1),
)
DIM = 64
TIE = 1e-6


def _near_ties(rng: np.random.Generator, count: int) -> np.ndarray:
    """Rows around a few centres, 1e-4 apart: float16 alone cannot order them."""
    centres = rng.standard_normal((4, DIM))
    rows = centres[rng.integers(0, 4, count)] + 1e-4 * rng.standard_normal((count, DIM))
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def _index(matrix: np.ndarray, first_row: int = 0) -> VectorIndex:
    rows = [replace(BASE, item_id=first_row + i, group_id=i % 10) for i in range(len(matrix))]
    index = VectorIndex(matrix.shape[1], "m")
    index.half_pass_min_rows = 0  # always two passes, however small the test
    index.add_table(passages_table(rows), matrix)
    return index


def _brute_force(
    matrix: np.ndarray, query: np.ndarray, k: int, mask: np.ndarray | None, bonus: np.ndarray | None
) -> list[int]:
    scores = matrix @ query
    if bonus is not None:
        scores = scores + bonus
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    return np.argsort(-scores, kind="stable")[:k].tolist()


def _exact_top_k(
    matrix: np.ndarray,
    query: np.ndarray,
    got: list[int],
    k: int,
    mask: np.ndarray | None = None,
    bonus: np.ndarray | None = None,
) -> bool:
    """Whether ``got`` is the top-``k`` by the real (float64) score, up to float32 rounding.

    float32 dot products of the same row may differ by an ulp with how BLAS
    groups rows, so rows closer than ``TIE`` count as tied.
    """
    scores = matrix.astype(np.float64) @ query.astype(np.float64)
    if bonus is not None:
        scores = scores + bonus
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    best = np.argsort(-scores, kind="stable")[:k]
    kth = scores[best[-1]]
    ordered = all(scores[a] >= scores[b] - TIE for a, b in itertools.pairwise(got))
    return (
        len(got) == len(set(got)) == k
        and all(scores[row] >= kth - TIE for row in got)
        and all(row in got for row in best if scores[row] > kth + TIE)
        and ordered
    )


@pytest.mark.parametrize("group_ids", [(), (3,), (1, 2, 3, 4, 5, 6)])
@pytest.mark.parametrize("with_bonus", [False, True])
def test_two_passes_give_exactly_the_brute_force_top_k(
    group_ids: tuple[int, ...], with_bonus: bool
) -> None:
    rng = np.random.default_rng(11)
    matrix = _near_ties(rng, 6000)
    index = _index(matrix)
    bonus = (rng.integers(0, 3, len(matrix)) * 0.05).astype(np.float32) if with_bonus else None
    mask = index.candidates(Filters(group_ids=group_ids), Access.everything())
    for _ in range(8):
        query = matrix[rng.integers(0, len(matrix))] + 0.01 * rng.standard_normal(DIM)
        query = (query / np.linalg.norm(query)).astype(np.float32)
        got = [hit.row for hit in index.search(query, 25, mask, bonus)]
        assert _exact_top_k(matrix, query, got, 25, mask, bonus)


def test_the_test_data_needs_the_second_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the error bound set to zero the first pass alone orders near-ties wrongly."""
    rng = np.random.default_rng(11)
    matrix = _near_ties(rng, 6000)
    index = _index(matrix)
    monkeypatch.setattr(HalfMatrix, "bound", lambda self, query, bonus_max=0.0: 0.0)
    wrong = 0
    for _ in range(8):
        query = matrix[rng.integers(0, len(matrix))] + 0.01 * rng.standard_normal(DIM)
        query = (query / np.linalg.norm(query)).astype(np.float32)
        got = [hit.row for hit in index.search(query, 25)]
        wrong += not _exact_top_k(matrix, query, got, 25)
    assert wrong > 0


def test_rows_added_replaced_and_compacted_stay_in_step() -> None:
    rng = np.random.default_rng(5)
    matrix = _near_ties(rng, 3000)
    index = _index(matrix[:2000])
    extra = [replace(BASE, item_id=2000 + i, group_id=i % 10) for i in range(1000)]
    index.add_table(passages_table(extra), matrix[2000:])  # appended after the load
    for item_id in range(0, 1500):
        index.remove_item("criterion", item_id)
    index.compact_if_sparse()
    assert index.matrix.shape == (1500, DIM)
    query = matrix[2500]
    got = [hit.item_id - 1500 for hit in index.search(query, 10)]
    assert _exact_top_k(matrix[1500:], query, got, 10)


def test_vectors_too_long_for_float16_are_scored_in_float32() -> None:
    rng = np.random.default_rng(3)
    matrix = (rng.standard_normal((500, DIM)) * 40).astype(np.float32)  # norms ~320
    index = _index(matrix)
    assert index.matrix[0] @ index.matrix[0] > MAX_NORM**2
    query = matrix[7] / np.linalg.norm(matrix[7])
    got = [hit.row for hit in index.search(query, 10)]
    assert got == _brute_force(matrix, query, 10, None, None)


@pytest.mark.parametrize("scale", [1.0, 1e-3, 2.5])
def test_the_bound_covers_every_row(scale: float) -> None:
    """torch's float16 product stays within the bound of the float32 score, row by row.

    This also guards the assumption that torch adds float16 products in float32.
    """
    rng = np.random.default_rng(int(scale * 1000) + 1)
    rows = rng.standard_normal((20000, 384)) * scale
    rows[:, :40] *= 1e-4  # components in float16's subnormal range
    rows[::7, 100] = 0.9 * scale * 10  # a few large components
    matrix = rows.astype(np.float32)
    norms = np.linalg.norm(matrix, axis=1)
    matrix = matrix[norms <= MAX_NORM]
    half = HalfMatrix(384)
    half.write(0, matrix, len(matrix))
    for query in (matrix[0] / np.linalg.norm(matrix[0]), matrix[1], np.ones(384, np.float32)):
        query = np.asarray(query, np.float32)
        if not half.usable(query):
            continue
        approx = half.scores(query, len(matrix), None).astype(np.float64)
        exact = (matrix @ query).astype(np.float64)
        assert np.max(np.abs(approx - exact)) <= half.bound(query)
        assert half.bound(query) < 0.01 * max(1.0, half.max_norm * np.linalg.norm(query))


def test_reduced_precision_sums_switch_the_first_pass_off(monkeypatch: pytest.MonkeyPatch) -> None:
    half = HalfMatrix(4)
    half.write(0, np.eye(4, dtype=np.float32), 4)
    query = np.ones(4, np.float32)
    assert half.usable(query)
    monkeypatch.setattr(torch._C, "_get_cpu_allow_fp16_reduced_precision_reduction", lambda: True)
    assert not half.usable(query)
