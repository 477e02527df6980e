"""The one exception tree of buyergroups.

Every error a user can cause is a subclass of ``BuyerGroupsError`` with a
message a person can act on; pages catch the base class and show it::

    BuyerGroupsError
     ├── ValidationError        an invalid form value, file or argument
     │    └── ImportRejected    a file that cannot be imported (with its reason)
     ├── NotFoundError          the item does not exist (or was deleted)
     ├── PermissionDenied       the acting user may not do this
     │    └── NotSignedIn       nobody is signed in
     ├── AuthenticationFailed   wrong credentials, disabled or locked account
     ├── StaleEditError         someone saved in between and the edits overlap
     │    └── WriteConflict     two transactions wrote the same row at once (the
     │                          storage engine's write-write conflict)
     └── StorageError           the database refused the work (translated
                                from ``duckdb.Error`` at the DB boundary)

Messages are English. Built with :func:`msg` they also carry their template
and values, so the interface can show them in the reader's language (the
Dutch templates live in :mod:`buyergroups.i18n.nl`)::

    raise ValidationError(msg("There is no buyer group {group_id}.", group_id=7))

A value may be an enum member of the vocabulary: it is written as its label
(in the reader's language), and ``{status:lower}`` writes it in lower case
inside a sentence.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from enum import Enum
from typing import Any


class LabelFormatter(string.Formatter):
    """``str.format`` that writes enum members as their label and knows the ``lower`` spec."""

    def label(self, member: Enum) -> str:
        """The text of an enum member (English here; :mod:`buyergroups.i18n` translates)."""
        return str(getattr(member, "label", member.value))

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Enum):
            value = self.label(value)
        if format_spec == "lower":
            return str(value).lower()
        return super().format_field(value, format_spec)


ENGLISH = LabelFormatter()


class Message(str):
    """An English message that remembers its template and values (for translation)."""

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, values: dict[str, Any]) -> Message:
        made = super().__new__(cls, ENGLISH.format(template, **values) if values else template)
        made.template = template
        made.values = values
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        return (Message, (self.template, self.values))


def msg(template: str, /, **values: Any) -> Message:
    """The English message ``template`` filled with ``values``, translatable later."""
    return Message(template, values)


def msg_list(items: Iterable[Any], /, template: str = "{first}, {second}") -> Any:
    """The items as one translatable list: 'body, weight' (``template`` joins two at a time).

    Items are messages or enum members of the vocabulary (``[Status.AGREED, Status.DRAFT]``
    reads 'Agreed, Draft', in Dutch 'Vastgesteld, Concept'). Folded pairwise, so each
    language has one template per separator (``"{first}, {second}"``,
    ``"{first} or {second}"``, ...); needs at least one item, and one item is returned as is.
    """
    first, *others = items
    listed = first
    for other in others:
        listed = msg(template, first=listed, second=other)
    return listed


class BuyerGroupsError(Exception):
    """Base of every error the package raises on purpose."""


class ValidationError(BuyerGroupsError):
    """An input value is invalid; the message names the field and the fix."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ImportRejected(ValidationError):
    """A file could not be imported; nothing from it was stored."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source


class NotFoundError(BuyerGroupsError):
    """The requested item does not exist or is deleted."""


class PermissionDenied(BuyerGroupsError):
    """The acting user may not perform this action."""


class NotSignedIn(PermissionDenied):
    """The action needs a signed-in user."""


class AuthenticationFailed(BuyerGroupsError):
    """Sign-in refused; the message never reveals whether the email exists."""


class StaleEditError(BuyerGroupsError):
    """Someone saved the item after the revision the edit was based on.

    Carries what the UI needs to show both edits side by side and keep the
    user's text: ``mine`` (the refused text), ``theirs`` (the current text)
    and ``current_revision`` (to base a new attempt on).
    """

    def __init__(
        self,
        message: str,
        *,
        mine: Any = None,
        theirs: Any = None,
        current_revision: int | None = None,
    ) -> None:
        super().__init__(message)
        self.mine = mine
        self.theirs = theirs
        self.current_revision = current_revision


class WriteConflict(StaleEditError):
    """Two transactions wrote the same row at the same moment; the later one stored nothing.

    Raised by the storage layer (DuckDB's "Conflict on update", or
    ``db.advance_version`` finding the head moved since the unit read it),
    never by a domain module. Unlike its parent it says nothing about the
    edits themselves: re-reading the head and merging again may well succeed,
    so ``db.retrying`` runs the save again on it; users see a stale edit only
    when every attempt lost.
    """


class StorageError(BuyerGroupsError):
    """The database refused the work; nothing of it was stored."""
