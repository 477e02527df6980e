"""Batch search: one JSON query per input line, one JSON result per output line.

Input lines look like ``{"id": "q1", "text": "...", "filters": {"kind": "tender",
"language": "en", "country": "NL", "group": 3}}``; ``id`` and ``filters`` are
optional (the id defaults to the line number), and each filter takes one value
or a list. The filter names are those of the single search's options. Blank
lines are skipped. A bad line yields ``{"id": ..., "line": N, "error": "..."}``
and the others still run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from buyergroups.errors import BuyerGroupsError, ValidationError, msg
from buyergroups.search.index import KINDS, Filters
from buyergroups.search.service import Hit

FILTER_NAMES = ("kind", "language", "country", "group")
Search = Callable[[str, Filters], list[Hit]]


@dataclass(frozen=True)
class BatchQuery:
    """One parsed input line."""

    query_id: Any
    text: str
    filters: Filters


def _values(name: str, raw: object) -> tuple[Any, ...]:
    values = raw if isinstance(raw, list) else [raw]
    if name == "group":
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise ValidationError(msg("The filter group takes group ids (whole numbers)."))
        return tuple(values)
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise ValidationError(msg("The filter {name} takes text values.", name=name))
    cleaned = tuple(v.strip() for v in values)
    if name == "kind" and (unknown := [v for v in cleaned if v not in KINDS]):
        raise ValidationError(
            msg(
                "Unknown kind {kind}; use one of {kinds}.",
                kind=repr(unknown[0]),
                kinds=", ".join(KINDS),
            )
        )
    if name == "country":
        return tuple(v.upper() for v in cleaned)
    return cleaned


def filters_from(raw: object) -> Filters:
    """The :class:`Filters` a line's ``filters`` object asks for."""
    if raw is None:
        return Filters()
    if not isinstance(raw, dict):
        raise ValidationError(msg("filters must be a JSON object."))
    unknown = sorted(set(raw) - set(FILTER_NAMES))
    if unknown:
        raise ValidationError(
            msg(
                "Unknown filter {name}; use {names}.",
                name=repr(unknown[0]),
                names=", ".join(FILTER_NAMES),
            )
        )
    picked = {name: _values(name, value) for name, value in raw.items()}
    return Filters(
        kinds=picked.get("kind", ()),
        languages=picked.get("language", ()),
        countries=picked.get("country", ()),
        group_ids=picked.get("group", ()),
    )


def parse_line(line: str, number: int) -> BatchQuery:
    """One input line as a query; ValidationError says what is wrong with it."""
    try:
        raw = json.loads(line)
    except ValueError as exc:
        raise ValidationError(msg("not valid JSON ({error}).", error=str(exc))) from exc
    if not isinstance(raw, dict):
        raise ValidationError(msg('each line must be a JSON object with a "text".'))
    query_id = raw.get("id", number)
    if isinstance(query_id, dict | list):
        raise ValidationError(msg("id must be a string or a number."))
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(msg('"text" must be a non-empty string.'))
    return BatchQuery(query_id, text, filters_from(raw.get("filters")))


def hit_summary(hit: Hit) -> dict[str, Any]:
    """The fields of a hit a batch result line carries."""
    return {
        "item_kind": hit.item_kind,
        "item_id": hit.item_id,
        "passage_no": hit.passage_no,
        "title": hit.title,
        "score": round(hit.score, 4),
        "semantic": round(hit.semantic, 4),
        "group": hit.group_name or None,
        "countries": list(hit.countries),
        "language": hit.language,
        "why": hit.explanation.summary(),
    }


def _loose_id(line: str, number: int) -> Any:
    """The id of a line that failed, when it can still be read."""
    try:
        raw = json.loads(line)
    except ValueError:
        return number
    found = raw.get("id", number) if isinstance(raw, dict) else number
    return found if isinstance(found, str | int | float) else number


def run_batch(lines: Iterable[str], search: Search) -> Iterator[dict[str, Any]]:
    """A result (or an error) per non-blank input line, in input order."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            query = parse_line(line, number)
            hits = search(query.text, query.filters)
        except BuyerGroupsError as exc:
            yield {"id": _loose_id(line, number), "line": number, "error": str(exc)}
            continue
        yield {"id": query.query_id, "hits": [hit_summary(hit) for hit in hits]}
