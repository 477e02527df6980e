"""Store parsed tenders: one transaction per file, upsert by (source, source_id).

A file is parsed completely before anything is written, then stored in one
transaction; a file that fails anywhere stores nothing and the batch goes on.
Re-importing a notice updates its row, or leaves it "unchanged" when the
content it would store equals what is stored; an eForms change notice updates
the row of the notice it changes; an OCDS release merges into the stored process.
No input ends in a traceback: a parser refuses bad input with ImportRejected,
and anything else a parser raises on a file still only rejects that file.

Permission: an admin, or a facilitator of the ``group_id`` the tenders are
linked to. The command line acts as the system (``system=True``, no actor):
the operator who can run it owns the database file anyway.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from buyergroups import activity, auth, db
from buyergroups.accounts.users import User
from buyergroups.errors import BuyerGroupsError, ImportRejected, NotFoundError, msg
from buyergroups.ingest import cpv, csv_tenders, eforms, mvi, ocds, store
from buyergroups.ingest.records import Tender
from buyergroups.ingest.sources import Limits, Source, check_size, reason_of

KINDS = ("eforms", "ocds", "csv", "cpv")


@dataclass
class FileResult:
    """What happened to one file: imported/updated counts, or why it was rejected."""

    name: str
    status: str  # imported | updated | unchanged | rejected
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    message: str = ""


@dataclass
class BatchSummary:
    """The outcome of a batch: per-file results and totals."""

    results: list[FileResult] = field(default_factory=list)

    @property
    def read(self) -> int:
        """Files read (including rejected ones)."""
        return len(self.results)

    @property
    def imported(self) -> int:
        """Tenders (or CPV codes) stored for the first time."""
        return sum(result.imported for result in self.results)

    @property
    def updated(self) -> int:
        """Tenders (or CPV codes) that existed and were updated."""
        return sum(result.updated for result in self.results)

    @property
    def unchanged(self) -> int:
        """Notices not written: the stored content is identical, or a newer notice is stored."""
        return sum(result.unchanged for result in self.results)

    @property
    def rejected(self) -> list[FileResult]:
        """The files that stored nothing, with their reasons."""
        return [result for result in self.results if result.status == "rejected"]

    def text(self) -> str:
        """A short human summary, one line per rejected file."""
        lines = [
            f"{self.read} file(s) read: {self.imported} imported, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.rejected)} rejected."
        ]
        # One line per rejected file, whatever line breaks a message holds.
        lines += [f"  rejected {' '.join(result.message.split())}" for result in self.rejected]
        return "\n".join(lines)


def authorise(
    conn: db.Connection, actor: User | None, group_id: int | None, *, system: bool = False
) -> None:
    """Refuse unless the actor may import (admin, or facilitator of ``group_id``)."""
    with db.reading(conn) as cur:
        if group_id is not None and not db.value(
            cur, "SELECT count(*) FROM buyer_groups WHERE id = ? AND deleted_at IS NULL", [group_id]
        ):
            raise NotFoundError(msg("There is no buyer group {group_id}.", group_id=group_id))
        if system:
            return
        if group_id is None:
            auth.require_admin(actor)
        else:
            auth.require(cur, actor, auth.Action.IMPORT, group_id)


@dataclass
class _Parsed:
    """A file parsed completely, waiting to be stored."""

    position: int
    name: str
    tenders: list[Tender]
    raw_hash: str


# Files stored per transaction; a failing group is retried file by file.
GROUP_SIZE = 50


def importable_groups(conn: db.Connection, actor: User | None) -> list[dict[str, object]]:
    """Groups the actor may import tenders into (facilitator, or every group for an admin)."""
    return auth.groups_allowing(conn, actor, auth.Action.IMPORT)


def import_sources(
    conn: db.Connection,
    kind: str,
    sources: Iterable[Source],
    actor: User | None,
    *,
    group_id: int | None = None,
    system: bool = False,
    limits: Limits | None = None,
    progress: Callable[[FileResult], None] | None = None,
) -> BatchSummary:
    """Import every source and return the batch summary (results in input order).

    Each file is parsed completely first; a file that fails stores nothing.
    Parsed eForms/CSV files are stored in groups of up to ``GROUP_SIZE`` per
    transaction (much faster than one each); when a group's transaction fails,
    its files are stored again one per transaction, so only the failing file
    is rejected. OCDS and CPV files are stored one per transaction.
    """
    if kind not in KINDS:
        raise ImportRejected(
            msg(
                "Unknown import kind {kind}; use one of {kinds}.",
                kind=repr(kind),
                kinds=", ".join(KINDS),
            )
        )
    if kind == "cpv" and group_id is not None:
        raise ImportRejected(msg("The CPV list is not linked to a group; leave out the group."))
    authorise(conn, actor, group_id, system=system)
    results: list[tuple[int, FileResult]] = []

    def done(position: int, result: FileResult) -> None:
        results.append((position, result))
        if progress is not None:
            progress(result)

    pending: list[_Parsed] = []
    for position, source in enumerate(sources):
        if kind == "cpv":
            done(position, _import_cpv(conn, source, actor, limits or Limits()))
            continue
        parsed = _parse_one(conn, kind, position, source, limits or Limits())
        if isinstance(parsed, FileResult):
            done(position, parsed)
            continue
        # Notices of one procedure may share a group: the store joins them in order.
        if kind == "ocds" or len(pending) >= GROUP_SIZE:
            _flush(conn, pending, actor, group_id, done)
        pending.append(parsed)
        if kind == "ocds":
            _flush(conn, pending, actor, group_id, done)
    _flush(conn, pending, actor, group_id, done)
    return BatchSummary([result for _, result in sorted(results, key=lambda entry: entry[0])])


def _read(source: Source, kind: str, limits: Limits) -> bytes:
    if source.refused:
        raise ImportRejected(source.refused, source=source.name)
    data = source.read()
    check_size(source.name, len(data), limits)
    check_content(kind, data, source.name)
    return data


def _parse_one(
    conn: db.Connection, kind: str, position: int, source: Source, limits: Limits
) -> _Parsed | FileResult:
    try:
        data = _read(source, kind, limits)
        tenders = _parse_tenders(conn, kind, data, source.name)
        for tender in tenders:
            tender.mvi_flags = mvi.detect(tender)
    except BuyerGroupsError as exc:
        return FileResult(source.name, "rejected", message=reason_of(exc))
    except OSError as exc:
        return FileResult(source.name, "rejected", message=_cannot_read(source.name, exc))
    except Exception as exc:  # a parser defect must not end the batch with a traceback
        return FileResult(source.name, "rejected", message=_unreadable(source.name, exc))
    return _Parsed(position, source.name, tenders, hashlib.sha256(data).hexdigest())


def _flush(
    conn: db.Connection,
    pending: list[_Parsed],
    actor: User | None,
    group_id: int | None,
    done: Callable[[int, FileResult], None],
) -> None:
    """Store the pending files in one transaction (retrying one by one on failure)."""
    if not pending:
        return
    try:
        with db.transaction(conn) as cur:
            outcomes = _write(cur, pending, actor, group_id)
    except BuyerGroupsError as exc:
        if len(pending) == 1:
            rejected = FileResult(pending[0].name, "rejected", message=_named(pending[0], exc))
            done(pending[0].position, rejected)
        else:
            for parsed in pending:
                _flush(conn, [parsed], actor, group_id, done)
        pending.clear()
        return
    for parsed, result in zip(pending, outcomes, strict=True):
        done(parsed.position, result)
    pending.clear()


def _named(parsed: _Parsed, exc: BuyerGroupsError) -> str:
    """The reason a file's storing failed, starting with the file's name like every rejection."""
    reason = reason_of(exc)
    return (
        reason
        if reason.startswith(parsed.name)
        else msg("{name}: {reason}", name=parsed.name, reason=reason)
    )


def _write(
    cur: db.Connection, files: list[_Parsed], actor: User | None, group_id: int | None
) -> list[FileResult]:
    batch = [(tender, parsed.raw_hash) for parsed in files for tender in parsed.tenders]
    outcomes = iter(store.store_tenders(cur, batch, actor))
    results = []
    entries: list[tuple[int | None, str]] = []
    for parsed in files:
        result = FileResult(parsed.name, "unchanged")
        ids = []
        for _tender in parsed.tenders:
            outcome, tender_id = next(outcomes)
            setattr(result, outcome, getattr(result, outcome) + 1)
            ids.append(tender_id)
        if group_id is not None:
            store.link(cur, ids, group_id, actor, note=f"imported from {parsed.name}")
        result.status = (
            "imported" if result.imported else ("updated" if result.updated else "unchanged")
        )
        summary = activity.summary(
            "{name}: {imported} imported, {updated} updated, {unchanged} unchanged",
            name=parsed.name,
            imported=result.imported,
            updated=result.updated,
            unchanged=result.unchanged,
        )
        entries.append((ids[0] if len(ids) == 1 else None, summary))
        results.append(result)
    # One activity entry per file, written in one statement for the whole group.
    activity.record_many(cur, actor, "import", "tender", entries, group_id=group_id)
    return results


def _import_cpv(
    conn: db.Connection, source: Source, actor: User | None, limits: Limits
) -> FileResult:
    try:
        codes = cpv.parse_cpv_list(_read(source, "cpv", limits), source.name)
        with db.transaction(conn) as cur:
            imported, updated = store.store_cpv_codes(cur, codes)
            activity.record(
                cur,
                actor,
                "import",
                "cpv_codes",
                None,
                summary=activity.summary(
                    "{name}: {count} codes", name=source.name, count=len(codes)
                ),
            )
    except BuyerGroupsError as exc:
        return FileResult(source.name, "rejected", message=reason_of(exc))
    except OSError as exc:
        return FileResult(source.name, "rejected", message=_cannot_read(source.name, exc))
    return FileResult(source.name, "imported" if imported else "updated", imported, updated)


def _cannot_read(name: str, exc: OSError) -> str:
    return msg("{name}: cannot read ({error}).", name=name, error=str(exc))


def _unreadable(name: str, exc: Exception) -> str:
    return msg(
        "{name}: the importer could not read this file ({error}); nothing was stored.",
        name=name,
        error=f"{type(exc).__name__}: {str(exc)[:200]}",
    )


def check_content(kind: str, data: bytes, name: str) -> None:
    """ImportRejected when the bytes are plainly not of the kind (checked before parsing)."""
    start = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data[:4] == b"PK\x03\x04":
        raise ImportRejected(
            msg("{name}: a zip archive inside a zip is not opened.", name=name), source=name
        )
    if kind == "eforms" and not (start.startswith(b"<") or data[:2] in (b"\xff\xfe", b"\xfe\xff")):
        raise ImportRejected(
            msg("{name}: not XML, so not an eForms notice.", name=name), source=name
        )
    if kind == "ocds" and start[:1] not in (b"{", b"["):
        raise ImportRejected(msg("{name}: not JSON, so not OCDS data.", name=name), source=name)
    if kind in ("csv", "cpv") and (b"\x00" in data[:4096] or start.startswith(b"<")):
        raise ImportRejected(msg("{name}: not a CSV text file.", name=name), source=name)


def _parse_tenders(conn: db.Connection, kind: str, data: bytes, name: str) -> list[Tender]:
    if kind == "eforms":
        return [eforms.parse_eforms(data, name)]
    if kind == "csv":
        return csv_tenders.parse_csv_tenders(data, name)
    tenders = []
    processes = ocds.releases_in(data, name)
    with db.reading(conn) as cur:
        stored_releases = store.stored_releases(cur, list(processes))
    for ocid, releases in processes.items():
        stored = stored_releases.get(ocid)
        merged = ocds.merge_releases(([stored] if stored else []) + releases, name)
        tender = ocds.release_to_tender(merged, name)
        tender.releases = ocds.release_refs(ocid, releases, name)
        tenders.append(tender)
    return tenders
