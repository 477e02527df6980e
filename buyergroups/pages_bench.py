"""``bench pages``: every page's real script run at programme scale, beside a control page.

``bench pages --build FILE [--scale S]`` builds the programme-scale database
(:mod:`buyergroups.demo.programme`); ``bench pages --db FILE`` times, for a member, a
facilitator and an admin, every page of the app (its first run in a fresh process,
*cold*, and its reruns, *warm*), sign-in, and the main interactions (open a group,
switch a workspace tab, open and save a criterion, change a Tenders filter; with
``--search`` a Find similar search), each next to a trivial control page run the same
way. The runs are Streamlit AppTests of the real entry file and pages, one fresh
Python process per page and role (``ui/page_timing.py``, which may import Streamlit
where this package may not); the background model load is off in those processes
(``BUYERGROUPS_PRELOAD_SEARCH=0``), so it does not eat the CPU being measured.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess  # nosec B404 - runs this repository's own timing script
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from buyergroups import db
from buyergroups.demo import programme
from buyergroups.errors import ValidationError, msg

ROOT = Path(__file__).resolve().parents[1]
# Every page the entry file navigates to, read from it (it imports Streamlit; this may not).
PAGES = tuple(
    dict.fromkeys(
        re.findall(r'"(pages/\w+\.py)"', (ROOT / "streamlit_app.py").read_text(encoding="utf-8"))
    )
)
ROLES = ("member", "facilitator", "admin")


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile of ``values`` (nearest rank; the largest for few values)."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * (len(ordered) - 1))))
    return ordered[rank] if share < 1 else ordered[-1]


def _run(scenario: str, db_path: str, email: str, repeat: int, timeout: float) -> list[dict]:
    env = {
        **os.environ,
        "BUYERGROUPS_PRELOAD_SEARCH": "0",
        "BUYERGROUPS_SEED_DEMO": "0",
        "BUYERGROUPS_BENCH_PASSWORD": programme.BENCH_PASSWORD,
        "HF_HUB_OFFLINE": "1",
    }
    command = [sys.executable, "-m", "ui.page_timing", scenario, "--db", db_path]
    command += ["--email", email, "--repeat", str(repeat)]
    try:
        done = subprocess.run(  # noqa: S603  # nosec B603 - fixed command, no shell
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return [{"name": scenario, "cold": None, "warm": [], "error": f"over {timeout:.0f} s"}]
    found = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not found:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        found.append({"name": scenario, "cold": None, "warm": [], "error": tail[:300]})
    return found


def _line(role: str, row: dict[str, Any], control: dict[str, Any]) -> str:
    warm = row["warm"]
    cold = row["cold"]
    parts = [f"{role:<12} {row['name']:<36}"]
    parts.append(f"{cold:8.2f}" if cold is not None else f"{'—':>8}")
    if warm:
        p50, p95 = statistics.median(warm), percentile(warm, 0.95)
        parts.append(f"{p50:8.3f} {p95:8.3f}")
        base = statistics.median(control["warm"]) if control.get("warm") else 0
        parts.append(f"{p50 / base:7.1f}×" if base else f"{'':>8}")
    else:
        parts.append(f"{'—':>8} {'—':>8} {'':>8}")
    if row.get("error"):
        parts.append(f"  ({row['error']})")
    return " ".join(parts)


def run_bench(
    db_path: str,
    *,
    repeat: int = 5,
    roles: Sequence[str] = ROLES,
    pages: Sequence[str] = PAGES,
    search: bool = False,
    timeout: float = 900,
) -> list[tuple[str, dict[str, Any]]]:
    """Time every page and interaction per role; prints the table and returns its rows."""
    if not Path(db_path).exists():
        raise ValidationError(msg("There is no database file {path}.", path=db_path))
    print(f"bench pages on {db_path}: {repeat} warm runs each; load average {_load()}")
    print(
        f"{'role':<12} {'page or interaction':<36} {'cold s':>8} {'p50 s':>8} {'p95 s':>8} {'÷ control':>8}"
    )
    control = _run("control", db_path, "", repeat, timeout)[0]
    results: list[tuple[str, dict[str, Any]]] = [("control", control)]
    print(_line("—", control, control))
    for role in roles:
        email = programme.BENCH_USERS[role]
        scenarios = [p for p in pages if p != "pages/admin.py" or role == "admin"]
        scenarios += ["signin", "workspace", "tenders"] + (["search"] if search else [])
        for scenario in scenarios:
            for row in _run(scenario, db_path, email, repeat, timeout):
                results.append((role, row))
                print(_line(role, row, control), flush=True)
    print(f"load average at the end {_load()}")
    return results


def _load() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:  # pragma: no cover - not on every system
        return "unknown"


def _command(args: argparse.Namespace) -> int:
    if args.build:
        path = Path(args.build)
        if path.exists():
            raise ValidationError(msg("{path} exists; build into a new file.", path=str(path)))
        started = time.perf_counter()
        conn = db.connect(path)
        try:
            counts = programme.build(conn, args.scale)
        finally:
            conn.close()
        print(f"built {path} in {time.perf_counter() - started:.1f} s: {counts}")
        if not getattr(args, "db", None):
            return 0
    if not getattr(args, "db", None):
        raise ValidationError(
            msg("Name the database to time with --db FILE (or build one with --build).")
        )
    roles = args.roles.split(",") if args.roles else ROLES
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValidationError(
            msg("Unknown role {role}; use member, facilitator or admin.", role=unknown[0])
        )
    pages = (
        [p if p.startswith("pages/") else f"pages/{p}.py" for p in args.pages.split(",")]
        if args.pages
        else PAGES
    )
    results = run_bench(args.db, repeat=args.repeat, roles=roles, pages=pages, search=args.search)
    return 1 if any(row.get("error") for _, row in results) else 0


def _arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument(
        "--build", metavar="FILE", help="build the programme-scale database into FILE"
    )
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count (default 1)")
    parser.add_argument("--repeat", type=int, default=5, help="warm runs per page (default 5)")
    parser.add_argument("--roles", default="", help="comma-separated: member,facilitator,admin")
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    parser.add_argument("--search", action="store_true", help="also time a Find similar search")
    parser.set_defaults(func=_command)
    return parser


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``bench pages``."""
    from buyergroups.cli import command_group, db_parent

    benches = command_group(subparsers, "bench", "benchmarks")
    _arguments(
        benches.add_parser(
            "pages", parents=[db_parent()], help="build programme-scale data; time every page"
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python -m buyergroups.pages_bench``."""
    parser = _arguments(argparse.ArgumentParser(prog="python -m buyergroups.pages_bench"))
    parser.add_argument("--db", default=None)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
