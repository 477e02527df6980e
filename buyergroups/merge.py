"""Three-way merge of edits (texts line by line via merge3, other fields as whole values); diffs."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class FieldsMerge:
    """Outcome of merging two edits of one record field by field."""

    fields: dict[str, Any]
    conflicts: list[str]  # names of the fields both edits changed differently, in order


def merge_fields(
    base: Mapping[str, Any],
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
    names: Iterable[str],
    *,
    text_fields: Iterable[str] = (),
) -> FieldsMerge:
    """Merge ``mine`` and ``theirs`` (both edits of ``base``) over ``names``.

    A field only one side changed takes that side's value; a field both changed
    to the same value takes it; a field both changed differently is a conflict
    (it keeps ``mine``), except that ``text_fields`` merge line by line and
    conflict only where the same lines changed. With no conflicts, ``fields``
    holds both edits.
    """
    textual = set(text_fields)
    merged: dict[str, Any] = {}
    conflicts: list[str] = []
    for name in names:
        ours, other, original = mine[name], theirs[name], base[name]
        if name in textual and all(isinstance(v, str) for v in (ours, other, original)):
            outcome = merge_text(original, ours, other)
            merged[name] = ours if outcome.conflicts else outcome.text
            if outcome.conflicts:
                conflicts.append(name)
        elif ours == other or other == original:
            merged[name] = ours
        elif ours == original:
            merged[name] = other
        else:
            merged[name] = ours
            conflicts.append(name)
    return FieldsMerge(merged, conflicts)


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
