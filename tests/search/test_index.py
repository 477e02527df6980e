"""VectorIndex: exact top-k, filters before scoring, access rule, removal."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from buyergroups.cli import main
from buyergroups.search.columns import one_of
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


def _rows() -> list[Passage]:
    return [
        BASE,
        replace(BASE, item_id=1, group_id=2, visibility="group", countries=("SE",)),
        replace(BASE, item_id=2, themes=("circular",), ambition_level="ambitious", language="nl"),
        replace(BASE, item_kind="document", item_id=3, passage_no=1, criterion_type=""),
        replace(BASE, item_kind="document", item_id=3, passage_no=2, criterion_type=""),
        replace(BASE, item_kind="tender", item_id=4, group_id=None, cpv_codes=("43260000",)),
        replace(BASE, item_id=5, criterion_type="award_criterion", item_date=date(2025, 6, 1)),
    ]


def _index(vectors: np.ndarray | None = None) -> VectorIndex:
    rows = _rows()
    index = VectorIndex(4, "m")
    if vectors is None:
        vectors = np.eye(4, dtype=np.float32)[[0, 1, 2, 3, 3, 1, 2]]
    index.add_table(passages_table(rows), vectors)
    return index


def _kept(index: VectorIndex, filters: Filters, access: Access | None = None) -> list[tuple]:
    mask = index.candidates(filters, access or Access.everything())
    ranked = index.search(np.ones(4, np.float32) / 2, 10, mask)
    return sorted((r.item_kind, r.item_id, r.passage_no) for r in ranked)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(kinds=("tender",)), [("tender", 4, 0)]),
        (Filters(group_ids=(2,)), [("criterion", 1, 0)]),
        (Filters(countries=("SE",)), [("criterion", 1, 0)]),
        (Filters(themes=("circular",)), [("criterion", 2, 0)]),
        (Filters(ambition_levels=("ambitious",)), [("criterion", 2, 0)]),
        (Filters(criterion_types=("award_criterion",)), [("criterion", 5, 0)]),
        (Filters(cpv_prefix="4326"), [("tender", 4, 0)]),
        (Filters(languages=("nl",)), [("criterion", 2, 0)]),
        (Filters(date_from=date(2025, 1, 1)), [("criterion", 5, 0)]),
        (Filters(countries=("DK",)), []),
        (
            Filters(kinds=("document",), exclude_group_ids=(2,)),
            [("document", 3, 1), ("document", 3, 2)],
        ),
        (
            Filters(exclude_items=(("document", 3),), kinds=("document", "tender")),
            [("tender", 4, 0)],
        ),
        (
            Filters(only_items=(("tender", 4), ("criterion", 5))),
            [("criterion", 5, 0), ("tender", 4, 0)],
        ),
        (Filters(only_items=(("tender", 1),)), []),
        (Filters(only_items=()), []),
    ],
)
def test_filters_keep_exactly_the_matching_rows(filters: Filters, expected: list[tuple]) -> None:
    assert _kept(_index(), filters) == expected


def test_non_member_never_gets_private_rows_and_tenders_are_public() -> None:
    index = _index()
    outsider = _kept(index, Filters(), Access(signed_in=True, groups=frozenset({7})))
    member = _kept(index, Filters(), Access(signed_in=True, groups=frozenset({2})))
    assert ("criterion", 1, 0) not in outsider
    assert ("tender", 4, 0) in outsider
    assert len(outsider) == 6
    assert len(member) == 7
    assert _kept(index, Filters(), Access(signed_in=False, groups=frozenset())) == []


def test_top_k_is_exactly_numpy_brute_force() -> None:
    rng = np.random.default_rng(7)
    count, dim = 3000, 32
    matrix = rng.standard_normal((count, dim)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    rows = [replace(BASE, item_id=i, group_id=i % 10) for i in range(count)]
    index = VectorIndex(dim, "m")
    index.add_table(passages_table(rows), matrix)
    query = matrix[5] + 0.1
    for group_ids in [(), (3,), (1, 2, 3, 4, 5, 6, 7)]:
        mask = index.candidates(Filters(group_ids=group_ids), Access.everything())
        got = [r.item_id for r in index.search(query, 10, mask)]
        scores = matrix @ query
        if group_ids:
            scores = np.where(np.isin(np.arange(count) % 10, group_ids), scores, -np.inf)
        assert got == list(np.argsort(-scores, kind="stable")[:10])


def test_bonus_is_added_before_choosing_the_top_k() -> None:
    index = _index()
    bonus = np.zeros(7, dtype=np.float32)
    bonus[6] = 2.0
    ranked = index.search(np.array([1, 0, 0, 0], np.float32), 2, None, bonus)
    assert [(r.item_id, r.score, r.semantic) for r in ranked] == [(5, 2.0, 0.0), (0, 1.0, 1.0)]


def test_replace_and_remove_item_change_what_is_found() -> None:
    index = _index()
    moved = passages_table([replace(BASE, item_id=2, countries=("DK",))])
    index.replace_item("criterion", 2, moved, np.eye(4, dtype=np.float32)[[0]])
    assert _kept(index, Filters(countries=("DK",))) == [("criterion", 2, 0)]
    assert _kept(index, Filters(themes=("circular",))) == []
    assert index.remove_item("document", 3) == 2
    assert len(index) == 5
    assert _kept(index, Filters(kinds=("document",))) == []


def test_compaction_keeps_results_and_drops_dead_rows() -> None:
    count = 4096
    rows = [replace(BASE, item_id=i, countries=("NL" if i % 2 else "SE",)) for i in range(count)]
    index = VectorIndex(4, "m")
    index.add_table(passages_table(rows), np.tile(np.eye(4, dtype=np.float32), (count // 4, 1)))
    for item_id in range(0, 2048):
        index.remove_item("criterion", item_id)
    index.compact_if_sparse()
    assert index.matrix.shape == (2048, 4)
    kept = _kept(index, Filters(countries=("SE",)))
    assert len(kept) == 10
    assert all(item_id >= 2048 and item_id % 2 == 0 for _, item_id, _ in kept)


@pytest.mark.parametrize("wanted", [[], [3], [-1, 2], list(range(-1, 40, 3)), [500, 7]])
@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64])
def test_one_of_matches_numpy_isin(wanted: list[int], dtype: type) -> None:
    values = np.random.default_rng(1).integers(-1, 60, 5000).astype(dtype)
    wanted = [w for w in wanted if np.iinfo(dtype).min <= w <= np.iinfo(dtype).max]
    assert np.array_equal(one_of(values, wanted), np.isin(values, wanted))
    assert not one_of(values[:0], wanted).any()


def test_bench_search_prints_its_figures_and_checks_exactness(capsys) -> None:
    # 25,000 rows: above the two-pass threshold, so the float16 first pass is measured.
    assert main(["bench", "search", "--n", "25000", "--queries", "6", "--texts", "0"]) == 0
    out = capsys.readouterr().out
    assert out.count("identical: True") == 3
    assert "float16 copy" in out and "brute force p50" in out
