"""A small CO2 world shared by the CO2 unit tests and AppTests.

Groups: 1 Zero-emission sites (NO, DK; climate; target 500 t), 2 Circular
viaducts (NL; circular + climate), 3 ICT hardware (no countries or themes).
Estimates e1 (group 1) and e2 (group 2) share tender 7; figures are in the
docstrings of the tests that use them.
"""

from __future__ import annotations

from buyergroups import db
from buyergroups.accounts.users import User
from buyergroups.co2 import estimates

FACILITATOR = User(1, "Fenna Facilitator", "fenna@example.org")
MEMBER_B = User(2, "Bram Member", "bram@example.org")
OUTSIDER = User(3, "Olga Outsider", "olga@example.org")
OBSERVER = User(4, "Otto Observer", "otto@example.org")


def external(baseline: float, expected: float | dict[str, float]) -> dict[str, object]:
    return {"baseline": baseline, "expected": expected, "unit": "t CO2e", "document": "LCA 2024"}


def fields(title: str, inputs: dict[str, object], **extra: object) -> estimates.EstimateFields:
    values: dict[str, object] = {
        "method": "external",
        "start_year": 2025,
        "years": 1,
        **extra,
    }
    return estimates.EstimateFields(title=title, inputs=inputs, **values)  # type: ignore[arg-type]


def seed_world(connection: db.Connection) -> None:
    """Four users and three groups; tenders 7 and 9 when the tenders table exists."""
    now = db.now()
    for user in (FACILITATOR, MEMBER_B, OUTSIDER, OBSERVER):
        connection.execute(
            "INSERT INTO users (id, name, email, created_at) VALUES (?, ?, ?, ?)",
            [user.id, user.name, user.email, now],
        )
    groups = [
        (1, "Zero-emission sites", "civil_works", "big_buyers", ["NO", "DK"], ["climate"], 500.0),
        (
            2,
            "Circular viaducts",
            "civil_works",
            "national_buyer_group",
            ["NL"],
            ["circular", "climate"],
            None,
        ),
        (3, "ICT hardware", "ict", "circular_fair_ict_pact", [], [], None),
    ]
    for group in groups:
        connection.execute(
            "INSERT INTO buyer_groups (id, name, sector, programme, countries, themes,"
            " co2_target_t, phase, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'tendering', ?, ?)",
            [*group, now, now],
        )
    roles = [
        (1, 1, "facilitator"),
        (2, 1, "facilitator"),
        (3, 1, "facilitator"),
        (2, 2, "member"),
        (1, 4, "observer"),
    ]
    for group_id, user_id, role in roles:
        connection.execute(
            "INSERT INTO group_users (group_id, user_id, role, added_at) VALUES (?, ?, ?, ?)",
            [group_id, user_id, role, now],
        )
    _add_tenders(connection, [7, 9])


def _add_tenders(connection: db.Connection, tender_ids: list[int]) -> None:
    """Minimal tender rows when the tenders migration is present (estimates check the id)."""
    if not db.value(
        connection.cursor(),
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'tenders'",
    ):
        return
    for tender_id in tender_ids:
        connection.execute(
            "INSERT INTO tenders (id, source, source_id, title, raw_hash, imported_at, updated_at)"
            " VALUES (?, 'csv', ?, ?, 'x', now(), now())",
            [tender_id, f"T-{tender_id}", f"Tender {tender_id}"],
        )


def seed_estimates(conn: db.Connection) -> dict[str, estimates.Estimate]:
    """Four estimates; e1 (group 1) and e2 (group 2) share tender 7."""
    e1 = estimates.create_estimate(
        conn,
        FACILITATOR,
        1,
        fields(
            "Electric machinery A12",
            external(300, {"expected": 200, "low": 180, "high": 230}),
            tender_id=7,
            years=2,
        ),
        status="contracted",
    )
    e2 = estimates.create_estimate(
        conn, MEMBER_B, 2, fields("A12 viaduct", external(240, 150), tender_id=7)
    )
    e3 = estimates.create_estimate(
        conn,
        FACILITATOR,
        2,
        fields("Reused girders", external(60, 0), start_year=2024, years=3),
        status="realised",
    )
    spend = {
        "spend_eur": 1_000_000,
        "reference_factor": 0.5,
        "new_factor": 0.3,
        "factor_unit": "kg CO2e/EUR",
    }
    e4 = estimates.create_estimate(
        conn,
        FACILITATOR,
        3,
        fields("Refurbished laptops", spend, method="spend", start_year=2026, tender_id=9),
    )
    return {"e1": e1, "e2": e2, "e3": e3, "e4": e4}
