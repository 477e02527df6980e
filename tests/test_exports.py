"""Exports: the Word criteria set, document and summary; spreadsheets; access; formula safety."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import replace

import docx
import pytest
from openpyxl import load_workbook

from buyergroups import criteria, db, demo, dialogue, documents
from buyergroups.accounts.users import User, find_by_email
from buyergroups.errors import NotFoundError, PermissionDenied, ValidationError
from buyergroups.exports import group_sheets, spreadsheet, word
from buyergroups.exports.markdown_docx import add_markdown
from tests.factories import make_criterion

VIADUCTS = "Circulaire viaducten en bruggen"
FACILITATOR = "joost.verhagen@demo.buyergroups.example"
OUTSIDER = "ingrid.haugen@demo.buyergroups.example"  # not in the viaducts group


@pytest.fixture
def demo_conn(conn: db.Connection) -> db.Connection:
    demo.seed(conn)
    return conn


def _user(conn: db.Connection, email: str, language: str | None = None) -> User:
    """The demo user, reading exports in ``language`` (default: the user's own)."""
    with db.reading(conn) as cur:
        found = find_by_email(cur, email)
    assert found is not None
    return found if language is None else replace(found, language=language)


def _group(conn: db.Connection, name: str = VIADUCTS) -> int:
    with db.reading(conn) as cur:
        return db.value(cur, "SELECT id FROM buyer_groups WHERE name = ?", [name])


def _stored(conn: db.Connection, group_id: int, where: str = "TRUE") -> dict[str, float | None]:
    with db.reading(conn) as cur:
        found = cur.execute(
            "SELECT title, weight FROM criteria WHERE group_id = ? AND deleted_at IS NULL"
            f" AND {where}",
            [group_id],
        ).fetchall()
    return dict(found)


def _criteria_blocks(data: bytes) -> list[tuple[str, list[str]]]:
    """(criterion title, the paragraphs below it) for every Heading 3 of a criteria set."""
    blocks: list[tuple[str, list[str]]] = []
    for paragraph in docx.Document(io.BytesIO(data)).paragraphs:
        style = paragraph.style.name
        if style == "Heading 3":
            blocks.append((paragraph.text, []))
        elif style.startswith("Heading") or style == "Title":
            continue
        elif blocks:
            blocks[-1][1].append(paragraph.text)
    return blocks


def _weights(blocks: list[tuple[str, list[str]]]) -> dict[str, str | None]:
    return {
        title: next((p for p in lines if p.startswith("Weight: ")), None) for title, lines in blocks
    }


def test_word_criteria_set_holds_every_criterion_once_with_its_weight(demo_conn) -> None:
    group_id = _group(demo_conn)
    data = word.criteria_docx(demo_conn, _user(demo_conn, FACILITATOR, "en"), group_id)
    blocks = _criteria_blocks(data)
    titles = [title for title, _ in blocks]
    stored = _stored(demo_conn, group_id)
    assert len(stored) == 8
    assert Counter(titles) == {title: 1 for title in stored}
    assert _weights(blocks) == {
        title: (f"Weight: {weight:g}%" if weight is not None else None)
        for title, weight in stored.items()
    }
    assert _weights(blocks)["Gunningscriterium: prijs gecorrigeerd met CO2-Prestatieladder"] == (
        "Weight: 50%"
    )


def test_word_criteria_set_is_grouped_by_type_then_theme(demo_conn) -> None:
    facilitator = _user(demo_conn, FACILITATOR, "en")
    data = word.criteria_docx(demo_conn, facilitator, _group(demo_conn))
    headings = [
        (p.style.name, p.text)
        for p in docx.Document(io.BytesIO(data)).paragraphs
        if p.style.name in ("Heading 1", "Heading 2")
    ]
    assert headings == [
        ("Heading 1", "Selection criterion"),
        ("Heading 2", "Circular (incl. biobased)"),
        ("Heading 1", "Technical specification"),
        ("Heading 2", "Environment & biodiversity"),
        ("Heading 2", "Circular (incl. biobased)"),
        ("Heading 1", "Award criterion"),
        ("Heading 2", "Environment & biodiversity"),
        ("Heading 2", "Climate"),
        ("Heading 2", "Circular (incl. biobased)"),
        ("Heading 1", "Contract performance clause"),
        ("Heading 2", "Climate"),
        ("Heading 2", "Social return"),
    ]


def test_private_criteria_are_not_exported_to_a_non_member(demo_conn) -> None:
    group_id = _group(demo_conn)
    outsider = _user(demo_conn, OUTSIDER)
    published = _stored(demo_conn, group_id, "visibility = 'published'")
    assert sorted(published) == [
        "Contractbepaling: social return 5% van de opdrachtwaarde",
        "Eis: betongranulaat in beton",
        "Gunningscriterium: prijs gecorrigeerd met CO2-Prestatieladder",
        "Zero-emission construction equipment on site",
    ]
    blocks = _criteria_blocks(word.criteria_docx(demo_conn, outsider, group_id))
    assert sorted(title for title, _ in blocks) == sorted(published)
    sheet = load_workbook(
        io.BytesIO(group_sheets.criteria_xlsx(demo_conn, outsider, group_id))
    ).active
    assert sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True)) == sorted(
        published
    )
    rows = list(
        csv.reader(
            io.StringIO(
                group_sheets.criteria_csv(demo_conn, outsider, group_id).decode("utf-8-sig")
            )
        )
    )
    assert sorted(row[1] for row in rows[1:]) == sorted(published)


def test_tenders_and_private_documents_stay_with_members(demo_conn) -> None:
    group_id = _group(demo_conn)
    outsider = _user(demo_conn, OUTSIDER)
    with pytest.raises(PermissionDenied):
        group_sheets.tenders_xlsx(demo_conn, outsider, group_id)
    member_rows = group_sheets.tenders_csv(demo_conn, _user(demo_conn, FACILITATOR), group_id)
    header, *rows = csv.reader(io.StringIO(member_rows.decode("utf-8-sig")))
    assert header == [
        "ID",
        "Source",
        "Source ID",
        "Title",
        "Buyer",
        "Country",
        "Published on",
        "CPV codes",
        "Procedure",
        "Estimated value",
        "Currency",
        "Lots",
        "MVI",
        "MVI themes",
        "Note",
    ]
    # the demo links three tenders to this group, one of them shared with another group
    assert sorted(row[2] for row in rows) == [
        "DEMO-DK-2024-0102",
        "DEMO-NL-2024-0001",
        "DEMO-NL-2024-0002",
    ]
    private = next(
        d
        for d in documents.list_documents(demo_conn, _user(demo_conn, FACILITATOR), group_id)
        if d["visibility"] == "group"
    )
    with pytest.raises(PermissionDenied):
        word.document_docx(demo_conn, outsider, group_id, private["id"])


def test_source_credit_names_the_source_only_to_who_may_read_it(conn, world) -> None:
    source = make_criterion(conn, world.facilitator, world.group_a, title="Emission-free kit")
    copy = criteria.reuse(conn, world.admin, source, world.group_b)
    assert copy > source
    admin_blocks = _criteria_blocks(word.criteria_docx(conn, world.admin, world.group_b))
    outsider_blocks = _criteria_blocks(word.criteria_docx(conn, world.outsider, world.group_b))
    assert admin_blocks[0][1][-1] == "Reused from “Emission-free kit” of group Group A."
    assert outsider_blocks[0][1][-1] == "Reused from a criterion of group Group A."
    sheet = load_workbook(
        io.BytesIO(group_sheets.criteria_xlsx(conn, world.outsider, world.group_b))
    )
    assert sheet.active["N2"].value == "Reused from a criterion of group Group A."
    dutch = replace(world.outsider, language="nl")
    dutch_blocks = _criteria_blocks(word.criteria_docx(conn, dutch, world.group_b))
    assert dutch_blocks[0][1][-1] == "Hergebruikt uit een criterium van groep Group A."


def test_dialogue_export_keeps_private_events_from_non_members(conn, world) -> None:
    for title, visibility in (("Supplier day", "published"), ("One-to-one with Acme", "group")):
        dialogue.create_event(
            conn,
            world.facilitator,
            world.group_a,
            kind="supplier_day",
            title=title,
            held_on="2024-05-01",
            participants=["Acme"],
            notes="",
            takeaways="- ok",
            visibility=visibility,
        )
    member = load_workbook(
        io.BytesIO(group_sheets.dialogue_xlsx(conn, world.member, world.group_a))
    )
    outsider = group_sheets.dialogue_csv(conn, world.outsider, world.group_a).decode("utf-8-sig")
    assert [r[3] for r in member.active.iter_rows(min_row=2, values_only=True)] == [
        "One-to-one with Acme",
        "Supplier day",
    ]
    assert [row[3] for row in csv.reader(io.StringIO(outsider))][1:] == ["Supplier day"]


HOSTILE = {
    "title": '=HYPERLINK("http://evil.example","click")',
    "body": "+cmd|' /C calc'!A0",
    "scoring_method": "-2 points per missing item",
    "verification_proof": "@SUM(1+1)",
    "verification_moment": "'=already quoted",
}


def test_formula_injection_is_neutralised_in_excel_and_csv(conn, world) -> None:
    make_criterion(conn, world.facilitator, world.group_a, **HOSTILE)
    book = load_workbook(io.BytesIO(group_sheets.criteria_xlsx(conn, world.member, world.group_a)))
    row = {c.column_letter: c for c in book.active[2]}
    assert [(row[col].value, row[col].data_type) for col in "BCHIJ"] == [
        ("'" + HOSTILE["title"], "s"),
        ("'" + HOSTILE["body"], "s"),
        ("'" + HOSTILE["scoring_method"], "s"),
        ("'" + HOSTILE["verification_proof"], "s"),
        ("''=already quoted", "s"),
    ]
    text = group_sheets.criteria_csv(conn, world.member, world.group_a).decode("utf-8-sig")
    fields = list(csv.reader(io.StringIO(text)))[1]
    assert [fields[i] for i in (1, 2, 7, 8, 9)] == [
        "'" + HOSTILE["title"],
        "'" + HOSTILE["body"],
        "'" + HOSTILE["scoring_method"],
        "'" + HOSTILE["verification_proof"],
        "''=already quoted",
    ]


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+1", "-1", "@x", "\tx", "'=x", "''+x", "'plain", "plain", "", 5, None],
)
def test_protect_and_unprotect_are_inverse(value) -> None:
    assert spreadsheet.unprotect_cell(spreadsheet.protect_cell(value)) == value


def test_market_vision_as_word_keeps_headings_lists_and_emphasis(demo_conn) -> None:
    facilitator = _user(demo_conn, FACILITATOR)
    group_id = _group(demo_conn)
    vision = word.exportable_documents(demo_conn, facilitator, group_id)
    assert [d["kind"] for d in vision] == ["market_vision"]
    data = word.document_docx(demo_conn, facilitator, group_id, vision[0]["id"])
    paragraphs = [(p.style.name, p.text) for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert paragraphs[0] == ("Title", "Marktvisie circulaire viaducten en bruggen")
    assert [t for s, t in paragraphs if s == "Heading 2"][:4] == [
        "Aanleiding",
        "Onze ambitie",
        "Wat wij van de markt vragen",
        "Wat wij de markt bieden",
    ]
    assert sum(s == "List Bullet" for s, _ in paragraphs) >= 4
    assert not any(t.startswith(("#", "- ")) for _, t in paragraphs)


def test_document_export_refuses_other_groups_and_other_kinds(demo_conn) -> None:
    facilitator = _user(demo_conn, FACILITATOR)
    group_id = _group(demo_conn)
    spec = next(
        d
        for d in documents.list_documents(demo_conn, facilitator, group_id)
        if d["kind"] == "specification"
    )
    with pytest.raises(ValidationError):
        word.document_docx(demo_conn, facilitator, group_id, spec["id"])
    with pytest.raises(NotFoundError):
        word.document_docx(demo_conn, facilitator, group_id + 1, spec["id"])


def test_markdown_converter_covers_the_subset() -> None:
    doc = docx.Document()
    add_markdown(
        doc,
        "# Aim\n\nWe **must** cut *waste* and <b>tags</b> stay text.\n\n"
        "- one\n- two\n  1. nested\n\n| Level | Share |\n|---|---|\n| basis | 20% |\n",
    )
    assert [(p.style.name, p.text) for p in doc.paragraphs] == [
        ("Heading 1", "Aim"),
        ("Normal", "We must cut waste and <b>tags</b> stay text."),
        ("List Bullet", "one"),
        ("List Bullet", "two"),
        ("List Number 2", "nested"),
    ]
    runs = [(r.text, r.bold, r.italic) for r in doc.paragraphs[1].runs]
    assert runs[:4] == [
        ("We ", None, None),
        ("must", True, None),
        (" cut ", None, None),
        ("waste", None, True),
    ]
    assert [[c.text for c in row.cells] for row in doc.tables[0].rows] == [
        ["Level", "Share"],
        ["basis", "20%"],
    ]


def test_one_page_summary_counts_criteria_by_theme_and_ambition(demo_conn) -> None:
    group_id = _group(demo_conn)
    data = word.summary_docx(demo_conn, _user(demo_conn, FACILITATOR, "en"), group_id)
    summary = docx.Document(io.BytesIO(data))
    assert [[c.text for c in row.cells] for row in summary.tables[0].rows] == [
        ["Theme", "Basis", "Significant", "Ambitious", "Total"],
        ["Environment & biodiversity", "1", "1", "0", "2"],
        ["Climate", "0", "1", "1", "2"],
        ["Circular (incl. biobased)", "2", "0", "1", "3"],
        ["Social return", "1", "0", "0", "1"],
        ["Total", "4", "2", "2", "8"],
    ]
    texts = [p.text for p in summary.paragraphs]
    assert "Lead: Rijkswaterstaat" in texts
    assert "People in the workspace: facilitator 1, member 2, observer (read only) 2" in texts
    takeaways = [p.text for p in summary.paragraphs if p.style.name == "List Bullet"]
    assert len(takeaways) == 3
    assert takeaways[0].startswith("8 February 2024, Marktconsultatie conceptcriteria: ")


def test_word_exports_follow_the_readers_language(demo_conn) -> None:
    """The facilitator's interface is Dutch: labels, headings and dates are Dutch too."""
    facilitator = _user(demo_conn, FACILITATOR)
    assert facilitator.language == "nl"
    group_id = _group(demo_conn)
    criteria_set = docx.Document(io.BytesIO(word.criteria_docx(demo_conn, facilitator, group_id)))
    texts = [p.text for p in criteria_set.paragraphs]
    assert texts[0] == f"Criteriaset: {VIADUCTS}"
    assert texts[1].startswith("8 criteria (") and " geëxporteerd op " in texts[1]
    assert "Heading 1" in {p.style.name for p in criteria_set.paragraphs}
    headings = [p.text for p in criteria_set.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "Geschiktheidseis"
    assert "Weging: 50%" in texts and "Weight: 50%" not in texts
    summary = docx.Document(io.BytesIO(word.summary_docx(demo_conn, facilitator, group_id)))
    assert [c.text for c in summary.tables[0].rows[0].cells] == [
        "Thema",
        "Basis",
        "Significant",
        "Ambitieus",
        "Totaal",
    ]
    takeaways = [p.text for p in summary.paragraphs if p.style.name == "List Bullet"]
    assert takeaways[0].startswith("8 februari 2024, Marktconsultatie conceptcriteria: ")


@pytest.mark.parametrize(
    ("language", "warning"),
    [
        ("en", "The award criteria's weights add up to 87.5%, not 100%."),
        ("nl", "De wegingen van de gunningscriteria tellen op tot 87,5%, niet tot 100%."),
    ],
)
def test_the_weight_warning_of_a_criteria_set_is_in_the_readers_language(
    conn, world, language: str, warning: str
) -> None:
    make_criterion(conn, world.member, world.group_a, weight=60, title="Price")
    make_criterion(conn, world.member, world.group_a, weight=27.5)
    reader = replace(world.member, language=language)
    document = docx.Document(io.BytesIO(word.criteria_docx(conn, reader, world.group_a)))
    bold = [p.text for p in document.paragraphs if p.runs and all(r.bold for r in p.runs)]
    assert bold == [warning]


def test_one_page_summary_for_a_non_member_counts_published_only(demo_conn) -> None:
    data = word.summary_docx(demo_conn, _user(demo_conn, OUTSIDER), _group(demo_conn))
    table = docx.Document(io.BytesIO(data)).tables[0]
    assert [c.text for c in table.rows[-1].cells] == ["Total", "2", "1", "1", "4"]
