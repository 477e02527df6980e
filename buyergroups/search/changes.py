"""Follow the search change log: which items other processes (or sessions) re-indexed.

Every write of stored passages adds ``search_changes`` rows (item kind and id) in
the same transaction, as its last statement (``store.log_changes``). An in-memory
index follows the log by id and reloads the stored passages of the items named:
nothing is embedded again.

Ids come from a sequence, handed out when a row is inserted, but transactions
commit in their own order: id 11 can be visible before id 10 commits. So the
follower keeps a *watermark* (every id at or below it was applied, or given up as
a gap), the ids above it already applied, and when it first noticed each missing
id below the highest one. A missing id is applied when its transaction commits;
after ``GAP_SECONDS`` it is given up (a rolled-back transaction leaves a gap for
good; a real one commits within milliseconds of taking its id, since the log row
is its last statement).

The follower itself is pure bookkeeping: ``store.refresh_index`` reads the rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

GAP_SECONDS = 60.0
# How far back from the log's end a new follower looks for ids that may still commit.
START_WINDOW = 10_000

ChangeRow = tuple[int, str, int]  # (id, item_kind, item_id)


@dataclass
class ChangeFollower:
    """Where one in-memory index stands in the change log."""

    watermark: int = 0
    applied: set[int] = field(default_factory=set)
    gaps: dict[int, float] = field(default_factory=dict)

    def start(self, latest: int, recent_ids: Iterable[int], now: float) -> None:
        """Begin at the log's end ``latest``; ``recent_ids`` are the ids present near it.

        The caller loads every stored passage after reading these, so every present
        id is applied; a missing one in the window may belong to a transaction
        still to commit.
        """
        self.watermark = max(0, latest - START_WINDOW)
        self.applied = {change_id for change_id in recent_ids if change_id > self.watermark}
        self.gaps = {}
        self._advance(now)

    def frontier(self) -> tuple[int, list[int]]:
        """What to read next: ids above the highest applied one, and the missing ids below it."""
        return max(self.applied, default=self.watermark), sorted(self.gaps)

    def unseen(self, rows: Iterable[ChangeRow]) -> list[ChangeRow]:
        """The rows (ids above the watermark) not applied yet."""
        return [row for row in rows if row[0] > self.watermark and row[0] not in self.applied]

    def mark_applied(self, change_ids: Iterable[int], now: float) -> None:
        """Record ``change_ids`` as applied (after their items were reloaded)."""
        self.applied.update(change_id for change_id in change_ids if change_id > self.watermark)
        self._advance(now)

    def _advance(self, now: float) -> None:
        top = max(self.applied, default=self.watermark)
        for missing in range(self.watermark + 1, top):
            if missing not in self.applied:
                self.gaps.setdefault(missing, now)
        while True:
            following = self.watermark + 1
            if following in self.applied:
                self.applied.discard(following)
            elif following in self.gaps and now - self.gaps[following] >= GAP_SECONDS:
                pass  # given up: rolled back, or a transaction far older than any real one
            else:
                break
            self.gaps.pop(following, None)
            self.watermark = following
