"""A backup folder as one zip archive, and back (for downloads and ``restore ARCHIVE``)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from buyergroups.errors import ValidationError, msg

# An archive is unpacked at most to this size (a zip bomb is refused, not unpacked).
MAX_UNPACKED_BYTES = 20 * 1024**3


def pack(folder: Path, archive_path: Path) -> Path:
    """Write every file under ``folder`` into the zip ``archive_path`` (names relative)."""
    with zipfile.ZipFile(archive_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return archive_path


def unpack(archive_path: str | Path, folder: str | Path) -> Path:
    """Unpack a backup archive into ``folder``; refuses what cannot be a backup archive."""
    target = Path(folder)
    try:
        with zipfile.ZipFile(archive_path) as archive:
            members = archive.infolist()
            if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
                raise ValidationError(
                    msg("{path} unpacks to more than 20 GB; not a backup.", path=str(archive_path))
                )
            for member in members:
                name = Path(member.filename)
                if name.is_absolute() or ".." in name.parts:
                    raise ValidationError(
                        msg(
                            "{path} holds a file outside its own folder ({name}); not a backup.",
                            path=str(archive_path),
                            name=member.filename,
                        )
                    )
            archive.extractall(target)
    except zipfile.BadZipFile as exc:
        raise ValidationError(
            msg("{path} is not a zip archive: {error}", path=str(archive_path), error=str(exc))
        ) from exc
    return target
