"""Where import bytes come from: files, folders and zip archives, with size and bomb limits.

Every input becomes a :class:`Source` that reads its bytes only when asked, so
a batch can be counted (for a progress bar) before anything is read. Limits are
checked before reading: a file over the per-file limit is never loaded, and a
zip archive whose members would unpack past the total size or compression
ratio limits is refused as a whole (a zip bomb), before any member is read.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from buyergroups.errors import ImportRejected, Message, msg

MB = 1024 * 1024
EXTENSIONS = {
    "eforms": (".xml",),
    "ocds": (".json", ".jsonl", ".ndjson"),
    "csv": (".csv", ".tsv", ".txt"),
    "cpv": (".csv", ".tsv", ".txt"),
}


@dataclass(frozen=True)
class Limits:
    """Import limits: per file, and for zip archives the total unpacked size and ratio."""

    max_file_bytes: int = 50 * MB
    max_zip_total_bytes: int = 500 * MB
    max_zip_ratio: int = 200
    max_zip_members: int = 10_000


@dataclass
class Source:
    """One input file: its display name and how to read it (or why it is refused)."""

    name: str
    read: Callable[[], bytes]
    refused: str | None = None


def check_size(name: str, size: int, limits: Limits) -> None:
    """ImportRejected when ``size`` is 0 or over the per-file limit."""
    if size == 0:
        raise ImportRejected(msg("{name}: the file is empty (0 bytes).", name=name), source=name)
    if size > limits.max_file_bytes:
        raise ImportRejected(
            msg(
                "{name}: the file is {size} MB; the limit is {limit} MB per file.",
                name=name,
                size=f"{size / MB:.1f}",
                limit=f"{limits.max_file_bytes / MB:.0f}",
            ),
            source=name,
        )


def sources_from_paths(paths: Iterable[str | Path], kind: str, limits: Limits) -> list[Source]:
    """Sources for files, folders (files with the kind's extensions, sorted) and zips."""
    found: list[Source] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if child.suffix.lower() in EXTENSIONS[kind] or child.suffix.lower() == ".zip":
                    found += _file_sources(child, kind, limits)
        elif path.is_file():
            found += _file_sources(path, kind, limits)
        else:
            found.append(
                _refused(str(path), msg("{path}: no such file or folder.", path=str(path)))
            )
    return found


def sources_from_upload(
    name: str, size: int, read: Callable[[], bytes], kind: str, limits: Limits
) -> list[Source]:
    """Sources for an uploaded file; its size is checked before its bytes are read.

    A zip archive is opened like one on disk (same bomb limits).
    """
    try:
        check_size(name, size, limits)
    except ImportRejected as exc:
        return [_refused(name, reason_of(exc))]
    data = read()
    if zipfile.is_zipfile(io.BytesIO(data)):
        return _zip_sources(name, lambda: io.BytesIO(data), kind, limits)
    return [Source(name, lambda: data)]


def _file_sources(path: Path, kind: str, limits: Limits) -> list[Source]:
    if path.suffix.lower() == ".zip":
        return _zip_sources(str(path), lambda: path.open("rb"), kind, limits)
    try:
        check_size(str(path), path.stat().st_size, limits)
    except ImportRejected as exc:
        return [_refused(str(path), reason_of(exc))]
    return [Source(str(path), path.read_bytes)]


def reason_of(exc: BaseException) -> str:
    """The message of ``exc``: the :class:`Message` itself when it has one (translatable)."""
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, Message) else str(exc)


def _refused(name: str, reason: str) -> Source:
    return Source(name, lambda: b"", refused=reason)


def _zip_sources(name: str, opener: Callable, kind: str, limits: Limits) -> list[Source]:
    try:
        with zipfile.ZipFile(opener()) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        return [
            _refused(
                name,
                msg("{name}: not a readable zip archive ({error}).", name=name, error=str(exc)),
            )
        ]
    reason = _zip_bomb_reason(name, members, limits)
    if reason:
        return [_refused(name, reason)]
    wanted = [info for info in members if Path(info.filename).suffix.lower() in EXTENSIONS[kind]]
    if not wanted:
        return [
            _refused(name, msg("{name}: the archive holds no {kind} files.", name=name, kind=kind))
        ]
    return [_zip_member(name, opener, info, limits) for info in wanted]


def _zip_bomb_reason(name: str, members: list[zipfile.ZipInfo], limits: Limits) -> str | None:
    total = sum(info.file_size for info in members)
    packed = sum(info.compress_size for info in members)
    if len(members) > limits.max_zip_members:
        return msg(
            "{name}: the archive holds {count} files; at most {most}.",
            name=name,
            count=f"{len(members):,}",
            most=f"{limits.max_zip_members:,}",
        )
    if total > limits.max_zip_total_bytes:
        return msg(
            "{name}: the archive unpacks to {size} MB; at most {most} MB (possible zip bomb).",
            name=name,
            size=f"{total / MB:.0f}",
            most=f"{limits.max_zip_total_bytes / MB:.0f}",
        )
    if packed and total / packed > limits.max_zip_ratio:
        return msg(
            "{name}: the archive's compression ratio is {ratio}:1; at most {most}:1 "
            "(possible zip bomb).",
            name=name,
            ratio=f"{total / packed:.0f}",
            most=limits.max_zip_ratio,
        )
    return None


def _zip_member(name: str, opener: Callable, info: zipfile.ZipInfo, limits: Limits) -> Source:
    member = f"{name}:{info.filename}"
    try:
        check_size(member, info.file_size, limits)
    except ImportRejected as exc:
        return _refused(member, reason_of(exc))

    def read() -> bytes:
        # The header's size may lie: read at most one byte past the limit.
        try:
            with zipfile.ZipFile(opener()) as archive, archive.open(info) as handle:
                data = handle.read(limits.max_file_bytes + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # damaged, wrong CRC, cut short
            raise ImportRejected(
                msg("{name}: not a readable zip archive ({error}).", name=member, error=str(exc)),
                source=member,
            ) from exc
        check_size(member, len(data), limits)
        return data

    return Source(member, read)
