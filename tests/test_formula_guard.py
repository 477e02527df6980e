"""Every CSV and Excel output of the package, with formula triggers in every user-text field.

One world holds seven groups; group *i* has the trigger text ``TRIGGERS[i]`` in
its name and in every text field of a criterion, a dialogue event, a CO2
estimate, a linked tender and its CPV division label. Values are written
straight into the tables, so tab and CR prefixes (which the forms strip) reach
the exports too, as a row stored by an importer or an older version would.
Each output must show every trigger as text (a leading apostrophe), hold no
formula cell, and the criteria spreadsheet must still import back exactly.
"""

from __future__ import annotations

import ast
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from buyergroups import criteria, db, dialogue, monitoring, versioned
from buyergroups.cli import main
from buyergroups.co2 import estimates, export, rollup
from buyergroups.exports import criteria_import, group_sheets, spreadsheet
from buyergroups.ingest import loader
from buyergroups.ingest.sources import Source
from tests.factories import CRITERION, make_group, make_user

ROOT = Path(__file__).resolve().parents[1]
TRIGGERS = (
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",  # the guard doubles the apostrophe, so the import can undo it
)
GUARDED = {"'" + text for text in TRIGGERS}
_STARTS = ("=", "+", "-", "@", "\t", "\r")
DIVISIONS = ("45", "90", "30", "33", "34", "39", "50")


def _set(cur: db.Connection, table: str, row_id: int, text: str, columns: tuple[str, ...]) -> None:
    sets = ", ".join(f"{name} = ?" for name in columns)
    cur.execute(f"UPDATE {table} SET {sets} WHERE id = ?", [*(text for _ in columns), row_id])


def _tenders_csv() -> bytes:
    lines = ["source_id;title;buyer_country;cpv_codes;award_criteria"]
    for i, division in enumerate(DIVISIONS):
        lines.append(
            f'H-{i};Tender {i};NL;{division}000000;"quality|CO2 emission reduction|60;price|Price|40"'
        )
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def hostile(conn: db.Connection):
    admin = make_user(conn, "Ada Admin", is_admin=True)
    group_ids = [make_group(conn, f"Group {i}") for i in range(len(TRIGGERS))]
    reusers = make_group(conn, "Reusers")
    loader.import_sources(conn, "csv", [Source("hostile.csv", _tenders_csv)], None, system=True)
    for i, (group_id, text) in enumerate(zip(group_ids, TRIGGERS, strict=True)):
        crit = criteria.create_criterion(conn, admin, group_id, **CRITERION)
        event = dialogue.create_event(
            conn, admin, group_id, kind="rfi", title="Event", held_on="2025-03-01", language="en"
        )
        estimate = estimates.create_estimate(
            conn,
            admin,
            group_id,
            estimates.EstimateFields(
                title="Estimate",
                method="external",
                inputs={"baseline": 100, "expected": 40, "unit": "t CO2e", "document": "LCA"},
                start_year=2025,
                years=1,
            ),
        )
        with db.transaction(conn) as cur:
            tender_id = db.value(cur, "SELECT id FROM tenders WHERE source_id = ?", [f"H-{i}"])
            _set(cur, "buyer_groups", group_id, text, ("name",))
            _set(
                cur,
                "criteria",
                crit,
                text,
                ("title", "body", "scoring_method", "verification_proof", "verification_moment"),
            )
            cur.execute("UPDATE criteria SET visibility = 'published' WHERE id = ?", [crit])
            _set(cur, "dialogue_events", event, text, ("title", "notes", "takeaways"))
            cur.execute("UPDATE dialogue_events SET participants = [?] WHERE id = ?", [text, event])
            _set(
                cur,
                "co2_estimates",
                estimate.id,
                text,
                ("title", "project", "assumptions", "source"),
            )
            _set(cur, "tenders", tender_id, text, ("title", "description", "buyer_name"))
            cur.execute(
                "INSERT INTO cpv_codes (code, kind, labels, label_en, imported_at)"
                " VALUES (?, 'main', '{}', ?, now())",
                [f"{DIVISIONS[i]}000000", text],
            )
        # A published criterion reused elsewhere: the monitoring names it.
        criteria.reuse(conn, admin, crit, reusers)
        with db.transaction(conn) as cur:
            cur.execute(
                "INSERT INTO tender_groups (tender_id, group_id, note, linked_at)"
                " VALUES (?, ?, ?, now())",
                [tender_id, group_id, text],
            )
    return admin, group_ids


def _xlsx_cells(data: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    return [cell.value for cell in cells]


def _csv_cells(data: bytes, *, bom: bool = True) -> list[Any]:
    text = data.decode("utf-8-sig" if bom else "utf-8")
    assert data.startswith(b"\xef\xbb\xbf") is bom
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _unguarded(cells: list[Any]) -> list[str]:
    return [
        cell
        for cell in cells
        if isinstance(cell, str) and cell.startswith(_STARTS) and not _number(cell)
    ]


def _outputs(conn: db.Connection, admin, group_ids: list[int], db_path: Path, tmp_path: Path):
    """Every export as (name, its cells, the guarded texts it must hold)."""
    for group_id, text in zip(group_ids, TRIGGERS, strict=True):
        for function in GROUP_EXPORTS:
            data = function(conn, admin, group_id)
            cells = _xlsx_cells(data) if function.__name__.endswith("xlsx") else _csv_cells(data)
            yield f"{function.__name__} of group {group_id}", cells, {"'" + text}
    programme = rollup.programme_rollup(conn, admin)
    yield "rollup_xlsx", _xlsx_cells(export.rollup_xlsx(programme)), GUARDED
    yield "rollup_csv", _csv_cells(export.rollup_csv(programme)), GUARDED
    for name, frame in monitoring.tables(conn, admin).items():
        yield f"monitoring {name}", _csv_cells(monitoring.csv_bytes(frame)), MONITORED[name]
    yield "template_xlsx", _xlsx_cells(criteria_import.template_xlsx()), set()
    yield "template_csv", _csv_cells(criteria_import.template_csv()), set()
    output = tmp_path / "tenders.csv"
    command = ["export", "tenders", "--format", "csv", "--output", str(output)]
    assert main([*command, "--db", str(db_path)]) == 0
    yield "export tenders --format csv", _csv_cells(output.read_bytes(), bom=False), GUARDED


GROUP_EXPORTS = (
    group_sheets.criteria_xlsx,
    group_sheets.criteria_csv,
    group_sheets.dialogue_xlsx,
    group_sheets.dialogue_csv,
    group_sheets.tenders_xlsx,
    group_sheets.tenders_csv,
    export.estimates_xlsx,
    export.estimates_csv,
)
# Monitoring tables name groups, published criteria, tenders, buyers and CPV labels;
# the others hold codes, counts and enum labels only.
MONITORED = {
    "mvi_share_by_theme": set(),
    "mvi_share_by_cpv_division": GUARDED,
    "mvi_share_by_country": set(),
    "ambition_mix": GUARDED,
    "groups_per_phase": set(),
    "most_reused_published_criteria": GUARDED,
    "sustainability_weighted_tenders": GUARDED,
}


def test_every_export_shows_every_trigger_as_text(conn, db_path, tmp_path, hostile) -> None:
    admin, group_ids = hostile
    names = []
    for name, cells, expected in _outputs(conn, admin, group_ids, db_path, tmp_path):
        names.append(name)
        assert _unguarded(cells) == [], name
        strings = {cell for cell in cells if isinstance(cell, str)}
        assert strings & GUARDED == expected, name
    assert len(names) == len(GROUP_EXPORTS) * len(group_ids) + 2 + len(MONITORED) + 2 + 1


def test_the_benchmark_workbook_shows_every_trigger_as_text(conn, hostile) -> None:
    """Organisations named by the triggers buy the hostile tenders (one each, 2024); the
    first one's yearly report names the others as peers and its CPV division's label."""
    from buyergroups import organisations
    from buyergroups.benchmark import figures, report

    admin, _group_ids = hostile
    with db.transaction(conn) as cur:
        orgs = [
            organisations.insert_organisation(
                cur, None, f"Gemeente {i}", "municipality", "NL", org_type="municipality"
            )
            for i in range(len(TRIGGERS))
        ]
        for i, (org, text) in enumerate(zip(orgs, TRIGGERS, strict=True)):
            _set(cur, "organisations", org, text, ("name",))
            cur.execute(
                "UPDATE tenders SET buyer_org_id = ?, published_on = DATE '2024-05-01'"
                " WHERE source_id = ?",
                [org, f"H-{i}"],
            )
    found = figures.organisation_benchmark(conn, admin, orgs[0], 2024)
    cells = _xlsx_cells(report.workbook_bytes(found))
    assert _unguarded(cells) == []
    assert {cell for cell in cells if isinstance(cell, str)} & GUARDED == GUARDED


def test_group_sheet_cells_hold_the_trigger_text_exactly(conn, hostile) -> None:
    admin, group_ids = hostile
    text = TRIGGERS[4]  # a tab before '='
    book = load_workbook(io.BytesIO(group_sheets.criteria_xlsx(conn, admin, group_ids[4])))
    header, row = ([c.value for c in r] for r in book.active.iter_rows(max_row=2))
    cells = dict(zip(header, row, strict=True))
    assert [cells[name] for name in ("Title", "Text", "Scoring method")] == ["'" + text] * 3
    dialogue_rows = _csv_cells(group_sheets.dialogue_csv(conn, admin, group_ids[5]))
    assert dialogue_rows.count("'" + TRIGGERS[5]) == 4  # title, participants, notes, takeaways


def test_tenders_jsonl_stays_raw_json(conn, db_path, tmp_path, hostile) -> None:
    output = tmp_path / "tenders.jsonl"
    command = ["export", "tenders", "--format", "jsonl", "--output", str(output)]
    assert main([*command, "--db", str(db_path)]) == 0
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    # Read by programs, not opened as cells: an apostrophe would change the data.
    assert [(r["source_id"], r["title"]) for r in records] == [
        (f"H-{i}", text) for i, text in enumerate(TRIGGERS)
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_criteria_with_triggers_import_back_exactly(conn, hostile, fmt) -> None:
    admin, group_ids = hostile
    # The forms strip leading white space, so a stored criterion starts at most with = + - @ '.
    group_id = group_ids[0]
    for text in TRIGGERS:
        if not text[0].isspace():
            criteria.create_criterion(conn, admin, group_id, **{**CRITERION, "title": text})
    original = [
        versioned.content_of(criteria.KIND, c)
        for c in criteria.list_criteria(conn, admin, group_id)
    ]
    # The fixture's criterion and the five made here.
    assert [c["title"] for c in original] == [TRIGGERS[0], *TRIGGERS[:4], TRIGGERS[6]]
    exported = getattr(group_sheets, f"criteria_{fmt}")(conn, admin, group_id)
    report = criteria_import.parse_rows(exported, f"criteria.{fmt}")
    assert report.errors == []
    assert [row.content for row in report.valid] == original


def _export_functions() -> set[str]:
    """Every public function of the package that writes a CSV or Excel file."""
    found = set()
    for path in (ROOT / "buyergroups").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            writes = isinstance(node, ast.FunctionDef) and (
                node.name.endswith(("_csv", "_xlsx", "_bytes")) or node.name == "export_tenders"
            )
            if writes and not node.name.startswith("_"):
                module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
                found.add(f"{module}.{node.name}")
    return found


def test_no_export_escapes_this_file() -> None:
    # The writers themselves are called by every function above.
    assert _export_functions() == {
        "buyergroups.exports.group_sheets.criteria_csv",
        "buyergroups.exports.group_sheets.criteria_xlsx",
        "buyergroups.exports.group_sheets.dialogue_csv",
        "buyergroups.exports.group_sheets.dialogue_xlsx",
        "buyergroups.exports.group_sheets.tenders_csv",
        "buyergroups.exports.group_sheets.tenders_xlsx",
        "buyergroups.co2.export.estimates_csv",
        "buyergroups.co2.export.estimates_xlsx",
        "buyergroups.co2.export.rollup_csv",
        "buyergroups.co2.export.rollup_xlsx",
        "buyergroups.monitoring.csv_bytes",
        "buyergroups.tenders.export_tenders",
        "buyergroups.exports.spreadsheet.csv_bytes",
        "buyergroups.exports.spreadsheet.write_csv",
        "buyergroups.exports.spreadsheet.xlsx_bytes",
        "buyergroups.exports.criteria_import.template_csv",
        "buyergroups.exports.criteria_import.template_xlsx",
        "buyergroups.benchmark.report.workbook_bytes",
    }


# Writing calls; reading (csv.reader, load_workbook) is free everywhere.
_WRITERS = {"writer", "DictWriter", "to_csv", "to_excel", "ExcelWriter", "Workbook"}


def test_only_the_spreadsheet_module_writes_csv_or_excel() -> None:
    writers = []
    for path in sorted((ROOT / "buyergroups").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            called = node.func if isinstance(node, ast.Call) else None
            name = getattr(called, "attr", getattr(called, "id", None))
            if name in _WRITERS:
                writers.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert writers, "the writer calls were not found"
    assert {w.split(":")[0] for w in writers} == {"buyergroups/exports/spreadsheet.py"}, writers


@pytest.mark.parametrize("line_end", ["\r\n", "\n"])
def test_a_carriage_return_inside_a_cell_never_ends_the_row(line_end) -> None:
    out = io.StringIO(newline="")
    assert (
        spreadsheet.write_csv(
            out, ["title", "n"], [["a\r=1+1", 2], [None, -1.5]], line_end=line_end
        )
        == 2
    )
    assert out.getvalue() == f'title,n{line_end}"a\r=1+1",2{line_end},-1.5{line_end}'
