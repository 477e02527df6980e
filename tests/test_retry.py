"""The retry of a save that lost a race: db.retrying with fakes, then on the real engine."""

from __future__ import annotations

import pytest

from buyergroups import db, documents, versioned
from buyergroups.co2 import estimates, saving
from buyergroups.db import retry
from buyergroups.errors import PermissionDenied, StaleEditError, WriteConflict
from tests.factories import make_document


def _log_rows(conn: db.Connection) -> list[tuple]:
    return conn.cursor().execute("SELECT key, value FROM meta ORDER BY key").fetchall()


class ConflictingUnit:
    """A unit of work that writes a row, then loses a race ``conflicts`` times before it wins."""

    def __init__(self, conflicts: int) -> None:
        self.conflicts = conflicts
        self.calls = 0

    def __call__(self, cur: db.Connection) -> str:
        self.calls += 1
        cur.execute("INSERT INTO meta VALUES (?, ?)", [f"attempt {self.calls}", "written"])
        if self.calls <= self.conflicts:
            raise WriteConflict("lost the race")
        return f"stored on attempt {self.calls}"


def _kept(cur: db.Connection) -> tuple[str, str, int]:
    return "my text", "their text", 7


def test_a_unit_that_loses_three_races_is_run_four_times_and_only_the_last_stays(
    conn: db.Connection,
) -> None:
    unit, pauses = ConflictingUnit(conflicts=3), []
    result = db.retrying(conn, unit, kept=_kept, attempts=5, pause=pauses.append)
    assert result == "stored on attempt 4"
    assert unit.calls == 4
    # Each failed attempt rolled back entirely: only the winning attempt's row is stored.
    assert _log_rows(conn) == [("attempt 4", "written")]
    # A pause before every attempt but the first, each under its doubling cap.
    assert len(pauses) == 3
    assert all(0 <= p <= cap for p, cap in zip(pauses, (0.005, 0.01, 0.02), strict=True))


def test_after_the_bound_the_save_is_refused_with_both_texts_and_nothing_stored(
    conn: db.Connection,
) -> None:
    unit, pauses = ConflictingUnit(conflicts=10), []
    with pytest.raises(StaleEditError) as refused:
        db.retrying(conn, unit, kept=_kept, attempts=4, pause=pauses.append)
    assert unit.calls == 4
    assert len(pauses) == 3
    assert not isinstance(refused.value, WriteConflict)  # final: nothing will retry it again
    assert (refused.value.mine, refused.value.theirs, refused.value.current_revision) == (
        "my text",
        "their text",
        7,
    )
    assert str(refused.value) == (
        "Many people saved this at the same moment; your change was tried 4 times and not "
        "stored. Your text is kept: compare both versions, then save again."
    )
    assert _log_rows(conn) == []


def test_the_bound_comes_from_the_setting(
    conn: db.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUYERGROUPS_SAVE_ATTEMPTS", "2")
    unit = ConflictingUnit(conflicts=5)
    with pytest.raises(StaleEditError, match="tried 2 times"):
        db.retrying(conn, unit, kept=_kept, pause=lambda _: None)
    assert unit.calls == 2


def test_one_attempt_is_a_save_as_before_with_the_engines_message_and_both_texts(
    conn: db.Connection,
) -> None:
    unit = ConflictingUnit(conflicts=1)
    with pytest.raises(StaleEditError) as refused:
        db.retrying(conn, unit, kept=_kept, attempts=1, pause=lambda _: None)
    assert unit.calls == 1
    assert str(refused.value) == "lost the race"
    assert (refused.value.mine, refused.value.theirs) == ("my text", "their text")


def test_saves_of_one_row_in_this_process_wait_for_each_other() -> None:
    row, other = ("documents", 7), ("documents", 8)
    with retry.queued(row):
        held = retry._ROW_LOCKS[row]
        assert held.locked()
        assert not held.acquire(blocking=False)  # a second save of this row would wait
        with retry.queued(other):  # a save of another row does not
            assert retry._ROW_LOCKS[other].locked()
    assert not held.locked()
    del held
    assert row not in retry._ROW_LOCKS  # no lock is kept for rows nobody saves


def test_a_change_without_text_is_refused_without_promising_a_kept_text(
    conn: db.Connection,
) -> None:
    with pytest.raises(StaleEditError) as refused:
        db.retrying(
            conn,
            ConflictingUnit(conflicts=3),
            kept=lambda cur: (None, None, 2),
            attempts=2,
            pause=lambda _: None,
        )
    assert str(refused.value) == (
        "Many people saved this at the same moment; your change was tried 2 times and not "
        "made. Reload and try again."
    )


@pytest.mark.parametrize(
    "error",
    [
        StaleEditError("the same lines changed", mine="a", theirs="b", current_revision=2),
        PermissionDenied("not yours"),
    ],
)
def test_only_a_lost_race_is_retried(conn: db.Connection, error: Exception) -> None:
    calls = []

    def unit(cur: db.Connection) -> None:
        calls.append(1)
        cur.execute("INSERT INTO meta VALUES ('half', 'done')")
        raise error

    with pytest.raises(type(error)) as raised:
        db.retrying(conn, unit, kept=_kept, attempts=5, pause=lambda _: None)
    assert raised.value is error
    assert calls == [1]
    assert _log_rows(conn) == []


def test_pauses_grow_to_their_cap_and_stay_under_it() -> None:
    caps = [min(db.MAX_PAUSE_S, db.FIRST_PAUSE_S * 2 ** (n - 2)) for n in range(2, 12)]
    assert caps[:3] == [0.005, 0.01, 0.02]
    assert caps[-1] == db.MAX_PAUSE_S
    for attempt, cap in zip(range(2, 12), caps, strict=True):
        assert all(0 <= db.pause_before(attempt) <= cap for _ in range(50))


class RacingConnection:
    """The process connection, but a competing save commits just before the second attempt.

    The competing save runs in its own open transaction from the start, so the
    first attempt collides with it on the real engine; its commit lands in the
    pause before the retry, which then reads the new head.
    """

    def __init__(self, conn: db.Connection, competing: db.Connection) -> None:
        self.conn, self.competing, self.cursors = conn, competing, 0

    def cursor(self) -> db.Connection:
        self.cursors += 1
        if self.cursors == 2:
            self.competing.commit()
        return self.conn.cursor()


def test_a_save_that_collides_with_a_concurrent_one_reads_the_new_head_and_merges(
    conn: db.Connection, world
) -> None:
    doc = make_document(conn, world.member, world.group_a, body="one\nkeep\ntwo\nkeep\nthree")
    competing = conn.cursor()
    competing.begin()
    versioned._save_on_head(
        competing,
        documents.KIND,
        world.facilitator,
        doc,
        1,
        {"body": "ONE\nkeep\ntwo\nkeep\nthree"},
        "edited",
        1,
    )
    racing = RacingConnection(conn, competing)
    outcome = documents.save_document(
        racing, world.member, doc, 1, body="one\nkeep\ntwo\nkeep\nTHREE"
    )
    assert (outcome.revision_no, outcome.merged, outcome.attempts) == (3, True, 2)
    assert documents.get_document(conn, world.member, doc)["body"] == "ONE\nkeep\ntwo\nkeep\nTHREE"
    history = versioned.history(conn, documents.KIND, world.member, doc)
    assert [(r["revision_no"], r["based_on"], r["author"]) for r in history] == [
        (3, 1, "Max Member"),
        (2, 1, "Fay Facilitator"),
        (1, None, "Max Member"),
    ]
    with db.reading(conn) as cur:
        edits = db.value(
            cur,
            "SELECT count(*) FROM activity WHERE item_kind = 'document' AND item_id = ?"
            " AND action = 'edit'",
            [doc],
        )
    assert edits == 2  # one per stored save: the failed attempt left no row


def test_a_save_blocked_on_every_attempt_is_refused_with_both_texts(
    conn: db.Connection, world, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BUYERGROUPS_SAVE_ATTEMPTS", "3")
    doc = make_document(conn, world.member, world.group_a, body="one\nkeep\ntwo")
    blocker = conn.cursor()  # another save, in flight for as long as this one tries
    blocker.begin()
    assert db.compare_and_set(
        blocker,
        "documents",
        doc,
        {"title": "Being saved"},
        version_column="current_revision",
        expected=1,
        next_version=2,
    )
    try:
        with pytest.raises(StaleEditError) as refused:
            documents.save_document(conn, world.member, doc, 1, body="one\nkeep\nTWO")
    finally:
        blocker.rollback()
    assert str(refused.value).startswith("Many people saved this at the same moment; your change")
    assert "tried 3 times" in str(refused.value)
    assert refused.value.mine["body"] == "one\nkeep\nTWO"
    assert refused.value.theirs["body"] == "one\nkeep\ntwo"
    assert refused.value.current_revision == 1
    stored = documents.get_document(conn, world.member, doc)
    assert (stored["body"], stored["current_revision"]) == ("one\nkeep\ntwo", 1)


def test_a_status_change_beside_a_concurrent_content_save_keeps_both(
    conn: db.Connection, world
) -> None:
    # DuckDB rewrites a row whose list column changes (a content save) and updates a
    # status in place; those two never collide, so the status change must claim the
    # row the same way or one of the two is lost without an error.
    doc = make_document(conn, world.member, world.group_a, body="one\nkeep\ntwo")
    competing = conn.cursor()
    competing.begin()
    versioned._save_on_head(
        competing, documents.KIND, world.facilitator, doc, 1, {"themes": ["circular"]}, "", 1
    )
    versioned.change_status(
        RacingConnection(conn, competing), documents.KIND, world.member, doc, "in_review"
    )
    stored = documents.get_document(conn, world.member, doc)
    assert (stored["status"], stored["themes"], stored["current_revision"]) == (
        "in_review",
        ["circular"],
        2,
    )


def test_a_delete_beside_a_concurrent_estimate_save_is_refused(conn: db.Connection, world) -> None:
    estimate = estimates.create_estimate(
        conn,
        world.facilitator,
        world.group_a,
        estimates.EstimateFields(
            title="Electric excavators",
            method="external",
            inputs={"baseline": 300, "expected": 200, "unit": "t CO2e", "document": "LCA"},
            start_year=2025,
            years=1,
        ),
    )
    competing = conn.cursor()
    competing.begin()
    assert db.compare_and_set(
        competing,
        "co2_estimates",
        estimate.id,
        {"title": "Electric excavators and cranes"},
        version_column="current_revision",
        expected=1,
        next_version=2,
    )
    with pytest.raises(StaleEditError, match="reload before deleting it") as refused:
        saving.delete_estimate(
            RacingConnection(conn, competing), world.facilitator, estimate.id, based_on=1
        )
    assert refused.value.current_revision == 2
    kept = estimates.get_estimate(conn, world.facilitator, estimate.id)
    assert (kept.title, kept.current_revision) == ("Electric excavators and cranes", 2)
