"""The append-only activity log: who changed what, when; and the summaries the system writes.

The summaries the system writes (``"revision 3"``, ``"Signed out"``) are made with
:func:`summary` from the templates in :data:`SUMMARIES` (a feature adds its own with
:func:`register`), stored in English, and read
back as translatable messages when shown (:func:`entry_summary`, :func:`read_summary`),
so that a Dutch reader sees them in Dutch, old rows included.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from buyergroups import db
from buyergroups.domain import GroupRole, LabelledEnum, OrganisationRole, Status
from buyergroups.errors import Message, msg

if TYPE_CHECKING:
    from buyergroups.accounts.users import User


def record(
    cur: db.Connection,
    actor: User | None,
    action: str,
    item_kind: str,
    item_id: int | None,
    *,
    group_id: int | None = None,
    summary: str = "",
) -> None:
    """Append one entry inside the caller's transaction."""
    cur.execute(
        "INSERT INTO activity (occurred_at, user_id, group_id, action, item_kind, item_id, summary)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            db.now(),
            actor.id if actor else None,
            group_id,
            action,
            item_kind,
            item_id,
            summary[:500],
        ],
    )


def record_many(
    cur: db.Connection,
    actor: User | None,
    action: str,
    item_kind: str,
    entries: list[tuple[int | None, str]],
    *,
    group_id: int | None = None,
) -> None:
    """Append one entry per (item id, summary) in one statement, as :func:`record` would."""
    if not entries:
        return
    cur.execute(
        "INSERT INTO activity (occurred_at, user_id, group_id, action, item_kind, item_id, summary)"
        " SELECT ?, ?, ?, ?, ?, unnest(?::INTEGER[]), unnest(?::VARCHAR[])",
        [
            db.now(),
            actor.id if actor else None,
            group_id,
            action,
            item_kind,
            [item_id for item_id, _ in entries],
            [summary[:500] for _, summary in entries],
        ],
    )


def entries(
    cur: db.Connection,
    *,
    group_ids: list[int] | None = None,
    user_id: int | None = None,
    action: str | None = None,
    item_kind: str | None = None,
    since: datetime | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Log entries, newest first, with the user's name; filters are optional.

    ``group_ids`` limits to those groups (None means no limit: the caller has
    checked that the reader may see everything).
    """
    where = ["1 = 1"]
    params: list[Any] = []
    if group_ids is not None:
        if not group_ids:
            return []
        where.append("a.group_id IN (SELECT unnest(?::INTEGER[]))")
        params.append(group_ids)
    if user_id is not None:
        where.append("a.user_id = ?")
        params.append(user_id)
    if action:
        where.append("a.action = ?")
        params.append(action)
    if item_kind:
        where.append("a.item_kind = ?")
        params.append(item_kind)
    if since is not None:
        where.append("a.occurred_at >= ?")
        params.append(since)
    params.append(limit)
    return db.rows(
        cur,
        "SELECT a.id, a.occurred_at, a.user_id, u.name AS user_name, a.group_id,"  # nosec B608 - fixed fragments, values bound
        " g.name AS group_name, a.action, a.item_kind, a.item_id, a.summary"
        " FROM activity a LEFT JOIN users u ON u.id = a.user_id"
        " LEFT JOIN buyer_groups g ON g.id = a.group_id"
        f" WHERE {' AND '.join(where)} ORDER BY a.id DESC LIMIT ?",
        params,
    )


# --- summaries the system writes ------------------------------------------------------------
# Most summaries are a title or a name someone wrote, shown as written. The ones below are
# written by the system: stored in English (the log reads the same at the command line and in
# old rows), recognised when shown and translated like any message.


@dataclass(frozen=True)
class Summary:
    """A summary template the system writes, and how to read each value back from the text."""

    template: str
    readers: dict[str, Callable[[str], Any]] = field(default_factory=dict)

    def read(self, text: str) -> Message | None:
        """The message ``text`` was made from, or None when it was not made from this template."""
        found = _pattern(self.template).fullmatch(text)
        if found is None:
            return None
        values: dict[str, Any] = {}
        for name, raw in found.groupdict().items():
            value = self.readers.get(name, str)(raw)
            if value is None:
                return None
            values[name] = value
        return msg(self.template, **values)


def enum_reader(enum: type[LabelledEnum]) -> Callable[[str], LabelledEnum | None]:
    """Reads a member back from its code (older rows) or its lower-case label."""

    def read(text: str) -> LabelledEnum | None:
        return next((m for m in enum if text in (m.value, m.label.lower())), None)

    return read


@cache
def _pattern(template: str) -> re.Pattern[str]:
    parts = [
        re.escape(literal) + (f"(?P<{name}>.+?)" if name else "")
        for literal, name, _, _ in string.Formatter().parse(template)
    ]
    return re.compile("".join(parts), re.DOTALL)


_STATUS = {"old": enum_reader(Status), "new": enum_reader(Status)}
# One Summary per template; the longer ones first, so that the most specific one reads a text.
# A feature above this layer adds its own with register() (the CO2 estimates do).
SUMMARIES: dict[str, Summary] = {
    summary.template: summary
    for summary in (
        # revision notes of documents, criteria and CO2 estimates
        Summary("created"),
        Summary("edited"),
        Summary("restored revision {revision}"),
        Summary("reused from criterion {criterion}"),
        Summary("reused passage {passage} of document {document}"),
        # the activity log
        Summary("revision {revision} (merged with another edit)"),
        Summary("revision {revision}"),
        Summary("{old:lower} → {new:lower}", _STATUS),
        Summary("passage {passage} reused as document {document} in group {group}"),
        Summary("reused as criterion {criterion} in group {group}"),
        Summary("organisation as {role:lower}", {"role": enum_reader(OrganisationRole)}),
        Summary("user as {role:lower}", {"role": enum_reader(GroupRole)}),
        Summary("{name}: {imported} imported, {updated} updated, {unchanged} unchanged"),
        Summary("{name}: {imported} imported, {updated} updated"),  # rows logged before 2026-12
        Summary("{name}: {count} codes"),
        Summary("User {name} <{email}>"),
        Summary("Signed in ({method})", {"method": msg}),
        Summary("Signed out"),
        Summary("Password of {email} changed"),
        Summary("Password of {email} reset"),
        Summary("Disabled {email}"),
        Summary("Enabled {email}"),
        Summary("Unlocked {email}"),
    )
}
# The log entries whose summary the system always writes (the others hold what people wrote).
_WRITTEN_BY_THE_SYSTEM = {
    ("edit", "document"),
    ("edit", "criterion"),
    ("edit", "co2_estimate"),
    ("status", "document"),
    ("status", "criterion"),
    ("reuse", "document"),
    ("reuse", "criterion"),
    ("set_role", "membership"),
    ("set_role", "group_user"),
    ("import", "tender"),
    ("import", "cpv_codes"),
    *(
        (action, "user")
        for action in (
            "create",
            "sign_in",
            "sign_out",
            "change_password",
            "reset_password",
            "disable",
            "enable",
            "unlock",
        )
    ),
}


def register(*summaries: Summary) -> None:
    """Add a feature's own summary templates to :data:`SUMMARIES` (at its import)."""
    SUMMARIES.update({found.template: found for found in summaries})


def summary(template: str, /, **values: Any) -> Message:
    """A summary the system writes: ``msg(template, ...)`` for a template of :data:`SUMMARIES`."""
    if template not in SUMMARIES:
        raise KeyError(f"{template!r} is not a summary template of activity.SUMMARIES")
    return msg(template, **values)


def read_summary(text: str) -> str:
    """A stored system summary as the message it was made from (translatable); other text as is."""
    for candidate in SUMMARIES.values():
        if (message := candidate.read(text)) is not None:
            return message
    return text


def entry_summary(entry: dict[str, Any]) -> str:
    """A log entry's summary: a translatable message when the system wrote it, else as written."""
    if (entry["action"], entry["item_kind"]) in _WRITTEN_BY_THE_SYSTEM:
        return read_summary(entry["summary"])
    return entry["summary"]
