"""``bench import``: import rates beside the raw parse of the same files, with memory.

The eForms corpus is the public example notices (``../shared/data/eforms``, the
``INVALID_*`` files left out), or our own fixtures when those are absent, each
copied ``--copies`` times with every UUID in it mapped to a fresh one per copy
(so a change notice still points at the notice it changes in its own copy).
The baseline is lxml parsing the same files from disk with the importer's own
parser, timed in the same run just before the import (the best of three
passes). The OCDS corpus is the
fictional example's planning, tender, award and contract releases for
``--processes`` processes with fresh ocids, one release package per stage and
block of processes, so the later stages merge into stored processes. Memory:
the resident set after a tenth of the files and at the end, and the peak.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from buyergroups import db
from buyergroups.config import PROJECT_ROOT
from buyergroups.errors import ValidationError, msg
from buyergroups.ingest import eforms, loader
from buyergroups.ingest.sources import Limits, sources_from_paths

SHARED = PROJECT_ROOT.parent / "shared" / "data"
FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "ingest"
_FIXTURE_NOTICES = ("cn_two_lots.xml", "can_furniture.xml", "pin_furniture.xml")
_OCDS_STAGES = ("01-planning", "02-tender", "04-award", "05-contract")
_OCID = "ocds-213czf-000-00001"
_UUID = re.compile(rb"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_COPIES = uuid.UUID("6f1d2a4e-3c5b-4e8f-9a7d-0b1c2d3e4f50")


def register(bench: argparse._SubParsersAction) -> None:
    """Add ``bench import`` to the ``bench`` command group."""
    parser = bench.add_parser(
        "import",
        help="eForms and OCDS import rates beside the raw parse of the same files, with memory",
    )
    parser.add_argument(
        "--copies", type=int, default=20, help="copies of each example notice (fresh ids each)"
    )
    parser.add_argument(
        "--processes", type=int, default=1000, help="OCDS processes, four releases each"
    )
    parser.add_argument(
        "--notices", type=int, default=300, help="notices in the joined-procedures comparison"
    )
    parser.add_argument(
        "--profile", help="write cProfiles of the imports to PREFIX-eforms.prof, PREFIX-ocds.prof"
    )
    parser.set_defaults(func=run_bench_import)


def run_bench_import(args: argparse.Namespace) -> int:
    """Build the corpora in a scratch folder, time parse and import, print the figures."""
    from buyergroups.ingest import commands  # the older synthetic figures live there

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        templates = eforms_templates()
        notices = write_notices(folder / "eforms", templates, args.copies)
        parse_rate = raw_parse_rate(notices)
        imported = timed_import(folder / "eforms.duckdb", "eforms", notices, _named(args, "eforms"))
        print(
            f"eForms: {len(notices)} notices ({len(templates)} example notices x {args.copies}),"
            f" {_megabytes(notices):.1f} MB"
        )
        print(f"  raw lxml parse (same files, same run): {parse_rate:.0f} notices/s")
        print(
            f"  import: {imported.rate:.0f} notices/s = {imported.rate / parse_rate:.2f}x"
            f" the raw parse; {imported.memory()}"
        )
        releases = write_releases(folder / "ocds", args.processes)
        decode_rate = raw_json_rate(releases, 4 * args.processes)
        ocds = timed_import(folder / "ocds.duckdb", "ocds", releases, _named(args, "ocds"))
        print(f"OCDS: {4 * args.processes} releases of {args.processes} processes")
        print(f"  raw json.loads (same files, same run): {decode_rate:.0f} releases/s")
        print(
            f"  import: {4 * args.processes * ocds.rate / len(releases):.0f} releases/s;"
            f" {ocds.memory()}"
        )
    return commands.run_joined_bench(args.notices)


def _named(args: argparse.Namespace, kind: str) -> str | None:
    return f"{args.profile}-{kind}.prof" if args.profile else None


def eforms_templates() -> list[tuple[str, bytes]]:
    """The example notices (name, bytes): the shared public ones, else our fixtures."""
    folder = SHARED / "eforms"
    paths = sorted(
        path
        for path in folder.glob("*.xml")
        if not path.name.startswith("INVALID_") and "_100_lots" not in path.name
    )
    if not paths:
        paths = [FIXTURES / name for name in _FIXTURE_NOTICES]
    return [(path.stem, path.read_bytes()) for path in paths]


def write_notices(folder: Path, templates: list[tuple[str, bytes]], copies: int) -> list[Path]:
    """Write ``copies`` of every template, each copy's UUIDs mapped to fresh ones."""
    folder.mkdir()
    written = []
    for copy in range(copies):
        for stem, data in templates:

            def fresh(match: re.Match[bytes], copy: int = copy) -> bytes:
                old = match.group().lower().decode()
                return str(uuid.uuid5(_COPIES, f"{copy}:{old}")).encode()

            path = folder / f"{copy:05d}_{stem}.xml"
            path.write_bytes(_UUID.sub(fresh, data))
            written.append(path)
    return written


def write_releases(folder: Path, processes: int, per_file: int = 250) -> list[Path]:
    """Release packages of the example's four stages for ``processes`` fresh ocids."""
    folder.mkdir()
    stages = [
        json.loads((_ocds_folder() / f"{_OCID}-{stage}.json").read_text(encoding="utf-8"))
        for stage in _OCDS_STAGES
    ]
    written = []
    for number, stage in enumerate(stages):
        text = json.dumps(stage["releases"][0])
        for start in range(0, processes, per_file):
            package = {key: value for key, value in stage.items() if key != "releases"}
            package["releases"] = [
                json.loads(text.replace(_OCID, f"ocds-213czf-{n // 100000:03d}-{n % 100000:05d}"))
                for n in range(start, min(processes, start + per_file))
            ]
            path = folder / f"{number}_{start:07d}.json"
            path.write_text(json.dumps(package), encoding="utf-8")
            written.append(path)
    return written


def _ocds_folder() -> Path:
    shared = SHARED / "ocds"
    if (shared / f"{_OCID}-02-tender.json").is_file():
        return shared
    raise ValidationError(
        msg("The OCDS example releases are missing from {path}.", path=str(shared))
    )


def raw_parse_rate(paths: list[Path], passes: int = 3) -> float:
    """Files per second lxml parses from disk (read and parse, nothing else; best pass)."""
    return len(paths) / _best(passes, lambda: [_parse(path) for path in paths])


def _parse(path: Path) -> None:
    etree.fromstring(path.read_bytes(), eforms.secure_parser())


def raw_json_rate(paths: list[Path], releases: int, passes: int = 3) -> float:
    """Releases per second json.loads decodes from disk (read and decode; best pass)."""
    return releases / _best(passes, lambda: [json.loads(path.read_bytes()) for path in paths])


def _best(passes: int, run: Callable[[], object]) -> float:
    """The shortest of ``passes`` timed runs, in seconds (the baseline at its fastest)."""
    times = []
    for _ in range(passes):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


class Timed:
    """One timed import: files per second and resident memory along the way."""

    def __init__(self, files: int) -> None:
        self.files = files
        self.rate = 0.0
        self.rss_tenth = 0.0
        self.rss_end = 0.0
        self.done = 0

    def progress(self, _result: loader.FileResult) -> None:
        self.done += 1
        if self.done == max(1, self.files // 10):
            self.rss_tenth = resident_mb()

    def memory(self) -> str:
        return (
            f"resident {self.rss_tenth:.0f} MB after a tenth of the files, {self.rss_end:.0f} MB"
            f" at the end ({self.rss_end - self.rss_tenth:+.0f} MB); peak {peak_mb():.0f} MB"
        )


def timed_import(database: Path, kind: str, paths: list[Path], profile: str | None) -> Timed:
    """Import ``paths`` into a new database; ValidationError unless every file imported."""
    timed = Timed(len(paths))
    conn = db.connect(database)
    try:
        limits = Limits()
        run: Callable[[], loader.BatchSummary] = lambda: loader.import_sources(  # noqa: E731
            conn,
            kind,
            sources_from_paths(paths, kind, limits),
            None,
            system=True,
            progress=timed.progress,
        )
        started = time.perf_counter()
        summary = _profiled(run, profile) if profile else run()
        timed.rate = len(paths) / (time.perf_counter() - started)
        timed.rss_end = resident_mb()
    finally:
        conn.close()
    if summary.rejected:
        raise ValidationError(
            msg("Benchmark batch did not import cleanly: {summary}", summary=summary.text())
        )
    return timed


def _profiled(run: Callable[[], loader.BatchSummary], path: str) -> loader.BatchSummary:
    import cProfile

    profiler = cProfile.Profile()
    summary = profiler.runcall(run)
    profiler.dump_stats(path)
    return summary


def resident_mb() -> float:
    """The process's resident set now, in MB (Linux /proc; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * resource.getpagesize() / 1e6


def peak_mb() -> float:
    """The process's peak resident set so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6  # KiB on Linux


def _megabytes(paths: list[Path]) -> float:
    return sum(path.stat().st_size for path in paths) / 1e6
