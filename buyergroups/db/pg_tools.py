"""PostgreSQL's own backup tools: ``pg_dump`` and ``pg_restore``, found and run for the storage layer.

A PostgreSQL backup is one ``pg_dump`` archive in its custom format: a consistent
snapshot of the whole database (``pg_dump`` reads in one repeatable-read
transaction, so app processes go on serving and writing), which ``pg_restore``
brings back into another database. The tools must be of the server's major
version or newer: they are looked for in ``BUYERGROUPS_PG_BIN`` (a folder), then
in Debian's ``/usr/lib/postgresql/N/bin`` (the server's major version first),
then on ``PATH``. The password never goes on the tool's command line: it is taken
out of the URL into the child's ``PGPASSWORD`` (libpq's ``~/.pgpass`` and the
caller's own ``PGPASSWORD`` work as for psql). A failing tool is one
:class:`~buyergroups.errors.StorageError` line, its own first error line in it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess  # nosec B404 - runs the PostgreSQL client tools, argument lists only
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from buyergroups.config import load_settings
from buyergroups.db import postgres
from buyergroups.errors import StorageError, ValidationError, msg

DEBIAN_ROOT = Path("/usr/lib/postgresql")
# The first bytes of a pg_dump custom-format archive.
DUMP_MAGIC = b"PGDMP"
# A dump waits at most this long for a table lock (an ALTER TABLE in progress) before failing.
LOCK_WAIT_TIMEOUT = "60s"
_VERSION = re.compile(r"\(PostgreSQL\) (\d+)")
_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ")


def connection_parts(url: str) -> tuple[str, dict[str, str]]:
    """(libpq connection string without the password, environment for the child)."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.Error as exc:
        raise _open_error(url, str(exc)) from exc
    env = dict(os.environ)
    password = params.pop("password", None)
    if password:
        env["PGPASSWORD"] = str(password)
    return make_conninfo(**params), env


def _open_error(url: str, error: str) -> StorageError:
    first = (error.strip().splitlines() or ["?"])[0].rstrip(".")
    return StorageError(
        msg("Cannot open the database {path}: {error}", path=postgres.display_url(url), error=first)
    )


def server_major(url: str) -> int:
    """The major version of the server at ``url`` (15 for 15.8); unreachable is a StorageError."""
    try:
        with psycopg.connect(url, connect_timeout=postgres.CONNECT_TIMEOUT_S) as conn:
            return int(conn.info.server_version) // 10000
    except psycopg.Error as exc:
        raise _open_error(url, str(exc)) from exc
    except ValueError as exc:  # a malformed URL (a port that is no number, ...)
        raise _open_error(url, str(exc)) from exc


def tool_major(binary: Path) -> int | None:
    """The major version a PostgreSQL tool reports (``pg_dump --version``), None if it does not run."""
    try:
        done = subprocess.run(  # noqa: S603  # nosec B603 - a fixed argument list
            [str(binary), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    found = _VERSION.search(done.stdout)
    return int(found.group(1)) if found else None


def find_tool(name: str, major: int, *, configured: Path | None = None) -> Path:
    """The ``name`` tool (pg_dump, pg_restore) for a server of version ``major``.

    ``configured`` (``BUYERGROUPS_PG_BIN``) is the only place looked in when set;
    otherwise Debian's folder of that major version, then a newer one's, then ``PATH``.
    A tool older than the server cannot read it and is passed over.
    """
    if configured is None:
        configured = load_settings().pg_bin
    if configured is not None:
        candidates = [configured / name]
    else:
        versions = sorted(
            int(folder.name)
            for folder in (DEBIAN_ROOT.glob("*") if DEBIAN_ROOT.is_dir() else [])
            if folder.name.isdigit() and int(folder.name) >= major
        )
        candidates = [DEBIAN_ROOT / str(version) / "bin" / name for version in versions]
        on_path = shutil.which(name)
        if on_path:
            candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            found = tool_major(candidate)
            if found is not None and found >= major:
                return candidate
    where = (
        msg("in {folder} (BUYERGROUPS_PG_BIN)", folder=str(configured))
        if configured is not None
        else msg("in {folder} or on PATH", folder=str(DEBIAN_ROOT / str(major) / "bin"))
    )
    raise StorageError(
        msg(
            "{tool} of PostgreSQL {major} or newer is not installed {where}: install the"
            " PostgreSQL client tools (Debian: postgresql-client-{major}) or set"
            " BUYERGROUPS_PG_BIN to the folder that holds them.",
            tool=name,
            major=major,
            where=where,
        )
    )


def _run(tool: Path, arguments: list[str], env: dict[str, str]) -> str | None:
    """Run ``tool``; None on success, otherwise its first error line (without the tool's prefix)."""
    done = subprocess.run(  # noqa: S603  # nosec B603 - argument list, no shell; the password is in env
        [str(tool), *arguments], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode == 0:
        return None
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error:" in line] or lines or [f"exit {done.returncode}"]
    return re.sub(r"^\S+: error: ", "", errors[0])


def dump(url: str, target: Path) -> Path:
    """``pg_dump`` the database at ``url`` into the new file ``target`` (custom format)."""
    if target.exists():
        raise ValidationError(
            msg("{path} exists; choose a new file for the backup.", path=str(target))
        )
    conninfo, env = connection_parts(url)
    tool = find_tool("pg_dump", server_major(url))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    failed = _run(
        tool,
        [
            "--format=custom",
            "--no-password",
            f"--lock-wait-timeout={LOCK_WAIT_TIMEOUT}",
            f"--file={partial}",
            f"--dbname={conninfo}",
        ],
        env,
    )
    if failed:
        partial.unlink(missing_ok=True)
        raise StorageError(
            msg("pg_dump failed; no backup was written: {error}", error=failed.rstrip("."))
        )
    partial.replace(target)
    return target


def is_dump(source: Path) -> bool:
    """True for a file that starts as a pg_dump custom-format archive does."""
    with source.open("rb") as handle:
        return handle.read(len(DUMP_MAGIC)) == DUMP_MAGIC


def check_dump(source: Path) -> None:
    """Refuse what is not a pg_dump custom-format archive, with what it is instead."""
    if not source.is_file():
        raise ValidationError(msg("{path} is not a file.", path=str(source)))
    if is_dump(source):
        return
    if source.suffix == ".zip" or (source / "schema.sql").exists():
        raise ValidationError(
            msg(
                "{path} is a DuckDB backup: restore it into a new DuckDB file, then move it"
                " to PostgreSQL with: python -m buyergroups copy --from FILE --to URL",
                path=str(source),
            )
        )
    raise ValidationError(
        msg(
            "{path} is not a PostgreSQL backup (a pg_dump archive in its custom format).",
            path=str(source),
        )
    )


def user_tables(url: str) -> list[str]:
    """``schema.table`` of every table the database at ``url`` holds outside the system schemas."""
    try:
        with psycopg.connect(url, connect_timeout=postgres.CONNECT_TIMEOUT_S) as conn:
            found = conn.execute(
                "SELECT n.nspname || '.' || c.relname FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema'"
                " AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1"
            ).fetchall()
    except psycopg.Error as exc:
        raise _open_error(url, str(exc)) from exc
    return [name for (name,) in found]


def dump_tables(tool: Path, source: Path) -> set[str]:
    """``schema.table`` of every table in the archive ``source`` (``pg_restore --list``)."""
    done = subprocess.run(  # noqa: S603  # nosec B603 - a fixed argument list
        [str(tool), "--list", str(source)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        line = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[0]
        raise ValidationError(
            msg("{path} cannot be read: {error}", path=str(source), error=line.rstrip("."))
        )
    return {
        f"{found.group(1)}.{found.group(2)}"
        for line in done.stdout.splitlines()
        if (found := _TOC_TABLE.match(line))
    }


def restore(url: str, source: Path, *, replace: bool = False) -> None:
    """``pg_restore`` the archive ``source`` into the database at ``url``, all or nothing.

    An empty database takes the backup as it is. A database that holds tables is
    refused unless ``replace``: then the backup's objects are dropped and made
    again from the backup in one transaction (``--clean``), and a table the
    backup does not hold is refused first (it would stay behind). A failure
    leaves the database as it was.
    """
    check_dump(source)
    conninfo, env = connection_parts(url)
    tool = find_tool("pg_restore", server_major(url))
    present = user_tables(url)
    if present and not replace:
        raise ValidationError(
            msg(
                "The database {path} is not empty ({count} tables); restore into a new,"
                " empty database (createdb NAME), or add --replace to put the backup in"
                " place of what it holds.",
                path=postgres.display_url(url),
                count=len(present),
            )
        )
    if present:
        extra = sorted(set(present) - dump_tables(tool, source))
        if extra:
            raise ValidationError(
                msg(
                    "The database {path} holds tables the backup does not ({tables}); they"
                    " would stay behind: restore into a new, empty database.",
                    path=postgres.display_url(url),
                    tables=", ".join(extra),
                )
            )
    arguments = [
        "--no-password",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={conninfo}",
    ]
    if present:
        arguments[4:4] = ["--clean", "--if-exists"]
    failed = _run(tool, [*arguments, str(source)], env)
    if failed:
        raise StorageError(
            msg(
                "pg_restore failed; the database was left as it was: {error}",
                error=failed.rstrip("."),
            )
        )
