"""Moving a deployment between engines: every table copied exactly, DuckDB ↔ PostgreSQL.

:func:`copy_database` reads the source in one snapshot (one transaction, so a
PostgreSQL source may go on serving) and writes the target in one transaction
(a failed copy leaves it as it was), table by table in batches: COPY on
PostgreSQL, an Arrow batch per ``INSERT ... SELECT`` on DuckDB. The target is
migrated to the program's schema first and must hold no data; the source must
be at the same schema version (every command migrates the database it opens, so
an older source is migrated first, a newer one refused). Values keep their
types: lists, JSON text, dates, timestamps, booleans and NULLs as they are;
vectors move between DuckDB's ``FLOAT[]`` and PostgreSQL's ``BYTEA``
(:mod:`buyergroups.db.vectors`). Sequences end past the copied ids (or at the
source's own value, when that is further), so new rows get new ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from buyergroups import db
from buyergroups.db import postgres, vectors
from buyergroups.errors import StorageError, ValidationError, msg

BATCH_ROWS = 2000
MIGRATIONS_TABLE = "schema_migrations"
_SEQUENCE_DEFAULT = re.compile(r"nextval\('(?:\w+\.)?\"?(\w+)\"?'")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")

Progress = Callable[[str, int], None]


def _schema(conn: db.Connection) -> str:
    return "public" if db.engine(conn) == "postgresql" else "main"


def _shown(target: str | Path) -> str:
    return postgres.display_url(str(target)) if db.is_url(target) else str(target)


def tables(cur: db.Connection) -> dict[str, list[tuple[str, str]]]:
    """Every base table but ``schema_migrations``: its (column, data type) in column order."""
    found = db.rows(
        cur,
        "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c"
        " JOIN information_schema.tables t ON t.table_name = c.table_name"
        " AND t.table_schema = c.table_schema"
        " WHERE c.table_schema = ? AND t.table_type = 'BASE TABLE' AND c.table_name <> ?"
        " ORDER BY c.table_name, c.ordinal_position",
        [_schema(cur), MIGRATIONS_TABLE],
    )
    columns: dict[str, list[tuple[str, str]]] = {}
    for entry in found:
        name, column = entry["table_name"], entry["column_name"]
        if not (_IDENTIFIER.match(name) and _IDENTIFIER.match(column)):
            raise StorageError(
                msg("Unexpected table or column name {name}.", name=f"{name}.{column}")
            )
        columns.setdefault(name, []).append((column, entry["data_type"]))
    return columns


def applied_migrations(cur: db.Connection) -> list[str]:
    """The names in ``schema_migrations`` (empty for a database without it)."""
    present = db.value(
        cur,
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [_schema(cur), MIGRATIONS_TABLE],
    )
    if not present:
        return []
    return [r["name"] for r in db.rows(cur, "SELECT name FROM schema_migrations ORDER BY name")]


def filled_tables(cur: db.Connection) -> list[str]:
    """The tables (``schema_migrations`` aside) that hold at least one row."""
    return [
        name
        for name in tables(cur)
        if db.value(cur, f"SELECT count(*) FROM (SELECT 1 FROM {name} LIMIT 1) AS probe")  # nosec B608 - catalogue names
    ]


def _open_target(target: str | Path) -> db.Connection:
    """The target, migrated to this program's schema; refused if it holds data or is newer."""
    conn = db.connect(target, migrate_schema=False)
    try:
        with db.reading(conn) as cur:
            applied = applied_migrations(cur)
            filled = filled_tables(cur)
        shipped = [name for name, _ in db.migration_files(db.engine(conn))]
        if filled:
            raise ValidationError(
                msg(
                    "The target {path} is not empty ({tables} hold rows); copy into a new"
                    " DuckDB file or an empty PostgreSQL database.",
                    path=_shown(target),
                    tables=", ".join(filled[:5]) + (", …" if len(filled) > 5 else ""),
                )
            )
        if set(applied) - set(shipped):
            raise ValidationError(
                msg(
                    "The target {path} has schema version {found}, not this program's {known};"
                    " copy into a new DuckDB file or an empty PostgreSQL database.",
                    path=_shown(target),
                    found=applied[-1][:4],
                    known=shipped[-1][:4],
                )
            )
        db.migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def copy_database(
    source: str | Path,
    target: str | Path,
    *,
    progress: Progress | None = None,
    batch_rows: int = BATCH_ROWS,
) -> dict[str, int]:
    """Copy every table of ``source`` into the empty ``target``; rows copied per table."""
    if str(source) == str(target) or (
        not db.is_url(source)
        and not db.is_url(target)
        and Path(target).exists()
        and Path(source).resolve() == Path(target).resolve()
    ):
        raise ValidationError(msg("The source and the target are the same database."))
    if not db.is_url(source) and not Path(source).is_file():
        raise ValidationError(msg("{path} does not exist.", path=str(source)))
    created = not db.is_url(target) and not Path(target).exists()
    reader = db.connect(source)
    try:
        writer = _open_target(target)
        try:
            return _copy(reader, writer, progress, batch_rows)
        finally:
            writer.close()
    except BaseException:
        if created:  # a DuckDB file this copy made holds nothing worth keeping
            Path(target).unlink(missing_ok=True)
        raise
    finally:
        reader.close()


def _copy(
    reader: db.Connection, writer: db.Connection, progress: Progress | None, batch_rows: int
) -> dict[str, int]:
    counts: dict[str, int] = {}
    with db.reading(reader) as src:
        src.begin()  # one snapshot of the whole source
        try:
            if db.engine(reader) == "postgresql":
                src.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            source_tables = tables(src)
            if applied_migrations(src) != _target_migrations(writer):
                raise ValidationError(
                    msg("The source and the target are at different schema versions.")
                )
            with db.transaction(writer) as dst:
                target_tables = tables(dst)
                if sorted(source_tables) != sorted(target_tables) or any(
                    [c for c, _ in source_tables[t]] != [c for c, _ in target_tables[t]]
                    for t in source_tables
                ):
                    raise StorageError(
                        msg("The source and the target have different tables or columns.")
                    )
                for name, columns in source_tables.items():
                    counts[name] = _copy_table(
                        src, dst, name, columns, target_tables[name], batch_rows
                    )
                    if progress:
                        progress(name, counts[name])
                _advance_sequences(src, dst)
        finally:
            src.rollback()
    return counts


def _target_migrations(writer: db.Connection) -> list[str]:
    with db.reading(writer) as cur:
        return applied_migrations(cur)


def _copy_table(
    src: db.Connection,
    dst: db.Connection,
    name: str,
    columns: list[tuple[str, str]],
    target_columns: list[tuple[str, str]],
    batch_rows: int,
) -> int:
    names = [column for column, _ in columns]
    into_vector = [vectors.is_vector_type(dst, kind) for _, kind in target_columns]
    write = _pg_writer if db.engine(dst) == "postgresql" else _duckdb_writer
    copied = 0
    for batch in _batches(src, f"SELECT {', '.join(names)} FROM {name}", batch_rows):  # nosec B608 - catalogue names
        converted = [
            tuple(
                vectors.stored_value(dst, value) if into_vector[i] else value
                for i, value in enumerate(row)
            )
            for row in batch
        ]
        write(dst, name, names, converted)
        copied += len(converted)
    return copied


def _batches(cur: db.Connection, sql: str, batch_rows: int) -> Iterator[Sequence[tuple[Any, ...]]]:
    """The rows of ``sql`` a batch at a time (a server-side cursor on PostgreSQL)."""
    if db.engine(cur) == "postgresql":
        with cur.raw.cursor(name="buyergroups_copy") as server_side:  # type: ignore[union-attr]
            server_side.itersize = batch_rows
            server_side.execute(sql)
            while found := server_side.fetchmany(batch_rows):
                yield found
        return
    result = cur.execute(sql)
    while found := result.fetchmany(batch_rows):
        yield found


def _pg_writer(cur: db.Connection, name: str, names: list[str], batch: list[tuple]) -> None:
    raw = cur.raw  # type: ignore[union-attr]
    types = _pg_types(cur, name, names)
    with raw.cursor() as out, out.copy(f"COPY {name} ({', '.join(names)}) FROM STDIN") as copy:  # nosec B608
        copy.set_types(types)
        for values in batch:
            copy.write_row(values)


def _pg_types(cur: db.Connection, name: str, names: list[str]) -> list[int]:
    """The type oid psycopg dumps each column's values as.

    A domain's base type (COPY's dumpers know those); JSON as text, which is
    what both engines read it as: a JSON dumper would encode the text again.
    """
    found = dict(
        cur.execute(
            "SELECT a.attname, (CASE WHEN t.typname IN ('json', 'jsonb') THEN 'text'::regtype::oid"
            " WHEN t.typtype = 'd' THEN t.typbasetype"
            " ELSE a.atttypid END)::int FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
            " WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped",
            [name],
        ).fetchall()
    )
    return [found[column] for column in names]


def _duckdb_writer(cur: db.Connection, name: str, names: list[str], batch: list[tuple]) -> None:
    listed = ", ".join(names)
    schema = cur.sql(f"SELECT {listed} FROM {name} LIMIT 0").to_arrow_table().schema  # type: ignore[union-attr]  # nosec B608
    columns = list(zip(*batch, strict=True))
    incoming = pa.Table.from_arrays(
        [pa.array(list(values), type=schema.field(i).type) for i, values in enumerate(columns)],
        schema=schema,
    )
    cur.register("incoming_rows", incoming)  # type: ignore[union-attr]
    try:
        cur.execute(f"INSERT INTO {name} ({listed}) SELECT {listed} FROM incoming_rows")  # nosec B608
    finally:
        cur.unregister("incoming_rows")  # type: ignore[union-attr]


def sequences(cur: db.Connection) -> dict[str, tuple[str, str]]:
    """Each sequence a column's default draws from: sequence → (table, column)."""
    found = db.rows(
        cur,
        "SELECT table_name, column_name, column_default FROM information_schema.columns"
        " WHERE table_schema = ? AND column_default LIKE 'nextval(%'",
        [_schema(cur)],
    )
    drawn = {}
    for entry in found:
        sequence = _SEQUENCE_DEFAULT.match(entry["column_default"])
        if sequence:
            drawn[sequence.group(1)] = (entry["table_name"], entry["column_name"])
    return drawn


def sequence_value(cur: db.Connection, sequence: str) -> int:
    """The last value ``sequence`` gave out (0 when it gave none)."""
    if db.engine(cur) == "postgresql":
        found = db.row(cur, f"SELECT last_value, is_called FROM {sequence}")  # nosec B608 - catalogue name
        return int(found["last_value"]) if found and found["is_called"] else 0
    last = db.value(
        cur, "SELECT last_value FROM duckdb_sequences() WHERE sequence_name = ?", [sequence]
    )
    return int(last or 0)


def _advance_sequences(src: db.Connection, dst: db.Connection) -> None:
    """Every target sequence past the copied ids and at least at the source's value."""
    for sequence, (table, column) in sequences(dst).items():
        highest = db.value(dst, f"SELECT max({column}) FROM {table}") or 0  # nosec B608
        wanted = max(int(highest), sequence_value(src, sequence))
        if wanted <= sequence_value(dst, sequence):
            continue
        if db.engine(dst) == "postgresql":
            dst.execute("SELECT setval(?, ?, true)", [sequence, wanted])
        else:
            # DuckDB cannot restart a sequence a default uses: draw it up to the value.
            dst.execute(
                f"SELECT max(nextval('{sequence}')) FROM range(?)",  # nosec B608
                [wanted - sequence_value(dst, sequence)],
            ).fetchall()
