"""Storage boundary: connection, migrations, transactions and small query helpers.

Two engines behind one API: a file path opens DuckDB (embedded, the default);
a ``postgresql://`` URL opens a PostgreSQL pool (:mod:`buyergroups.db.postgres`,
whose cursor offers the DuckDB cursor calls the package uses). Domain modules
never ask which engine runs; the few statements whose SQL differs are named
helpers here and in :mod:`buyergroups.db.vectors`, and a migration whose SQL
differs has a PostgreSQL variant ``NNNN_name.postgresql.sql`` beside it.

Rules that keep a Streamlit server's data straight:

* one connection per process (the UI caches it); every unit of work runs on
  its own ``conn.cursor()``, because a connection shared by threads silently
  returns other threads' results;
* writes run in :func:`transaction`, which commits only when the block
  finished without error and otherwise rolls back (a COMMIT after a failed
  statement would silently discard everything);
* an engine error (``duckdb.Error``, ``psycopg.Error``) never leaves this module untranslated: it becomes a
  :class:`~buyergroups.errors.BuyerGroupsError` subclass; a write-write
  conflict of two transactions becomes :class:`~buyergroups.errors.WriteConflict`;
* a save moves the item's version with :func:`compare_and_set`, the one
  optimistic ``UPDATE ... WHERE id = ? AND <version> = ?`` of the package;
* a save that loses to a concurrent one (the engine's write-write conflict, or
  :func:`advance_version` finding the head moved) is run again from a fresh read
  by :func:`retrying` (:mod:`buyergroups.db.retry`), a bounded number of times
  with a short jittered pause.

Public package functions take the process connection (or any cursor of it)
and open their own unit with :func:`reading` or :func:`transaction`; private
helpers take the cursor of that unit.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import psycopg

from buyergroups.db import archive, pg_tools, postgres
from buyergroups.db.retry import FIRST_PAUSE_S as FIRST_PAUSE_S
from buyergroups.db.retry import MAX_PAUSE_S as MAX_PAUSE_S
from buyergroups.db.retry import pause_before as pause_before
from buyergroups.db.retry import retrying as retrying
from buyergroups.errors import (
    BuyerGroupsError,
    StorageError,
    ValidationError,
    WriteConflict,
    msg,
)

Connection = duckdb.DuckDBPyConnection | postgres.PgConnection | postgres.PgCursor
# What either engine raises; translated into the package's exceptions at this boundary.
ENGINE_ERRORS: tuple[type[Exception], ...] = (duckdb.Error, psycopg.Error)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_VARIANT_NAME = re.compile(r"^(\d{4}_[a-z0-9_]+)\.(postgresql)\.sql$")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
# Something with a URL scheme (two letters or more, so not a Windows drive) that is no
# PostgreSQL URL; a Path has folded its "//" into "/" already.
_OTHER_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/")


def now() -> datetime:
    """The current time as a naive UTC timestamp (what DuckDB TIMESTAMP stores)."""
    return datetime.now(UTC).replace(tzinfo=None)


def is_url(target: str | Path) -> bool:
    """True when ``target`` names a PostgreSQL database (``postgresql://...``), not a file."""
    return postgres.is_url(str(target)) if not isinstance(target, Path) else False


def engine(conn: Connection) -> str:
    """``duckdb`` or ``postgresql``: for the storage layer's own helpers only."""
    return getattr(conn, "engine", "duckdb")


def connect(path: str | Path, *, migrate_schema: bool = True) -> Connection:
    """Open the database ``path`` (a DuckDB file, created if needed, or a PostgreSQL URL).

    Migrations are applied unless ``migrate_schema`` is False. A database whose
    schema is newer than this program, a server that cannot be reached or a
    file that cannot be opened is one clear :class:`StorageError`.
    """
    if is_url(path):
        pool = postgres.open_pool(str(path))
        if migrate_schema:
            try:
                migrate(pool)
            except BaseException:
                pool.close()
                raise
        return pool
    if _OTHER_URL.match(str(path)):
        # A mistyped URL would otherwise become folders named after it.
        raise StorageError(
            msg(
                "{path} is neither a DuckDB file nor a PostgreSQL URL"
                " (postgresql://USER@HOST:PORT/DATABASE).",
                path=postgres.display_url(str(path)),
            )
        )
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = duckdb.connect(str(path))
    except duckdb.Error as exc:
        raise open_error(path, exc) from exc
    if migrate_schema:
        try:
            migrate(conn)
        except BaseException:
            conn.close()
            raise
    return conn


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def open_error(path: str | Path, exc: Exception) -> StorageError:
    """One line that says why the database file cannot be opened and what to do.

    A DuckDB file admits one process: while the app holds it, a command line job
    cannot open it. The message names the holding process and the ways out.
    """
    holder = _LOCK_HOLDER.search(str(exc))
    if holder:
        return StorageError(
            msg(
                "The database {path} is in use by another process (PID {pid}, {program}); "
                "a DuckDB file admits one process. Use the app's Import tenders and Admin "
                "pages while it runs, stop the app first, or move to PostgreSQL (README: "
                "Running as a service).",
                path=str(path),
                pid=holder["pid"],
                program=Path(holder["program"]).name,
            )
        )
    first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return StorageError(
        msg("Cannot open the database {path}: {error}", path=str(path), error=first_line)
    )


def migration_files(for_engine: str = "duckdb") -> list[tuple[str, str]]:
    """The numbered migrations shipped with the package, in order: (name, sql).

    The name is the shared ``NNNN_name.sql`` on both engines (what
    ``schema_migrations`` records); on PostgreSQL the SQL comes from
    ``NNNN_name.postgresql.sql`` where that variant exists.
    """
    folder = resources.files("buyergroups.db") / "migrations"
    found: dict[str, str] = {}
    variants: dict[str, str] = {}
    for entry in folder.iterdir():
        if _MIGRATION_NAME.match(entry.name):
            found[entry.name] = entry.read_text(encoding="utf-8")
        elif (variant := _VARIANT_NAME.match(entry.name)) and variant.group(2) == for_engine:
            variants[f"{variant.group(1)}.sql"] = entry.read_text(encoding="utf-8")
    return sorted((name, variants.get(name, sql)) for name, sql in found.items())


def migrate(conn: Connection) -> list[str]:
    """Apply every migration not yet applied, each in its own transaction.

    Returns the names applied now (empty on a second start).
    """
    kind = engine(conn)
    shipped = migration_files(kind)
    cur = conn.cursor()
    try:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"
        )
        done = {name for (name,) in cur.execute("SELECT name FROM schema_migrations").fetchall()}
    except ENGINE_ERRORS as exc:
        raise translate(exc) from exc
    finally:
        cur.close()
    _refuse_newer(done, [name for name, _ in shipped])
    applied = []
    for name, sql in shipped:
        if name in done:
            continue
        with transaction(conn) as tx:
            if kind == "postgresql":
                # Two processes starting at once: the second waits, then skips what the first did.
                tx.execute("SELECT pg_advisory_xact_lock(7351)")
                if value(tx, "SELECT count(*) FROM schema_migrations WHERE name = ?", [name]):
                    continue
            tx.execute(sql)
            tx.execute("INSERT INTO schema_migrations VALUES (?, ?)", [name, now()])
        applied.append(name)
    return applied


def _refuse_newer(done: set[str], shipped: list[str]) -> None:
    """A database migrated by a newer version of the program is refused, not half-understood."""
    unknown = sorted(done - set(shipped))
    if unknown and (not shipped or unknown[-1] > shipped[-1]):
        raise StorageError(
            msg(
                "The database has schema version {found}, newer than this program's {known}:"
                " upgrade the program.",
                found=unknown[-1][:4],
                known=shipped[-1][:4] if shipped else "0000",
            )
        )


def translate(exc: Exception) -> BuyerGroupsError:
    """Turn an engine error (DuckDB or PostgreSQL) into the package's exception tree."""
    if isinstance(exc, psycopg.Error):
        return _translate_postgres(exc)
    text = str(exc)
    if isinstance(exc, duckdb.TransactionException) or "Conflict on" in text:
        return _write_conflict()
    first_line = text.splitlines()[0] if text else ""
    if isinstance(exc, duckdb.ConstraintException):
        return ValidationError(msg("That conflicts with stored data: {error}", error=first_line))
    return StorageError(
        msg("The database refused the change; nothing was stored. ({error})", error=first_line)
    )


def _translate_postgres(exc: psycopg.Error) -> BuyerGroupsError:
    if postgres.is_write_conflict(exc):
        return _write_conflict()
    first_line = postgres.first_line(exc)
    constraint = getattr(getattr(exc, "diag", None), "constraint_name", None) or ""
    if isinstance(exc, psycopg.errors.UniqueViolation) and constraint.endswith("revisions_pkey"):
        # Two saves appended the same revision number: one lost the race.
        return _write_conflict()
    if postgres.is_constraint(exc):
        return ValidationError(msg("That conflicts with stored data: {error}", error=first_line))
    if isinstance(exc, psycopg.OperationalError):
        return StorageError(msg("The database server cannot be reached: {error}", error=first_line))
    return StorageError(
        msg("The database refused the change; nothing was stored. ({error})", error=first_line)
    )


def _write_conflict() -> WriteConflict:
    return WriteConflict(
        msg(
            "Someone else saved the same item at the same moment; nothing of your "
            "change was stored. Reload and try again."
        )
    )


def _rollback(cur: Connection) -> None:
    try:
        cur.rollback()
    except ENGINE_ERRORS:
        # No transaction left to roll back (e.g. the failure ended it); nothing to undo.
        return


@contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """A fresh cursor inside BEGIN … COMMIT; rolls back on any exception."""
    cur = conn.cursor()
    try:
        cur.begin()
        try:
            yield cur
        except ENGINE_ERRORS as exc:
            _rollback(cur)
            raise translate(exc) from exc
        except BaseException:
            _rollback(cur)
            raise
        try:
            cur.commit()
        except ENGINE_ERRORS as exc:
            _rollback(cur)
            raise translate(exc) from exc
    finally:
        cur.close()


@contextmanager
def reading(conn: Connection) -> Iterator[Connection]:
    """A fresh cursor for a read-only unit of work."""
    cur = conn.cursor()
    try:
        yield cur
    except ENGINE_ERRORS as exc:
        raise translate(exc) from exc
    finally:
        cur.close()


def rows(cur: Connection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Run ``sql`` with bound ``params`` and return every row as a dict."""
    result = cur.execute(sql, list(params))
    names = [d[0] for d in result.description or []]
    return [dict(zip(names, values, strict=True)) for values in result.fetchall()]


def row(cur: Connection, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
    """The first row as a dict, or None."""
    found = rows(cur, sql, params)
    return found[0] if found else None


def value(cur: Connection, sql: str, params: Sequence[Any] = ()) -> Any:
    """The first column of the first row, or None."""
    # fetchall, not fetchone: DuckDB keeps a half-read result open on the cursor,
    # which makes the cursor's next query fail with "Resource In Use".
    fetched = cur.execute(sql, list(params)).fetchall()
    return fetched[0][0] if fetched else None


def changed(cur: Connection, sql: str, params: Sequence[Any] = ()) -> int:
    """Run a DML statement and return how many rows it changed."""
    fetched = cur.execute(sql, list(params)).fetchall()
    return int(fetched[0][0]) if fetched else 0


def compare_and_set(
    cur: Connection,
    table: str,
    row_id: int,
    values: Mapping[str, Any],
    *,
    version_column: str,
    expected: int,
    next_version: int | None,
    live_only: bool = False,
) -> bool:
    """Write ``values`` to row ``row_id`` only if its version is still ``expected``; True if it won.

    One ``UPDATE table SET ..., version_column = next_version WHERE id = ? AND
    version_column = ?`` inside the caller's transaction (``next_version`` None
    keeps the version; ``live_only`` also requires ``deleted_at IS NULL``).
    False means someone saved first: the caller refuses or merges. A
    concurrent transaction writing the same row raises
    :class:`~buyergroups.errors.WriteConflict` (at this statement or at COMMIT).
    Table and column names are the caller's constants, never user text.

    Every such write claims the row the same way, so that two of them always
    collide: the version column is always assigned (to itself when kept), and
    on a table with list columns one is always assigned too. DuckDB detects a
    conflict between two in-place updates only on a column both assign, and
    none between an in-place update and the rewrite (delete and insert) it
    makes of a row whose list column changes: a status change beside a
    concurrent content save would otherwise be lost without an error.
    """
    names = [table, version_column, *values]
    if not all(_IDENTIFIER.match(name) for name in names):
        raise ValueError(f"not an SQL identifier among {names!r}")
    assignments = [f"{name} = ?" for name in values]
    params = list(values.values())
    assignments.append(f"{version_column} = ?")
    params.append(expected if next_version is None else next_version)
    lists = _list_columns(cur, table)
    if lists and not any(name in values for name in lists):
        assignments.append(f"{lists[0]} = {lists[0]}")
    sql = (
        f"UPDATE {table} SET {', '.join(assignments)}"  # nosec B608 - checked identifiers
        f" WHERE id = ? AND {version_column} = ?"
    )
    if live_only:
        sql += " AND deleted_at IS NULL"
    try:
        return changed(cur, sql, [*params, row_id, expected]) == 1
    except (duckdb.TransactionException, psycopg.errors.SerializationFailure) as exc:
        raise translate(exc) from exc
    except psycopg.errors.DeadlockDetected as exc:
        raise translate(exc) from exc


_LIST_COLUMNS: dict[str, tuple[str, ...]] = {}


def _list_columns(cur: Connection, table: str) -> tuple[str, ...]:
    """The table's list columns (cached: the schema only changes by migrations)."""
    if table not in _LIST_COLUMNS:
        found = cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?"
            " AND data_type LIKE '%[]' ORDER BY ordinal_position",
            [table],
        ).fetchall()
        _LIST_COLUMNS[table] = tuple(name for (name,) in found)
    return _LIST_COLUMNS[table]


def advance_version(
    cur: Connection,
    table: str,
    row_id: int,
    values: Mapping[str, Any],
    *,
    version_column: str,
    read: int,
    next_version: int | None,
    live_only: bool = False,
) -> None:
    """:func:`compare_and_set` from the version this unit of work ``read``; WriteConflict if it lost.

    Losing means another save moved the row after this unit read it: a race,
    not a stale edit, so :func:`retrying` runs the unit again from a fresh read.
    """
    won = compare_and_set(
        cur,
        table,
        row_id,
        values,
        version_column=version_column,
        expected=read,
        next_version=next_version,
        live_only=live_only,
    )
    if not won:
        raise _write_conflict()


def get_meta(conn: Connection, key: str) -> str | None:
    """A value from the key/value ``meta`` table."""
    with reading(conn) as cur:
        return value(cur, "SELECT value FROM meta WHERE key = ?", [key])


def set_meta(cur: Connection, key: str, meta_value: str) -> None:
    """Store a key/value pair in ``meta`` (inside the caller's transaction)."""
    cur.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, meta_value],
    )


def backup(conn: Connection, target: str | Path) -> Path:
    """A consistent copy of the whole database, made while the app serves.

    DuckDB: EXPORT DATABASE into the new folder ``target`` (Parquet files and
    the schema). PostgreSQL: ``pg_dump`` into the new file ``target``
    (:mod:`buyergroups.db.pg_tools`).
    """
    if engine(conn) == "postgresql":
        return pg_tools.dump(postgres.url_of(conn), Path(target))
    folder = Path(target)
    if folder.exists() and any(folder.iterdir()):
        raise ValidationError(
            msg("Backup folder {folder} is not empty; choose a new folder.", folder=str(folder))
        )
    folder.mkdir(parents=True, exist_ok=True)
    with reading(conn) as cur:
        cur.execute(f"EXPORT DATABASE '{_quoted_path(folder)}' (FORMAT PARQUET)")
    return folder


def backup_file(conn: Connection, scratch: Path) -> Path:
    """:func:`backup` as one file in the folder ``scratch``: a zip of the folder, or the dump."""
    if engine(conn) == "postgresql":
        return backup(conn, scratch / "backup.dump")
    return archive.pack(backup(conn, scratch / "backup"), scratch / "backup.zip")


def restore(target: str | Path, source: str | Path, *, replace: bool = False) -> None:
    """Bring a backup back: into a new DuckDB file, or into a PostgreSQL database.

    A DuckDB ``target`` takes a backup folder or its zip archive and must not
    exist yet. A PostgreSQL ``target`` takes a ``pg_dump`` file and must be
    empty unless ``replace`` (:func:`buyergroups.db.pg_tools.restore`). Either
    is then migrated to this program's schema.
    """
    if is_url(target):
        pg_tools.restore(str(target), Path(source), replace=replace)
        connect(target).close()
        return
    if replace:
        raise ValidationError(
            msg("--replace is for a PostgreSQL database; restore into a new database file.")
        )
    if Path(source).is_file():
        if pg_tools.is_dump(Path(source)):
            raise ValidationError(
                msg(
                    "{path} is a PostgreSQL backup (pg_dump): restore it into an empty"
                    " PostgreSQL database (--db postgresql://...).",
                    path=str(source),
                )
            )
        with tempfile.TemporaryDirectory(prefix="buyergroups-restore-") as scratch:
            _restore_duckdb(Path(target), archive.unpack(source, scratch))
    else:
        _restore_duckdb(Path(target), Path(source))


def _restore_duckdb(path: Path, source: Path) -> None:
    """IMPORT DATABASE from a backup folder into a new, empty database file."""
    if not (source / "schema.sql").is_file():
        raise ValidationError(
            msg("{folder} is not a backup folder (no schema.sql in it).", folder=str(source))
        )
    if path.exists():
        raise ValidationError(
            msg("{path} exists; restore into a new database file.", path=str(path))
        )
    conn = connect(path, migrate_schema=False)
    try:
        with reading(conn) as cur:
            cur.execute(f"IMPORT DATABASE '{_quoted_path(source)}'")
        migrate(conn)
    except BuyerGroupsError:
        conn.close()
        path.unlink(missing_ok=True)
        raise
    conn.close()


def _quoted_path(path: Path) -> str:
    # EXPORT/IMPORT DATABASE take no bound parameters; the path is the
    # operator's own CLI argument, quoted as an SQL string literal.
    return str(path.resolve()).replace("'", "''")
