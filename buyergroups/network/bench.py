"""Benchmark of the network: a synthetic programme stored in a scratch DuckDB, then timed.

``python -m buyergroups bench network`` or ``python -m buyergroups.network.bench``.
Defaults: 200 groups, 2,000 organisations, 2,000 original criteria and 20,000
reuse edges. Betweenness on the membership graph (2,200 nodes) is k-sampled (k =
:data:`~buyergroups.network.analytics.SAMPLE_K`, fixed seed). The data is
random but seeded, so two runs build the same graph.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from buyergroups import db
from buyergroups.accounts.users import User
from buyergroups.domain import AmbitionLevel, Phase, Sector, Theme

if TYPE_CHECKING:
    import pandas as pd

COUNTRIES = ("NL", "BE", "DE", "DK", "SE", "NO", "FI", "ES", "FR", "IT")
CPV_DIVISIONS = ("45", "30", "34", "39", "18", "55", "90", "71", "09", "15")
ROLES = ("lead", "front_runner", "follower", "observer", "supplier_expert")


@dataclass(frozen=True)
class Scale:
    groups: int = 200
    organisations: int = 2000
    original_criteria: int = 2000
    reuse_edges: int = 20000
    seed: int = 42


def synthetic_frames(scale: Scale) -> dict[str, pd.DataFrame]:
    """Rows for organisations, buyer_groups, memberships and criteria (seeded random)."""
    # Imported here so that the command line starts without pandas (``--help``).
    import pandas as pd

    # Reproducible benchmark data, not secrets.
    rng = random.Random(scale.seed)  # noqa: S311  # nosec B311
    now = db.now()
    orgs = pd.DataFrame(
        {
            "id": range(1, scale.organisations + 1),
            "name": [f"Organisation {i}" for i in range(1, scale.organisations + 1)],
            "kind": "municipality",
            "country": [rng.choice(COUNTRIES) for _ in range(scale.organisations)],
            "created_at": now,
        }
    )
    groups = pd.DataFrame([_group_row(rng, i, now) for i in range(1, scale.groups + 1)])
    memberships = pd.DataFrame(_membership_rows(rng, scale, now))
    criteria = pd.DataFrame(_criterion_rows(rng, scale, now))
    return {
        "organisations": orgs,
        "buyer_groups": groups,
        "memberships": memberships,
        "criteria": criteria,
    }


def _group_row(rng: random.Random, group_id: int, now: Any) -> dict[str, Any]:
    return {
        "id": group_id,
        "name": f"Buyer Group {group_id}",
        "sector": rng.choice(list(Sector)).value,
        "programme": "national_buyer_group",
        "countries": sorted(set(rng.choices(COUNTRIES, k=rng.randint(1, 3)))),
        "themes": sorted(set(rng.choices([t.value for t in Theme], k=rng.randint(1, 3)))),
        "phase": rng.choice(list(Phase)).value,
        "cpv_codes": [d + "000000" for d in sorted(set(rng.choices(CPV_DIVISIONS, k=2)))],
        "created_at": now,
        "updated_at": now,
    }


def _membership_rows(rng: random.Random, scale: Scale, now: Any) -> list[dict[str, Any]]:
    rows = []
    for org_id in range(1, scale.organisations + 1):
        for group_id in sorted(set(rng.choices(range(1, scale.groups + 1), k=rng.randint(1, 3)))):
            rows.append(
                {
                    "group_id": group_id,
                    "organisation_id": org_id,
                    "role": rng.choice(ROLES),
                    "joined_at": now,
                }
            )
    return rows


def _criterion_rows(rng: random.Random, scale: Scale, now: Any) -> list[dict[str, Any]]:
    rows = []
    total = scale.original_criteria + scale.reuse_edges
    for criterion_id in range(1, total + 1):
        source = None
        if criterion_id > scale.original_criteria:
            source = rng.randint(1, criterion_id - 1)
        rows.append(
            {
                "id": criterion_id,
                "group_id": rng.randint(1, scale.groups),
                "criterion_type": "award_criterion",
                "theme": rng.choice(list(Theme)).value,
                "ambition_level": rng.choice(list(AmbitionLevel)).value,
                "title": f"Criterion {criterion_id}",
                "status": "published" if criterion_id % 2 else "draft",
                "visibility": "published" if criterion_id % 2 else "group",
                "derived_from": source,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def store(conn: db.Connection, frames: dict[str, pd.DataFrame]) -> None:
    """Insert the synthetic rows (the table names are this module's own constants)."""
    with db.transaction(conn) as cur:
        for table, frame in frames.items():
            cur.register("synthetic_rows", frame)
            columns = ", ".join(frame.columns)
            # Table and column names are this module's own constants, never user text.
            sql = f"INSERT INTO {table} ({columns}) SELECT {columns} FROM synthetic_rows"  # nosec B608
            cur.execute(sql)
            cur.unregister("synthetic_rows")


Figure = tuple[str, float, float, str]  # step, wall seconds, CPU seconds, size


def _timed(figures: list[Figure], name: str, step: Callable[[], Any]) -> Any:
    started, cpu = time.perf_counter(), time.process_time()
    result = step()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    import pandas as pd

    size = f"{len(result)} rows" if isinstance(result, pd.DataFrame | dict) else ""
    if hasattr(result, "number_of_nodes"):
        size = f"{result.number_of_nodes():,} nodes, {result.number_of_edges():,} edges"
    figures.append((name, wall, cpu, size))
    return result


def run(conn: db.Connection, scale: Scale) -> list[Figure]:
    """Seed the scratch database, then time loading, graph building and every analysis."""
    from buyergroups.network import analytics, graphs

    figures: list[Figure] = []
    _timed(figures, "generate + store synthetic rows", lambda: store(conn, synthetic_frames(scale)))
    admin = User(id=0, name="Benchmark", email="bench@example.test", is_admin=True)
    snap = _timed(figures, "load snapshot", lambda: graphs.load(conn, admin))
    for name, build in [
        ("membership graph", graphs.membership_graph),
        ("co-membership graph", graphs.co_membership_graph),
        ("reuse graph", graphs.reuse_graph),
        ("full graph", graphs.full_graph),
    ]:
        _timed(figures, f"build {name}", lambda build=build: build(snap))
    _timed(figures, "bridges (k-sampled betweenness)", lambda: analytics.bridges(snap))
    _timed(figures, "communities (Louvain)", lambda: analytics.communities(snap))
    _timed(figures, "reuse spread (transitive)", lambda: analytics.reuse_spread(snap))
    _timed(figures, "organisation pairs", lambda: analytics.org_pairs(snap))
    _timed(figures, "similar groups (group 1)", lambda: analytics.similar_groups(snap, 1))
    _timed(figures, "organisations abroad (group 1)", lambda: analytics.foreign_adopters(snap, 1))
    last = scale.original_criteria + scale.reuse_edges
    _timed(figures, "lineage of one criterion", lambda: analytics.lineage(snap, last))
    return figures


def report(figures: list[Figure]) -> str:
    """The timings as aligned lines (wall and CPU seconds) and totals after seeding."""
    lines = [f"{'step':<38} {'wall s':>8} {'cpu s':>8}"]
    lines += [f"{n:<38} {wall:8.3f} {cpu:8.3f}  {size}" for n, wall, cpu, size in figures]
    wall = sum(figure[1] for figure in figures[1:])
    cpu = sum(figure[2] for figure in figures[1:])
    lines.append(f"{'total: load, build and analytics':<38} {wall:8.3f} {cpu:8.3f}")
    return "\n".join(lines)


def run_bench(args: argparse.Namespace) -> int:
    """Run the benchmark in a scratch database and print the figures."""
    from buyergroups.network import analytics

    scale = Scale(args.groups, args.organisations, args.original_criteria, args.reuse_edges)
    print(
        f"{scale.groups} groups, {scale.organisations} organisations, "
        f"{scale.original_criteria} original criteria, {scale.reuse_edges} reuse edges "
        f"(betweenness k-sampled: k={analytics.SAMPLE_K}, seed={analytics.SEED})"
    )
    with tempfile.TemporaryDirectory() as scratch:
        conn = db.connect(Path(scratch) / "bench.duckdb")
        try:
            print(report(run(conn, scale)))
        finally:
            conn.close()
    return 0


def _arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    defaults = Scale()
    parser.add_argument("--groups", type=int, default=defaults.groups)
    parser.add_argument("--organisations", type=int, default=defaults.organisations)
    parser.add_argument("--original-criteria", type=int, default=defaults.original_criteria)
    parser.add_argument("--reuse-edges", type=int, default=defaults.reuse_edges)
    parser.set_defaults(func=run_bench)
    return parser


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``bench network``."""
    from buyergroups.cli import command_group

    benches = command_group(subparsers, "bench", "benchmarks")
    _arguments(benches.add_parser("network", help="time the network build and analytics"))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python -m buyergroups.network.bench``."""
    parser = _arguments(argparse.ArgumentParser(prog="python -m buyergroups.network.bench"))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
