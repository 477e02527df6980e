"""Migration 0011: existing tenders get their procedure; rows of one procedure become one."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from buyergroups import db

STAMP = datetime(2024, 8, 1, 12, 0)
# id, source, source_id, last_notice_id, contract_folder_id, notice_type, published_on, title
LEGACY = [
    (1, "eforms", "N-CAN", "N-CAN", "F-1", "can-standard", date(2024, 7, 1), "Gunning"),
    (2, "eforms", "N-CN", "N-CHANGE", "F-1", "cn-standard", date(2024, 4, 2), "Meubilair"),
    (3, "eforms", "N-PIN", "N-PIN", None, "pin-only", date(2024, 1, 10), "Vooraankondiging"),
    (4, "ocds", "ocds-1", "ocds-1", None, "tender", date(2024, 2, 1), "OCDS"),
    (5, "csv", "CSV-1", "CSV-1", None, None, None, "CSV"),
]


def _before_0011(path: Path) -> db.Connection:
    """A database migrated up to (not including) 0011, as an older version left it."""
    conn = db.connect(path, migrate_schema=False)
    conn.execute("CREATE TABLE schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")
    for name, sql in db.migration_files():
        if name < "0011":
            with db.transaction(conn) as cur:
                cur.execute(sql)
                cur.execute("INSERT INTO schema_migrations VALUES (?, ?)", [name, STAMP])
    return conn


def _legacy_rows(conn: db.Connection) -> None:
    with db.transaction(conn) as cur:
        for row in LEGACY:
            cur.execute(
                "INSERT INTO tenders (id, source, source_id, last_notice_id, contract_folder_id,"
                " notice_type, published_on, title, raw_hash, imported_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'h', ?, ?)",
                [*row, STAMP, STAMP],
            )
        for tender_id, lot in ((1, "LOT-1"), (2, "LOT-1"), (2, "LOT-2")):
            cur.execute(
                "INSERT INTO tender_lots (tender_id, position, lot_id) VALUES (?, 1, ?)",
                [tender_id, lot],
            )
        for tender_id, group_id in ((1, 7), (2, 7), (1, 8)):
            cur.execute(
                "INSERT INTO tender_groups (tender_id, group_id, linked_at, note)"
                " VALUES (?, ?, ?, ?)",
                [tender_id, group_id, STAMP, f"link {tender_id}"],
            )
        cur.execute(
            "INSERT INTO co2_estimates (group_id, tender_id, title, method, inputs, low_t,"
            " expected_t, high_t, start_year, years, created_at, updated_at)"
            " VALUES (8, 1, 'Meubilair', 'spend', '{}', 1, 2, 3, 2024, 1, ?, ?)",
            [STAMP, STAMP],
        )


def test_rows_of_one_procedure_merge_into_the_best_described_one(tmp_path: Path) -> None:
    conn = _before_0011(tmp_path / "old.duckdb")
    try:
        _legacy_rows(conn)
        assert "0011_procedures.sql" in db.migrate(conn)  # and every later migration
        with db.reading(conn) as cur:
            assert cur.execute(
                "SELECT id, source, source_id, procedure_id FROM tenders ORDER BY id"
            ).fetchall() == [
                (2, "eforms", "N-CN", "F-1"),  # the contract notice describes the procedure
                (3, "eforms", "N-PIN", "N-PIN"),
                (4, "ocds", "ocds-1", "ocds-1"),
                (5, "csv", "CSV-1", "CSV-1"),
            ]
            assert cur.execute(
                "SELECT tender_id, notice_id, notice_type, published_on, changes_notice_id"
                " FROM tender_notices WHERE tender_id = 2 ORDER BY notice_id"
            ).fetchall() == [
                (2, "N-CAN", "can-standard", date(2024, 7, 1), None),
                (2, "N-CHANGE", "cn-standard", date(2024, 4, 2), "N-CN"),
                (2, "N-CN", "cn-standard", None, None),  # its own date was overwritten
            ]
            assert db.value(cur, "SELECT count(*) FROM tender_notices") == 6
            assert cur.execute(
                "SELECT tender_id, group_id, note FROM tender_groups ORDER BY group_id"
            ).fetchall() == [(2, 7, "link 2"), (2, 8, "link 1")]
            assert cur.execute("SELECT tender_id, lot_id FROM tender_lots").fetchall() == [
                (2, "LOT-1"),
                (2, "LOT-2"),
            ]
            assert db.value(cur, "SELECT tender_id FROM co2_estimates") == 2
            assert cur.execute("SELECT item_kind, item_id FROM search_changes").fetchall() == [
                ("tender", 1)
            ]
    finally:
        conn.close()


def test_organisations_get_the_type_their_kind_names(tmp_path: Path) -> None:
    conn = _before_0011(tmp_path / "old.duckdb")
    try:
        with db.transaction(conn) as cur:
            for name, kind in (
                ("Gemeente Utrecht", "municipality"),
                ("Ministerie van Defensie", "ministry"),
                ("Rijkswaterstaat", "agency"),
                ("Brugwerk", "company"),
            ):
                cur.execute(
                    "INSERT INTO organisations (name, kind, country, created_at)"
                    " VALUES (?, ?, 'NL', ?)",
                    [name, kind, STAMP],
                )
        db.migrate(conn)
        with db.reading(conn) as cur:
            assert cur.execute(
                "SELECT name, org_type, national_id FROM organisations ORDER BY id"
            ).fetchall() == [
                ("Gemeente Utrecht", "municipality", None),
                ("Ministerie van Defensie", "central_government", None),
                ("Rijkswaterstaat", None, None),  # an agency: an admin says which type
                ("Brugwerk", "private", None),
            ]
    finally:
        conn.close()
