"""The ``demo`` subcommand: load the demo dataset into an empty database."""

from __future__ import annotations

import argparse

from buyergroups import demo
from buyergroups.cli import db_parent, open_db


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``demo``."""
    seed = subparsers.add_parser(
        "demo", parents=[db_parent()], help="load the demo dataset into an empty database"
    )
    seed.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    conn = open_db(args)
    try:
        counts = demo.seed(conn)
    finally:
        conn.close()
    print("Demo dataset loaded: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return 0
