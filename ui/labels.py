"""Display helpers: enum codes to labels, lists to text."""

from __future__ import annotations

from collections.abc import Iterable

from buyergroups import domain


def label(enum: type[domain.LabelledEnum], code: str | None) -> str:
    """The English label of a stored code ('' for None, the code itself if unknown)."""
    if not code:
        return ""
    try:
        return enum(code).label
    except ValueError:
        return code


def labels(enum: type[domain.LabelledEnum], codes: Iterable[str] | None) -> str:
    """Comma-separated labels of stored codes."""
    return ", ".join(label(enum, code) for code in codes or [])


def options(enum: type[domain.LabelledEnum]) -> list[str]:
    """The stored codes of an enum, for a selectbox with ``format_func=formatter(enum)``."""
    return [member.value for member in enum]


def formatter(enum: type[domain.LabelledEnum]):
    """A ``format_func`` showing the label of a code."""
    return lambda code: label(enum, code)
