"""Deterministic mutations of our own fixtures, for the no-traceback tests.

Every generator yields ``(description, bytes)``; the description says what
was done, so a failing mutation can be reproduced by hand. Seeds are fixed:
the same mutations run every time.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from typing import Any

from lxml import etree

# Values put in place of every JSON field: wrong types, nulls, bad numbers.
_NAN = float("nan")
JSON_REPLACEMENTS: list[tuple[str, Any]] = [
    ("text", "some text"),
    ("number text", "12.5"),
    ("NaN text", "NaN"),
    ("list", ["a", {"b": 1}]),
    ("object", {"id": "x", "amount": 3}),
    ("null", None),
    ("true", True),
    ("zero", 0),
    ("negative", -7),
    ("NaN", _NAN),
    ("Infinity", float("inf")),
    ("-Infinity", float("-inf")),
    ("1 and 400 zeros", 10**400),
    ("deep list", "DEEP"),  # replaced by 200 nested lists in the text
]
# Text put in place of every XML element's text and every CSV cell.
TEXT_REPLACEMENTS: list[str] = [
    "",
    "NaN",
    "-Infinity",
    "INF",
    "1e999",
    "1" + "0" * 400,
    "-5",
    "abc",
    "12,5",
    "€ 1.000",
    " ",
]


def _paths(value: Any, path: tuple = ()) -> Iterator[tuple]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _set(document: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    changed = copy.deepcopy(document)
    holder = changed
    for step in path[:-1]:
        holder = holder[step]
    if new is _DELETE:
        del holder[path[-1]]
    else:
        holder[path[-1]] = new
    return changed


_DELETE = object()


def _dump(document: Any) -> bytes:
    text = json.dumps(document, ensure_ascii=False)  # NaN and Infinity written as Python does
    return text.replace('"DEEP"', "[" * 200 + "]" * 200).encode("utf-8")


def json_field_mutations(data: bytes) -> Iterator[tuple[str, bytes]]:
    """Every field (and the whole document) replaced by each value, and every key removed."""
    lines = [line for line in data.decode("utf-8").splitlines() if line.strip()]
    try:
        documents = [json.loads(data)]
    except json.JSONDecodeError:
        documents = [json.loads(line) for line in lines]
    for number, document in enumerate(documents):
        for path in _paths(document):
            variants = [(label, value) for label, value in JSON_REPLACEMENTS]
            if path and isinstance(path[-1], str):
                variants.append(("removed", _DELETE))
            for label, value in variants:
                changed = list(documents)
                changed[number] = _set(document, path, value)
                where = "/".join(str(step) for step in path) or "(root)"
                yield (
                    f"document {number} {where} = {label}",
                    b"\n".join(_dump(entry) for entry in changed),
                )


def byte_mutations(data: bytes, seed: int, count: int = 120) -> Iterator[tuple[str, bytes]]:
    """Truncations, flipped bytes, inserted junk and deep nesting at seeded positions."""
    rng = random.Random(seed)
    for cut in sorted({0, 1, len(data) // 2, len(data) - 1, *rng.sample(range(len(data)), 20)}):
        yield f"truncated at {cut}", data[:cut]
    for _ in range(count):
        position = rng.randrange(len(data))
        choice = rng.randrange(4)
        if choice == 0:
            flipped = bytes([data[position] ^ (1 << rng.randrange(8))])
            yield f"bit flipped at {position}", data[:position] + flipped + data[position + 1 :]
        elif choice == 1:
            junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
            yield f"junk {junk!r} at {position}", data[:position] + junk + data[position:]
        elif choice == 2:
            yield f"10,000 '[' at {position}", data[:position] + b"[" * 10_000 + data[position:]
        else:
            yield f"10,000 '<a>' at {position}", data[:position] + b"<a>" * 10_000 + data[position:]


def xml_element_mutations(data: bytes) -> Iterator[tuple[str, bytes]]:
    """Every element's text replaced, every element removed or doubled, attributes spoiled."""
    root = etree.fromstring(data)
    elements = list(root.iter(etree.Element))
    for index, element in enumerate(elements):
        tag = etree.QName(element).localname
        for text in TEXT_REPLACEMENTS:
            yield f"<{tag}> #{index} text = {text[:12]!r}", _edit(data, index, "text", text)
        if index:
            yield f"<{tag}> #{index} removed", _edit(data, index, "remove", None)
            yield f"<{tag}> #{index} doubled", _edit(data, index, "double", None)
        for attribute in element.attrib:
            yield f"<{tag}> #{index} @{attribute} = ''", _edit(data, index, "attribute", attribute)
    yield (
        "300 nested elements",
        data.replace(b"<cbc:ID", b"<a>" * 300 + b"</a>" * 300 + b"<cbc:ID", 1),
    )


def _edit(data: bytes, index: int, action: str, value: str | None) -> bytes:
    root = etree.fromstring(data)
    element = list(root.iter(etree.Element))[index]
    if action == "text":
        for child in list(element):
            element.remove(child)
        element.text = value
    elif action == "remove":
        element.getparent().remove(element)
    elif action == "double":
        element.addnext(copy.deepcopy(element))
    else:
        element.set(str(value), "")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def csv_cell_mutations(data: bytes) -> Iterator[tuple[str, bytes]]:
    """Every cell (header included) replaced by each text, and rows cut short or made long."""
    lines = data.decode("utf-8").splitlines()
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    for row, line in enumerate(lines):
        cells = line.split(delimiter)
        for column in range(len(cells)):
            for text in [*TEXT_REPLACEMENTS, '"', "x" * 200_000, "a\nb"]:
                changed = [*cells[:column], text, *cells[column + 1 :]]
                new_lines = [*lines[:row], delimiter.join(changed), *lines[row + 1 :]]
                yield (
                    f"row {row + 1} cell {column + 1} = {text[:12]!r}",
                    "\n".join(new_lines).encode("utf-8"),
                )
        short = [*lines[:row], delimiter.join(cells[:2]), *lines[row + 1 :]]
        yield f"row {row + 1} cut to 2 cells", "\n".join(short).encode("utf-8")
        long = [*lines[:row], line + delimiter + "extra" + delimiter + "more", *lines[row + 1 :]]
        yield f"row {row + 1} with 2 extra cells", "\n".join(long).encode("utf-8")
