"""Typed reading of parsed JSON: every field read is checked, and a wrong one is named.

The rule: ``null`` or a missing key means absent, anywhere (also as a list
item). A text field accepts text or a number (ids are often numbers). Any
other type where the importer reads a field (an object where text belongs,
text where an object belongs, a list where a number belongs, ...) raises
:class:`ImportRejected` naming the field's path, e.g.
``x.json (process ocds-1): tender.lots[0].title should be text, not a list.``
Fields the importer does not read are not checked.
"""

from __future__ import annotations

from typing import Any

from buyergroups.errors import ImportRejected, Message, msg
from buyergroups.ingest.numbers import NumberRange, checked_number


def json_kind(value: Any) -> Message:
    """What a JSON value is, in words: 'an object', 'a list', 'text', 'a number', ..."""
    if isinstance(value, dict):
        return msg("an object")
    if isinstance(value, list):
        return msg("a list")
    if isinstance(value, str):
        return msg("text")
    if isinstance(value, bool):
        return msg("true or false")
    return msg("a number")


class Fields:
    """One JSON object being read, with where it is (file, process, path) for messages."""

    def __init__(self, data: dict[str, Any], where: str, path: str = "") -> None:
        self.data = data
        self.where = where
        self.path = path

    def field(self, key: str) -> str:
        """The path of ``key`` in this object: 'tender.value.amount'."""
        return f"{self.path}.{key}" if self.path else key

    def refuse(self, field: str, expected: str, value: Any) -> ImportRejected:
        """The refusal for ``field`` holding ``value`` where ``expected`` belongs."""
        return ImportRejected(
            msg(
                "{where}: {field} should be {expected}, not {found}.",
                where=self.where,
                field=field,
                expected=expected,
                found=json_kind(value),
            ),
            source=self.where,
        )

    def raw(self, key: str) -> Any:
        """The value as parsed (None when absent)."""
        return self.data.get(key)

    def text(self, key: str) -> str:
        """The text of ``key``, stripped ('' when absent); numbers are written as text."""
        return self._text(self.data.get(key), self.field(key))

    def _text(self, value: Any, field: str) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise self.refuse(field, msg("text"), value)

    def texts(self, key: str) -> list[str]:
        """The texts of a list of texts (empty when absent; null items left out)."""
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.refuse(self.field(key), msg("a list of texts"), value)
        found = [
            self._text(item, f"{self.field(key)}[{index}]") for index, item in enumerate(value)
        ]
        return [text for text in found if text]

    def object(self, key: str) -> Fields:
        """The object under ``key`` (an empty one when absent)."""
        value = self.data.get(key)
        if value is None:
            return Fields({}, self.where, self.field(key))
        if not isinstance(value, dict):
            raise self.refuse(self.field(key), msg("an object"), value)
        return Fields(value, self.where, self.field(key))

    def objects(self, key: str) -> list[Fields]:
        """The objects of a list of objects (empty when absent; null items left out)."""
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.refuse(self.field(key), msg("a list of objects"), value)
        found = []
        for index, item in enumerate(value):
            path = f"{self.field(key)}[{index}]"
            if item is None:
                continue
            if not isinstance(item, dict):
                raise self.refuse(path, msg("an object"), item)
            found.append(Fields(item, self.where, path))
        return found

    def number(self, key: str, allowed: NumberRange) -> float | None:
        """The number under ``key`` (None when absent), finite and inside ``allowed``.

        Text holding a number is read too (some publishers quote amounts).
        """
        value = self.data.get(key)
        if isinstance(value, dict | list | bool):
            raise self.refuse(self.field(key), msg("a number"), value)
        return checked_number(value, self.field(key), self.where, allowed)
