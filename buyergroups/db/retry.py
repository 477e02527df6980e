"""The retry of a save that lost a race, and the queue that keeps one process's saves apart.

A save is one unit of work: read the head, merge with it, compare-and-set,
append. When two run at once, the engine lets one win; the other ends in a
:class:`~buyergroups.errors.WriteConflict` (DuckDB's "Conflict on update", a
PostgreSQL serialization failure, or a compare-and-set that found the head
moved). :func:`retrying` runs the loser again from a fresh read, so it merges
with the winner instead of being refused, a bounded number of times with a
short jittered pause.

Within one process, saves of one row first wait for each other (a lock per
row, held for one attempt): DuckDB has no row locks, and eight sessions saving
one document at once would otherwise collide again and again. Saves from other
processes (a served PostgreSQL) still meet as races, which the retry handles.
"""

from __future__ import annotations

import secrets
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from buyergroups.config import load_settings
from buyergroups.errors import StaleEditError, WriteConflict, msg

if TYPE_CHECKING:
    from buyergroups.db import Connection

T = TypeVar("T")

# Pauses between attempts: full jitter (uniform from 0) under a cap that doubles
# from FIRST_PAUSE_S up to MAX_PAUSE_S.
FIRST_PAUSE_S = 0.005
MAX_PAUSE_S = 0.250
# How long a save waits for another save of the same row in this process before
# it goes ahead anyway (and, at worst, meets it as a race).
QUEUE_WAIT_S = 30.0
# False leaves saves of one row to meet as races even within this process (what
# saves from several processes do): only for the benchmark's comparison.
QUEUE_SAVES = True

_ROW_LOCKS: weakref.WeakValueDictionary[tuple[str, int], Any] = weakref.WeakValueDictionary()
_ROW_LOCKS_GUARD = threading.Lock()


def pause_before(attempt: int) -> float:
    """Seconds to wait before attempt ``attempt`` (2, 3, ...): uniform under a doubling cap."""
    cap = min(MAX_PAUSE_S, FIRST_PAUSE_S * 2 ** (attempt - 2))
    return secrets.SystemRandom().uniform(0, cap)


@contextmanager
def queued(row: tuple[str, int] | None) -> Iterator[None]:
    """Hold this process's lock of ``row`` (table, id) for the block; None: no lock."""
    if row is None or not QUEUE_SAVES:
        yield
        return
    with _ROW_LOCKS_GUARD:
        lock = _ROW_LOCKS.get(row)
        if lock is None:
            lock = threading.Lock()
            _ROW_LOCKS[row] = lock
    held = lock.acquire(timeout=QUEUE_WAIT_S)
    try:
        yield
    finally:
        if held:
            lock.release()


def retrying(
    conn: Connection,
    unit: Callable[[Connection], T],
    *,
    kept: Callable[[Connection], tuple[Any, Any, int | None]],
    row: tuple[str, int] | None = None,
    attempts: int | None = None,
    pause: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``unit(cur)`` in a transaction; after a write conflict run it again, from a fresh read.

    The whole unit is re-run in a new transaction (the failed one rolled back
    entirely, so nothing of it stays, activity rows included), at most
    ``attempts`` times (default: the ``save_attempts`` setting) with a short
    jittered pause between attempts; each attempt first waits for this
    process's other saves of ``row``. Only :class:`WriteConflict` is retried: a
    stale edit whose changes overlap, a permission or validation error ends the
    save at once. When every attempt lost, the save is refused with a
    :class:`StaleEditError` whose ``mine``, ``theirs`` and ``current_revision``
    come from ``kept(cur)``, read afresh, so the user's text is kept (``mine``
    None: a change without a text, such as a delete). One attempt (the setting
    at 1) is a save as it was before the retry: no queue, no second try, the
    engine's conflict message (with both texts kept).
    """
    from buyergroups.db import reading, transaction

    bound = attempts if attempts is not None else load_settings().save_attempts
    if bound < 1:
        raise ValueError(f"attempts must be at least 1, got {bound}")
    lost: WriteConflict | None = None
    for attempt in range(1, bound + 1):
        if attempt > 1:
            pause(pause_before(attempt))
        try:
            with queued(row if bound > 1 else None), transaction(conn) as cur:
                return unit(cur)
        except WriteConflict as conflict:
            lost = conflict
    with reading(conn) as cur:
        mine, theirs, current = kept(cur)
    message = lost.args[0] if bound == 1 and lost else _refusal(bound, texts=mine is not None)
    raise StaleEditError(message, mine=mine, theirs=theirs, current_revision=current)


def _refusal(attempts: int, *, texts: bool) -> str:
    if texts:
        return msg(
            "Many people saved this at the same moment; your change was tried {attempts} times"
            " and not stored. Your text is kept: compare both versions, then save again.",
            attempts=attempts,
        )
    return msg(
        "Many people saved this at the same moment; your change was tried {attempts} times"
        " and not made. Reload and try again.",
        attempts=attempts,
    )
