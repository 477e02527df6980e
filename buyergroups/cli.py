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
    "buyergroups.store_bench",
    "buyergroups.pages_bench",
]


_DB = ("buyergroups.db.commands",)
_SEARCH = ("buyergroups.search.commands",)
_BENCHES = (
    "buyergroups.ingest.commands",
    "buyergroups.search.commands",
    "buyergroups.network.bench",
    "buyergroups.edit_bench",
    "buyergroups.store_bench",
    "buyergroups.pages_bench",
)
# Every top-level command with its help line and the modules that add it, so that a run
# imports only the modules of its own command (``--help`` none): some import pandas,
# networkx or openpyxl. tests/test_cli.py checks this against what the modules add.
COMMANDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "init": ("create or migrate the database", _DB),
    "backup": (
        "a consistent copy while the app serves: a new folder (DuckDB) or file (PostgreSQL)",
        _DB,
    ),
    "restore": (
        "bring a backup back into a new DuckDB file or an empty PostgreSQL database",
        _DB,
    ),
    "copy": (
        "copy every table from one database to another (DuckDB file <-> PostgreSQL)",
        _DB,
    ),
    "demo": ("load the demo dataset into an empty database", ("buyergroups.demo.commands",)),
    "user": ("manage user accounts", ("buyergroups.accounts.commands",)),
    "import": ("import tenders or the CPV list", ("buyergroups.ingest.commands",)),
    "export": ("export data", ("buyergroups.ingest.commands",)),
    "bench": ("benchmarks", _BENCHES),
    "reindex": ("bring the similarity-search index up to date", _SEARCH),
    "search": ("find similar criteria, documents and tenders", _SEARCH),
    "model": ("the embedding model", _SEARCH),
}


def open_db(args: argparse.Namespace) -> db.Connection:
    """Open the database named by ``--db`` or ``BUYERGROUPS_DB`` (migrating it)."""
    path = getattr(args, "db", None) or load_settings().db_path
    return db.connect(path)


def db_parent() -> argparse.ArgumentParser:
    """A parent parser adding ``--db`` to a subcommand (``parents=[db_parent()]``)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--db", default=argparse.SUPPRESS, help="DuckDB file or postgresql:// URL to use"
    )
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


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser: every subcommand in full, or only ``command`` in full.

    With a ``command`` (or ``""`` for none, as for ``--help``), the other
    commands are listed by name and help line without importing their modules.
    """
    parser = argparse.ArgumentParser(
        prog="python -m buyergroups",
        description="buyergroups: workspace of Buyer Groups in sustainable public procurement",
    )
    parser.add_argument(
        "--db",
        help="DuckDB file or postgresql:// URL without a password (default: BUYERGROUPS_DB"
        " or data/buyergroups.duckdb; a password goes in the environment, PGPASSWORD or ~/.pgpass)",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    if command is None:
        modules = COMMAND_MODULES
    else:
        modules = [m for m in COMMAND_MODULES if m in COMMANDS.get(command, ("", ()))[1]]
    for name in modules:
        importlib.import_module(name).register(subparsers)
    for name, (help_text, _modules) in COMMANDS.items():
        if name not in subparsers.choices:
            subparsers.add_parser(name, help=help_text)
    return parser


def _command_word(argv: Sequence[str]) -> str:
    """The subcommand named in ``argv`` ('' when none), skipping the global ``--db FILE``."""
    words = iter(argv)
    for word in words:
        if word == "--db":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand and return its exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_word(words))
    args = parser.parse_args(words)
    try:
        return int(args.func(args))
    except BuyerGroupsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
