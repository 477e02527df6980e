"""PostgreSQL behind the DuckDB-shaped API the package uses (psycopg 3 with a pool).

:class:`PgConnection` is what :func:`buyergroups.db.connect` returns for a
``postgresql://`` URL: one ``psycopg_pool.ConnectionPool`` per process. Its
:meth:`~PgConnection.cursor` borrows one pooled connection for the cursor's
life (given back at ``close()``), so a Streamlit session's unit of work never
shares a connection with another session. :class:`PgCursor` offers exactly
the subset of the DuckDB cursor the package calls:

* ``execute(sql, params)`` with ``?`` placeholders (turned into ``%s``,
  skipping quoted literals, identifiers and comments), returning the cursor;
* ``fetchall``/``fetchone``/``fetchmany``/``description``/``rowcount``; a
  DML statement without ``RETURNING`` fetches ``[(rows changed,)]`` as DuckDB
  does;
* ``begin``/``commit``/``rollback``: the connection runs in autocommit
  outside ``begin()``, so a read never leaves a transaction open.

Two DuckDB idioms are translated here, in the storage layer, so that domain
SQL stays one text: JSON columns are read as text (DuckDB returns text), and a
bound list of lists cast with ``?::T[][]`` (DuckDB unnests it into one list per
row, PostgreSQL would flatten it) is sent as one array literal per row and cast
back after ``unnest``. The few DuckDB functions the domain SQL uses
(``list_contains``, ``list_sort``, ...) exist on PostgreSQL through the
PostgreSQL variant of migration 0001, and a ``double`` domain stands for
DuckDB's ``DOUBLE``.

The default isolation is READ COMMITTED: an ``UPDATE ... WHERE version = ?``
that meets a concurrent update of the row waits for it and re-checks the WHERE
on the committed row, so the compare-and-set of a save holds across processes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import psycopg
import psycopg.errors
from psycopg.adapt import Loader
from psycopg_pool import ConnectionPool

from buyergroups.errors import StorageError, msg

URL_PREFIXES = ("postgresql://", "postgres://")
POOL_MAX = 20
# A save waiting longer than this for another transaction's row lock ends in a
# WriteConflict (and is retried from a fresh read) instead of waiting forever.
LOCK_TIMEOUT_MS = 5000
POOL_TIMEOUT_S = 30.0
CONNECT_TIMEOUT_S = 10


def is_url(target: object) -> bool:
    """True for a PostgreSQL connection URL (``postgresql://...``)."""
    return isinstance(target, str) and target.startswith(URL_PREFIXES)


def url_of(conn: object) -> str:
    """The URL a :class:`PgConnection` (or a cursor of one) was opened on."""
    owner = getattr(conn, "_owner", conn)
    return str(owner.url)  # type: ignore[attr-defined]


def display_url(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


class _TextLoader(Loader):
    """Load JSON as its text (what DuckDB returns)."""

    def load(self, data: Any) -> str:
        return bytes(data).decode("utf-8")


class _FloatLoader(Loader):
    """Load NUMERIC (an AVG of integers, for instance) as a float, as DuckDB's DOUBLE."""

    def load(self, data: Any) -> float:
        return float(bytes(data).decode("ascii"))


def _configure(conn: psycopg.Connection) -> None:
    conn.adapters.register_loader("json", _TextLoader)
    conn.adapters.register_loader("jsonb", _TextLoader)
    conn.adapters.register_loader("numeric", _FloatLoader)
    conn.execute(f"SET lock_timeout = {int(LOCK_TIMEOUT_MS)}")


# --- placeholder translation -------------------------------------------------------------

_NESTED_CAST = re.compile(r"\?::(\w+)\[\]\[\]")
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|\?::\w+\[\]\[\]|\?|%", re.S)


def translate_sql(sql: str) -> tuple[str, list[int]]:
    """``?`` → ``%s`` outside literals and comments, ``%`` doubled; positions of nested lists.

    Returns the SQL for psycopg and the indexes of the parameters cast as
    ``?::T[][]``, which :func:`_nested_literals` sends as array literals.
    """
    out: list[str] = []
    nested: list[int] = []
    position = 0
    at = 0
    for match in _TOKEN.finditer(sql):
        out.append(sql[at : match.start()])
        piece = match.group(0)
        if piece == "?":
            out.append("%s")
            position += 1
        elif piece == "%":
            out.append("%%")
        elif piece.startswith("?::"):
            kind = _NESTED_CAST.match(piece).group(1)  # type: ignore[union-attr]
            out.append("%s::text[]")
            nested.append(position)
            position += 1
            # unnest(%s::text[]) yields one literal per row; cast each back to a list.
            rest = sql[match.end() :]
            if rest.startswith(")"):
                out.append(f")::{kind}[]")
                at = match.end() + 1
                continue
        else:
            out.append(piece.replace("%", "%%"))  # a literal or comment, kept as written
        at = match.end()
    out.append(sql[at:])
    return "".join(out), nested


def _array_literal(values: Sequence[Any] | None) -> str | None:
    if values is None:
        return None
    parts = []
    for item in values:
        if item is None:
            parts.append("NULL")
        else:
            text = str(item).replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'"{text}"')
    return "{" + ",".join(parts) + "}"


def _nested_literals(param: Any) -> list[str | None]:
    return [_array_literal(inner) for inner in param]


def _adapted(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_adapted(v) for v in value]
    if isinstance(value, list):
        return [_adapted(v) for v in value]
    return value


# --- connection and cursor -------------------------------------------------------------


class PgCursor:
    """One borrowed pooled connection with the DuckDB cursor calls the package uses."""

    def __init__(self, owner: PgConnection) -> None:
        self._owner = owner
        self._conn: psycopg.Connection | None = owner.pool.getconn()
        self._rows: list[tuple[Any, ...]] | None = None
        self._at = 0
        self.description: list[Any] | None = None
        self.rowcount = -1

    engine = "postgresql"

    @property
    def raw(self) -> psycopg.Connection:
        """The borrowed psycopg connection (for the storage layer's own helpers)."""
        if self._conn is None:
            raise StorageError(msg("The database connection was closed."))
        return self._conn

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> PgCursor:
        """Run one statement (or, without params, a script); results are read at once."""
        conn = self.raw
        with conn.cursor() as cur:
            if params is None or (not params and "?" not in sql):
                cur.execute(sql.encode("utf-8"))  # a script: no placeholders, % as written
            else:
                text, nested = translate_sql(sql)
                values = [_adapted(v) for v in params]
                for index in nested:
                    values[index] = _nested_literals(values[index])
                cur.execute(text, values)  # type: ignore[arg-type]
            self._take(cur)
        return self

    def executemany(self, sql: str, seq: Sequence[Sequence[Any]]) -> PgCursor:
        text, _ = translate_sql(sql)
        with self.raw.cursor() as cur:
            cur.executemany(text, [[_adapted(v) for v in params] for params in seq])  # type: ignore[arg-type]
            self.rowcount = cur.rowcount
        self._rows, self.description, self._at = None, None, 0
        return self

    def _take(self, cur: psycopg.Cursor) -> None:
        self.rowcount = cur.rowcount
        self._at = 0
        if cur.description is not None:
            self.description = [(c.name, c.type_code) for c in cur.description]
            self._rows = cur.fetchall()
        else:
            self.description = None
            self._rows = None

    def fetchall(self) -> list[tuple[Any, ...]]:
        if self._rows is None:
            return [(max(self.rowcount, 0),)]
        found = self._rows[self._at :]
        self._at = len(self._rows)
        return found

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._rows is None:
            return (max(self.rowcount, 0),)
        if self._at >= len(self._rows):
            return None
        self._at += 1
        return self._rows[self._at - 1]

    def fetchmany(self, size: int = 1) -> list[tuple[Any, ...]]:
        if self._rows is None:
            return []
        found = self._rows[self._at : self._at + size]
        self._at += len(found)
        return found

    def df(self) -> Any:
        import pandas as pd

        names = [d[0] for d in self.description or []]
        return pd.DataFrame(self.fetchall() if self._rows is not None else [], columns=names)

    fetchdf = df

    def begin(self) -> None:
        self.raw.execute("BEGIN")

    def commit(self) -> None:
        self.raw.execute("COMMIT")

    def rollback(self) -> None:
        self.raw.execute("ROLLBACK")

    def cursor(self) -> PgCursor:
        """A new cursor on its own pooled connection (as DuckDB's ``cursor.cursor()``)."""
        return self._owner.cursor()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._owner.pool.putconn(conn)

    def __enter__(self) -> PgCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # a cursor never closed still gives its connection back
        with suppress(Exception):  # at interpreter shutdown the pool may be gone
            self.close()


class PgConnection:
    """A process's pool of PostgreSQL connections, shaped as a DuckDB connection."""

    engine = "postgresql"

    def __init__(self, url: str, *, max_size: int = POOL_MAX) -> None:
        self.url = url
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
            configure=_configure,
            timeout=POOL_TIMEOUT_S,
            open=False,
            name="buyergroups",
        )
        self.pool.open(wait=True, timeout=CONNECT_TIMEOUT_S + 5)

    def cursor(self) -> PgCursor:
        return PgCursor(self)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> PgCursor:
        """Run one statement on a borrowed connection; the result is already read."""
        cur = self.cursor()
        try:
            return cur.execute(sql, params)
        finally:
            cur.close()

    def close(self) -> None:
        self.pool.close()

    def __enter__(self) -> PgConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_pool(url: str) -> PgConnection:
    """Open a pool on ``url``; a server that cannot be reached is one clear StorageError."""
    try:
        with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S) as probe:
            probe.execute("SELECT 1")
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise StorageError(
            msg(
                "Cannot open the database {path}: {error}",
                path=display_url(url),
                error=first.rstrip("."),
            )
        ) from exc
    except Exception as exc:  # psycopg's URL parser raises ProgrammingError or ValueError
        raise StorageError(
            msg(
                "Cannot open the database {path}: {error}",
                path=display_url(url),
                error=str(exc).splitlines()[0].rstrip(".") if str(exc) else type(exc).__name__,
            )
        ) from exc
    return PgConnection(url)


@contextmanager
def admin_connection(url: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection for statements outside transactions (CREATE DATABASE)."""
    with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
        yield conn


def is_write_conflict(exc: BaseException) -> bool:
    """A serialization failure, a deadlock, or a lock wait that timed out."""
    return isinstance(
        exc,
        psycopg.errors.SerializationFailure
        | psycopg.errors.DeadlockDetected
        | psycopg.errors.LockNotAvailable,
    )


def is_constraint(exc: BaseException) -> bool:
    return isinstance(exc, psycopg.errors.IntegrityError)


def first_line(exc: BaseException) -> str:
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    text = primary or str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
