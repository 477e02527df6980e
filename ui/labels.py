"""Display helpers: enum codes to labels in the session's language, lists to text.

A ``format_func`` is also called outside the script run (AppTest calls it from
the test to match a chosen value), where the session is not known; so the
formatters here take the language when they are made, not when they are called.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from buyergroups import domain, i18n
from ui.i18n import N_, language, t


def label(enum: type[domain.LabelledEnum], code: str | None) -> str:
    """The label of a stored code in the session's language ('' for None, the code if unknown)."""
    return _label(enum, code, language())


def _label(enum: type[domain.LabelledEnum], code: str | None, lang: str) -> str:
    if not code:
        return ""
    try:
        return i18n.enum_label(enum(code), lang)
    except ValueError:
        return code


def labels(enum: type[domain.LabelledEnum], codes: Iterable[str] | None) -> str:
    """Comma-separated labels of stored codes."""
    return ", ".join(label(enum, code) for code in codes or [])


def options(enum: type[domain.LabelledEnum]) -> list[str]:
    """The stored codes of an enum, for a selectbox with ``format_func=formatter(enum)``."""
    return [member.value for member in enum]


def formatter(
    enum: type[domain.LabelledEnum], none: str | None = None
) -> Callable[[str | None], str]:
    """A ``format_func`` showing the label of a code; ``none`` for a None option ('All ...')."""
    lang = language()
    return lambda code: none if code is None and none is not None else _label(enum, code, lang)


def country_formatter(none: str | None = None) -> Callable[[str | None], str]:
    """A ``format_func`` for ISO country codes: 'Nederland (NL)'; ``none`` for a None option."""
    lang = language()

    def name(code: str | None) -> str:
        if code is None:
            return none or ""
        return f"{i18n.country_name(code, lang)} ({code})"

    return name


# The activity log names actions and item kinds by their code: English shows the code as it
# always did, Dutch its word from the catalogue.
ACTIVITY_CODES = (
    N_("create"),
    N_("edit"),
    N_("status"),
    N_("delete"),
    N_("restore"),
    N_("comment"),
    N_("reuse"),
    N_("set_role"),
    N_("remove"),
    N_("link"),
    N_("unlink"),
    N_("import"),
    N_("sign_in"),
    N_("sign_out"),
    N_("change_password"),
    N_("reset_password"),
    N_("disable"),
    N_("enable"),
    N_("unlock"),
    N_("change_language"),
    N_("backup"),
    N_("document"),
    N_("criterion"),
    N_("dialogue"),
    N_("co2_estimate"),
    N_("group"),
    N_("organisation"),
    N_("user"),
    N_("membership"),
    N_("group_user"),
    N_("tender"),
    N_("cpv_codes"),
    N_("database"),
    N_("tender_assessment"),
    N_("tender_realisation"),
    N_("action_plan"),
)


def activity_word(code: str | None) -> str:
    """An activity-log action or item kind ('set_role', 'group_user') in the session's language."""
    return t(code) if code else ""
