"""Concurrent sessions' reads and writes from several threads on one process connection."""

from __future__ import annotations

import threading

from buyergroups import criteria, db, groups
from buyergroups.errors import StaleEditError
from tests.factories import make_criterion, make_group


def test_threads_read_their_own_results_and_writes_are_all_kept(conn, world) -> None:
    group_ids = [make_group(conn, f"Thread group {i}") for i in range(6)]
    errors: list[str] = []

    def session(index: int) -> None:
        group_id = group_ids[index]
        for round_no in range(40):
            got = groups.get_group(conn, world.admin, group_id)
            if got["name"] != f"Thread group {index}":
                errors.append(f"thread {index} read {got['name']}")
            make_criterion(conn, world.admin, group_id, title=f"T{index} R{round_no}")

    threads = [threading.Thread(target=session, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for index, group_id in enumerate(group_ids):
        titles = [c["title"] for c in criteria.list_criteria(conn, world.admin, group_id)]
        assert titles == [f"T{index} R{r}" for r in range(40)]


def test_concurrent_saves_on_one_item_never_lose_an_edit(conn, world) -> None:
    crit = make_criterion(conn, world.member, world.group_a)
    outcomes: list[str] = []

    def save(title: str) -> None:
        try:
            criteria.save_criterion(conn, world.member, crit, 1, title=title)
            outcomes.append(f"saved {title}")
        except StaleEditError:
            outcomes.append(f"refused {title}")

    threads = [threading.Thread(target=save, args=(f"Title {i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = [o for o in outcomes if o.startswith("saved")]
    assert len(saved) == 1, outcomes
    current = criteria.get_criterion(conn, world.member, crit)
    assert f"saved {current['title']}" == saved[0]
    with db.reading(conn) as cur:
        revisions = db.value(
            cur, "SELECT count(*) FROM criterion_revisions WHERE criterion_id = ?", [crit]
        )
    assert revisions == 2
