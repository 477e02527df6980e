"""Benchmark of the store: save latency and what becomes of concurrent saves, per engine.

``python -m buyergroups bench store [TARGET ...] [--writers 8] [--saves 20]``. Each
TARGET is a DuckDB file or a ``postgresql://`` URL (without one: a scratch DuckDB
file), so one run prints both engines side by side. Three scenarios per target:

- **one writer** saving its own document ``saves`` times: the save latency alone;
- **N writers, N documents**: each writer saves its own document, all at once;
- **N writers, one document**: every writer rewrites the same line of one document
  on the revision it opened, all at once. One save per base revision can win; the
  others are refused (an overlapping edit cannot merge) with both texts kept.

On PostgreSQL every writer is its own process with its own connection pool (as app
processes and command-line jobs are); on DuckDB, whose file admits one process,
writers are threads on the process connection (as Streamlit sessions are). After
each scenario every revision is read back to count lost edits (a stored edit whose
text is missing from its revision, or gone before its writer changed it again) and
phantom ones (a refused text that was stored); both must be 0. Everything goes
through the package API, so the saves take the same path as the app's. The run adds
a group, N users and its documents to each target.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buyergroups import cli, db, documents
from buyergroups.accounts.users import User
from buyergroups.edit_bench import (
    Edit,
    Outcome,
    Scenario,
    _body,
    _check,
    _line,
    _lines,
    _reason,
    _workspace,
)
from buyergroups.errors import StaleEditError


@dataclass(frozen=True)
class Job:
    """What one writer does: save ``saves`` times on ``doc`` as ``person``."""

    target: str
    person: User
    doc: int
    writer: int
    line: int  # the line of the document this writer rewrites
    saves: int


@dataclass
class Result:
    """One scenario on one target, as printed."""

    engine: str
    label: str
    outcome: Outcome
    seconds: float  # from the first writer's start to the last save's end


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``bench store``."""
    bench = cli.command_group(subparsers, "bench", "benchmarks")
    parser = bench.add_parser(
        "store", help="save latency and concurrent saves, on each engine given"
    )
    parser.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help="DuckDB file or postgresql:// URL (default: a scratch DuckDB file)",
    )
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--saves", type=int, default=20, help="saves per writer")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Every scenario on every target, then the table and the verdict."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"bench store: {args.writers} writers x {args.saves} saves; "
        f"{os.cpu_count()} cores, load average {load:.1f} at start"
    )
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as scratch:
        for target in args.targets or [str(Path(scratch) / "bench-store.duckdb")]:
            results.extend(bench(target, args.writers, args.saves, print))
    print(header())
    for result in results:
        print(row(result))
    bad = [r for r in results if r.outcome.lost or r.outcome.phantom]
    print(f"target 0 lost, 0 phantom: {'NOT met' if bad else 'met'} on every scenario")
    return 0


def bench(
    target: str, writers: int, saves: int, report: Callable[[str], None] = print
) -> list[Result]:
    """The three scenarios on one database."""
    conn = db.connect(target)
    try:
        engine = db.engine(conn)
        people, group_id = _workspace(conn, writers)
        report(f"{engine}: {_describe(target)}; writers are {_unit(engine)}")
        results = []
        for label, count, shared in (
            ("one writer", 1, False),
            (f"{writers} writers, {writers} documents", writers, False),
            (f"{writers} writers, one document", writers, True),
        ):
            results.append(
                _scenario(conn, target, engine, people[:count], group_id, label, saves, shared)
            )
            report(row(results[-1]))
        return results
    finally:
        conn.close()


def _scenario(
    conn: db.Connection,
    target: str,
    engine: str,
    people: list[User],
    group_id: int,
    label: str,
    saves: int,
    shared: bool,
) -> Result:
    lines = [_line(w, "first draft") for w in range(len(people))]

    def new_document(title: str) -> int:
        return documents.create_document(
            conn,
            people[0],
            group_id,
            "market_vision",
            title=title,
            body=_body(lines),
            language="en",
        )

    if shared:
        doc = new_document(label)
        jobs = [Job(target, p, doc, i, 0, saves) for i, p in enumerate(people)]
    else:
        jobs = [
            Job(target, p, new_document(f"{label} #{i}"), i, i, saves) for i, p in enumerate(people)
        ]
    edits, seconds = _run_jobs(conn, engine, jobs)
    outcome = Outcome(Scenario(label, 0, 0, same_line=shared))
    for doc in sorted({job.doc for job in jobs}):
        part = Outcome(outcome.scenario, [e for e, j in edits if j.doc == doc])
        _check(conn, people[0], doc, part)
        outcome.edits.extend(part.edits)
        outcome.lost += part.lost
        outcome.phantom += part.phantom
        outcome.revisions += part.revisions
    return Result(engine, label, outcome, seconds)


def _run_jobs(
    conn: db.Connection, engine: str, jobs: list[Job]
) -> tuple[list[tuple[Edit, Job]], float]:
    """Run every job at once (processes on PostgreSQL, threads on DuckDB); the edits, seconds."""
    if engine == "postgresql" and len(jobs) > 1:
        ctx = multiprocessing.get_context("spawn")
        with ctx.Manager() as manager:
            barrier = manager.Barrier(len(jobs))
            with ctx.Pool(len(jobs)) as pool:
                batches = pool.starmap(_process_writer, [(job, barrier) for job in jobs])
    else:
        barrier = threading.Barrier(len(jobs))
        batches: list[tuple[list[Edit], float, float]] = [([], 0.0, 0.0) for _ in jobs]

        def thread_writer(index: int) -> None:
            barrier.wait()
            batches[index] = _write(conn, jobs[index])

        threads = [threading.Thread(target=thread_writer, args=(i,)) for i in range(len(jobs))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    span = max(end for _, _, end in batches) - min(start for _, start, _ in batches)
    edits = [
        (edit, job) for job, (batch, _, _) in zip(jobs, batches, strict=True) for edit in batch
    ]
    return edits, span


def _process_writer(job: Job, barrier: Any) -> tuple[list[Edit], float, float]:
    """One writer process: its own connection (pool), then the same saves as a thread's."""
    conn = db.connect(job.target, migrate_schema=False)
    try:
        documents.get_document(conn, job.person, job.doc)  # connected and warm before the start
        barrier.wait()
        return _write(conn, job)
    finally:
        conn.close()


def _write(conn: db.Connection, job: Job) -> tuple[list[Edit], float, float]:
    """``job.saves`` times: open the document, rewrite the writer's line, save on that revision.

    Returns the edits and the wall-clock start and end (``time.time``, comparable across
    processes on one machine).
    """
    edits = []
    started = time.time()
    for round_no in range(job.saves):
        opened = documents.get_document(conn, job.person, job.doc)
        lines = _lines(opened["body"])
        edit = Edit(job.writer, round_no, _line(job.line, f"writer {job.writer}, save {round_no}"))
        lines[job.line] = edit.text
        began = time.perf_counter()
        try:
            saved = documents.save_document(
                conn, job.person, job.doc, opened["current_revision"], body=_body(lines)
            )
        except StaleEditError as refused:
            edit.refusal = _reason(refused)
            mine = (refused.mine or {}).get("body", "")
            edit.kept_both = edit.text in mine and bool(refused.theirs)
        else:
            edit.revision_no, edit.merged, edit.attempts = (
                saved.revision_no,
                saved.merged,
                saved.attempts,
            )
        edit.seconds = time.perf_counter() - began
        edits.append(edit)
    return edits, started, time.time()


def _describe(target: str) -> str:
    if db.is_url(target):
        return target.split("@")[-1]  # host, port and database; never the password
    return "a DuckDB file"


def _unit(engine: str) -> str:
    return "processes" if engine == "postgresql" else "threads of one process"


def header() -> str:
    """The table's header line."""
    return (
        f"{'engine':<10} {'scenario':<28} {'saves':>5} {'stored':>6} {'merged':>6}"
        f" {'refused':>7} {'lost':>4} {'save ms p50':>11} {'p95':>7} {'saves/s':>7}"
        "  refused because"
    )


def row(result: Result) -> str:
    """One scenario's line."""
    edits = result.outcome.edits
    stored = [e for e in edits if e.revision_no]
    millis = sorted(e.seconds * 1000 for e in edits) or [0.0]
    p95 = millis[min(len(millis) - 1, int(0.95 * len(millis)))]
    reasons: dict[str, int] = {}
    for edit in edits:
        if edit.refusal:
            reasons[edit.refusal] = reasons.get(edit.refusal, 0) + 1
    why = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items())) or "-"
    if reasons:
        kept = sum(1 for e in edits if e.refusal and e.kept_both)
        why += f" (both texts kept: {kept})"
    if result.outcome.phantom:
        why += f"; {result.outcome.phantom} refused texts found stored"
    rate = len(edits) / result.seconds if result.seconds else 0.0
    return (
        f"{result.engine:<10} {result.label:<28} {len(edits):>5} {len(stored):>6}"
        f" {sum(1 for e in stored if e.merged):>6} {len(edits) - len(stored):>7}"
        f" {result.outcome.lost:>4} {statistics.median(millis):>11.1f} {p95:>7.1f}"
        f" {rate:>7.1f}  {why}"
    )
