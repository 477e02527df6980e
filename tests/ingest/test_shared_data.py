"""Every public example in ../shared/data imports (or is rejected with its reason)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from buyergroups import db
from buyergroups.ingest import loader, ocds
from buyergroups.ingest.eforms import parse_eforms
from buyergroups.ingest.sources import Limits, sources_from_paths
from tests.ingest.paths import SHARED, shared

EFORMS = sorted((SHARED / "eforms").glob("*.xml")) if (SHARED / "eforms").is_dir() else []
VALID = [path for path in EFORMS if not path.name.startswith("INVALID_")]
INVALID_REASONS = {
    "INVALID_can_24_empty.xml": "the notice has no notice id (BT-701).",
    "INVALID_cn_24_empty.xml": "the notice has no notice id (BT-701).",
    "INVALID_pin-only_24_minimal.xml": "the notice has no notice id (BT-701).",
    "INVALID_cn_24_multiple.xml": "organisation 3 has no identifier (OPT-200).",
}


@pytest.mark.parametrize("path", VALID, ids=lambda path: path.name)
def test_every_valid_notice_parses_with_id_title_country_and_cpv(path: Path) -> None:
    tender = parse_eforms(path.read_bytes(), path.name)
    assert len(tender.source_id) == 36  # a UUID notice id
    assert tender.title
    assert tender.buyer_country and len(tender.buyer_country) == 2
    assert tender.cpv_codes and all(len(code) == 8 and code.isdigit() for code in tender.cpv_codes)


def test_invalid_examples_are_rejected_with_their_reason(conn) -> None:
    folder = shared("eforms")
    summary = loader.import_sources(
        conn, "eforms", sources_from_paths([folder], "eforms", Limits()), None, system=True
    )
    rejected = {Path(r.name).name: r.message.split(": ", 1)[1] for r in summary.rejected}
    assert rejected == INVALID_REASONS
    with db.reading(conn) as cur:
        stored = {row["source_id"] for row in db.rows(cur, "SELECT source_id FROM tenders")}
    assert "badbe27e-09cf-4f0e-a745-63ec68963999" not in stored  # nothing of INVALID_cn_24_multiple
    # Notices of one procedure (contract folder, BT-04) are one procurement: cn_24_minimal and
    # its change notice, and cn_24_maximal with cn_24_maximal_100_lots.
    assert len(stored) == len(VALID) - 2


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "cn_24_maximal.xml",
            (
                "14549263-b47b-4e59-96a1-2d0d13e19343",
                "Procurement Title ---",
                "LU",
                ["79710000", "79720000", "75121000"],
                "neg-w-call",
                9999999.99,
                "EUR",
                2,
            ),
        ),
        (
            "can_24_UKRI.xml",
            (
                "75b70657-c146-4b5c-8d66-1ded90cdcd1d",
                "Antarctic Infrastructure Modernisation Programme (AIMP) technical Advisor",
                "GB",
                None,
                "open",
                60000000.0,
                "EUR",
                1,
            ),
        ),
        (
            "cn_81_FRA.xml",
            (
                "866bf88e-f381-45c8-a085-43a6148d0ab7",
                None,
                "FR",
                ["71336000", "80512000"],
                "restricted",
                None,
                None,
                1,
            ),
        ),
        (
            "pin-cfc_25.xml",
            (
                "c48d000f-2598-47b3-856e-de93bf654518",
                "Instandhaltung Brandschutztüren",
                "DE",
                ["50712000"],
                "oth-mult",
                None,
                None,
                2,
            ),
        ),
    ],
)
def test_spot_checks(name: str, expected: tuple) -> None:
    tender = parse_eforms(shared("eforms", name).read_bytes(), name)
    found = (
        tender.source_id,
        tender.title,
        tender.buyer_country,
        tender.cpv_codes,
        tender.procedure_type,
        tender.estimated_value,
        tender.currency,
        len(tender.lots),
    )
    assert (
        tuple(f if e is not None else None for f, e in zip(found, expected, strict=True))
        == expected
    )


def test_maximal_notice_codes_criteria_and_mvi() -> None:
    tender = parse_eforms(shared("eforms", "cn_24_maximal.xml").read_bytes())
    assert (tender.strategic_procurement, tender.environmental_impact) == (
        ["env-imp"],
        ["clim-mitig"],
    )
    assert (tender.social_objective, tender.innovative_acquisition) == (["acc-all"], ["proc-innov"])
    # The lot's own criteria, then those of its lot group GLO-0001 (BG-330).
    assert [(c.criterion_type, c.weight, c.lots_group) for c in tender.lots[0].award_criteria] == [
        ("cost", 60.0, ""),
        ("quality", 40.0, ""),
        ("cost", 60.0, "GLO-0001"),
        ("quality", 40.0, "GLO-0001"),
    ]
    assert [c.lots_group for c in tender.lots[1].award_criteria][2:] == ["GLO-0001"] * 2
    from buyergroups.ingest import mvi

    tender.mvi_flags = mvi.detect(tender)
    assert tender.mvi_themes == ["climate", "diversity_inclusion"]


def test_hundred_lots_notice(conn) -> None:
    path = shared("eforms", "cn_24_maximal_100_lots.xml")
    tender = parse_eforms(path.read_bytes(), path.name)
    assert (len(tender.lots), sum(len(lot.award_criteria) for lot in tender.lots)) == (100, 200)
    assert tender.lots[99].lot_id == "LOT-0100"


def test_can_criteria_exact(conn) -> None:
    tender = parse_eforms(shared("eforms", "can_24_UKRI.xml").read_bytes())
    assert [(c.criterion_type, c.name, c.weight) for c in tender.lots[0].award_criteria] == [
        ("quality", "Quality", 70.0),
        ("quality", "Presentation", 15.0),
        ("price", "Price", 15.0),
    ]


def test_ocds_fictional_example_merges_into_one_process(conn) -> None:
    folder = shared("ocds")
    files = sorted(folder.glob("*.json"))
    summary = loader.import_sources(
        conn, "ocds", sources_from_paths(files, "ocds", Limits()), None, system=True
    )
    assert (summary.imported, summary.updated, summary.rejected) == (1, 4, [])
    with db.reading(conn) as cur:
        assert db.row(
            cur,
            "SELECT source_id, title, buyer_name, buyer_country, cpv_codes, estimated_value,"
            " currency, procedure_type FROM tenders",
        ) == {
            "source_id": "ocds-213czf-000-00001",
            "title": "Planned cycle lane improvements",
            "buyer_name": "London Borough of Barnet",
            "buyer_country": "GB",
            "cpv_codes": ["45233130", "45233162"],
            "estimated_value": 1100000.0,
            "currency": "GBP",
            "procedure_type": "open",
        }


def test_ocds_release_merge_matches_the_published_compiled_release() -> None:
    """Merging the separate example releases gives the record's own compiledRelease.

    The folder lacks the tender amendment and implementation releases, so the
    parts they change (tender, contracts) are left out of the comparison.
    """
    folder = shared("ocds")
    releases = [
        release
        for path in sorted(folder.glob("ocds-213czf-000-00001-0*.json"))
        for release in json.loads(path.read_bytes())["releases"]
    ]
    record = json.loads((folder / "ocds-213czf-000-00001.json").read_bytes())["records"][0]
    compiled = record["compiledRelease"]
    merged = ocds.merge_releases(releases)
    for part in ("parties", "buyer", "planning", "awards", "initiationType", "language"):
        assert merged[part] == compiled[part], part
    assert len(merged["parties"]) == 3
