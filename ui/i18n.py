"""The interface language of this browser session and ``t()``, the one way pages show labels.

Signed in, the language is the user's own (``User.language``, changed in the
account menu); before sign-in it follows the sign-in page's language switch
(``st.session_state["ui_language"]``), else the browser's locale, else English.
Write English in the code and wrap it: ``t("Saved as revision {revision}.", revision=3)``;
the Dutch text comes from the catalogue in :mod:`buyergroups.i18n`.
"""

from __future__ import annotations

import streamlit as st

from buyergroups import i18n
from buyergroups.domain import LabelledEnum
from buyergroups.errors import Message

LANGUAGE_KEY = "ui_language"


def language() -> str:
    """The interface language of this session: 'nl' or 'en'."""
    user = st.session_state.get("auth_user")
    if user is not None:
        return i18n.supported(getattr(user, "language", None))
    chosen = st.session_state.get(LANGUAGE_KEY)
    if chosen:
        return i18n.supported(chosen)
    return i18n.supported(_browser_language())


def _browser_language() -> str | None:
    try:
        locale = st.context.locale
    except Exception:  # no browser context (bare mode, some tests)
        return None
    return (locale or "")[:2].lower() or None


def t(text: str, /, **values: object) -> str:
    """``text`` (English, the catalogue key) in the session's language, placeholders filled."""
    return i18n.translate(text, language(), **values)


def N_(text: str) -> str:
    """Mark English text for the catalogue without translating it yet (gettext's ``N_``).

    For labels kept in module-level tables; translate them with ``t()`` where shown.
    """
    return text


def error_text(exc: BaseException) -> str:
    """An error's message in the session's language (English when it has no template)."""
    message = exc.args[0] if exc.args else None
    return message_text(message) if isinstance(message, Message) else str(exc)


def message_text(message: str) -> str:
    """A package message (``errors.msg``) in the session's language; other text as it is."""
    return i18n.translate_message(message, language())


def number(value: float, decimals: int | None = 0) -> str:
    """``value`` formatted the way the session's language writes numbers (80.125 in Dutch)."""
    return i18n.number(value, language(), decimals)


def enum_label(member: LabelledEnum) -> str:
    """An enum member's label in the session's language."""
    return i18n.enum_label(member, language())


def country_name(code: str) -> str:
    """A country's name in the session's language ('Nederland', 'Netherlands'), or the code."""
    return i18n.country_name(code, language())
