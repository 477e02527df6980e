"""Which organisation a tender's buyer is: national number first, then the name in its country.

Pure functions; :mod:`buyergroups.organisations` loads the organisations and
stores the matches. The rule, first step that finds exactly one organisation:

1. **national registration number** (eForms BT-501, OCDS party identifier): equal
   to an organisation's in the same country, compared without spaces, dots,
   dashes, slashes and case; an identifier without any digit ("not available",
   "n/a") is no number and is skipped;
2. **an admin's link**: a buyer name an admin linked to an organisation
   (:func:`name_key` and country);
3. **the name**: equal :func:`name_key` in the same country; and a name with no
   legal-form word matches the one organisation of the country whose name is the
   same apart from such a word ("Amsterdam" → "Gemeente Amsterdam"), and the other
   way round. Two candidates are no match: an admin decides.

:func:`name_key` ignores case, accents, punctuation and extra whitespace and
drops company forms (B.V., N.V., Ltd, GmbH, ...). Public legal-form words are not
dropped but read as the kind of body they name, so "Gemeente Utrecht",
"Municipality of Utrecht" and "Utrecht kommune" agree while "Provincie Utrecht"
stays apart from them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Phrases (normalised, as token tuples) naming a kind of public body, at the start or end.
_PUBLIC_FORMS: dict[str, tuple[tuple[str, ...], ...]] = {
    "municipality": (
        ("gemeente",),
        ("municipality", "of"),
        ("municipality",),
        ("city", "of"),
        ("stadt",),
        ("gemeinde",),
        ("kommune",),
        ("kommun",),
        ("kunta",),
        ("kaupunki",),
        ("ville", "de"),
        ("commune", "de"),
        ("ajuntament", "de"),
        ("ayuntamiento", "de"),
        ("comune", "di"),
    ),
    "province": (("provincie",), ("province", "of"), ("province",), ("provinz",)),
    "water_authority": (
        ("waterschap",),
        ("hoogheemraadschap",),
        ("wetterskip",),
        ("water", "board"),
    ),
    "ministry": (("ministerie", "van"), ("ministry", "of"), ("ministerium", "fur")),
}
_COMPANY_FORMS = frozenset(
    [
        "bv",
        "nv",
        "vof",
        "ltd",
        "limited",
        "llp",
        "plc",
        "gmbh",
        "ag",
        "kg",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "inc",
        "ab",
        "as",
        "asa",
        "aps",
        "oy",
        "oyj",
    ]
)
# Letters NFKD does not take apart.
_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "þ": "th"})
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_ID_NOISE = re.compile(r"[\s./\-_]+")


def _tokens(name: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", name.casefold().translate(_LETTERS))
    plain = folded.encode("ascii", "ignore").decode("ascii")
    return _NOT_WORD.sub(" ", plain.replace(".", "")).split()


def _split_form(tokens: list[str]) -> tuple[str, list[str]]:
    """(kind of public body or '', the remaining tokens)."""
    for kind, phrases in _PUBLIC_FORMS.items():
        for phrase in sorted(phrases, key=len, reverse=True):
            size = len(phrase)
            if len(tokens) > size and tuple(tokens[:size]) == phrase:
                return kind, tokens[size:]
            if len(tokens) > size and tuple(tokens[-size:]) == phrase:
                return kind, tokens[:-size]
    return "", tokens


def name_parts(name: str) -> tuple[str, str]:
    """(kind of public body named by a legal-form word or '', the rest of the normalised name)."""
    tokens = _tokens(name)
    while len(tokens) > 1 and tokens[-1] in _COMPANY_FORMS:
        tokens = tokens[:-1]
    kind, rest = _split_form(tokens)
    return kind, " ".join(rest)


def name_key(name: str) -> str:
    """The normalised name two spellings of one organisation share ('municipality:utrecht')."""
    kind, rest = name_parts(name)
    return f"{kind}:{rest}" if kind else rest


def national_key(national_id: str | None) -> str | None:
    """The registration number as compared (no separators, upper case); None without a digit."""
    text = _ID_NOISE.sub("", national_id or "").upper()
    return text if any(ch.isdigit() for ch in text) else None


@dataclass(frozen=True)
class KnownOrganisation:
    """An organisation as the matcher sees it."""

    id: int
    name: str
    country: str
    national_id: str | None = None


class Matcher:
    """Matches buyers against a fixed set of organisations and admin links (see the module)."""

    def __init__(
        self,
        organisations: Iterable[KnownOrganisation],
        aliases: dict[tuple[str, str], int] | None = None,
    ) -> None:
        self._by_number: dict[tuple[str, str], set[int]] = {}
        self._by_key: dict[tuple[str, str], set[int]] = {}
        self._by_rest: dict[tuple[str, str], set[int]] = {}
        self._aliases = aliases or {}
        self._kind: dict[int, str] = {}
        for organisation in organisations:
            number = national_key(organisation.national_id)
            if number:
                self._by_number.setdefault((number, organisation.country), set()).add(
                    organisation.id
                )
            kind, rest = name_parts(organisation.name)
            self._kind[organisation.id] = kind
            key = f"{kind}:{rest}" if kind else rest
            self._by_key.setdefault((key, organisation.country), set()).add(organisation.id)
            self._by_rest.setdefault((rest, organisation.country), set()).add(organisation.id)

    def match(self, name: str | None, country: str | None, national_id: str | None) -> int | None:
        """The organisation the buyer is, or None when no step finds exactly one."""
        number = national_key(national_id)
        if number and country:
            found = self._by_number.get((number, country), set())
            if len(found) == 1:
                return next(iter(found))
        if not name:
            return None
        kind, rest = name_parts(name)
        key = f"{kind}:{rest}" if kind else rest
        alias = self._aliases.get((key, country or ""))
        if alias is not None:
            return alias
        if not country:
            return None
        exact = self._by_key.get((key, country), set())
        if exact:
            return next(iter(exact)) if len(exact) == 1 else None
        # One side names its kind of body, the other does not.
        loose = {
            org_id
            for org_id in self._by_rest.get((rest, country), set())
            if not kind or not self._kind[org_id]
        }
        return next(iter(loose)) if len(loose) == 1 else None
