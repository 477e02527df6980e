"""A small benchmark world whose figures are counted by hand in tests/test_benchmark_figures.py.

Organisations (NL): Gemeente Alfa (A, the one benchmarked), Gemeente Beta (B) and Gemeente
Gamma (C), municipalities; Provincie Delta (D), a province; Gemeente Epsilon (E), a
municipality with tenders in 2023 only. One tender matches no organisation.

======  ====  =====================  ==================  =====  ====  ===============================
tender  year  automatic reading      corrected to        value  CPV   step 3
======  ====  =====================  ==================  =====  ====  ===============================
a1      2024  MVI: climate           (not corrected)     100    45    contracted yes, realised yes
a2      2024  not MVI                circular, soc. ret  300    45
a3      2024  MVI: climate, circular not sustainable     600    30
a4      2024  not MVI                                    none   30
a5      2023  MVI: climate                               200    45
b1      2024  MVI: climate                               100    45
b2      2024  not MVI                climate (by B)      none   45    realised yes (by B)
c1-c4   2024  c3 MVI: circular                           none   90
d1      2024  MVI: climate                               none   45
e1      2023  MVI: climate                               none   45
u1      2024  MVI: climate (no organisation)             none   45
======  ====  =====================  ==================  =====  ====  ===============================

Values are estimated values in EUR. a1 and b2 are awarded (award date, one lot awarded).
A's action plan 2024: climate ambitious (targets: 30 % of tenders, 5 % of spend),
circular significant (target 20 % of tenders).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from buyergroups import db, organisations
from buyergroups.accounts.users import User
from buyergroups.benchmark import ambitions, corrections, realisation
from tests.factories import make_user

SECRET_A = "SECRET-A-REASON: internal dossier 17"
SECRET_B_REASON = "SECRET-B-REASON: see contract annex"
SECRET_B_NOTE = "SECRET-B-NOTE: supplier delivered electric fleet"

# key, organisation key (None: unmatched), year, mvi, themes, value, cpv, awarded
TENDERS = [
    ("a1", "A", 2024, True, ["climate"], 100.0, "45221111", True),
    ("a2", "A", 2024, False, [], 300.0, "45262522", False),
    ("a3", "A", 2024, True, ["climate", "circular"], 600.0, "30213100", False),
    ("a4", "A", 2024, False, [], None, "30192000", False),
    ("a5", "A", 2023, True, ["climate"], 200.0, "45233000", False),
    ("b1", "B", 2024, True, ["climate"], 100.0, "45221111", False),
    ("b2", "B", 2024, False, [], None, "45221111", True),
    ("c1", "C", 2024, False, [], None, "90910000", False),
    ("c2", "C", 2024, False, [], None, "90910000", False),
    ("c3", "C", 2024, True, ["circular"], None, "90910000", False),
    ("c4", "C", 2024, False, [], None, "90910000", False),
    ("d1", "D", 2024, True, ["climate"], None, "45221111", False),
    ("e1", "E", 2023, True, ["climate"], None, "45221111", False),
    ("u1", None, 2024, True, ["climate"], None, "45221111", False),
]
ORGANISATIONS = {
    "A": ("Gemeente Alfa", "municipality"),
    "B": ("Gemeente Beta", "municipality"),
    "C": ("Gemeente Gamma", "municipality"),
    "D": ("Provincie Delta", "province"),
    "E": ("Gemeente Epsilon", "municipality"),
}


@dataclass
class BenchmarkWorld:
    orgs: dict[str, int]
    tenders: dict[str, int]
    admin: User
    alfa: User  # member of A
    beta: User  # member of B
    outsider: User  # no organisation


def insert_tender(
    cur: db.Connection,
    key: str,
    org_id: int | None,
    year: int,
    mvi: bool,
    themes: list[str],
    value: float | None,
    cpv: str,
    awarded: bool,
) -> int:
    """One tender row as an import would store it (no permission checks)."""
    now = db.now()
    tender_id = db.value(
        cur,
        "INSERT INTO tenders (source, source_id, procedure_id, title, buyer_name, buyer_country,"
        " buyer_org_id, cpv_codes, published_on, estimated_value, currency, mvi, mvi_themes,"
        " mvi_evidence, awarded_on, lots_awarded, raw_hash, imported_at, updated_at)"
        " VALUES ('csv', ?, ?, ?, ?, 'NL', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'x', ?, ?) RETURNING id",
        [
            f"BW-{key}",
            f"BW-{key}",
            f"Tender {key}",
            f"Buyer of {key}",
            org_id,
            [cpv],
            date(year, 3, 1),
            value,
            "EUR" if value is not None else None,
            mvi,
            themes,
            '[{"theme": "climate", "kind": "code", "field": "BT-774", "evidence": "clim-mitig"}]'
            if mvi
            else "[]",
            date(year, 9, 1) if awarded else None,
            1 if awarded else None,
            now,
            now,
        ],
    )
    return int(tender_id)


def build(conn: db.Connection) -> BenchmarkWorld:
    """Store the world above, its corrections, step-3 answers and A's 2024 plan."""
    orgs = {}
    with db.transaction(conn) as cur:
        for key, (name, org_type) in ORGANISATIONS.items():
            orgs[key] = organisations.insert_organisation(
                cur, None, name, org_type, "NL", org_type=org_type
            )
        tenders = {
            key: insert_tender(cur, key, orgs.get(org) if org else None, *rest)
            for key, org, *rest in TENDERS
        }
    world = BenchmarkWorld(
        orgs=orgs,
        tenders=tenders,
        admin=make_user(conn, "Bench Admin", is_admin=True),
        alfa=make_user(conn, "Anna Alfa", org_id=orgs["A"]),
        beta=make_user(conn, "Bert Beta", org_id=orgs["B"]),
        outsider=make_user(conn, "Olga Outside"),
    )
    correct = corrections.save_correction
    correct(
        conn,
        world.alfa,
        tenders["a2"],
        corrections.CorrectionInput(
            themes=("circular", "social_return"), sustainable=True, reason=SECRET_A
        ),
        based_on=0,
    )
    correct(
        conn,
        world.alfa,
        tenders["a3"],
        corrections.CorrectionInput(themes=(), sustainable=False, reason="Only a label, no MVI"),
        based_on=0,
    )
    correct(
        conn,
        world.beta,
        tenders["b2"],
        corrections.CorrectionInput(themes=("climate",), sustainable=True, reason=SECRET_B_REASON),
        based_on=0,
    )
    realisation.save_realisation(
        conn,
        world.alfa,
        tenders["a1"],
        realisation.RealisationInput(
            contracted="yes",
            realised="yes",
            co2_effect="large",
            materials_effect="small",
            knowledge="measured",
            note="Electric buses run since June",
            good_example=True,
        ),
        based_on=0,
    )
    realisation.save_realisation(
        conn,
        world.beta,
        tenders["b2"],
        realisation.RealisationInput(
            contracted="yes",
            realised="yes",
            co2_effect="small",
            materials_effect="none",
            knowledge="estimate",
            note=SECRET_B_NOTE,
        ),
        based_on=0,
    )
    ambitions.save_plan(
        conn,
        world.alfa,
        orgs["A"],
        2024,
        [
            ambitions.Ambition("climate", "ambitious", 30, 5),
            ambitions.Ambition("circular", "significant", 20, None),
        ],
        based_on=0,
    )
    return world
