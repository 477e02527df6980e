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

from collections.abc import Callable
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
    """One JSON object being read, with where it is (file, process, path) for messages.

    The path is built only when a message needs it: reading stays cheap.
    """

    __slots__ = ("_parent", "_step", "data", "where")

    def __init__(self, data: dict[str, Any], where: str, path: str = "") -> None:
        self.data = data
        self.where = where
        self._parent: Fields | None = None
        self._step: str | int = path

    def _child(self, data: dict[str, Any], step: str | int) -> Fields:
        child = Fields(data, self.where)
        child._parent, child._step = self, step
        return child

    @property
    def path(self) -> str:
        """This object's path from the document: 'tender.lots[0]' ('' for the top)."""
        if self._parent is None:
            return str(self._step)
        return self._parent.field(self._step)

    def field(self, step: str | int) -> str:
        """The path of a key (or list index) in this object: 'tender.value.amount'."""
        path = self.path
        if isinstance(step, int):
            return f"{path}[{step}]"
        return f"{path}.{step}" if path else step

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
        value = self.data.get(key)
        if value.__class__ is str:
            return value.strip()
        return "" if value is None else self._text(value, lambda: self.field(key))

    def _text(self, value: Any, field: Callable[[], str]) -> str:
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise self.refuse(field(), msg("text"), value)

    def texts(self, key: str) -> list[str]:
        """The texts of a list of texts (empty when absent; null items left out)."""
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.refuse(self.field(key), msg("a list of texts"), value)
        found = []
        for index, item in enumerate(value):
            if item is not None:
                text = self._text(item, lambda index=index: f"{self.field(key)}[{index}]")
                if text:
                    found.append(text)
        return found

    def object(self, key: str) -> Fields:
        """The object under ``key`` (an empty one when absent)."""
        value = self.data.get(key)
        if value is None:
            return self._child({}, key)
        if not isinstance(value, dict):
            raise self.refuse(self.field(key), msg("an object"), value)
        return self._child(value, key)

    def objects(self, key: str) -> list[Fields]:
        """The objects of a list of objects (empty when absent; null items left out)."""
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.refuse(self.field(key), msg("a list of objects"), value)
        holder = self._child({}, key)  # the list itself, as the parent of its items
        found = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                found.append(holder._child(item, index))
            elif item is not None:
                raise self.refuse(holder.field(index), msg("an object"), item)
        return found

    def number(self, key: str, allowed: NumberRange) -> float | None:
        """The number under ``key`` (None when absent), finite and inside ``allowed``.

        Text holding a number is read too (some publishers quote amounts).
        """
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, dict | list | bool):
            raise self.refuse(self.field(key), msg("a number"), value)
        return checked_number(value, self.field(key), self.where, allowed)
