"""The search change log: an index on one connection follows what another one indexed.

Two connections on one database stand for two processes (on PostgreSQL they are two
pools, as two app processes have); the index of the second only reads the log and
the stored vectors, so its embedder embeds nothing but the search text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from buyergroups import db
from buyergroups.search import changes, indexer, service, store
from buyergroups.search.changes import ChangeFollower
from buyergroups.search.embedder import HashingEmbedder
from buyergroups.search.index import Filters
from tests.search import builders as b

CRITERIA = Filters(kinds=("criterion",))


@pytest.fixture
def two_connections(db_path: Path | str) -> Iterator[tuple[db.Connection, db.Connection]]:
    first = db.connect(db_path)
    second = db.connect(db_path)
    yield first, second
    second.close()
    first.close()


@pytest.fixture
def shared(two_connections) -> dict:
    writer, _ = two_connections
    group = b.add_group(writer, "Zero emission sites", countries=("NO",))
    ids = {
        "group": group,
        "reader": b.add_user(writer, "Olle"),
        "excavators": b.add_criterion(
            writer, group, "Zero-emission excavators", "Excavators shall be electric."
        ),
        "chairs": b.add_criterion(
            writer, group, "Repairable office chairs", "Chairs with spare parts for 10 years."
        ),
    }
    indexer.sync(writer, HashingEmbedder(dim=64))
    return ids


def _found(hits: list[service.Hit]) -> list[tuple[str, int]]:
    return [(h.item_kind, h.item_id) for h in hits]


def test_a_save_through_one_connection_reaches_the_other_index(two_connections, shared) -> None:
    writer, reader = two_connections
    writing, reading = HashingEmbedder(dim=64), HashingEmbedder(dim=64)
    index = service.open_index(reader, reading)
    assert len(index) == 2
    new = b.add_criterion(
        writer, shared["group"], "Electric wheel loaders", "Wheel loaders shall be electric."
    )
    indexer.reindex_item(writer, writing, "criterion", new)
    assert writing.calls == [1]

    hits = service.search(reader, index, reading, shared["reader"], "wheel loaders", CRITERIA)
    assert _found(hits)[0] == ("criterion", new)
    assert len(index) == 3
    assert reading.calls == [1]  # the search text only: the stored vector was loaded


def test_a_delete_and_a_change_of_access_reach_the_other_index(two_connections, shared) -> None:
    writer, reader = two_connections
    embedder = HashingEmbedder(dim=64)
    index = service.open_index(reader, embedder)
    b.edit_criterion(writer, shared["chairs"], deleted_at=b.WHEN)
    b.edit_criterion(writer, shared["excavators"], visibility="group")
    for item_id in (shared["chairs"], shared["excavators"]):
        indexer.reindex_item(writer, embedder, "criterion", item_id)

    assert store.refresh_index(reader, index) == 2
    assert len(index) == 1
    hits = service.search(reader, index, embedder, shared["reader"], "excavators", CRITERIA)
    assert hits == []  # the outsider may no longer read it, and it is not in the index rows


def test_a_change_that_commits_after_a_later_one_is_not_missed(two_connections, shared) -> None:
    writer, reader = two_connections
    embedder = HashingEmbedder(dim=64)
    index = service.open_index(reader, embedder)
    with db.transaction(writer) as slow:
        _store_visibility(slow, shared["chairs"], "group")
        store.log_changes(slow, {("criterion", shared["chairs"])})  # takes the lower id
        with db.transaction(writer) as quick:
            _store_visibility(quick, shared["excavators"], "group")
            store.log_changes(quick, {("criterion", shared["excavators"])})
        # The later id is visible, the earlier one not yet: it stays a gap.
        assert store.refresh_index(reader, index, now=0.0) == 1
        assert index.changes.gaps
    assert store.refresh_index(reader, index, now=1.0) == 1
    assert index.changes.gaps == {}
    assert service.search(reader, index, embedder, shared["reader"], "chairs", CRITERIA) == []


def _store_visibility(cur: db.Connection, criterion_id: int, visibility: str) -> None:
    """What the indexer would store after the criterion became private to its group."""
    cur.execute(
        "UPDATE search_items SET visibility = ? WHERE item_kind = 'criterion' AND item_id = ?",
        [visibility, criterion_id],
    )


def test_a_rolled_back_change_is_given_up_after_the_gap_time(two_connections, shared) -> None:
    writer, reader = two_connections
    index = service.open_index(reader, HashingEmbedder(dim=64))
    with pytest.raises(RuntimeError), db.transaction(writer) as cur:
        store.log_changes(cur, {("criterion", shared["chairs"])})
        raise RuntimeError("rolled back")
    with db.transaction(writer) as cur:
        store.log_changes(cur, {("criterion", shared["excavators"])})
    assert store.refresh_index(reader, index, now=0.0) == 1
    assert len(index.changes.gaps) == 1
    assert store.refresh_index(reader, index, now=changes.GAP_SECONDS - 1) == 0
    assert len(index.changes.gaps) == 1
    assert store.refresh_index(reader, index, now=changes.GAP_SECONDS + 1) == 0
    assert index.changes.gaps == {}
    assert index.changes.applied == set()
    with db.reading(reader) as cur:
        assert index.changes.watermark == db.value(cur, "SELECT max(id) FROM search_changes")


def test_nothing_new_costs_one_read_and_reloads_nothing(two_connections, shared) -> None:
    _, reader = two_connections
    index = service.open_index(reader, HashingEmbedder(dim=64))
    watermark = index.changes.watermark
    assert store.refresh_index(reader, index) == 0
    assert (index.changes.watermark, index.changes.gaps) == (watermark, {})


def test_a_follower_applies_ids_in_any_order() -> None:
    follower = ChangeFollower()
    follower.start(latest=3, recent_ids=[1, 3], now=0.0)  # 2 may still commit
    assert (follower.watermark, follower.applied, follower.gaps) == (1, {3}, {2: 0.0})
    assert follower.frontier() == (3, [2])
    rows = [(2, "criterion", 7), (3, "criterion", 8), (5, "tender", 9)]
    assert follower.unseen(rows) == [(2, "criterion", 7), (5, "tender", 9)]
    follower.mark_applied([2, 5], now=1.0)
    assert (follower.watermark, follower.applied, follower.gaps) == (3, {5}, {4: 1.0})
    follower.mark_applied([], now=1.0 + changes.GAP_SECONDS)
    assert (follower.watermark, follower.applied, follower.gaps) == (5, set(), {})


def test_a_new_follower_looks_back_only_a_window() -> None:
    follower = ChangeFollower()
    latest = changes.START_WINDOW + 50
    follower.start(latest=latest, recent_ids=range(1, latest + 1), now=0.0)
    assert (follower.watermark, follower.applied, follower.gaps) == (latest, set(), {})
