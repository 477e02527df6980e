"""The interface's message catalogue: English source text as key, Dutch as value.

Gettext style without the tooling: code holds the English text and asks
:func:`translate` for it in the user's language. A text missing from the
catalogue shows in English, so a new label never breaks a page; a test scans
the UI for ``t("...")`` calls and fails on any English text without Dutch.

Placeholders use ``str.format`` names (``{count}``); the Dutch text must use
the same names. Content written by users (titles, bodies, names) is never
translated: it stays in the language it was written in.
"""

from __future__ import annotations

import string
from datetime import date

from buyergroups.domain import COUNTRIES, LabelledEnum
from buyergroups.errors import Message
from buyergroups.i18n import nl

LANGUAGES = ("en", "nl")
DEFAULT_LANGUAGE = "en"


def supported(language: str | None) -> str:
    """``language`` if the interface has it, else the default (English)."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def translate(text: str, language: str, /, **values: object) -> str:
    """``text`` in ``language`` (English when missing), with ``values`` filled in."""
    translated = CATALOGUE.get(language, {}).get(text, text) if language != "en" else text
    if not values:
        return translated
    try:
        return translated.format(**values)
    except (KeyError, IndexError, ValueError):
        # A broken translation must not break the page: fall back to the English text.
        return text.format(**values)


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
    """The label of an enum member in ``language`` (the Dutch term for 'nl')."""
    return member.label_nl if language == "nl" else member.label


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
    return english.translate(str.maketrans({",": ".", ".": ","}))


def long_date(value: date, language: str) -> str:
    """A date written out: '23 November 2026', in Dutch '23 november 2026'."""
    if language == "nl":
        return f"{value.day} {nl.MONTHS[value.month - 1]} {value.year}"
    return f"{value.day} {value:%B} {value.year}"


def placeholders(text: str) -> set[str]:
    """The ``str.format`` field names in ``text`` (to check a translation keeps them)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


CATALOGUE: dict[str, dict[str, str]] = {"nl": nl.CATALOGUE}
