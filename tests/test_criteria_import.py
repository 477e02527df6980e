"""Criteria import: lossless round trip of the exports, row report, confirmed store, file checks."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from buyergroups import criteria, db, demo, versioned
from buyergroups.accounts.users import get_user
from buyergroups.errors import ImportRejected, ValidationError
from buyergroups.exports import group_sheets
from buyergroups.exports.criteria_import import (
    ImportReport,
    RowResult,
    parse_rows,
    store_valid,
    template_csv,
    template_xlsx,
)
from tests.factories import make_criterion
from tests.test_exports import HOSTILE

HEADER = "Title,Text,Type,MVI theme,Ambition level,Weight (%),Language,CPV codes"


def _content(item: dict) -> dict:
    return versioned.content_of(criteria.KIND, item)


def _count(conn: db.Connection, group_id: int) -> int:
    with db.reading(conn) as cur:
        return db.value(cur, "SELECT count(*) FROM criteria WHERE group_id = ?", [group_id])


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_every_demo_group_round_trips_without_loss(conn, world, fmt) -> None:
    # The demo loads into an empty database only: export from a second one, import into ``conn``.
    other = db.connect(":memory:")
    demo.seed(other)
    admin = get_user(other, 1)
    assert admin.is_admin
    with db.reading(other) as cur:
        group_ids = [
            r[0] for r in cur.execute("SELECT id FROM buyer_groups ORDER BY id").fetchall()
        ]
    assert len(group_ids) == 9
    for group_id in group_ids:
        original = [_content(c) for c in criteria.list_criteria(other, admin, group_id)]
        export = getattr(group_sheets, f"criteria_{fmt}")(other, admin, group_id)
        report = parse_rows(export, f"group.{fmt}")
        assert report.errors == []
        assert [row.content for row in report.valid] == original
        ids = store_valid(conn, world.admin, world.group_b, report)
        stored = [criteria.get_criterion(conn, world.admin, i) for i in ids]
        assert [_content(c) for c in stored] == original
        assert {c["status"] for c in stored} == {"draft"}
    other.close()


def test_hostile_text_survives_the_round_trip(conn, world) -> None:
    make_criterion(conn, world.facilitator, world.group_a, **HOSTILE)
    original = [_content(c) for c in criteria.list_criteria(conn, world.member, world.group_a)]
    for export, name in (
        (group_sheets.criteria_xlsx(conn, world.member, world.group_a), "x.xlsx"),
        (group_sheets.criteria_csv(conn, world.member, world.group_a), "x.csv"),
    ):
        assert [r.content for r in parse_rows(export, name).valid] == original


BAD_ROWS = (
    f"{HEADER}\n"
    "Good award,Text,Award criterion,Climate,Significant,40,en,45000000\n"
    ",No title,Award criterion,Climate,Basis,10,en,\n"
    "\n"
    "Bad theme,Text,Technical specification,Weather,Basis,,en,\n"
    "No weight,Text,Gunningscriterium,Klimaat,Ambitieus,,nl,\n"
    "Spec with weight,Text,Technical specification,Climate,Basis,5,en,\n"
    "Bad CPV,Text,Selection criterion,Climate,Basis,,en,4500\n"
    "Good spec,Text,eis (technische specificatie),circulair,basis,,nl,45000000-7\n"
)


def test_rows_with_errors_are_reported_by_row_number_and_nothing_is_stored(conn, world) -> None:
    before = _count(conn, world.group_a)
    report = parse_rows(BAD_ROWS.encode(), "criteria.csv")
    assert [(r.row, r.ok, r.message) for r in report.rows] == [
        (2, True, "OK: Good award"),
        (3, False, "Title is required."),
        (
            5,
            False,
            "theme: 'Weather' is not one of environment_biodiversity, climate, circular, "
            "international_social_conditions, diversity_inclusion, social_return.",
        ),
        (6, False, "An award criterion needs a weight (in %)."),
        (7, False, "Only award criteria carry a weight."),
        (
            8,
            False,
            "CPV code '4500' is not valid: use 8 digits, optionally with the check digit "
            "(e.g. 45221100 or 45221100-3).",
        ),
        (9, True, "OK: Good spec"),
    ]
    assert _count(conn, world.group_a) == before
    ids = store_valid(conn, world.member, world.group_a, report)
    stored = [criteria.get_criterion(conn, world.member, i) for i in ids]
    assert [(c["title"], c["criterion_type"], c["theme"], c["weight"]) for c in stored] == [
        ("Good award", "award_criterion", "climate", 40.0),
        ("Good spec", "technical_specification", "circular", None),
    ]
    assert _count(conn, world.group_a) == before + 2


def test_store_is_all_or_nothing(conn, world) -> None:
    good = parse_rows(template_csv(), "t.csv").valid[0]
    broken = RowResult(3, True, "tampered", {**good.content, "theme": "weather"})
    with pytest.raises(ValidationError):
        store_valid(conn, world.member, world.group_a, ImportReport("t.csv", [good, broken]))
    assert _count(conn, world.group_a) == 0


def test_a_report_without_valid_rows_stores_nothing(conn, world) -> None:
    report = parse_rows(f"{HEADER}\n,x,Award criterion,Climate,Basis,10,en,\n".encode(), "a.csv")
    with pytest.raises(ValidationError, match=r"a\.csv has no valid rows to store\."):
        store_valid(conn, world.member, world.group_a, report)


def test_template_has_the_export_columns_and_a_valid_example(conn, world) -> None:
    template = load_workbook(io.BytesIO(template_xlsx())).active
    export = load_workbook(
        io.BytesIO(group_sheets.criteria_xlsx(conn, world.member, world.group_a))
    )
    assert [c.value for c in template[1]] == [c.value for c in export.active[1]]
    assert template_csv().decode("utf-8-sig").splitlines()[0] == ",".join(
        group_sheets.CRITERIA_FIELDS
    )
    assert parse_rows(template_xlsx(), "t.xlsx").valid[0].content == {
        "title": "Emission-free equipment on site",
        "body": "The tenderer states the share of emission-free machinery used on site.",
        "criterion_type": "award_criterion",
        "theme": "climate",
        "ambition_level": "significant",
        "weight": 20.0,
        "scoring_method": "Linear: 0 points at 0%, full points at 100% emission-free.",
        "verification_proof": "Equipment list with engine types",
        "verification_moment": "at tender",
        "language": "en",
        "cpv_codes": ["45000000"],
    }


def test_semicolon_csv_with_decimal_comma_and_field_name_headers() -> None:
    data = (
        "title;body;criterion_type;theme;ambition_level;weight\r\n"
        "Share of refurbished devices;Text;award_criterion;circular;ambitious;12,5\r\n"
    ).encode("utf-8-sig")
    report = parse_rows(data, "dutch-excel.csv")
    assert [(r.row, r.ok) for r in report.rows] == [(2, True)]
    assert report.valid[0].content["weight"] == 12.5


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"Title,Text\n", "criteria.txt", "criteria.txt: upload the template as .xlsx or .csv."),
        (b"Title,Text\nx,y\n", "fake.xlsx", "fake.xlsx is not an Excel (.xlsx) workbook."),
        (
            "Titel,Tekst\né,è\n".encode("latin-1"),
            "latin.csv",
            "latin.csv is not UTF-8 text; in Excel choose 'CSV UTF-8' when saving.",
        ),
        (
            b"Title,Text,Type\nx,y,z\n",
            "short.csv",
            "short.csv lacks the column(s) MVI theme, Ambition level; start from the template.",
        ),
        (f"{HEADER}\n\n".encode(), "empty.csv", "empty.csv has no criteria rows below the header."),
        (b"", "nothing.csv", "nothing.csv has no header row; start from the template."),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(data, name, message) -> None:
    with pytest.raises(ImportRejected) as refused:
        parse_rows(data, name)
    assert str(refused.value) == message


def test_files_over_the_size_limit_are_refused_unread() -> None:
    with pytest.raises(ImportRejected) as refused:
        parse_rows(b"\xff" * 1_572_864, "big.csv", max_bytes=1_048_576)
    assert str(refused.value) == "big.csv is 1.5 MB; the limit is 1 MB."


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_zip_bombs_and_xml_entities_are_refused() -> None:
    bomb = _zip({"xl/worksheets/sheet1.xml": b"\0" * (60 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    with pytest.raises(ImportRejected, match="unpacks to too much data"):
        parse_rows(bomb, "bomb.xlsx")
    entities = _zip({"xl/workbook.xml": b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'})
    with pytest.raises(ImportRejected, match="XML declarations a workbook never needs"):
        parse_rows(entities, "entities.xlsx")
    with pytest.raises(ImportRejected, match="cannot be read as a workbook"):
        parse_rows(_zip({"hello.txt": b"hi"}), "odd.xlsx")


def _template_with_weight_cell(literal: bytes) -> bytes:
    """The xlsx template with its example weight (20) stored as ``literal`` in the sheet XML."""
    source = zipfile.ZipFile(io.BytesIO(template_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                assert body.count(b"<v>20</v>") == 1
                body = body.replace(b"<v>20</v>", b"<v>" + literal + b"</v>")
            target.writestr(info, body)
    return out.getvalue()


@pytest.mark.parametrize("literal", [b"1" + b"0" * 400, b"1e999", b"-1e999"])
def test_huge_or_infinite_weight_cells_are_row_errors_not_overflows(literal: bytes) -> None:
    report = parse_rows(_template_with_weight_cell(literal), "c.xlsx")
    assert [(row.row, row.ok, row.message) for row in report.rows] == [
        (2, False, "Weight must be more than 0 and at most 100 (%).")
    ]


@pytest.mark.parametrize(
    ("literal", "error"),
    [
        (b"NaN", "invalid literal for int() with base 10: 'NaN'"),
        (b"1" + b"0" * 5000, "Exceeds the limit (4300 digits) for integer string conversion"),
    ],
)
def test_number_cells_openpyxl_cannot_read_reject_the_file(literal: bytes, error: str) -> None:
    with pytest.raises(ImportRejected) as caught:
        parse_rows(_template_with_weight_cell(literal), "c.xlsx")
    assert str(caught.value).startswith(f"c.xlsx cannot be read as a workbook ({error}")


def test_csv_cell_over_the_csv_limit_is_refused() -> None:
    data = f"{HEADER}\nT,{'x' * 200_000},Award criterion,Climate,Significant,20,en,\n".encode()
    with pytest.raises(ImportRejected) as caught:
        parse_rows(data, "c.csv")
    assert str(caught.value) == (
        "c.csv is not a readable CSV file (field larger than field limit (131072))."
    )
