"""Command line for tenders: ``import``, ``export tenders`` and ``bench import`` (ingest/bench.py).

The command line acts as the system (no signed-in user): whoever can run it
owns the database file. ``--group`` links every imported tender to that group.
``import`` exits 0 when every file imported and 1 when any file was rejected.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

from buyergroups import cli, db
from buyergroups.config import PROJECT_ROOT
from buyergroups.errors import ValidationError, msg
from buyergroups.ingest import loader
from buyergroups.ingest.sources import MB, Limits, sources_from_paths

BENCH_TEMPLATE = PROJECT_ROOT / "tests" / "fixtures" / "ingest" / "cn_two_lots.xml"
BENCH_AWARD = PROJECT_ROOT / "tests" / "fixtures" / "ingest" / "can_furniture.xml"
NOTICE_IDS = ("11111111-2222-4333-8444-555555555555", "77777777-2222-4333-8444-555555555555")
FOLDER_ID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
BENCH_100_LOTS = PROJECT_ROOT.parent / "shared" / "data" / "eforms" / "cn_24_maximal_100_lots.xml"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``import``, ``export`` and ``bench`` subcommands."""
    parser = subparsers.add_parser(
        "import", parents=[cli.db_parent()], help="import tenders or the CPV list"
    )
    parser.add_argument("kind", choices=loader.KINDS)
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or zip archives")
    parser.add_argument("--group", type=int, help="link imported tenders to this buyer group id")
    parser.add_argument("--max-file-mb", type=int, default=50, help="size limit per file (MB)")
    parser.set_defaults(func=run_import)

    export = cli.command_group(subparsers, "export", "export data")
    tenders_parser = export.add_parser(
        "tenders", parents=[cli.db_parent()], help="one record per tender"
    )
    tenders_parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    tenders_parser.add_argument("--output", help="file to write (default: standard output)")
    tenders_parser.set_defaults(func=run_export)

    from buyergroups.ingest import bench

    bench.register(cli.command_group(subparsers, "bench", "benchmarks"))


def run_import(args: argparse.Namespace) -> int:
    """Import the paths with a progress bar on stderr and print the summary."""
    from tqdm import tqdm

    limits = Limits(max_file_bytes=args.max_file_mb * MB)
    sources = sources_from_paths(args.paths, args.kind, limits)
    conn = cli.open_db(args)
    try:
        loader.authorise(conn, None, args.group, system=True)
        with tqdm(total=len(sources), unit="file", file=sys.stderr, desc="import") as bar:
            summary = loader.import_sources(
                conn,
                args.kind,
                sources,
                None,
                group_id=args.group,
                system=True,
                limits=limits,
                progress=lambda _result: bar.update(1),
            )
    finally:
        conn.close()
    print(summary.text())
    return 1 if summary.rejected else 0


def run_export(args: argparse.Namespace) -> int:
    """Write every tender as JSON Lines or CSV."""
    from buyergroups import tenders  # not at start: it brings the spreadsheet writers

    conn = cli.open_db(args)
    try:
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                count = tenders.export_tenders(conn, args.format, out)
            print(f"{count} tender(s) written to {args.output}", file=sys.stderr)
        else:
            tenders.export_tenders(conn, args.format, sys.stdout)
    finally:
        conn.close()
    return 0


def run_joined_bench(count: int) -> int:
    """Time synthetic batches of our fixture notices in scratch databases; print the rates.

    Besides the contract notices (each its own procedure) it times contract and
    award notices that join as pairs of one procedure, beside the same notices
    each in a procedure of its own: the cost of the join, measured in the same run.
    """
    for path in (BENCH_TEMPLATE, BENCH_AWARD):
        if not path.is_file():
            raise ValidationError(msg("Benchmark template {path} is missing.", path=str(path)))
    contract = BENCH_TEMPLATE.read_text(encoding="utf-8")
    award = BENCH_AWARD.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as scratch:
        folder = _notices(Path(scratch) / "notices", [contract] * count, joined=False)
        conn = db.connect(Path(scratch) / "bench.duckdb")
        try:
            rate = _time_batch(conn, [folder], count)
            print(
                f"eForms fixture notice: {count} notices in {count / rate:.2f} s = {rate:.0f} notices/s"
            )
            if BENCH_100_LOTS.is_file():
                started = time.perf_counter()
                _import(conn, [BENCH_100_LOTS])
                took = time.perf_counter() - started
                print(f"{BENCH_100_LOTS.name} (100 lots): {took:.2f} s")
        finally:
            conn.close()
        pairs = max(1, count // 2)
        rates = {}
        for joined in (False, True):
            notices = _notices(
                Path(scratch) / f"pairs_{joined}", [contract, award] * pairs, joined=joined
            )
            conn = db.connect(Path(scratch) / f"pairs_{joined}.duckdb")
            try:
                rates[joined] = _time_batch(conn, [notices], pairs if joined else 2 * pairs)
            finally:
                conn.close()
        print(
            f"eForms contract + award notices: {2 * pairs} notices as {pairs} procedures"
            f" (joined) {rates[True] * 2:.0f} notices/s; each its own procedure"
            f" {rates[False]:.0f} notices/s"
        )
    return 0


def _notices(folder: Path, templates: list[str], *, joined: bool) -> Path:
    """Write the notices with fresh ids; ``joined`` pairs of them share a contract folder."""
    folder.mkdir()
    procedure = str(uuid.uuid4())
    for number, template in enumerate(templates):
        if not joined or number % 2 == 0:
            procedure = str(uuid.uuid4())
        notice = template.replace(FOLDER_ID, procedure)
        for notice_id in NOTICE_IDS:
            notice = notice.replace(notice_id, str(uuid.uuid4()))
        (folder / f"notice_{number:05d}.xml").write_text(notice, encoding="utf-8")
    return folder


def _time_batch(conn: db.Connection, paths: list[Path], count: int) -> float:
    started = time.perf_counter()
    summary = _import(conn, paths)
    took = time.perf_counter() - started
    if summary.rejected or summary.imported != count:
        raise ValidationError(
            msg("Benchmark batch did not import cleanly: {summary}", summary=summary.text())
        )
    return count / took


def _import(conn: db.Connection, paths: list[Path]) -> loader.BatchSummary:
    limits = Limits()
    return loader.import_sources(
        conn, "eforms", sources_from_paths(paths, "eforms", limits), None, system=True
    )
