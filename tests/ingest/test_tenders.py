"""Tender search, detail, group links and the export record."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from buyergroups import tenders
from buyergroups.errors import NotFoundError, NotSignedIn, PermissionDenied, ValidationError
from buyergroups.ingest import loader
from buyergroups.ingest.sources import Limits, sources_from_paths
from buyergroups.tenders import TenderFilter
from tests.ingest.paths import FIXTURES

NOTICE_ID = "11111111-2222-4333-8444-555555555555"


@pytest.fixture
def stored(conn, world):
    for kind, name in [
        ("eforms", "cn_two_lots.xml"),
        ("ocds", "ocds_two_releases.json"),
        ("ocds", "ocds_releases.jsonl"),
        ("csv", "tenders.csv"),
        ("cpv", "cpv_3lang.csv"),
    ]:
        paths = sources_from_paths([FIXTURES / name], kind, Limits())
        assert not loader.import_sources(conn, kind, paths, None, system=True).rejected
    return world


def _ids(conn, actor, **criteria) -> list[str]:
    return [row["source_id"] for row in tenders.search(conn, actor, TenderFilter(**criteria))]


def test_filters(conn, stored) -> None:
    user = stored.outsider
    # Newest first (2024-03-05, then two of 2024-03-01 with the later import first, ...).
    assert _ids(conn, user) == [
        NOTICE_ID,
        "TN-2024-002",
        "ocds-test-0001",
        "TN-2024-001",
        "ocds-test-0003",
        "ocds-test-0002",
    ]
    assert _ids(conn, user, country="NL") == [NOTICE_ID, "TN-2024-002", "TN-2024-001"]
    assert _ids(conn, user, cpv_prefix="39000000") == [NOTICE_ID]
    assert _ids(conn, user, cpv_prefix="3912") == [NOTICE_ID]  # a lot's code counts
    assert _ids(conn, user, procedure_type="selective") == ["ocds-test-0002"]
    assert _ids(conn, user, theme="social_return") == [NOTICE_ID, "TN-2024-001"]
    assert _ids(conn, user, theme="international_social_conditions") == ["ocds-test-0002"]
    assert _ids(conn, user, mvi_only=True, source="ocds") == ["ocds-test-0001", "ocds-test-0002"]
    assert _ids(conn, user, published_from=date(2024, 3, 1), published_to=date(2024, 3, 4)) == [
        "TN-2024-002",
        "ocds-test-0001",
    ]
    assert _ids(conn, user, value_min=700000, value_max=1300000) == [NOTICE_ID, "TN-2024-001"]
    assert _ids(conn, user, text="KANTOOR") == [NOTICE_ID]
    assert _ids(conn, user, text="leeds") == ["ocds-test-0002"]  # buyer name
    with pytest.raises(ValidationError, match=r"CPV 'abc' is not a code or code prefix\."):
        _ids(conn, user, cpv_prefix="abc")
    with pytest.raises(NotSignedIn):
        _ids(conn, None)


def test_detail_has_lots_criteria_evidence_and_labels(conn, stored) -> None:
    (found,) = tenders.search(conn, stored.member, TenderFilter(text=NOTICE_ID))
    detail = tenders.detail(conn, stored.member, found["id"])
    assert detail["buyers"] == [{"name": "Gemeente Utrecht", "country": "NL", "national_id": None}]
    assert [
        (lot["lot_id"], [c["name"] for c in lot["award_criteria"]]) for lot in detail["lots"]
    ] == [
        ("LOT-0001", ["Prijs", "Hergebruik van materialen"]),
        ("LOT-0002", ["Levenscycluskosten"]),
    ]
    assert detail["mvi_evidence"][0] == {
        "theme": "circular",
        "kind": "code",
        "field": "BT-774 environmental-impact",
        "evidence": "circ-econ",
    }
    assert detail["cpv_labels"] == {}  # fixture CPV list holds other codes
    with pytest.raises(NotFoundError):
        tenders.detail(conn, stored.member, 999)


def test_link_needs_edit_right_and_shows_only_readable_groups(conn, stored) -> None:
    (found,) = tenders.search(conn, stored.member, TenderFilter(text=NOTICE_ID))
    tender_id = found["id"]
    assert tenders.link(conn, stored.member, tender_id, stored.group_a, "Uses our criteria") is True
    assert tenders.link(conn, stored.member, tender_id, stored.group_a) is False
    with pytest.raises(
        PermissionDenied, match=r"You may not edit items of this group as observer\."
    ):
        tenders.link(conn, stored.observer, tender_id, stored.group_a)
    assert [g["name"] for g in tenders.linkable_groups(conn, stored.member)] == ["Group A"]
    assert [g["id"] for g in tenders.detail(conn, stored.observer, tender_id)["groups"]] == [
        stored.group_a
    ]
    assert tenders.detail(conn, stored.outsider, tender_id)["groups"] == []
    linked = tenders.group_tenders(conn, stored.observer, stored.group_a)
    assert [(row["source_id"], row["note"]) for row in linked] == [(NOTICE_ID, "Uses our criteria")]
    with pytest.raises(PermissionDenied):
        tenders.group_tenders(conn, stored.outsider, stored.group_a)
    assert tenders.unlink(conn, stored.facilitator, tender_id, stored.group_a) is True
    assert tenders.group_tenders(conn, stored.member, stored.group_a) == []


def test_export_jsonl_record_has_exactly_the_documented_fields(conn, stored) -> None:
    out = io.StringIO()
    assert tenders.export_tenders(conn, "jsonl", out) == 6
    records = {
        json.loads(line)["source_id"]: json.loads(line) for line in out.getvalue().splitlines()
    }
    assert records[NOTICE_ID] == {
        "source": "eforms",
        "source_id": NOTICE_ID,
        "title": "Circulair kantoormeubilair",
        "description": "Levering van kantoormeubilair voor de stadskantoren.",
        "language": "nl",
        "buyer_name": "Gemeente Utrecht",
        "buyer_country": "NL",
        "cpv_codes": ["39130000", "39100000", "39113000", "39121100"],
        "procedure_type": "open",
        "estimated_value": 750000.0,
        "currency": "EUR",
        "lots": 2,
        "award_criteria": [
            {"lot": "LOT-0001", "type": "price", "name": "Prijs", "weight": 30.0, "lots_group": ""},
            {
                "lot": "LOT-0001",
                "type": "quality",
                "name": "Hergebruik van materialen",
                "weight": 70.0,
                "lots_group": "",
            },
            {
                "lot": "LOT-0002",
                "type": "cost",
                "name": "Levenscycluskosten",
                "weight": None,
                "lots_group": "",
            },
        ],
        "strategic_procurement": ["env-imp"],
        "environmental_impact": ["circ-econ"],
        "social_objective": [],
        "innovative_acquisition": [],
        "gpp_criteria": ["eu"],
        "mvi": True,
        "mvi_themes": ["climate", "circular", "social_return"],
        "procedure_id": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
        "awarded_value": None,
        "awarded_currency": None,
        "tenders_received": None,
        "lots_awarded": None,
        "winners": [],
    }
    assert records["ocds-test-0003"]["mvi"] is False


def test_export_csv(conn, stored) -> None:
    out = io.StringIO()
    tenders.export_tenders(conn, "csv", out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(tenders.EXPORT_FIELDS)
    row = next(r for r in rows if r["source_id"] == "TN-2024-001")
    assert (row["cpv_codes"], row["mvi"], row["mvi_themes"]) == (
        "90910000",
        "true",
        "social_return",
    )
    assert json.loads(row["award_criteria"]) == [
        {"lot": "1", "type": "price", "name": "Prijs", "weight": 40.0, "lots_group": ""},
        {"lot": "1", "type": "quality", "name": "Social return", "weight": 60.0, "lots_group": ""},
    ]
    with pytest.raises(ValidationError, match=r"Export format must be jsonl or csv, not 'xml'\."):
        tenders.export_tenders(conn, "xml", io.StringIO())
