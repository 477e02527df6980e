"""PostgreSQL databases for the test suite: templates made once, a fresh copy per test.

``BUYERGROUPS_TEST_DB`` names the server (``postgresql://user@host:port/postgres``:
an account that may create databases; ``scripts/test.sh`` starts a throwaway
server and sets it). A test's database is ``CREATE DATABASE ... TEMPLATE`` of a
template migrated (or demo-seeded) once per session, dropped after the test.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from urllib.parse import urlsplit, urlunsplit

from buyergroups import db
from buyergroups.db import postgres

PREFIX = f"bgt{os.getpid()}_"


def server_url() -> str | None:
    """The test server's URL, or None: the suite runs on DuckDB files."""
    url = os.environ.get("BUYERGROUPS_TEST_DB", "")
    return url if postgres.is_url(url) else None


def database_url(name: str) -> str:
    """The URL of database ``name`` on the test server."""
    parts = urlsplit(server_url() or "")
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def _admin(sql: str) -> None:
    with postgres.admin_connection(server_url() or "") as conn:
        conn.execute(sql)


@cache
def migrated_template() -> str:
    """A database with every migration applied, the template of each test's database."""
    name = f"{PREFIX}migrated"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    db.connect(database_url(name)).close()
    return database_url(name)


@cache
def _demo_template(seed: Callable[[str], object]) -> str:
    name = f"{PREFIX}demo"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{urlsplit(migrated_template()).path[1:]}"')
    seed(database_url(name))
    return database_url(name)


def demo_template(seed: Callable[[str], object]) -> str:
    """The demo-seeded template database (seeded by ``seed(url)`` once per session)."""
    return _demo_template(seed)


@contextmanager
def fresh_database(template_url: str) -> Iterator[str]:
    """A new database copied from ``template_url``; dropped afterwards (connections ended)."""
    template = urlsplit(template_url).path[1:]
    name = f"{PREFIX}{secrets.token_hex(4)}"
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield database_url(name)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_leftovers(config: object = None) -> None:
    """Drop every database this session made (templates included)."""
    if server_url() is None:
        return
    with postgres.admin_connection(server_url() or "") as conn:
        names = [
            name
            for (name,) in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", [PREFIX + "%"]
            ).fetchall()
        ]
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def empty_database() -> Iterator[str]:
    """A new database with nothing in it (from ``template0``); dropped afterwards."""
    name = f"{PREFIX}{secrets.token_hex(4)}"
    _admin(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        yield database_url(name)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
