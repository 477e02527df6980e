"""The yearly report (Word, Excel) and the good examples, on tests/benchmark_world.py."""

from __future__ import annotations

import io
from dataclasses import replace

import docx
import openpyxl
import pytest

from buyergroups import db
from buyergroups.benchmark import examples, report
from buyergroups.errors import PermissionDenied
from tests import benchmark_world
from tests.benchmark_world import SECRET_A, SECRET_B_NOTE, SECRET_B_REASON

FORMULA_NAME = '=HYPERLINK("http://x.example","Beta")'


@pytest.fixture
def bw(conn):
    world = benchmark_world.build(conn)
    with db.transaction(conn) as cur:
        cur.execute(
            "UPDATE organisations SET name = ? WHERE id = ?", [FORMULA_NAME, world.orgs["B"]]
        )
    return world


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(" | ".join(c.text for c in row.cells) for row in table.rows)
    return "\n".join(parts)


def test_the_workbook_holds_every_table_with_formulas_guarded(conn, bw) -> None:
    book = openpyxl.load_workbook(io.BytesIO(report.workbook(conn, bw.alfa, bw.orgs["A"], 2024)))
    assert book.sheetnames == [
        "summary",
        "by_theme",
        "against_ambition",
        "by_cpv_division",
        "trend",
        "peers_published",
    ]
    by_theme = list(book["by_theme"].iter_rows(values_only=True))
    assert by_theme[0][:4] == ("theme", "tenders", "mvi_tenders", "share_pct")
    assert by_theme[1][:4] == ("any", 4, 2, 50)
    peers = [row[0] for row in book["peers_published"].iter_rows(min_row=2, values_only=True)]
    assert peers == ["Gemeente Gamma", "'" + FORMULA_NAME] or peers == [
        "'" + FORMULA_NAME,
        "Gemeente Gamma",
    ]
    summary = dict(zip(*book["summary"].iter_rows(values_only=True), strict=True))
    assert (summary["corrected_tenders"], summary["realised"], summary["only_asked_for"]) == (
        2,
        1,
        1,
    )


def test_the_word_report_in_english_and_dutch(conn, bw) -> None:
    english = _docx_text(report.document(conn, bw.alfa, bw.orgs["A"], 2024))
    assert "MVI report 2024: Gemeente Alfa" in english
    assert "4 tenders in 2024; 50.0 % of them sustainable (MVI) by count and 40.0 % by value" in (
        english
    )
    assert "Climate | 25.0 % | 10.0 % | Ambitious | 30.0 % | 50.0 % | 0.0 % – 100.0 %" in english
    dutch_user = replace(bw.alfa, language="nl")
    dutch = _docx_text(report.document(conn, dutch_user, bw.orgs["A"], 2024))
    assert "Klimaat | 25,0 % | 10,0 % | Ambitieus | 30,0 % | 50,0 % | 0,0 % – 100,0 %" in dutch
    for text in (english, dutch):
        for secret in (SECRET_A, SECRET_B_REASON, SECRET_B_NOTE):
            assert secret not in text


def test_the_report_is_for_the_organisation_only(conn, bw) -> None:
    with pytest.raises(PermissionDenied):
        report.document(conn, bw.beta, bw.orgs["A"], 2024)
    with pytest.raises(PermissionDenied):
        report.workbook(conn, bw.outsider, bw.orgs["A"], 2024)


def test_good_examples_are_sustainable_ambitious_realised_and_shared(conn, bw) -> None:
    """a1: climate, realised, shared, A's 2024 plan climate ambitious. b2 is realised and
    sustainable but not shared as an example."""
    assert examples.good_examples(conn, bw.outsider) == [
        {
            "tender_id": bw.tenders["a1"],
            "title": "Tender a1",
            "buyer_name": "Buyer of a1",
            "themes": ["climate"],
            "ambitious_by": "plan",
        }
    ]
    assert examples.good_example_refs(conn, bw.outsider) == (("tender", bw.tenders["a1"]),)


def test_no_ambition_no_good_example(conn, bw) -> None:
    from buyergroups.benchmark import ambitions

    ambitions.save_plan(
        conn, bw.alfa, bw.orgs["A"], 2024, [ambitions.Ambition("climate", "basis")], based_on=1
    )
    assert examples.good_example_ids(conn, bw.outsider) == set()
