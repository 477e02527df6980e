"""Read untrusted JSON (one document, or JSON Lines) with stated limits, before parsing.

Limits, each refused with a reason that names it:

* nesting: at most :data:`MAX_DEPTH` levels of objects and arrays, checked by a
  scan of the raw bytes *before* the parser runs (Python's parser recurses and
  would end in ``RecursionError`` on 10,000 levels);
* JSON Lines: at most :data:`MAX_LINE_BYTES` per line (the whole file has the
  importer's per-file limit);
* numbers: ``NaN``, ``Infinity``, ``-Infinity`` and literals too large for a
  float (``1e999``) are not JSON numbers (RFC 8259); Python's parser accepts
  them, so they are caught and the file is refused naming where they sit
  (``releases[0].tender.value.amount``). Integers are kept exact; the fields
  that are read check their range (:mod:`buyergroups.ingest.numbers`).
"""

from __future__ import annotations

import json
import math
from typing import Any

from buyergroups.errors import ImportRejected, msg

MB = 1024 * 1024
MAX_DEPTH = 64  # OCDS releases nest about 10 levels deep
MAX_LINE_BYTES = 10 * MB

# bytes.translate: { → [ and } → ]; everything but quotes and brackets deleted.
_SQUARE = bytes.maketrans(b"{}", b"[]")
_NOT_SPECIAL = bytes(code for code in range(256) if code not in b'"[]{}')


class NonFinite(str):
    """A NaN/Infinity/overflowing literal as written, kept until its place is found."""


def nesting_depth(data: bytes, stop_after: int = MAX_DEPTH) -> int:
    """How deep objects and arrays nest in ``data`` (at least ``stop_after + 1`` when deeper).

    Linear passes over the raw bytes in C (bytes.replace and translate), no
    recursion and no object per token: escapes go, then everything but quotes
    and brackets, then the brackets inside strings; innermost ``[]`` pairs are
    then removed once per level. For malformed input the result is an upper
    bound of how deep a parser would descend, which is what a guard needs.
    """
    # Backslash pairs first (left to right, as JSON pairs them), then escaped quotes:
    # every remaining quote opens or closes a string.
    unescaped = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = _outside_strings(unescaped.translate(_SQUARE, _NOT_SPECIAL))
    depth = 0
    while brackets and depth <= stop_after:
        inner_removed = brackets.replace(b"[]", b"")
        if len(inner_removed) == len(brackets):
            break
        brackets, depth = inner_removed, depth + 1
    # Unclosed openings left over: the parser would descend into each of them.
    return depth + brackets.count(b"[")


def _outside_strings(specials: bytes) -> bytes:
    """The brackets of ``specials`` (quotes and brackets only) that are not inside a string."""
    # Two adjacent quotes are a string without brackets (or the end of one and the start
    # of the next); dropping them keeps every bracket's side of the quotes, in one C pass.
    specials = specials.replace(b'""', b"")
    outside = bytearray()
    position = 0
    while (opening := specials.find(b'"', position)) >= 0:
        outside += specials[position:opening]
        closing = specials.find(b'"', opening + 1)
        if closing < 0:  # an unterminated string: the parser stops there
            return bytes(outside)
        position = closing + 1
    outside += specials[position:]
    return bytes(outside)


def check_depth(data: bytes, name: str, max_depth: int = MAX_DEPTH) -> None:
    """ImportRejected when objects and arrays in ``data`` nest deeper than ``max_depth``."""
    if nesting_depth(data, max_depth) > max_depth:
        raise ImportRejected(
            msg(
                "{name}: objects and arrays nest deeper than {limit} levels; "
                "refused (the limit for JSON files).",
                name=name,
                limit=max_depth,
            ),
            source=name,
        )


def read_json_documents(
    data: bytes,
    name: str,
    *,
    max_depth: int = MAX_DEPTH,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> list[Any]:
    """The JSON documents in ``data``: one document, or one per line (JSON Lines).

    ImportRejected for text that is not UTF-8 or not JSON, nesting beyond
    ``max_depth``, a JSON Lines line over ``max_line_bytes``, or a non-finite number.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            msg("{name}: not UTF-8 text, so not OCDS JSON.", name=name), source=name
        ) from exc
    check_depth(data, name, max_depth)
    try:
        return [_loads(text, name)]
    except json.JSONDecodeError as whole_error:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) < 2:
            raise ImportRejected(
                msg("{name}: not valid JSON ({error}).", name=name, error=str(whole_error)),
                source=name,
            ) from None
    documents = []
    for number, line in enumerate(lines, start=1):
        if len(line) > max_line_bytes // 4 and len(line.encode("utf-8")) > max_line_bytes:
            raise ImportRejected(
                msg(
                    "{name}: line {number} is {size} MB; at most {limit} MB per JSON line.",
                    name=name,
                    number=number,
                    size=f"{len(line.encode('utf-8')) / MB:.1f}",
                    limit=f"{max_line_bytes / MB:.0f}",
                ),
                source=name,
            )
        try:
            documents.append(_loads(line, msg("{name} line {number}", name=name, number=number)))
        except json.JSONDecodeError as exc:
            raise ImportRejected(
                msg(
                    "{name}: line {number} is not valid JSON ({error}).",
                    name=name,
                    number=number,
                    error=exc.msg,
                ),
                source=name,
            ) from None
    return documents


def _loads(text: str, name: str) -> Any:
    """One parsed document; ImportRejected naming the place of a non-finite number."""
    seen: list[NonFinite] = []

    def constant(literal: str) -> NonFinite:
        seen.append(NonFinite(literal))
        return seen[-1]

    def finite_float(literal: str) -> float | NonFinite:
        value = float(literal)
        return value if math.isfinite(value) else constant(literal)

    try:
        document = json.loads(text, parse_constant=constant, parse_float=finite_float)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError) as exc:
        # e.g. an integer past Python's 4,300-digit limit for reading numbers
        raise ImportRejected(
            msg("{name}: not readable as JSON ({error}).", name=name, error=str(exc)),
            source=name,
        ) from None
    if seen:
        field, literal = _first_non_finite(document)
        raise ImportRejected(
            msg(
                "{name}: {field} is {value}, not a finite number "
                "(JSON numbers are finite; NaN and Infinity are refused).",
                name=name,
                field=field or msg("the document"),
                value=literal,
            ),
            source=name,
        )
    return document


def _first_non_finite(document: Any) -> tuple[str, str]:
    """The path and literal of the first :class:`NonFinite` in the document (no recursion)."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, NonFinite):
            return path, str(value)
        if isinstance(value, dict):
            children = [
                (f"{path}.{key}" if path else str(key), item) for key, item in value.items()
            ]
        elif isinstance(value, list):
            children = [(f"{path}[{index}]", item) for index, item in enumerate(value)]
        else:
            continue
        stack.extend(reversed(children))
    return "", ""
