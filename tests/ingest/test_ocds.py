"""OCDS parsing: packages, JSON Lines, merging releases of one ocid, rejections."""

from __future__ import annotations

from datetime import date

import pytest

from buyergroups.errors import ImportRejected
from buyergroups.ingest import ocds
from buyergroups.ingest.records import AwardCriterion
from tests.ingest.paths import fixture_bytes


def _tenders(name: str) -> list:
    found = ocds.releases_in(fixture_bytes(name), name)
    return [
        ocds.release_to_tender(ocds.merge_releases(releases), name) for releases in found.values()
    ]


def test_two_releases_of_one_ocid_merge_latest_wins_per_field() -> None:
    (tender,) = _tenders("ocds_two_releases.json")
    assert tender.source_id == "ocds-test-0001"
    assert tender.title == "Elbussar för kollektivtrafiken i Skåne"  # from the later amendment
    assert tender.description == "Upphandling av elbussar."  # kept from the tender release
    assert (tender.estimated_value, tender.currency) == (
        15000000.0,
        "SEK",
    )  # amount new, currency kept
    assert tender.published_on == date(2024, 3, 1)
    assert (tender.language, tender.buyer_name, tender.buyer_country) == (
        "sv",
        "Region Skåne",
        "SE",
    )
    assert tender.cpv_codes == ["34144910"]
    assert tender.procedure_type == "open"
    assert [(lot.lot_id, lot.title, lot.estimated_value) for lot in tender.lots] == [
        ("L1", "Stadsbussar", 8000000.0)
    ]
    assert tender.lots[0].award_criteria == [
        AwardCriterion("price", "Pris", "", 40.0),
        AwardCriterion("quality", "Utsläpp", "Lägre utsläpp av växthusgaser.", 60.0),
    ]
    assert tender.sustainability == [
        {"goal": "environmental.carbonEmissionsReduction", "strategies": ["awardCriteria"]}
    ]


def test_json_lines_hold_one_process_per_ocid() -> None:
    tenders = _tenders("ocds_releases.jsonl")
    assert [(t.source_id, t.title, t.buyer_country, t.cpv_codes) for t in tenders] == [
        ("ocds-test-0002", "Fair trade catering", "GB", ["55520000"]),
        ("ocds-test-0003", "Road resurfacing", "IE", ["45233142"]),
    ]
    assert tenders[0].texts == {
        "OCDS tender.awardCriteriaDetails": "Fairtrade certified coffee and tea are required."
    }


def test_merge_follows_the_ocds_rules() -> None:
    merged = ocds.merge_releases(
        [
            {
                "date": "2024-02-01",
                "tender": {
                    "items": [{"id": "1", "quantity": 2, "unit": {"name": "piece"}}, {"id": 2}],
                    "value": {"amount": 1, "currency": "EUR"},
                    "submissionMethod": ["electronicSubmission"],
                    "status": "active",
                },
            },
            {"date": "2024-01-01", "tender": {"title": "old"}},
            {
                "date": "2024-03-01",
                "tender": {
                    "items": [{"id": 1, "quantity": 3}, {"id": "3"}],
                    "value": {"amount": 2},
                    "submissionMethod": ["inPerson"],
                    "status": None,
                },
            },
        ]
    )
    assert merged == {
        "date": "2024-03-01",
        "tender": {
            "title": "old",
            # objects with ids merge by id (compared as text); new ids are appended
            "items": [
                {"id": 1, "quantity": 3, "unit": {"name": "piece"}},
                {"id": 2},
                {"id": "3"},
            ],
            "value": {"amount": 2, "currency": "EUR"},
            "submissionMethod": ["inPerson"],  # a list of plain values is replaced
        },  # null removed "status"
    }


def test_lists_of_objects_without_ids_are_replaced_whole() -> None:
    merged = ocds.merge_releases(
        [
            {"date": "1", "tender": {"milestones": [{"title": "a"}, {"title": "b"}]}},
            {"date": "2", "tender": {"milestones": [{"title": "c"}]}},
        ]
    )
    assert merged["tender"]["milestones"] == [{"title": "c"}]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"{not json", "x.json: not valid JSON"),
        (
            b'{"releases": [{"id": "r1", "tender": {"title": "T"}}]}',
            "x.json: a release has no ocid.",
        ),
        (b'{"version": "1.1"}', "x.json: not OCDS (no 'releases', 'records' or 'ocid'"),
        (b'{"releases": []}', "x.json: no OCDS releases or records found"),
        (b'{"a": 1}\n{oops\n', "x.json: line 2 is not valid JSON"),
        (b"\xff\xfe{", "x.json: not UTF-8 text"),
    ],
)
def test_rejections(data: bytes, reason: str) -> None:
    with pytest.raises(ImportRejected) as caught:
        ocds.releases_in(data, "x.json")
    assert str(caught.value).startswith(reason)


def test_process_without_any_title_is_rejected() -> None:
    release = {"ocid": "ocds-x", "date": "2024-01-01", "awards": [{"id": "a1"}]}
    with pytest.raises(
        ImportRejected,
        match=r"award.json: contracting process ocds-x has no title \(tender.title, or an award's "
        r"or contract's title\); import its tender release first\.",
    ):
        ocds.release_to_tender(release, "award.json")
