"""Reading UBL elements of eForms notices: namespaces, texts, texts per language, dates.

Shared by the notice parser (:mod:`buyergroups.ingest.eforms`) and the award
results parser (:mod:`buyergroups.ingest.eforms_results`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from lxml import etree

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
}
EXTENSION = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension"


def first_text(element: etree._Element | None, path: str) -> str:
    """The stripped text of the first element at ``path`` under ``element`` ('' if none)."""
    if element is None:
        return ""
    found = element.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def by_language(elements: Iterable[etree._Element]) -> dict[str, str]:
    """Texts keyed by their ``languageID`` (whitespace collapsed; the first per language)."""
    texts: dict[str, str] = {}
    for element in elements:
        text = " ".join((element.text or "").split())
        if text:
            texts.setdefault(element.get("languageID") or "", text)
    return texts


def pick(texts: dict[str, str], lang3: str) -> str:
    """The text in the notice language, else the first one given ('' if none)."""
    if not texts:
        return ""
    return texts.get(lang3) or next(iter(texts.values()))


def to_date(raw: str) -> date | None:
    """The date of an eForms date value such as ``2024-03-05+01:00`` (None if unreadable)."""
    try:
        return date.fromisoformat(raw[:10]) if raw else None
    except ValueError:
        return None
