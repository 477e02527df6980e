"""Demo data of the MVI benchmark: award results, corrections, step-3 answers, action plans.

Fictional, like the rest of the demo. Award results are stored as an award notice's would
be (procurement columns, one lot result, its winner); corrections, answers, action plans
and the CO2 estimates' links to their tenders go through the package's own functions with
the demo users who may make them, so every revision has its author and the permission
rules hold as for real data.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from buyergroups import db
from buyergroups.accounts.users import get_user
from buyergroups.benchmark import ambitions, corrections, realisation
from buyergroups.benchmark.corrections import AppliedCriterion, CorrectionInput
from buyergroups.benchmark.realisation import RealisationInput
from buyergroups.co2 import estimates, saving
from buyergroups.ingest import store

# source_id: (awarded value EUR, tenders received, award date, winner, winner's country)
AWARDS: dict[str, tuple[float, int, date, str, str]] = {
    "DEMO-NL-2024-0001": (17_900_000.0, 4, date(2024, 9, 30), "Brugwerk Infra B.V.", "NL"),
    "DEMO-NL-2024-0002": (8_750_000.0, 3, date(2024, 12, 16), "Brugwerk Infra B.V.", "NL"),
    "DEMO-NL-2024-0301": (34_200_000.0, 6, date(2024, 10, 1), "Vezel & Co Bedrijfskleding", "NL"),
    "DEMO-NL-2024-0601": (49_500_000.0, 2, date(2025, 1, 20), "Stadsvervoer Utrecht B.V.", "NL"),
}

# Which demo CO2 estimate (by title) belongs with which demo tender.
ESTIMATE_TENDERS = {
    "Circular viaduct over the A12: reference vs circular design": "DEMO-NL-2024-0001",
    "Zero-emission buses in the regional concession": "DEMO-NL-2024-0601",
}

ADMIN = "u_admin"


def _store_award(cur: db.Connection, tender_id: int, award: tuple) -> None:
    value, received, awarded_on, winner, country = award
    cur.execute(
        "UPDATE tenders SET awarded_value = ?, awarded_currency = 'EUR', lots_awarded = 1,"
        " tenders_received = ?, awarded_on = ? WHERE id = ?",
        [value, received, awarded_on, tender_id],
    )
    cur.execute(
        "INSERT INTO tender_lot_results (tender_id, lot_id, result_code, awarded_value,"
        " currency, tenders_received) VALUES (?, '1', 'selec-w', ?, 'EUR', ?)",
        [tender_id, value, received],
    )
    cur.execute(
        "INSERT INTO tender_winners (tender_id, lot_id, position, name, country, sme)"
        " VALUES (?, '1', 1, ?, ?, ?)",
        [tender_id, winner, country, "B.V." not in winner],
    )


def _as_entered(inputs: dict[str, Any]) -> dict[str, Any]:
    """Stored inputs as a person enters them: a ± % without the low/high computed from it."""
    return {
        name: {"expected": value["expected"], "pct": value["pct"]}
        if isinstance(value, dict) and value.get("pct") is not None
        else value
        for name, value in inputs.items()
    }


def _link_estimates(conn: db.Connection, ids: dict[str, int], people: dict[str, int]) -> dict:
    admin = get_user(conn, people[ADMIN])
    with db.reading(conn) as cur:
        found = db.rows(cur, "SELECT id, title FROM co2_estimates WHERE deleted_at IS NULL")
    linked = {}
    for row in found:
        source_id = ESTIMATE_TENDERS.get(row["title"])
        if source_id is None:
            continue
        current = estimates.get_estimate(conn, admin, row["id"])
        fields = estimates.EstimateFields(
            title=current.title,
            method=current.method,
            inputs=_as_entered(current.inputs),
            start_year=current.start_year,
            years=current.years,
            confidence=current.confidence,
            assumptions=current.assumptions,
            source=current.source,
            tender_id=ids[source_id],
            project=current.project,
        )
        saving.update_estimate(conn, admin, row["id"], fields, based_on=current.current_revision)
        linked[source_id] = row["id"]
    return linked


def _criterion_id(conn: db.Connection, title_start: str) -> int | None:
    with db.reading(conn) as cur:
        return db.value(
            cur,
            "SELECT id FROM criteria WHERE title LIKE ? AND deleted_at IS NULL ORDER BY id",
            [title_start + "%"],
        )


def _corrections(conn: db.Connection, ids: dict[str, int], user: Any) -> int:
    corrected = 0
    viaduct_criterion = _criterion_id(conn, "Award criterion: design for disassembly")
    for key, source_id, change in (
        (
            "u_facil_viaducts",
            "DEMO-NL-2024-0001",
            CorrectionInput(
                themes=("climate", "circular"),
                sustainable=True,
                reason=(
                    "The environment reading comes from the generic BT-06 code only; the "
                    "tender asks for CO2 and circularity through the MKI score and the "
                    "material passport."
                ),
                criteria=(
                    *([AppliedCriterion("", viaduct_criterion)] if viaduct_criterion else []),
                    AppliedCriterion("At least 50 % emission-free equipment on site"),
                ),
            ),
        ),
        (
            "u_facil_textiles",
            "DEMO-NL-2024-0301",
            CorrectionInput(
                themes=("circular", "international_social_conditions", "social_return"),
                sustainable=True,
                reason="The contract also asks for 5 % social return in the repair service.",
            ),
        ),
        (
            "u_facil_catering",
            "DEMO-NL-2024-0601",
            CorrectionInput(
                themes=("climate", "diversity_inclusion"),
                sustainable=True,
                reason=(
                    "No requirement on biodiversity: the phrase was in the background text "
                    "of the notice only."
                ),
            ),
        ),
        (
            "u_pieter_bakker",
            "DEMO-NL-2025-0801",
            CorrectionInput(
                themes=(),
                sustainable=False,
                reason=(
                    "Recycled content was asked as an option only and left out of the "
                    "contract; the tender is not counted as sustainable."
                ),
            ),
        ),
    ):
        corrections.save_correction(conn, user(key), ids[source_id], change, based_on=0)
        corrected += 1
    return corrected


def _answers(conn: db.Connection, ids: dict[str, int], estimates_of: dict, user: Any) -> int:
    answered = 0
    for key, source_id, answers in (
        (
            "u_facil_viaducts",
            "DEMO-NL-2024-0001",
            RealisationInput(
                contracted="yes",
                realised="partly",
                co2_effect="large",
                materials_effect="large",
                knowledge="estimate",
                note="Girders placed; the material passport follows at delivery.",
                co2_estimate_id=estimates_of.get("DEMO-NL-2024-0001"),
            ),
        ),
        (
            "u_facil_viaducts",
            "DEMO-NL-2024-0002",
            RealisationInput(
                contracted="yes",
                realised="yes",
                co2_effect="small",
                materials_effect="large",
                knowledge="measured",
                note="62 % recycled concrete aggregate measured in the first eight bridges.",
                good_example=True,
            ),
        ),
        (
            "u_facil_mobility",
            "DEMO-NL-2024-0601",
            RealisationInput(
                contracted="yes",
                realised="unknown",
                co2_effect="large",
                materials_effect="none",
                knowledge="estimate",
                note="Service starts in 2025.",
                co2_estimate_id=estimates_of.get("DEMO-NL-2024-0601"),
            ),
        ),
        (
            "u_facil_textiles",
            "DEMO-NL-2024-0301",
            RealisationInput(
                contracted="yes",
                realised="yes",
                co2_effect="small",
                materials_effect="small",
                knowledge="estimate",
                note="Repair service running; recycled share reported yearly.",
                good_example=True,
            ),
        ),
    ):
        realisation.save_realisation(conn, user(key), ids[source_id], answers, based_on=0)
        answered += 1
    return answered


# organisation key, year, acting user, [(theme, level, % of tenders, % of spend)]
PLANS: list[tuple[str, int, str, list[tuple[str, str, float | None, float | None]]]] = [
    (
        "rws",
        2024,
        "u_facil_viaducts",
        [
            ("climate", "ambitious", 80, 70),
            ("circular", "ambitious", 60, None),
            ("social_return", "basis", 30, None),
        ],
    ),
    (
        "utr",
        2024,
        "u_facil_catering",
        [
            ("climate", "significant", 50, 40),
            ("circular", "significant", 40, None),
            ("diversity_inclusion", "ambitious", 20, None),
            ("social_return", "ambitious", 50, 30),
        ],
    ),
    (
        "putr",
        2024,
        ADMIN,
        [("circular", "ambitious", 50, 50), ("social_return", "significant", 40, None)],
    ),
    (
        "politie",
        2024,
        ADMIN,
        [
            ("circular", "ambitious", 30, None),
            ("international_social_conditions", "significant", 50, None),
        ],
    ),
    ("ams", 2025, "u_pieter_bakker", [("circular", "ambitious", 60, 50)]),
]


def seed_benchmark(
    conn: db.Connection, orgs: dict[str, int], people: dict[str, int]
) -> dict[str, int]:
    """Store the demo's award results, CO2 links, corrections, answers and action plans."""
    with db.transaction(conn) as cur:
        ids = store.tender_ids(cur, "csv", [*AWARDS, "DEMO-NL-2025-0801"])
        for source_id, award in AWARDS.items():
            _store_award(cur, ids[source_id], award)

    def user(key: str) -> Any:
        return get_user(conn, people[key])

    for organisation, year, key, themes in PLANS:
        if organisation in orgs:
            plan = [ambitions.Ambition(*entry) for entry in themes]
            ambitions.save_plan(conn, user(key), orgs[organisation], year, plan, based_on=0)
    estimates_of = _link_estimates(conn, ids, people)
    return {
        "awards": len(AWARDS),
        "corrections": _corrections(conn, ids, user),
        "realisations": _answers(conn, ids, estimates_of, user),
        "action_plans": len(PLANS),
    }
