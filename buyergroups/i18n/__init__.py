"""The interface's message catalogue: English source text as key, Dutch as value.

Gettext style without the tooling: code holds the English text and asks
:func:`translate` for it in the user's language. A text missing from the
catalogue shows in English, so a new label never breaks a page; a test scans
the UI for ``t("...")`` calls and fails on any English text without Dutch.

Placeholders use ``str.format`` names (``{count}``); the Dutch text must use
the same names. A value that is an enum member of the vocabulary is written as
its label in the reader's language (``{status:lower}`` in lower case). Content
written by users (titles, bodies, names) is never translated: it stays in the
language it was written in.

The interface languages are :data:`LANGUAGES`; the languages content can be
written in are a longer list, checked by :func:`buyergroups.domain.normalise_language`.
"""

from __future__ import annotations

import string
from datetime import date
from enum import Enum

from buyergroups.domain import COUNTRIES, LabelledEnum
from buyergroups.errors import ENGLISH, LabelFormatter, Message, ValidationError, msg, msg_list
from buyergroups.i18n import nl

LANGUAGES = ("en", "nl")
DEFAULT_LANGUAGE = "en"
# Dutch writes 80.125,5 where English writes 80,125.5.
_DUTCH_DIGITS = str.maketrans({",": ".", ".": ","})


def supported(language: str | None) -> str:
    """``language`` if the interface has it, else the default (English)."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def interface_language(raw: str | None, field: str = "language") -> str:
    """An interface language code ('en', 'nl') from user input; a ValidationError otherwise."""
    code = (raw or "").strip().lower()
    if code not in LANGUAGES:
        raise ValidationError(
            msg(
                "Language must be {languages}, got {language}.",
                languages=msg_list(LANGUAGES, "{first} or {second}"),
                language=repr(raw),
            ),
            field=field,
        )
    return code


class _Formatter(LabelFormatter):
    """Fills a template in one language: enum members as their label in that language,
    numbers with that language's decimal mark ('{total:g}' is 12.5 in English, 12,5 in Dutch)."""

    def __init__(self, language: str) -> None:
        self.language = language

    def label(self, member: Enum) -> str:
        if isinstance(member, LabelledEnum):
            return enum_label(member, self.language)
        return super().label(member)

    def format_field(self, value: object, format_spec: str) -> str:
        text = super().format_field(value, format_spec)
        if self.language == "nl" and isinstance(value, int | float) and not isinstance(value, bool):
            return text.translate(_DUTCH_DIGITS)
        return text


def translate(text: str, language: str, /, **values: object) -> str:
    """``text`` in ``language`` (English when missing), with ``values`` filled in."""
    translated = CATALOGUE.get(language, {}).get(text, text) if language != "en" else text
    if not values:
        return translated
    try:
        return _Formatter(language).format(translated, **values)
    except (KeyError, IndexError, ValueError):
        # A broken translation must not break the page: fall back to the English text.
        return ENGLISH.format(text, **values)


def translate_message(message: str, language: str) -> str:
    """A package message in ``language``: its template translated, values too when they are
    messages themselves (``msg("{field} is required.", field=msg("Title"))``)."""
    if not isinstance(message, Message):
        return str(message)
    values = {
        name: translate_message(value, language) if isinstance(value, Message) else value
        for name, value in message.values.items()
    }
    return translate(message.template, language, **values)


def enum_label(member: LabelledEnum, language: str) -> str:
    """The label of an enum member in ``language`` (the Dutch term for 'nl'; English if none)."""
    terms = ENUM_CATALOGUE.get(language, {}).get(type(member).__name__, {})
    return terms.get(member.value, member.label)


def enum_labels(member: LabelledEnum) -> set[str]:
    """The member's label in every interface language, lower case (to read what people type)."""
    return {enum_label(member, language).lower() for language in LANGUAGES}


def country_name(code: str, language: str) -> str:
    """A country's name in ``language`` for an ISO code; the code when unknown."""
    english = COUNTRIES.get(code)
    if english is None:
        return code
    return nl.COUNTRIES.get(code, english) if language == "nl" else english


def number(value: float, language: str, decimals: int | None = 0) -> str:
    """``value`` with grouped thousands in ``language``: 80,125.5 in English, 80.125,5 in Dutch.

    ``decimals=None`` keeps the digits that matter, without grouping (4.2 or 4,2).
    """
    english = f"{value:g}" if decimals is None else f"{value:,.{decimals}f}"
    if language != "nl":
        return english
    return english.translate(_DUTCH_DIGITS)


def long_date(value: date, language: str) -> str:
    """A date written out: '23 November 2026', in Dutch '23 november 2026'."""
    if language == "nl":
        return f"{value.day} {nl.MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {value:%B} {value.year}"


def placeholders(text: str) -> set[str]:
    """The ``str.format`` field names in ``text`` (to check a translation keeps them)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


CATALOGUE: dict[str, dict[str, str]] = {"nl": nl.CATALOGUE}
ENUM_CATALOGUE: dict[str, dict[str, dict[str, str]]] = {"nl": nl.ENUM_LABELS}
