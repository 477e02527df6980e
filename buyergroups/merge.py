"""Three-way merge and diffs of revision texts (line based, via merge3)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import merge3


@dataclass(frozen=True)
class TextMerge:
    """Outcome of merging two edits of one base text."""

    text: str
    conflicts: int


def merge_text(base: str, mine: str, theirs: str) -> TextMerge:
    """Merge ``mine`` and ``theirs`` (both edits of ``base``); conflicts counts overlaps.

    When ``conflicts`` is 0, ``text`` holds both edits. Otherwise the text is
    not usable and the caller must refuse the save.
    """
    if mine == theirs or theirs == base:
        return TextMerge(mine, 0)
    if mine == base:
        return TextMerge(theirs, 0)
    merger = merge3.Merge3(_lines(base), _lines(mine), _lines(theirs))
    conflicts = sum(1 for region in merger.merge_regions() if region[0] == "conflict")
    if conflicts:
        return TextMerge("", conflicts)
    merged = "".join(merger.merge_lines())
    if not (mine.endswith("\n") or theirs.endswith("\n")):
        merged = merged.removesuffix("\n")
    return TextMerge(merged, 0)


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return lines


def unified_diff(old: str, new: str, old_label: str = "before", new_label: str = "after") -> str:
    """A unified diff of two texts (empty when equal)."""
    return "".join(
        difflib.unified_diff(_lines(old), _lines(new), fromfile=old_label, tofile=new_label)
    )
