"""A small network shared by the network and monitoring tests (figures checked by hand).

Groups (countries; themes; CPV division) and member organisations::

    g1 Circular viaducts  NL; circular, climate; 45      Almere (NL), Rijkswaterstaat (NL)
    g2 Bridges Flanders   BE; circular; 45               Rijkswaterstaat (NL), Stad Gent (BE)
    g3 ICT Sweden         SE; circular, ISV; 30          Region Stockholm (SE), Aarhus (DK)
    g4 ICT Denmark        DK; ISV; 30                    Aarhus (DK), Midtjylland (DK)
    g5 Clean vehicles NO  NO; climate; 34                Almere (NL), Rijkswaterstaat (NL)
    g6 Circular textiles  DK; circular; 18               (none)

Membership graph: Almere—g1—Rijkswaterstaat—g2—Gent, Almere—g5—Rijkswaterstaat,
and Stockholm—g3—Aarhus—g4—Midtjylland. Rijkswaterstaat bridges g1/g5 and g2.

Criteria: c1 in g1 (published, "Zero-emission equipment on site"), reused into
g2 as c2 (private; retitled SECRET_COPY), c2 reused into g4 as c3 (private).
c4 in g2 is private (SECRET_OWN). c5 and c6 in g1 (circular basis, circular
ambitious; private). Users: ``member`` in g1 (facilitator) and g3 (member);
``outsider`` in no group; ``admin``.

Tenders (stored by :func:`insert_tenders`, for the monitoring tests)::

    t1 NL  CPV 45221100            MVI: circular, climate
    t2 NL  CPV 45000000, 71000000  not MVI
    t3 BE  CPV 30213100            MVI: climate
    t4 --  no CPV                  not MVI
"""

from __future__ import annotations

from dataclasses import dataclass

from buyergroups import criteria, db, groups, organisations
from buyergroups.accounts.users import User
from tests.factories import join, make_criterion, make_group, make_user

SECRET_COPY = "SECRET adapted equipment clause"
SECRET_OWN = "SECRET Flemish bridge lighting"
PUBLISHED_TITLE = "Zero-emission equipment on site"


@dataclass
class NetworkWorld:
    groups: dict[str, int]
    orgs: dict[str, int]
    criteria: dict[str, int]
    admin: User
    member: User
    outsider: User


GROUPS = {
    "g1": ("Circular viaducts", ["NL"], ["circular", "climate"], ["45221100"]),
    "g2": ("Bridges Flanders", ["BE"], ["circular"], ["45221111"]),
    "g3": ("ICT Sweden", ["SE"], ["circular", "international_social_conditions"], ["30213100"]),
    "g4": ("ICT Denmark", ["DK"], ["international_social_conditions"], ["30231000"]),
    "g5": ("Clean vehicles NO", ["NO"], ["climate"], ["34144900"]),
    "g6": ("Circular textiles", ["DK"], ["circular"], ["18100000"]),
}
ORGS = {
    "almere": ("Gemeente Almere", "municipality", "NL"),
    "rws": ("Rijkswaterstaat", "agency", "NL"),
    "gent": ("Stad Gent", "municipality", "BE"),
    "stockholm": ("Region Stockholm", "province", "SE"),
    "aarhus": ("Aarhus Kommune", "municipality", "DK"),
    "midtjylland": ("Region Midtjylland", "province", "DK"),
}
MEMBERS = {
    "g1": [("almere", "lead"), ("rws", "front_runner")],
    "g2": [("rws", "follower"), ("gent", "lead")],
    "g3": [("stockholm", "lead"), ("aarhus", "follower")],
    "g4": [("aarhus", "lead"), ("midtjylland", "follower")],
    "g5": [("almere", "follower"), ("rws", "lead")],
    "g6": [],
}


def _publish(conn: db.Connection, criterion_id: int) -> None:
    with db.transaction(conn) as cur:
        cur.execute(
            "UPDATE criteria SET status = 'published', visibility = 'published' WHERE id = ?",
            [criterion_id],
        )


def _retitle(conn: db.Connection, criterion_id: int, title: str) -> None:
    with db.transaction(conn) as cur:
        cur.execute("UPDATE criteria SET title = ? WHERE id = ?", [title, criterion_id])


def build(conn: db.Connection) -> NetworkWorld:
    """Store the network described in the module docstring."""
    group_ids = {
        key: make_group(conn, name, countries=countries, themes=themes, cpv_codes=cpvs)
        for key, (name, countries, themes, cpvs) in GROUPS.items()
    }
    with db.transaction(conn) as cur:
        org_ids = {
            key: organisations.insert_organisation(cur, None, *fields)
            for key, fields in ORGS.items()
        }
        for group_key, members in MEMBERS.items():
            for org_key, role in members:
                groups.set_organisation_role(
                    cur, None, group_ids[group_key], org_ids[org_key], role
                )
    admin = make_user(conn, "Ada Admin", is_admin=True)
    member = make_user(conn, "Mia Member")
    outsider = make_user(conn, "Otto Outsider")
    join(conn, group_ids["g1"], member, "facilitator")
    join(conn, group_ids["g3"], member, "member")
    c1 = make_criterion(conn, admin, group_ids["g1"], title=PUBLISHED_TITLE)
    _publish(conn, c1)
    c2 = criteria.reuse(conn, admin, c1, group_ids["g2"])
    _retitle(conn, c2, SECRET_COPY)
    c3 = criteria.reuse(conn, admin, c2, group_ids["g4"])
    c4 = make_criterion(conn, admin, group_ids["g2"], title=SECRET_OWN)
    c5 = make_criterion(
        conn,
        admin,
        group_ids["g1"],
        title="Recycled concrete",
        theme="circular",
        ambition_level="basis",
        criterion_type="technical_specification",
        weight=None,
    )
    c6 = make_criterion(
        conn,
        admin,
        group_ids["g1"],
        title="Design for disassembly",
        theme="circular",
        ambition_level="ambitious",
        criterion_type="technical_specification",
        weight=None,
    )
    return NetworkWorld(
        groups=group_ids,
        orgs=org_ids,
        criteria={"c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": c5, "c6": c6},
        admin=admin,
        member=member,
        outsider=outsider,
    )


TENDERS = [
    (1, "Viaduct renovation Almere", "NL", ["45221100"], True, ["circular", "climate"]),
    (2, "Road maintenance", "NL", ["45000000", "71000000"], False, []),
    (3, "Laptops for Gent", "BE", ["30213100"], True, ["climate"]),
    (4, "Consultancy", None, [], False, []),
]
# (tender, lot, type, name, weight)
AWARD_CRITERIA = [
    (1, 0, "price", "Price", 60.0),
    (1, 0, "quality", "CO2 emissions of equipment", 30.0),
    (1, 0, "quality", "Delivery time", 10.0),
    (2, 0, "price", "Price", 50.0),
    (2, 0, "quality", "Project approach", 50.0),
    (3, 0, "price", "Price", 40.0),
    (3, 0, "quality", "Recycled content", 20.0),
    (3, 0, "quality", "Plan of approach", 40.0),
    (3, 1, "price", "Price", 100.0),
]


def insert_tenders(conn: db.Connection) -> None:
    """Store TENDERS, AWARD_CRITERIA and one CPV label (45000000 Construction work)."""
    now = db.now()
    with db.transaction(conn) as cur:
        for tender_id, title, country, cpvs, mvi, themes in TENDERS:
            cur.execute(
                "INSERT INTO tenders (id, source, source_id, title, buyer_name, buyer_country,"
                " cpv_codes, mvi, mvi_themes, raw_hash, imported_at, updated_at)"
                " VALUES (?, 'csv', ?, ?, ?, ?, ?, ?, ?, 'x', ?, ?)",
                [
                    tender_id,
                    f"T{tender_id}",
                    title,
                    f"Buyer {tender_id}",
                    country,
                    cpvs,
                    mvi,
                    themes,
                    now,
                    now,
                ],
            )
        for position, (tender_id, lot, kind, name, weight) in enumerate(AWARD_CRITERIA):
            cur.execute(
                "INSERT INTO tender_award_criteria (tender_id, lot_position, position, lot_id,"
                " criterion_type, name, weight) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [tender_id, lot, position, f"LOT-{lot}", kind, name, weight],
            )
        cur.execute(
            "INSERT INTO cpv_codes (code, kind, labels, label_en, imported_at)"
            " VALUES ('45000000', 'main', '{}', 'Construction work', ?)",
            [now],
        )
