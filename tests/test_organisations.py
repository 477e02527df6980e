"""Contracting authorities as organisations: matching buyers, the unmatched list, linking."""

from __future__ import annotations

import pytest

from buyergroups import db, organisations
from buyergroups.buyer_match import KnownOrganisation, Matcher, name_key, national_key
from buyergroups.errors import PermissionDenied, ValidationError
from buyergroups.ingest import loader
from buyergroups.ingest.sources import Limits, Source, sources_from_paths
from tests.ingest.paths import FIXTURES


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Gemeente Utrecht", "municipality:utrecht"),
        ("  gemeente   UTRECHT ", "municipality:utrecht"),
        ("Municipality of Utrecht", "municipality:utrecht"),
        ("Utrecht kommune", "municipality:utrecht"),
        ("Provincie Utrecht", "province:utrecht"),
        ("Province of Utrecht", "province:utrecht"),
        ("Waterschap Aa en Maas", "water_authority:aa en maas"),
        ("Ministerie van Defensie", "ministry:defensie"),
        ("Stadt Köln", "municipality:koln"),
        ("Bodø kommune", "municipality:bodo"),
        ("Gemeente 's-Hertogenbosch", "municipality:s hertogenbosch"),
        ("Zitwerk Kantoorinrichting B.V.", "zitwerk kantoorinrichting"),
        ("ReMake GmbH", "remake"),
        ("Rijkswaterstaat", "rijkswaterstaat"),
        ("Gemeente", "gemeente"),  # a legal-form word alone is the name
    ],
)
def test_name_key(name: str, key: str) -> None:
    assert name_key(name) == key


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("30280353", "30280353"),
        ("3028 0353", "30280353"),
        ("NL-302.803/53", "NL30280353"),
        ("not available", None),
        ("n/a", None),
        ("", None),
        (None, None),
    ],
)
def test_national_key(raw: str | None, key: str | None) -> None:
    assert national_key(raw) == key


ORGS = [
    KnownOrganisation(1, "Gemeente Utrecht", "NL", "0000 0011"),
    KnownOrganisation(2, "Provincie Utrecht", "NL"),
    KnownOrganisation(3, "Gemeente Amsterdam", "NL"),
    KnownOrganisation(4, "City of Vantaa", "FI", "0124610-9"),
    KnownOrganisation(5, "Amsterdam", "NL"),
    KnownOrganisation(6, "Rijkswaterstaat", "NL"),
]


@pytest.mark.parametrize(
    ("buyer", "expected"),
    [
        # the national number first, even where the name says otherwise
        (("Vantaan kaupunki", "FI", "0124610-9"), 4),
        (("Stad Utrecht (afdeling inkoop)", "NL", "00000011"), 1),
        (("Vantaan kaupunki", "SE", "0124610-9"), None),  # a number counts in its own country
        # then the normalised name in the same country
        (("gemeente utrecht", "NL", None), 1),
        (("Municipality of Utrecht", "NL", "not available"), 1),
        (("Provincie Utrecht", "NL", None), 2),
        (("Gemeente Utrecht", "BE", None), None),
        (("Rijkswaterstaat", None, None), None),  # no country, no name match
        # a name without a legal-form word: the one organisation it can be
        (("Utrecht", "NL", None), None),  # gemeente or provincie: an admin decides
        (("Gemeente Rijkswaterstaat", "NL", None), 6),
        (("Gemeente Amsterdam", "NL", None), 3),  # the exact key beats the looser one
        (("Amsterdam", "NL", None), 5),
        (("Vantaa", "FI", None), 4),
        (("Gemeente Groningen", "NL", None), None),
    ],
)
def test_matcher(buyer: tuple, expected: int | None) -> None:
    assert Matcher(ORGS).match(*buyer) == expected


def test_an_admin_link_matches_the_buyer_name_later() -> None:
    matcher = Matcher(ORGS, {(name_key("Gem. Utrecht"), "NL"): 1})
    assert matcher.match("GEM. UTRECHT", "NL", None) == 1
    assert matcher.match("Gem. Utrecht", "BE", None) is None


def _import(conn, kind: str, *names: str) -> loader.BatchSummary:
    paths = [FIXTURES / name for name in names]
    return loader.import_sources(
        conn, kind, sources_from_paths(paths, kind, Limits()), None, system=True
    )


def _buyers(conn) -> list[tuple]:
    with db.reading(conn) as cur:
        return cur.execute(
            "SELECT t.buyer_name, o.name FROM tenders t"
            " LEFT JOIN organisations o ON o.id = t.buyer_org_id ORDER BY t.buyer_name, t.id"
        ).fetchall()


def _register(conn, actor, name: str, country: str = "NL", **fields) -> int:
    return organisations.create_organisation(conn, actor, name, "municipality", country, **fields)


def test_buyers_are_matched_on_import_and_when_organisations_arrive(conn, world) -> None:
    utrecht = _register(conn, world.member, "Gemeente Utrecht", org_type="municipality")
    _import(conn, "eforms", "cn_two_lots.xml", "can_no_statistics.xml")
    _import(conn, "csv", "tenders.csv")
    assert _buyers(conn) == [
        ("Gemeente Deventer", None),
        ("Gemeente Utrecht", "Gemeente Utrecht"),
        ("Gemeente Zwolle", None),
        ("gemeente Amsterdam", None),
    ]
    assert [(b["name"], b["country"], b["tenders"]) for b in _unmatched(conn, world)] == [
        ("gemeente Amsterdam", "NL", 1),
        ("Gemeente Deventer", "NL", 1),
        ("Gemeente Zwolle", "NL", 1),
    ]
    # Registering an organisation matches the buyers waiting for it.
    _register(conn, world.member, "Amsterdam")
    assert ("gemeente Amsterdam", "Amsterdam") in _buyers(conn)
    with db.reading(conn) as cur:
        assert db.value(cur, "SELECT org_type FROM organisations WHERE id = ?", [utrecht]) == (
            "municipality"
        )


def _unmatched(conn, world) -> list[dict]:
    return organisations.unmatched_buyers(conn, world.admin)


def test_the_national_number_is_matched_first(conn, world) -> None:
    with db.transaction(conn) as cur:
        organisations.insert_organisation(
            cur, None, "Inkoop Utrecht", "municipality", "NL", national_id="TEST-KVK 00000001"
        )
        organisations.insert_organisation(cur, None, "Gemeente Utrecht", "municipality", "NL")
    # The award notice's buyer has BT-501 TEST-KVK 0000 0001; the contract notice of the same
    # procedure names no number but describes the procurement: the number still counts.
    _import(conn, "eforms", "can_furniture.xml")
    _import(conn, "eforms", "cn_two_lots.xml")
    with db.reading(conn) as cur:
        assert cur.execute(
            "SELECT t.buyer_national_id, o.name FROM tenders t"
            " JOIN organisations o ON o.id = t.buyer_org_id"
        ).fetchall() == [("TEST-KVK 0000 0001", "Inkoop Utrecht")]


def test_linking_a_buyer_keeps_for_later_notices(conn, world) -> None:
    _import(conn, "eforms", "can_no_statistics.xml")
    amsterdam = _register(conn, world.member, "Hoofdstad Amsterdam")  # no name match
    (buyer,) = _unmatched(conn, world)
    assert buyer["name"] == "gemeente Amsterdam"
    assert organisations.link_buyer(conn, world.admin, buyer, amsterdam) == 1
    assert _unmatched(conn, world) == []
    # A later notice of the same buyer (another spelling of the same key) matches too.
    csv_text = (
        "source_id,title,buyer_name,buyer_country,cpv_codes\n"
        "AMS-2,Bomen planten,Gemeente  AMSTERDAM,NL,77310000\n"
    )
    data = csv_text.encode("utf-8")
    loader.import_sources(conn, "csv", [Source("more.csv", lambda: data)], None, system=True)
    assert _buyers(conn) == [
        ("Gemeente  AMSTERDAM", "Hoofdstad Amsterdam"),
        ("gemeente Amsterdam", "Hoofdstad Amsterdam"),
    ]
    with db.reading(conn) as cur:
        assert db.rows(
            cur, "SELECT action, item_kind, item_id, summary FROM activity WHERE action = 'link'"
        ) == [
            {
                "action": "link",
                "item_kind": "organisation",
                "item_id": amsterdam,
                "summary": "gemeente Amsterdam → Hoofdstad Amsterdam",
            }
        ]


def test_linking_keeps_the_buyers_number_on_the_organisation(conn, world) -> None:
    _import(conn, "eforms", "can_furniture.xml")
    utrecht = _register(conn, world.member, "Stad Utrecht")
    (buyer,) = _unmatched(conn, world)
    assert buyer["national_id"] == "TEST-KVK 0000 0001"
    organisations.link_buyer(conn, world.admin, buyer, utrecht)
    with db.reading(conn) as cur:
        assert db.value(cur, "SELECT national_id FROM organisations WHERE id = ?", [utrecht]) == (
            "TEST-KVK 0000 0001"
        )


def test_creating_an_organisation_from_a_buyer(conn, world) -> None:
    _import(conn, "csv", "tenders.csv")
    zwolle = next(b for b in _unmatched(conn, world) if b["name"] == "Gemeente Zwolle")
    org_id, matched = organisations.create_from_buyer(conn, world.admin, zwolle, "municipality")
    assert matched == 1
    (created,) = [o for o in organisations.list_organisations(conn) if o["id"] == org_id]
    assert {k: created[k] for k in ("name", "kind", "country", "org_type", "national_id")} == {
        "name": "Gemeente Zwolle",
        "kind": "municipality",
        "country": "NL",
        "org_type": "municipality",
        "national_id": None,
    }
    assert [b["name"] for b in _unmatched(conn, world)] == ["Gemeente Deventer"]
    with pytest.raises(ValidationError, match=r"Choose the organisation's type\."):
        organisations.create_from_buyer(
            conn, world.admin, {"name": "X", "country": "NL", "national_id": None}, ""
        )
    with pytest.raises(ValidationError, match=r"The buyer has no country"):
        organisations.create_from_buyer(
            conn, world.admin, {"name": "X", "country": None, "national_id": None}, "private"
        )


def test_setting_the_national_id_matches_waiting_buyers(conn, world) -> None:
    _import(conn, "eforms", "can_furniture.xml")
    org_id = _register(conn, world.member, "Stad Utrecht")
    assert (
        organisations.update_organisation(
            conn, world.admin, org_id, "municipality", " TEST-KVK  00000001 "
        )
        == 1
    )
    with db.reading(conn) as cur:
        assert db.row(
            cur, "SELECT org_type, national_id FROM organisations WHERE id = ?", [org_id]
        ) == {"org_type": "municipality", "national_id": "TEST-KVK 00000001"}
    with pytest.raises(ValidationError, match=r"org_type: 'city' is not one of central_government"):
        organisations.update_organisation(conn, world.admin, org_id, "city", None)


def test_only_admins_decide_about_buyers_and_organisations(conn, world) -> None:
    _import(conn, "eforms", "can_no_statistics.xml")
    org_id = _register(conn, world.member, "Hoofdstad Amsterdam")
    buyer = {"name": "gemeente Amsterdam", "country": "NL", "national_id": None}
    for attempt in (
        lambda: organisations.unmatched_buyers(conn, world.facilitator),
        lambda: organisations.link_buyer(conn, world.facilitator, buyer, org_id),
        lambda: organisations.create_from_buyer(conn, world.member, buyer, "municipality"),
        lambda: organisations.update_organisation(conn, world.member, org_id, "private", None),
    ):
        with pytest.raises(PermissionDenied, match=r"Only a platform admin may do this\."):
            attempt()
    assert len(_unmatched(conn, world)) == 1


def test_a_buyer_without_a_country_is_matched_only_by_an_admins_link(conn, world) -> None:
    data = (
        b'{"releases": [{"ocid": "ocds-nc", "date": "2024-01-01", "tender": {"title": "Zout"},'
        b' "buyer": {"id": "b", "name": "Gemeente Utrecht"}}]}'
    )
    loader.import_sources(conn, "ocds", [Source("nc.json", lambda: data)], None, system=True)
    org_id = _register(conn, world.member, "Gemeente Utrecht")
    (buyer,) = _unmatched(conn, world)  # same name, but no country: no match by itself
    assert (buyer["name"], buyer["country"]) == ("Gemeente Utrecht", None)
    assert organisations.link_buyer(conn, world.admin, buyer, org_id) == 1
    assert _buyers(conn) == [("Gemeente Utrecht", "Gemeente Utrecht")]


def test_matching_again_reaches_procurements_stored_before_matching(conn, world) -> None:
    _register(conn, world.member, "Gemeente Utrecht")
    _import(conn, "eforms", "cn_two_lots.xml")
    with db.transaction(conn) as cur:  # as migration 0011 leaves the tenders stored before it
        cur.execute("UPDATE tenders SET buyer_org_id = NULL")
    assert organisations.match_buyers(conn, world.admin) == 1
    assert _buyers(conn) == [("Gemeente Utrecht", "Gemeente Utrecht")]
    assert organisations.match_buyers(conn, world.admin) == 0
    with pytest.raises(PermissionDenied):
        organisations.match_buyers(conn, world.member)
