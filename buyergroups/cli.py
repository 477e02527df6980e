"""Command line: ``python -m buyergroups SUBCOMMAND ...``.

Each module in :data:`COMMAND_MODULES` adds its subcommands through
``register(subparsers)``; a subcommand's ``func(args)`` returns the exit code.
Subcommands are added with ``parents=[db_parent()]`` so that ``--db`` works
before or after the subcommand name. Errors a user can cause end with a clear message on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from buyergroups import db
from buyergroups.config import load_settings
from buyergroups.errors import BuyerGroupsError

COMMAND_MODULES: list[str] = [
    "buyergroups.db.commands",
    "buyergroups.demo.commands",
    "buyergroups.accounts.commands",
    "buyergroups.ingest.commands",
    "buyergroups.search.commands",
    "buyergroups.network.bench",
    "buyergroups.edit_bench",
    "buyergroups.pages_bench",
]


def open_db(args: argparse.Namespace) -> db.Connection:
    """Open the database named by ``--db`` or ``BUYERGROUPS_DB`` (migrating it)."""
    path = getattr(args, "db", None) or load_settings().db_path
    return db.connect(path)


def db_parent() -> argparse.ArgumentParser:
    """A parent parser adding ``--db`` to a subcommand (``parents=[db_parent()]``)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--db", default=argparse.SUPPRESS, help="DuckDB file to use")
    return parent


def command_group(
    subparsers: argparse._SubParsersAction, name: str, help_text: str
) -> argparse._SubParsersAction:
    """The sub-subcommands of ``name`` (e.g. ``bench``), shared by every module that adds one."""
    parser = subparsers.choices.get(name)
    if parser is None:
        parser = subparsers.add_parser(name, help=help_text)
        return parser.add_subparsers(dest="what", required=True)
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m buyergroups",
        description="buyergroups: workspace of Buyer Groups in sustainable public procurement",
    )
    parser.add_argument(
        "--db", help="DuckDB file (default: BUYERGROUPS_DB or data/buyergroups.duckdb)"
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except BuyerGroupsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
