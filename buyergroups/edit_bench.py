"""Benchmark of concurrent edits: writers saving lines of one document at the same time.

``python -m buyergroups bench edits [--db FILE] [--writers 8] [--rounds 20] [--pause-ms 500]``.
Each writer, in its own thread on the process connection (as Streamlit sessions
are), opens the document, rewrites its own line (the lines are kept apart by
lines nobody edits), optionally thinks for a random 0..``pause-ms``, and saves
on the revision it opened; then again, ``rounds`` times. The same run measures
the baseline, saves without the retry (``BUYERGROUPS_SAVE_ATTEMPTS=1``, how a
lost race ended a save before), and, as a contrast, every writer rewriting the
same line. Afterwards the revisions are read back to count lost edits: a saved
edit is lost when its text is missing from the revision it created or is gone
from a later revision before its writer changed that line again.

Everything goes through the package API (``db.connect``, ``documents``,
``versioned``), so ``--db`` can name any database the storage layer opens;
without it a scratch file is used. The benchmark adds a group, eight users and
its documents to that database.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from buyergroups import cli, db, documents, groups, versioned
from buyergroups.accounts import users
from buyergroups.accounts.users import User
from buyergroups.config import load_settings
from buyergroups.db import retry
from buyergroups.errors import Message, StaleEditError

SEPARATOR = "(nobody edits this line)"


@dataclass(frozen=True)
class Scenario:
    """One measured run: how many attempts a save gets, pauses, which lines writers edit."""

    label: str
    attempts: int  # 1: no retry (the baseline)
    pause_ms: int
    same_line: bool = False
    queue: bool = True  # False: saves of the document meet as races, as from several processes


@dataclass
class Edit:
    """One save by one writer: what it wrote and what became of it."""

    writer: int
    round_no: int
    text: str
    seconds: float = 0.0
    revision_no: int | None = None  # set when stored
    merged: bool = False
    attempts: int = 0
    refusal: str = ""  # why it was refused ('' when stored)
    kept_both: bool = False  # a refusal that kept the writer's text and the saved one


@dataclass
class Outcome:
    """The edits of one scenario and what reading the revisions back found."""

    scenario: Scenario
    edits: list[Edit] = field(default_factory=list)
    lost: int = 0
    phantom: int = 0  # a refused edit's text found in a revision (must be 0)
    revisions: int = 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``bench edits``."""
    bench = cli.command_group(subparsers, "bench", "benchmarks")
    parser = bench.add_parser(
        "edits", help="concurrent writers on one document", parents=[cli.db_parent()]
    )
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--pause-ms", type=int, default=500)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run every scenario and print the table."""
    path = getattr(args, "db", None)
    with tempfile.TemporaryDirectory() as scratch:
        conn = db.connect(path or Path(scratch) / "bench-edits.duckdb")
        try:
            outcomes = bench(conn, args.writers, args.rounds, args.pause_ms, print)
        finally:
            conn.close()
    for outcome in (o for o in outcomes if _target_applies(o)):
        met = share_landed(outcome) >= 0.95 and outcome.lost == 0 and not outcome.phantom
        verdict = "met" if met else "NOT met"
        print(f"target >= 95 % land, 0 lost: {verdict} for {outcome.scenario.label}")
    return 0


def bench(
    conn: db.Connection, writers: int, rounds: int, pause_ms: int, report: Callable[[str], None]
) -> list[Outcome]:
    """The scenarios on one database: baseline and retry, without and with pauses, same line."""
    attempts = load_settings().save_attempts
    pauses = f"pauses 0-{pause_ms} ms"
    scenarios = [
        Scenario("no retry (baseline), no pause", 1, 0),
        Scenario(f"retry x{attempts}, no queue, no pause", attempts, 0, queue=False),
        Scenario(f"retry x{attempts} + queue, no pause", attempts, 0),
        Scenario(f"no retry (baseline), {pauses}", 1, pause_ms),
        Scenario(f"retry x{attempts}, no queue, {pauses}", attempts, pause_ms, queue=False),
        Scenario(f"retry x{attempts} + queue, {pauses}", attempts, pause_ms),
        Scenario(f"same line, retry x{attempts} + queue, no pause", attempts, 0, same_line=True),
    ]
    people, group_id = _workspace(conn, writers)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    report(
        f"bench edits: {writers} writers x {rounds} rounds on one document; "
        f"{os.cpu_count()} cores, load average {load:.1f} at start"
    )
    report(_header())
    outcomes = []
    for scenario in scenarios:
        outcome = run_scenario(conn, people, group_id, rounds, scenario)
        outcomes.append(outcome)
        report(_row(outcome))
    return outcomes


def _workspace(conn: db.Connection, writers: int) -> tuple[list[User], int]:
    stamp = time.strftime("%Y%m%d%H%M%S")
    with db.transaction(conn) as cur:
        group_id = groups.insert_group(
            cur,
            None,
            {
                "name": f"Edit benchmark {stamp}-{random.randrange(10**6)}",  # noqa: S311  # nosec B311
                "sector": "other",
                "programme": "other",
                "countries": ["NL"],
                "themes": [],
                "phase": "forming",
            },
        )
        people = []
        for index in range(writers):
            person = users.insert_user(
                cur,
                None,
                name=f"Bench writer {index}",
                email=f"bench.writer.{index}.{group_id}@example.test",
            )
            groups.set_user_role(cur, None, group_id, person.id, "member")
            people.append(person)
    return people, group_id


def _line(writer: int, text: str) -> str:
    return f"Line of writer {writer}: {text}"


def _body(lines: list[str]) -> str:
    return f"\n{SEPARATOR}\n".join(lines)


def _lines(body: str) -> list[str]:
    return body.split(f"\n{SEPARATOR}\n")


@contextmanager
def saving_as(scenario: Scenario) -> Iterator[None]:
    """Saves as the scenario says for the duration: the attempts setting, the queue."""
    before = os.environ.get("BUYERGROUPS_SAVE_ATTEMPTS"), retry.QUEUE_SAVES
    os.environ["BUYERGROUPS_SAVE_ATTEMPTS"] = str(scenario.attempts)
    retry.QUEUE_SAVES = scenario.queue
    try:
        yield
    finally:
        if before[0] is None:
            os.environ.pop("BUYERGROUPS_SAVE_ATTEMPTS", None)
        else:
            os.environ["BUYERGROUPS_SAVE_ATTEMPTS"] = before[0]
        retry.QUEUE_SAVES = before[1]


def run_scenario(
    conn: db.Connection, people: list[User], group_id: int, rounds: int, scenario: Scenario
) -> Outcome:
    """All writers' rounds of one scenario on a new document, then the check for lost edits."""
    lines = [_line(w, "first draft") for w in range(len(people))]
    doc = documents.create_document(
        conn,
        people[0],
        group_id,
        "market_vision",
        title=scenario.label,
        body=_body(lines),
        language="en",
    )
    outcome = Outcome(scenario)
    start = threading.Barrier(len(people))
    lock = threading.Lock()

    def writer(index: int) -> None:
        rng = random.Random(index)  # noqa: S311  # nosec B311 - think times, not secrets
        start.wait()
        for round_no in range(rounds):
            edit = _one_edit(conn, people[index], doc, index, round_no, scenario, rng)
            with lock:
                outcome.edits.append(edit)

    with saving_as(scenario):
        threads = [threading.Thread(target=writer, args=(i,)) for i in range(len(people))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    _check(conn, people[0], doc, outcome)
    return outcome


def _one_edit(
    conn: db.Connection,
    person: User,
    doc: int,
    index: int,
    round_no: int,
    scenario: Scenario,
    rng: random.Random,
) -> Edit:
    opened = documents.get_document(conn, person, doc)
    lines = _lines(opened["body"])
    target = 0 if scenario.same_line else index
    edit = Edit(index, round_no, _line(target, f"writer {index}, round {round_no}"))
    lines[target] = edit.text
    if scenario.pause_ms:
        time.sleep(rng.uniform(0, scenario.pause_ms) / 1000)
    began = time.perf_counter()
    try:
        saved = documents.save_document(
            conn, person, doc, opened["current_revision"], body=_body(lines)
        )
    except StaleEditError as refused:
        edit.refusal = _reason(refused)
        edit.kept_both = edit.text in (refused.mine or {}).get("body", "") and bool(refused.theirs)
    else:
        edit.revision_no, edit.merged, edit.attempts = (
            saved.revision_no,
            saved.merged,
            saved.attempts,
        )
    edit.seconds = time.perf_counter() - began
    return edit


def _reason(refused: StaleEditError) -> str:
    template = refused.args[0].template if isinstance(refused.args[0], Message) else ""
    if template.startswith("Many people saved this"):
        return "retries used up"
    if "changed the same part" in template:
        return "overlapping edit"
    if template.startswith("Someone else saved the same item at the same moment"):
        return "lost a race"
    return "other: " + str(refused)[:60]


def _check(conn: db.Connection, reader: User, doc: int, outcome: Outcome) -> None:
    """Count lost and phantom edits by reading every revision back."""
    history = {
        r["revision_no"]: _lines(r["body"])
        for r in versioned.history(conn, documents.KIND, reader, doc)
    }
    outcome.revisions = len(history)
    last = max(history)
    stored = sorted((e for e in outcome.edits if e.revision_no), key=lambda e: e.revision_no)
    for edit in stored:
        target = 0 if outcome.scenario.same_line else edit.writer
        # The next stored edit of this line may replace it; until then it must stay.
        same_line = [
            e.revision_no
            for e in stored
            if e.revision_no > edit.revision_no
            and (outcome.scenario.same_line or e.writer == edit.writer)
        ]
        until = min(same_line) - 1 if same_line else last
        if any(history[n][target] != edit.text for n in range(edit.revision_no, until + 1)):
            outcome.lost += 1
    refused_texts = {e.text for e in outcome.edits if e.refusal}
    outcome.phantom = sum(
        1 for lines in history.values() for line in lines if line in refused_texts
    )
    if outcome.revisions != 1 + len(stored):
        outcome.lost += abs(outcome.revisions - 1 - len(stored))


def share_landed(outcome: Outcome) -> float:
    """The share of attempted edits that were stored."""
    return sum(1 for e in outcome.edits if e.revision_no) / max(1, len(outcome.edits))


def _target_applies(outcome: Outcome) -> bool:
    return outcome.scenario.attempts > 1 and not outcome.scenario.same_line


def _header() -> str:
    return (
        f"{'scenario':<44} {'edits':>5} {'direct':>6} {'merged':>6} {'refused':>7} {'lost':>4}"
        f" {'landed':>7} {'tries p50/max':>13} {'save ms p50/p95':>15}  refused because"
    )


def _row(outcome: Outcome) -> str:
    edits = outcome.edits
    stored = [e for e in edits if e.revision_no]
    reasons = Counter(e.refusal for e in edits if e.refusal)
    kept = sum(1 for e in edits if e.refusal and e.kept_both)
    tries = sorted(e.attempts for e in stored) or [0]
    millis = sorted(e.seconds * 1000 for e in edits)
    p95 = millis[min(len(millis) - 1, int(0.95 * len(millis)))]
    why = ", ".join(f"{n} {reason}" for reason, n in reasons.most_common()) or "-"
    if reasons:
        why += f" (both texts kept: {kept})"
    if outcome.phantom:
        why += f"; {outcome.phantom} refused texts found stored"
    return (
        f"{outcome.scenario.label:<44} {len(edits):>5}"
        f" {sum(1 for e in stored if not e.merged):>6} {sum(1 for e in stored if e.merged):>6}"
        f" {len(edits) - len(stored):>7} {outcome.lost:>4} {share_landed(outcome):>7.1%}"
        f" {statistics.median(tries):>6.0f}/{max(tries):<6} {statistics.median(millis):>7.0f}/{p95:<7.0f}"
        f"  {why}"
    )
