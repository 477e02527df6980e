"""Store parsed tenders: one transaction per file, upsert by (source, source_id).

A file is parsed completely before anything is written, then stored in one
transaction; a file that fails anywhere stores nothing and the batch goes on.
Re-importing a notice updates its row; an eForms change notice updates the row
of the notice it changes; an OCDS release merges into the stored process.

Permission: an admin, or a facilitator of the ``group_id`` the tenders are
linked to. The command line acts as the system (``system=True``, no actor):
the operator who can run it owns the database file anyway.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from buyergroups import activity, auth, db
from buyergroups.errors import BuyerGroupsError, ImportRejected, NotFoundError
from buyergroups.ingest import cpv, csv_tenders, eforms, mvi, ocds, store
from buyergroups.ingest.records import Tender
from buyergroups.ingest.sources import Limits, Source, check_size
from buyergroups.users import User

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
        """Notices skipped because a newer notice (e.g. their change notice) is stored."""
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
        lines += [f"  rejected {result.message}" for result in self.rejected]
        return "\n".join(lines)


def authorise(
    conn: db.Connection, actor: User | None, group_id: int | None, *, system: bool = False
) -> None:
    """Refuse unless the actor may import (admin, or facilitator of ``group_id``)."""
    with db.reading(conn) as cur:
        if group_id is not None and not db.value(
            cur, "SELECT count(*) FROM buyer_groups WHERE id = ? AND deleted_at IS NULL", [group_id]
        ):
            raise NotFoundError(f"There is no buyer group {group_id}.")
        if system:
            return
        if group_id is None:
            auth.require_admin(actor)
        else:
            auth.require(cur, actor, auth.Action.IMPORT, group_id)


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
    """Import every source (one transaction each) and return the batch summary."""
    if kind not in KINDS:
        raise ImportRejected(f"Unknown import kind {kind!r}; use one of {', '.join(KINDS)}.")
    if kind == "cpv" and group_id is not None:
        raise ImportRejected("The CPV list is not linked to a group; leave out the group.")
    authorise(conn, actor, group_id, system=system)
    summary = BatchSummary()
    for source in sources:
        result = _import_one(conn, kind, source, actor, group_id, limits or Limits())
        summary.results.append(result)
        if progress is not None:
            progress(result)
    return summary


def _import_one(
    conn: db.Connection,
    kind: str,
    source: Source,
    actor: User | None,
    group_id: int | None,
    limits: Limits,
) -> FileResult:
    try:
        if source.refused:
            raise ImportRejected(source.refused, source=source.name)
        data = source.read()
        check_size(source.name, len(data), limits)
        check_content(kind, data, source.name)
        return _store_file(conn, kind, source.name, data, actor, group_id)
    except BuyerGroupsError as exc:
        return FileResult(source.name, "rejected", message=str(exc))
    except OSError as exc:
        return FileResult(source.name, "rejected", message=f"{source.name}: cannot read ({exc}).")


def check_content(kind: str, data: bytes, name: str) -> None:
    """ImportRejected when the bytes are plainly not of the kind (checked before parsing)."""
    start = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data[:4] == b"PK\x03\x04":
        raise ImportRejected(f"{name}: a zip archive inside a zip is not opened.", source=name)
    if kind == "eforms" and not (start.startswith(b"<") or data[:2] in (b"\xff\xfe", b"\xfe\xff")):
        raise ImportRejected(f"{name}: not XML, so not an eForms notice.", source=name)
    if kind == "ocds" and start[:1] not in (b"{", b"["):
        raise ImportRejected(f"{name}: not JSON, so not OCDS data.", source=name)
    if kind in ("csv", "cpv") and (b"\x00" in data[:4096] or start.startswith(b"<")):
        raise ImportRejected(f"{name}: not a CSV text file.", source=name)


def _store_file(
    conn: db.Connection,
    kind: str,
    name: str,
    data: bytes,
    actor: User | None,
    group_id: int | None,
) -> FileResult:
    raw_hash = hashlib.sha256(data).hexdigest()
    if kind == "cpv":
        codes = cpv.parse_cpv_list(data, name)
        with db.transaction(conn) as cur:
            imported, updated = store.store_cpv_codes(cur, codes)
            activity.record(
                cur, actor, "import", "cpv_codes", None, summary=f"{name}: {len(codes)} codes"
            )
        return FileResult(name, "imported" if imported else "updated", imported, updated)
    tenders = _parse_tenders(conn, kind, data, name)
    result = FileResult(name, "imported")
    with db.transaction(conn) as cur:
        for tender in tenders:
            tender.mvi_flags = mvi.detect(tender)
            outcome, tender_id = store.store_tender(cur, tender, raw_hash, actor)
            setattr(result, outcome, getattr(result, outcome) + 1)
            if group_id is not None and tender_id is not None:
                store.link(cur, tender_id, group_id, actor, note=f"imported from {name}")
        activity.record(
            cur, actor, "import", "tender", None, group_id=group_id,
            summary=f"{name}: {result.imported} imported, {result.updated} updated",
        )  # fmt: skip
    result.status = (
        "imported" if result.imported else ("updated" if result.updated else "unchanged")
    )
    return result


def _parse_tenders(conn: db.Connection, kind: str, data: bytes, name: str) -> list[Tender]:
    if kind == "eforms":
        return [eforms.parse_eforms(data, name)]
    if kind == "csv":
        return csv_tenders.parse_csv_tenders(data, name)
    tenders = []
    with db.reading(conn) as cur:
        for ocid, releases in ocds.releases_in(data, name).items():
            stored = store.stored_release(cur, ocid)
            merged = ocds.merge_releases(([stored] if stored else []) + releases)
            tenders.append(ocds.release_to_tender(merged, name))
    return tenders


def summary_rows(summary: BatchSummary) -> list[dict[str, object]]:
    """Per-file rows for a table: file, status, imported, updated, message."""
    return [
        {
            "file": result.name,
            "status": result.status,
            "imported": result.imported,
            "updated": result.updated,
            "message": result.message,
        }
        for result in summary.results
    ]


def summary_json(summary: BatchSummary) -> str:
    """The summary as JSON (for scripts)."""
    return json.dumps(
        {
            "read": summary.read,
            "imported": summary.imported,
            "updated": summary.updated,
            "rejected": [{"file": r.name, "reason": r.message} for r in summary.rejected],
        }
    )
