"""No input ends in a traceback: every mutated file is imported or rejected with a reason.

Deterministic mutation loops over our own fixtures (see ``mutations.py``):
every field of the JSON fixtures replaced by each wrong type, null, NaN,
±Infinity, 1 followed by 400 zeros and 200 nested lists; every XML element's
text replaced by bad numbers, every element removed or doubled; every CSV
cell replaced; truncations, flipped bytes, junk and deep nesting at seeded
positions. Each file must either parse into tenders whose numbers are all
finite, or raise ImportRejected with a one-line reason naming the file. Any
other exception fails the test, naming the mutation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from buyergroups import db
from buyergroups.cli import main
from buyergroups.errors import ImportRejected
from buyergroups.exports import criteria_import
from buyergroups.ingest import csv_tenders, eforms, mvi, ocds, store
from buyergroups.ingest.records import Tender
from tests.ingest import mutations
from tests.ingest.paths import fixture_bytes


def _numbers(tender: Tender) -> list[float | None]:
    values = [tender.estimated_value]
    for lot in tender.lots:
        values.append(lot.estimated_value)
        values += [criterion.weight for criterion in lot.award_criteria]
    return values


def _parse_ocds(data: bytes, name: str) -> list[Tender]:
    found = ocds.releases_in(data, name)
    return [
        ocds.release_to_tender(ocds.merge_releases(releases, name), name)
        for releases in found.values()
    ]


PARSERS: dict[str, Callable[[bytes, str], list[Tender]]] = {
    "eforms": lambda data, name: [eforms.parse_eforms(data, name)],
    "ocds": _parse_ocds,
    "csv": csv_tenders.parse_csv_tenders,
}


def _outcomes(kind: str, cases: Iterable[tuple[str, bytes]]) -> tuple[dict[str, int], list[str]]:
    """How many cases imported and were rejected, and every case that broke the rules."""
    counts = {"imported": 0, "rejected": 0}
    broken = []
    for description, data in cases:
        try:
            tenders = PARSERS[kind](data, "m.file")
            for tender in tenders:
                tender.mvi_flags = mvi.detect(tender)
                store.check_finite(tender)
                store.content_hash(tender)
        except ImportRejected as exc:
            reason = str(exc)
            if not reason.startswith("m.file") or "\n" in reason:
                broken.append(f"{description}: unclear reason {reason!r}")
            counts["rejected"] += 1
            continue
        except Exception as exc:
            broken.append(f"{description}: {type(exc).__name__}: {str(exc)[:120]}")
            continue
        numbers = [value for tender in tenders for value in _numbers(tender)]
        if not all(value is None or math.isfinite(value) for value in numbers):
            broken.append(f"{description}: imported a non-finite number {numbers}")
        counts["imported"] += 1
    return counts, broken


JSON_FIXTURES = ["ocds_two_releases.json", "ocds_releases.jsonl", "ocds_record_package.json"]


@pytest.mark.parametrize("fixture", JSON_FIXTURES)
def test_every_ocds_field_of_every_wrong_type_is_imported_or_rejected(fixture: str) -> None:
    counts, broken = _outcomes("ocds", mutations.json_field_mutations(fixture_bytes(fixture)))
    assert broken == []
    # Both outcomes occur: optional fields of a wrong type are refused, null ones dropped.
    assert counts["imported"] > 50
    assert counts["rejected"] > 50


@pytest.mark.parametrize("fixture", ["cn_two_lots.xml", "change_cn_two_lots.xml"])
def test_every_eforms_element_spoiled_is_imported_or_rejected(fixture: str) -> None:
    counts, broken = _outcomes("eforms", mutations.xml_element_mutations(fixture_bytes(fixture)))
    assert broken == []
    assert counts["imported"] > 100
    assert counts["rejected"] > 100


def test_every_csv_cell_spoiled_is_imported_or_rejected() -> None:
    counts, broken = _outcomes("csv", mutations.csv_cell_mutations(fixture_bytes("tenders.csv")))
    assert broken == []
    assert counts["imported"] > 50
    assert counts["rejected"] > 50


@pytest.mark.parametrize(
    ("kind", "fixture"),
    [
        ("ocds", "ocds_two_releases.json"),
        ("ocds", "ocds_releases.jsonl"),
        ("ocds", "ocds_record_package.json"),
        ("eforms", "cn_two_lots.xml"),
        ("csv", "tenders.csv"),
    ],
)
def test_truncated_flipped_and_deepened_files_are_imported_or_rejected(
    kind: str, fixture: str
) -> None:
    cases = mutations.byte_mutations(fixture_bytes(fixture), seed=17)
    counts, broken = _outcomes(kind, cases)
    assert broken == []
    assert counts["rejected"] > 20


def test_criteria_spreadsheet_cells_spoiled_are_reported_or_rejected() -> None:
    template = criteria_import.template_csv()
    broken = []
    cases = [
        *mutations.csv_cell_mutations(template),
        *mutations.byte_mutations(criteria_import.template_xlsx(), seed=5, count=40),
    ]
    for description, data in cases:
        filename = "c.xlsx" if data[:2] == b"PK" or "flipped" in description else "c.csv"
        try:
            report = criteria_import.parse_rows(data, filename)
        except ImportRejected:
            continue
        except Exception as exc:
            broken.append(f"{description}: {type(exc).__name__}: {str(exc)[:120]}")
            continue
        weights = [row.content["weight"] for row in report.valid if row.content]
        if not all(w is None or math.isfinite(w) for w in weights):
            broken.append(f"{description}: accepted weights {weights}")
    assert broken == []


def _write_cases(folder: Path, suffix: str, cases: Iterable[tuple[str, bytes]]) -> int:
    folder.mkdir()
    count = 0
    for count, (_, data) in enumerate(cases, start=1):
        (folder / f"case_{count:04d}{suffix}").write_bytes(data)
    return count


@pytest.mark.parametrize(
    ("kind", "fixture", "suffix"),
    [
        ("ocds", "ocds_record_package.json", ".json"),
        ("eforms", "cn_two_lots.xml", ".xml"),
        ("csv", "tenders.csv", ".csv"),
    ],
)
def test_command_line_prints_one_line_per_rejected_file_and_exits_1(
    tmp_path: Path, capsys, kind: str, fixture: str, suffix: str
) -> None:
    data = fixture_bytes(fixture)
    every = [*mutations.byte_mutations(data, seed=3, count=40)]
    every += list(mutations.json_field_mutations(data))[::25] if kind == "ocds" else []
    every += list(mutations.xml_element_mutations(data))[::40] if kind == "eforms" else []
    every += list(mutations.csv_cell_mutations(data))[::30] if kind == "csv" else []
    count = _write_cases(tmp_path / "cases", suffix, every)
    database = str(tmp_path / "fuzz.duckdb")
    assert main(["import", kind, str(tmp_path / "cases"), "--db", database]) == 1
    summary, *rejected = capsys.readouterr().out.splitlines()
    read = summary.split(" file(s) read: ")[0]
    assert int(read) == count
    assert summary.endswith(f", {len(rejected)} rejected.")
    assert len(rejected) >= 20
    assert all(line.startswith(f"  rejected {tmp_path / 'cases'}/case_") for line in rejected)
    conn = db.connect(database)
    try:
        with db.reading(conn) as cur:
            assert (
                db.value(
                    cur,
                    "SELECT count(*) FROM tenders t LEFT JOIN tender_lots l ON l.tender_id = t.id"
                    " LEFT JOIN tender_award_criteria a ON a.tender_id = t.id"
                    " WHERE NOT isfinite(t.estimated_value) OR NOT isfinite(l.estimated_value)"
                    " OR NOT isfinite(a.weight)",
                )
                == 0
            )
    finally:
        conn.close()
