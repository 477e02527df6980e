"""CSV tenders and the CPV list: documented columns, clear messages, hierarchy."""

from __future__ import annotations

from datetime import date

import pytest

from buyergroups.errors import ImportRejected
from buyergroups.ingest import cpv
from buyergroups.ingest.csv_tenders import parse_csv_tenders
from buyergroups.ingest.records import AwardCriterion
from tests.ingest.paths import fixture_bytes


def test_csv_rows_become_tenders() -> None:
    first, second = parse_csv_tenders(fixture_bytes("tenders.csv"), "tenders.csv")
    assert (first.source, first.source_id, first.title) == (
        "csv",
        "TN-2024-001",
        "Schoonmaakdiensten",
    )
    assert (first.buyer_name, first.buyer_country, first.language) == (
        "Gemeente Zwolle",
        "NL",
        "nl",
    )
    assert first.cpv_codes == ["90910000"]
    assert first.published_on == date(2024, 2, 15)
    assert (first.estimated_value, first.currency, first.procedure_type) == (
        1200000.0,
        "EUR",
        "open",
    )
    assert (first.strategic_procurement, first.social_objective) == (["soc-obj"], ["opp"])
    assert [lot.lot_id for lot in first.lots] == ["1"]
    assert first.lots[0].award_criteria == [
        AwardCriterion("price", "Prijs", "", 40.0),
        AwardCriterion("quality", "Social return", "", 60.0),
    ]
    assert second.cpv_codes == ["30213100", "30213000"]
    assert (second.strategic_procurement, second.lots) == ([], [])


HEADER = "source_id,title,buyer_country,cpv_codes"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "source_id,title,cpv_codes,colour\nA,T,45000000,red\n",
            "t.csv: missing column(s): buyer_country; unknown column(s): colour. Allowed columns: "
            "source_id, title, buyer_country, cpv_codes, description,",
        ),
        (f"{HEADER}\n", "t.csv: the CSV has a header but no rows."),
        (f"{HEADER}\nA,,NL,45000000\n", "t.csv row 2: title is empty."),
        (f"{HEADER}\nA,T,Narnia,45000000\n", "t.csv row 2: buyer_country 'Narnia' is not an ISO"),
        (f"{HEADER}\nA,T,NL,4500\n", "t.csv row 2: CPV code '4500' is not valid"),
        (
            f"{HEADER}\nA,T,NL,45000000\nA,U,NL,45000000\n",
            "t.csv row 3: source_id 'A' repeats row 2.",
        ),
        (f"{HEADER},published_on\nA,T,NL,45000000,1 May\n", "t.csv row 2: published_on '1 May'"),
    ],
)
def test_csv_rejections(text: str, reason: str) -> None:
    with pytest.raises(ImportRejected) as caught:
        parse_csv_tenders(text.encode(), "t.csv")
    assert str(caught.value).startswith(reason)


def test_cpv_list_with_three_languages() -> None:
    codes = cpv.parse_cpv_list(fixture_bytes("cpv_3lang.csv"), "cpv_3lang.csv")
    assert [(code.code, code.check_digit, code.kind) for code in codes] == [
        ("45000000", "7", "main"),
        ("45233000", "9", "main"),
        ("45233130", "9", "main"),
    ]
    assert codes[2].labels == {
        "en": "Construction work for highways",
        "nl": "Bouwwerkzaamheden voor hoofdwegen",
        "de": "Bauarbeiten für Fernstraßen",
    }


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("45000000", 2, None),
        ("45200000", 3, "45000000"),
        ("45233000", 5, "45230000"),
        ("45233130", 7, "45233100"),
        ("03000000", 2, None),
    ],
)
def test_cpv_hierarchy_by_digits(code: str, level: int, parent: str | None) -> None:
    assert (cpv.level(code), cpv.parent(code)) == (level, parent)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b"CODE,KLINGON\n45000000-7,x\n", "c.csv: unknown column(s): klingon."),
        (b"CODE,CODE_SHORT\n45000000-7,45000000\n", "c.csv: no language columns"),
        (b"CODE,EN\n4500-7,Works\n", "c.csv row 2: '4500-7' is not a CPV code."),
        (b"EN\nWorks\n", "c.csv: missing column(s): code."),
    ],
)
def test_cpv_rejections(text: bytes, reason: str) -> None:
    with pytest.raises(ImportRejected) as caught:
        cpv.parse_cpv_list(text, "c.csv")
    assert str(caught.value).startswith(reason)
