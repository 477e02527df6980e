"""Word exports of a group's work: the criteria set, one document, and a one-page summary.

Every export takes ``(conn, actor, group_id)`` (the document export also the
document's id), checks ``Action.EXPORT`` and holds only what the actor may
see. The documents use Word's built-in styles so that text pastes cleanly
into a tender, and are written in the actor's interface language (the
labels, headings and dates; the group's own texts stay as written).
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from typing import Any

import docx
from docx.document import Document
from docx.shared import Pt
from docx.table import Table

from buyergroups import criteria, db, dialogue, documents, groups, i18n
from buyergroups.accounts.users import User
from buyergroups.domain import (
    AmbitionLevel,
    CriterionType,
    DocumentKind,
    GroupRole,
    OrganisationRole,
    Phase,
    Programme,
    Sector,
    Status,
    Theme,
)
from buyergroups.errors import NotFoundError, ValidationError, msg
from buyergroups.exports.group_sheets import require_export, visible_criteria
from buyergroups.exports.markdown_docx import add_markdown, xml_text

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXPORTABLE_DOCUMENTS = (DocumentKind.MARKET_VISION.value, DocumentKind.JOINT_STATEMENT.value)
_TAKEAWAYS_SHOWN = 3
_SUMMARY_TEXT_LIMIT = 400


class _Language:
    """The actor's language for one export: ``t()`` for labels, enum labels and dates."""

    def __init__(self, actor: User) -> None:
        self.code = i18n.supported(getattr(actor, "language", None))

    def t(self, text: str, /, **values: object) -> str:
        return i18n.translate(text, self.code, **values)

    def label(self, member: Any) -> str:
        return i18n.enum_label(member, self.code)

    def date(self, value: date) -> str:
        return i18n.long_date(value, self.code)

    def message(self, message: str) -> str:
        return i18n.translate_message(message, self.code)


def _new_document() -> Document:
    doc = docx.Document()
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(10.5)
    return doc


def _bytes(doc: Document) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _labelled(doc: Document, label: str, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(xml_text(text))


def _short(text: str, limit: int = _SUMMARY_TEXT_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def weight_text(weight: float | None, language: str = "en") -> str:
    """A weight as shown in the Word export: '50%', '12.5%' ('12,5%' in Dutch)."""
    return f"{i18n.number(weight, language, None)}%" if weight is not None else ""


def _verification(criterion: dict[str, Any]) -> str:
    parts = [criterion["verification_proof"], criterion["verification_moment"]]
    return " — ".join(p for p in parts if p) or "—"


def _criterion(doc: Document, criterion: dict[str, Any], lang: _Language) -> None:
    t = lang.t
    doc.add_heading(xml_text(criterion["title"]), level=3)
    for line in criterion["body"].splitlines():
        if line.strip():
            doc.add_paragraph(xml_text(line.strip()))
    _labelled(doc, t("Ambition level"), lang.label(AmbitionLevel(criterion["ambition_level"])))
    if criterion["criterion_type"] == CriterionType.AWARD_CRITERION:
        _labelled(doc, t("Weight"), weight_text(criterion["weight"], lang.code))
    if criterion["scoring_method"]:
        _labelled(doc, t("Scoring method"), criterion["scoring_method"])
    _labelled(doc, t("Verification"), _verification(criterion))
    if criterion["cpv_codes"]:
        _labelled(doc, "CPV", ", ".join(criterion["cpv_codes"]))
    if criterion["source_credit"]:
        credit = lang.message(criterion["source_credit"])
        doc.add_paragraph().add_run(xml_text(credit)).italic = True


def _criteria_intro(
    doc: Document, group: dict[str, Any], found: list[dict[str, Any]], lang: _Language
) -> None:
    t = lang.t
    doc.add_heading(xml_text(t("Criteria set: {name}", name=group["name"])), level=0)
    statuses = Counter(lang.label(Status(c["status"])).lower() for c in found)
    summary = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
    doc.add_paragraph(
        t(
            "{count} criteria ({summary}), exported on {date}.",
            count=len(found),
            summary=summary or t("none"),
            date=lang.date(date.today()),
        )
    )
    warning = criteria.weight_warning(found)
    if warning:
        doc.add_paragraph().add_run(lang.message(warning)).bold = True


def criteria_docx(conn: db.Connection, actor: User, group_id: int) -> bytes:
    """The group's visible criteria as Word, grouped by criterion type, then MVI theme."""
    found = visible_criteria(conn, actor, group_id)
    lang = _Language(actor)
    doc = _new_document()
    _criteria_intro(doc, groups.get_group(conn, actor, group_id), found, lang)
    for criterion_type in CriterionType:
        of_type = [c for c in found if c["criterion_type"] == criterion_type.value]
        if not of_type:
            continue
        doc.add_heading(lang.label(criterion_type), level=1)
        for theme in Theme:
            of_theme = [c for c in of_type if c["theme"] == theme.value]
            if of_theme:
                doc.add_heading(lang.label(theme), level=2)
            for criterion in of_theme:
                _criterion(doc, criterion, lang)
    return _bytes(doc)


def exportable_documents(conn: db.Connection, actor: User, group_id: int) -> list[dict[str, Any]]:
    """The group's market visions and joint statements the actor may export."""
    require_export(conn, actor, group_id)
    found = documents.list_documents(conn, actor, group_id)
    return [d for d in found if d["kind"] in EXPORTABLE_DOCUMENTS]


def document_docx(conn: db.Connection, actor: User, group_id: int, document_id: int) -> bytes:
    """One market vision or joint statement of demand as Word, its Markdown body converted."""
    require_export(conn, actor, group_id)
    found = documents.get_document(conn, actor, document_id)
    if found["group_id"] != group_id:
        raise NotFoundError(
            msg(
                "Group {group_id} has no document {document_id}.",
                group_id=group_id,
                document_id=document_id,
            )
        )
    if found["kind"] not in EXPORTABLE_DOCUMENTS:
        raise ValidationError(
            msg("Only a market vision or a joint statement of demand is exported.")
        )
    lang = _Language(actor)
    t = lang.t
    doc = _new_document()
    doc.add_heading(xml_text(found["title"]), level=0)
    group = groups.get_group(conn, actor, group_id)
    doc.add_paragraph(
        xml_text(
            t(
                "{kind} of {group} · {status} · revision {revision}",
                kind=lang.label(DocumentKind(found["kind"])),
                group=group["name"],
                status=lang.label(Status(found["status"])),
                revision=found["current_revision"],
            )
        )
    ).runs[0].italic = True
    add_markdown(doc, _without_title(found["body"], found["title"]))
    return _bytes(doc)


def _without_title(body: str, title: str) -> str:
    """The body without a first '# heading' that repeats the title."""
    first, _, rest = body.lstrip().partition("\n")
    return rest if first.lstrip("# ").strip() == title.strip() and first.startswith("# ") else body


def summary_docx(conn: db.Connection, actor: User, group_id: int) -> bytes:
    """A one-page summary: profile, members, criteria counts, latest dialogue takeaways."""
    require_export(conn, actor, group_id)
    group = groups.get_group(conn, actor, group_id)
    lang = _Language(actor)
    t = lang.t
    doc = _new_document()
    doc.add_heading(xml_text(group["name"]), level=0)
    _profile(doc, group, lang)
    _members(doc, groups.members(conn, actor, group_id), lang)
    _counts(doc, criteria.list_criteria(conn, actor, group_id), lang)
    _takeaways(doc, dialogue.list_events(conn, actor, group_id), lang)
    exported = t("Summary exported on {date}.", date=lang.date(date.today()))
    doc.add_paragraph(exported).runs[0].italic = True
    return _bytes(doc)


def _profile(doc: Document, group: dict[str, Any], lang: _Language) -> None:
    t = lang.t
    if group["description"]:
        doc.add_paragraph(xml_text(_short(group["description"])))
    phase = t("phase: {phase}", phase=lang.label(Phase(group["phase"])))
    _labelled(
        doc,
        t("Profile"),
        f"{lang.label(Sector(group['sector']))} · {lang.label(Programme(group['programme']))} · "
        f"{', '.join(group['countries'])} · {phase}",
    )
    themes = ", ".join(lang.label(Theme(theme)) for theme in group["themes"]) or "—"
    _labelled(doc, t("MVI themes"), themes)
    if group["cpv_codes"]:
        _labelled(doc, "CPV", ", ".join(group["cpv_codes"]))
    if group["co2_target_t"] is not None:
        tonnes = i18n.number(group["co2_target_t"], lang.code)
        _labelled(doc, t("CO2 target"), f"{tonnes} t CO2e")


def _members(doc: Document, people: dict[str, list[dict[str, Any]]], lang: _Language) -> None:
    t = lang.t
    doc.add_heading(t("Members"), level=1)
    for role in OrganisationRole:
        names = [o["name"] for o in people["organisations"] if o["role"] == role.value]
        if names:
            _labelled(doc, lang.label(role), ", ".join(names))
    counts = Counter(u["role"] for u in people["users"])
    users = ", ".join(
        f"{lang.label(r).lower()} {counts[r.value]}" for r in GroupRole if counts[r.value]
    )
    _labelled(doc, t("People in the workspace"), users or t("none yet"))


def _counts(doc: Document, found: list[dict[str, Any]], lang: _Language) -> None:
    t = lang.t
    doc.add_heading(t("Criteria by theme and ambition level"), level=1)
    counts = Counter((c["theme"], c["ambition_level"]) for c in found)
    levels = list(AmbitionLevel)
    table = doc.add_table(rows=0, cols=len(levels) + 2)
    table.style = "Table Grid"
    _row(table, [t("Theme"), *(lang.label(level) for level in levels), t("Total")])
    for theme in Theme:
        row = [counts[(theme.value, level.value)] for level in levels]
        if sum(row):
            _row(table, [lang.label(theme), *map(str, row), str(sum(row))])
    totals = [sum(counts[(theme.value, level.value)] for theme in Theme) for level in levels]
    _row(table, [t("Total"), *map(str, totals), str(len(found))])


def _row(table: Table, texts: list[str]) -> None:
    for cell, text in zip(table.add_row().cells, texts, strict=True):
        cell.text = text


def _takeaways(doc: Document, events: list[dict[str, Any]], lang: _Language) -> None:
    t = lang.t
    doc.add_heading(t("Latest market-dialogue takeaways"), level=1)
    shown = [e for e in events if e["takeaways"].strip()][:_TAKEAWAYS_SHOWN]
    if not shown:
        doc.add_paragraph(t("No market-dialogue takeaways recorded yet."))
    for event in shown:
        paragraph = doc.add_paragraph(style="List Bullet")
        held = lang.date(event["held_on"])
        paragraph.add_run(xml_text(f"{held}, {event['title']}: ")).bold = True
        paragraph.add_run(xml_text(_short(_one_line(event["takeaways"]))))


def _one_line(markdown_list: str) -> str:
    """Takeaways written as a Markdown list, as one line of '; '-separated points."""
    points = [line.strip().lstrip("-*• ").strip() for line in markdown_list.splitlines()]
    return "; ".join(p for p in points if p)
