"""Regression tests for issue 17, items 2 and 3: deep JSON, huge and non-finite numbers.

Written from the issue's description, on our own fixtures: a release nested
10,000 levels deep, an amount of 1 followed by 400 zeros, and amounts
``1e999``, ``NaN`` and ``-Infinity`` must each reject the file with a reason
(the limit or the field named), never a traceback, and never store inf/nan.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from buyergroups import db
from buyergroups.cli import main
from buyergroups.errors import ImportRejected
from buyergroups.ingest import csv_tenders, json_input, loader, ocds, store
from buyergroups.ingest.eforms import parse_eforms
from buyergroups.ingest.numbers import MONEY, checked_number
from buyergroups.ingest.records import AwardCriterion, Lot, Tender
from buyergroups.ingest.sources import Limits, sources_from_paths
from tests.ingest.paths import FIXTURES, fixture_bytes

RANGE = "from 0 to 1,000,000,000,000,000"
DEEP = "objects and arrays nest deeper than 64 levels; refused (the limit for JSON files)."


def _ocds(name: str) -> list[Tender]:
    found = ocds.releases_in(fixture_bytes(name), name)
    return [ocds.release_to_tender(ocds.merge_releases(r, name), name) for r in found.values()]


def _import(conn, kind: str, *paths: Path) -> loader.BatchSummary:
    sources = sources_from_paths(paths, kind, Limits())
    return loader.import_sources(conn, kind, sources, None, system=True)


def _count(conn, sql: str) -> int:
    with db.reading(conn) as cur:
        return db.value(cur, sql)


def test_release_nested_10000_levels_deep_is_rejected_naming_the_limit(conn) -> None:
    with pytest.raises(ImportRejected) as caught:
        ocds.releases_in(fixture_bytes("ocds_deep_10000.json"), "ocds_deep_10000.json")
    assert str(caught.value) == f"ocds_deep_10000.json: {DEEP}"
    summary = _import(conn, "ocds", FIXTURES / "ocds_deep_10000.json")
    assert [r.message for r in summary.rejected] == [f"{FIXTURES / 'ocds_deep_10000.json'}: {DEEP}"]
    assert _count(conn, "SELECT count(*) FROM tenders") == 0


def _nested(levels: int) -> bytes:
    return b'{"ocid": "o", "x": ' + b"[" * (levels - 1) + b"]" * (levels - 1) + b"}"


def test_nesting_is_counted_outside_strings_up_to_the_limit() -> None:
    assert json_input.nesting_depth(_nested(64)) == 64
    assert json_input.read_json_documents(_nested(64), "ok.json")[0]["ocid"] == "o"
    with pytest.raises(ImportRejected, match=r"^deep.json: objects and arrays nest deeper than 64"):
        json_input.read_json_documents(_nested(65), "deep.json")
    # Brackets inside strings, escaped quotes and escaped backslashes do not nest.
    text = b'{"title": "[[[[{{{{ \\" [[[[ \\\\", "note": "]]]]", "list": [[1], [2]]}'
    assert json_input.nesting_depth(text) == 3
    assert json_input.read_json_documents(text, "s.json")[0]["list"] == [[1], [2]]
    # Never closed: the parser would still descend 100,000 levels.
    assert json_input.nesting_depth(b"[" * 100_000) > 64
    with pytest.raises(ImportRejected, match=DEEP.replace("(", r"\(").replace(")", r"\)")):
        json_input.read_json_documents(b"[" * 100_000, "open.json")


def test_merging_refuses_nesting_beyond_the_limit_instead_of_recursing() -> None:
    deep: dict = {}
    holder = deep
    for _ in range(5_000):  # built without the parser, as a stored release could be
        holder["x"] = {}
        holder = holder["x"]
    with pytest.raises(ImportRejected) as caught:
        ocds.merge_releases([{"date": "1", "x": deep}, {"date": "2", "x": deep}], "stored")
    assert str(caught.value) == f"stored: {DEEP}"


def test_json_lines_over_the_line_limit_are_refused() -> None:
    line = b'{"ocid": "o", "tender": {"title": "' + b"x" * 200 + b'"}}'
    with pytest.raises(ImportRejected) as caught:
        json_input.read_json_documents(line + b"\n" + line, "big.jsonl", max_line_bytes=100)
    assert str(caught.value) == "big.jsonl: line 1 is 0.0 MB; at most 0 MB per JSON line."
    assert len(json_input.read_json_documents(line + b"\n" + line, "ok.jsonl")) == 2


def test_amount_of_1_followed_by_400_zeros_is_rejected_not_an_overflow() -> None:
    with pytest.raises(ImportRejected) as caught:
        _ocds("ocds_amount_1e400.json")
    assert str(caught.value) == (
        "ocds_amount_1e400.json (process ocds-test-0400): tender.value.amount ~1e+400"
        f" is not a finite number {RANGE}."
    )


@pytest.mark.parametrize(
    ("fixture", "field", "literal"),
    [
        ("ocds_amount_1e999.json", "releases[0].tender.value.amount", "1e999"),
        ("ocds_amount_nan.json", "releases[0].tender.value.amount", "NaN"),
        (
            "ocds_lot_amount_minus_infinity.json",
            "releases[0].tender.lots[0].value.amount",
            "-Infinity",
        ),
    ],
)
def test_non_finite_ocds_amounts_reject_the_file_naming_the_field(
    conn, fixture: str, field: str, literal: str
) -> None:
    reason = (
        f"{field} is {literal}, not a finite number"
        " (JSON numbers are finite; NaN and Infinity are refused)."
    )
    with pytest.raises(ImportRejected) as caught:
        _ocds(fixture)
    assert str(caught.value) == f"{fixture}: {reason}"
    summary = _import(conn, "ocds", FIXTURES / fixture, FIXTURES / "ocds_two_releases.json")
    assert [(Path(r.name).name, r.status) for r in summary.results] == [
        (fixture, "rejected"),
        ("ocds_two_releases.json", "imported"),
    ]
    assert _count(conn, "SELECT count(*) FROM tenders WHERE NOT isfinite(estimated_value)") == 0
    assert _count(conn, "SELECT count(*) FROM tender_lots WHERE NOT isfinite(estimated_value)") == 0


@pytest.mark.parametrize("text", ['"NaN"', '"Infinity"', '"1e999"', "-1", "20000000000000000"])
def test_amounts_outside_the_money_range_are_refused(text: str) -> None:
    data = b'{"ocid": "o", "tender": {"title": "T", "value": {"amount": %s}}}' % text.encode()
    (releases,) = ocds.releases_in(data, "x.json").values()
    with pytest.raises(ImportRejected) as caught:
        ocds.release_to_tender(ocds.merge_releases(releases), "x.json")
    assert str(caught.value) == (
        f"x.json (process o): tender.value.amount {text.replace(chr(34), chr(39))}"
        f" is not a finite number {RANGE}."
    )


def test_wrong_types_are_refused_naming_the_field() -> None:
    data = b'{"ocid": "o", "tender": {"title": "T", "lots": [{"id": "L1", "value": [5]}]}}'
    (releases,) = ocds.releases_in(data, "x.json").values()
    with pytest.raises(ImportRejected) as caught:
        ocds.release_to_tender(releases[0], "x.json")
    assert str(caught.value) == (
        "x.json (process o): tender.lots[0].value should be an object, not a list."
    )


def test_integer_too_long_to_read_is_refused() -> None:
    data = b'{"ocid": "o", "tender": {"title": "T", "value": {"amount": 1' + b"0" * 5000 + b"}}}"
    with pytest.raises(ImportRejected, match=r"^x.json: not readable as JSON \(Exceeds the limit"):
        ocds.releases_in(data, "x.json")


def test_checked_number_compares_huge_integers_without_overflow() -> None:
    assert checked_number(10**15, "amount", "f", MONEY) == 1e15
    assert checked_number(" 1 200 ", "amount", "f", MONEY) == 1200.0
    assert checked_number("", "amount", "f", MONEY) is None
    for bad in (10**400, -(10**400), float("nan"), math.inf, True, [1], "1e999"):
        with pytest.raises(ImportRejected):
            checked_number(bad, "amount", "f", MONEY)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("1e999", "'1e999'"),
        ("NaN", "'NaN'"),
        ("nan", "'nan'"),
        ("-Infinity", "'-Infinity'"),
        ("inf", "'inf'"),
        ("1" + "0" * 400, "'" + "1" + "0" * 35 + "…"),
        ("-5", "'-5'"),
    ],
)
def test_csv_estimated_value_must_be_finite_and_in_range(value: str, shown: str) -> None:
    data = f"source_id,title,buyer_country,cpv_codes,estimated_value\nA,T,NL,45000000,{value}\n"
    with pytest.raises(ImportRejected) as caught:
        csv_tenders.parse_csv_tenders(data.encode(), "t.csv")
    assert (
        str(caught.value) == f"t.csv row 2: estimated_value {shown} is not a finite number {RANGE}."
    )


def test_csv_weight_nan_is_refused_naming_the_column() -> None:
    data = b"source_id,title,buyer_country,cpv_codes,award_criteria\nA,T,NL,45000000,price|P|NaN\n"
    with pytest.raises(ImportRejected) as caught:
        csv_tenders.parse_csv_tenders(data, "t.csv")
    assert str(caught.value) == (
        "t.csv row 2: award_criteria weight 'NaN' is not a finite number from 0 to 1,000,000."
    )


def test_csv_row_longer_than_the_header_is_refused() -> None:
    data = b"source_id,title,buyer_country,cpv_codes\nA,T,NL,45000000,surplus\n"
    with pytest.raises(ImportRejected) as caught:
        csv_tenders.parse_csv_tenders(data, "t.csv")
    assert str(caught.value) == "t.csv row 2: more cells than the header has columns."


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (">750000<", ">NaN<", f"estimated value (BT-27) 'NaN' is not a finite number {RANGE}."),
        (
            ">500000<",
            ">INF<",
            f"LOT-0001 estimated value (BT-27) 'INF' is not a finite number {RANGE}.",
        ),
        (
            ">30</efbc:ParameterNumeric>",
            ">1e999</efbc:ParameterNumeric>",
            "LOT-0001 award criterion 1 weight (BT-541) '1e999' is not a finite number"
            " from 0 to 1,000,000.",
        ),
    ],
)
def test_eforms_numbers_must_be_finite_naming_the_field(old: str, new: str, reason: str) -> None:
    data = fixture_bytes("cn_two_lots.xml").decode().replace(old, new, 1).encode()
    with pytest.raises(ImportRejected) as caught:
        parse_eforms(data, "x.xml")
    assert str(caught.value) == f"x.xml: {reason}"


def test_eforms_notice_nested_10000_elements_deep_is_rejected() -> None:
    data = fixture_bytes("cn_two_lots.xml").replace(
        b"<cbc:ID", b"<a>" * 10_000 + b"</a>" * 10_000 + b"<cbc:ID", 1
    )
    with pytest.raises(ImportRejected) as caught:
        parse_eforms(data, "x.xml")
    assert str(caught.value).startswith(
        "x.xml: not well-formed XML (Excessive depth in document: 256,"
    )


def _tender(**fields) -> Tender:
    return Tender(source="csv", source_id="T-1", title="Guarded", **fields)


@pytest.mark.parametrize(
    ("tender", "reason"),
    [
        (_tender(estimated_value=math.nan), "T-1: estimated_value is nan, not a finite number"),
        (
            _tender(lots=[Lot("L1", estimated_value=-math.inf)]),
            "T-1: lot L1 estimated_value is -inf, not a finite number",
        ),
        (
            _tender(lots=[Lot("L1", award_criteria=[AwardCriterion("price", weight=math.inf)])]),
            "T-1: lot L1 award criterion 1 weight is inf, not a finite number",
        ),
        (
            _tender(raw_release={"planning": {"budget": {"amount": math.nan}}}),
            "T-1: the release holds a number that is not finite",
        ),
    ],
)
def test_the_store_refuses_non_finite_numbers_a_parser_let_through(
    conn, tender: Tender, reason: str
) -> None:
    with pytest.raises(ImportRejected) as caught, db.transaction(conn) as cur:
        store.store_tenders(cur, [(tender, "hash")], None)
    assert str(caught.value) == f"{reason}; nothing was stored."
    assert _count(conn, "SELECT count(*) FROM tenders") == 0


@pytest.mark.duckdb_only  # PostgreSQL's JSON never held NaN: no such release was stored there
def test_a_release_stored_with_nan_before_the_fix_still_takes_later_releases(
    conn, tmp_path: Path
) -> None:
    with db.transaction(conn) as cur:
        cur.execute(
            "INSERT INTO tenders (source, source_id, procedure_id, title, raw_release, raw_hash,"
            " imported_at, updated_at) VALUES ('ocds', 'ocds-old', 'ocds-old', 'Old', ?, 'h',"
            " now(), now())",
            [
                '{"ocid": "ocds-old", "date": "2023-01-01", "planning": {"budget": {"amount":'
                ' NaN}}, "tender": {"title": "Old", "value": {"amount": Infinity}}}'
            ],
        )
    later = tmp_path / "later.json"
    later.write_bytes(
        b'{"ocid": "ocds-old", "date": "2024-01-01", "tender": {"value": {"amount": 10}}}'
    )
    summary = _import(conn, "ocds", later)
    assert (summary.updated, summary.rejected) == (1, [])
    with db.reading(conn) as cur:
        raw, value = cur.execute("SELECT raw_release, estimated_value FROM tenders").fetchone()
    assert (json.loads(raw), value) == (
        {
            "ocid": "ocds-old",
            "date": "2024-01-01",
            "planning": {"budget": {"amount": None}},  # NaN read as null (absent)
            "tender": {"title": "Old", "value": {"amount": 10}},
        },
        10.0,
    )


def test_migration_0008_clears_non_finite_numbers_stored_before(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "old.duckdb", migrate_schema=False)
    try:
        with db.transaction(conn) as cur:
            cur.execute(
                "CREATE TABLE schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)"
            )
            for name, sql in db.migration_files():
                if name < "0008":
                    cur.execute(sql)
                    cur.execute("INSERT INTO schema_migrations VALUES (?, ?)", [name, db.now()])
            cur.execute(
                "INSERT INTO tenders (id, source, source_id, title, estimated_value, raw_hash,"
                " imported_at, updated_at) VALUES (1, 'ocds', 'a', 'A', 'inf', 'h', now(), now()),"
                " (2, 'ocds', 'b', 'B', 'nan', 'h', now(), now()), (3, 'ocds', 'c', 'C', 7, 'h',"
                " now(), now())"
            )
            cur.execute(
                "INSERT INTO tender_lots (tender_id, position, lot_id, estimated_value)"
                " VALUES (1, 1, 'L1', '-inf'), (3, 1, 'L1', 5)"
            )
            cur.execute(
                "INSERT INTO tender_award_criteria (tender_id, lot_position, position, lot_id,"
                " weight) VALUES (1, 1, 1, 'L1', 'nan'), (3, 1, 1, 'L1', 40)"
            )
        assert [name for name in db.migrate(conn) if name.startswith("0008")] == [
            "0008_tender_content_hash.sql"
        ]
        with db.reading(conn) as cur:
            assert cur.execute(
                "SELECT id, estimated_value FROM tenders ORDER BY id"
            ).fetchall() == [
                (1, None),
                (2, None),
                (3, 7.0),
            ]
            assert cur.execute(
                "SELECT estimated_value FROM tender_lots ORDER BY tender_id"
            ).fetchall() == [(None,), (5.0,)]
            assert cur.execute(
                "SELECT weight FROM tender_award_criteria ORDER BY tender_id"
            ).fetchall() == [(None,), (40.0,)]
    finally:
        conn.close()


def test_command_line_rejects_each_hostile_file_on_one_line(tmp_path: Path, capsys) -> None:
    hostile = [
        "ocds_amount_1e400.json",
        "ocds_amount_1e999.json",
        "ocds_amount_nan.json",
        "ocds_deep_10000.json",
        "ocds_lot_amount_minus_infinity.json",
    ]
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in [*hostile, "ocds_two_releases.json"]:
        shutil.copy(FIXTURES / name, folder / name)
    database = str(tmp_path / "cli.duckdb")
    assert main(["import", "ocds", str(folder), "--db", database]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "6 file(s) read: 1 imported, 0 updated, 0 unchanged, 5 rejected.",
        f"  rejected {folder}/ocds_amount_1e400.json (process ocds-test-0400): tender.value.amount"
        f" ~1e+400 is not a finite number {RANGE}.",
        f"  rejected {folder}/ocds_amount_1e999.json: releases[0].tender.value.amount is 1e999,"
        " not a finite number (JSON numbers are finite; NaN and Infinity are refused).",
        f"  rejected {folder}/ocds_amount_nan.json: releases[0].tender.value.amount is NaN,"
        " not a finite number (JSON numbers are finite; NaN and Infinity are refused).",
        f"  rejected {folder}/ocds_deep_10000.json: {DEEP}",
        f"  rejected {folder}/ocds_lot_amount_minus_infinity.json: releases[0].tender.lots[0]"
        ".value.amount is -Infinity, not a finite number (JSON numbers are finite; NaN and"
        " Infinity are refused).",
    ]
