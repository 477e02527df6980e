"""Regression tests for issue 17, item 5: an identical re-import is "unchanged", not "updated".

Identical means the stored content (row, lots, award criteria), not the file's
bytes: the same notice with other whitespace is still unchanged, while a real
change, a change notice and a later OCDS release still update the tender.
"""

from __future__ import annotations

import json
from pathlib import Path

from buyergroups import db
from buyergroups.cli import main
from buyergroups.ingest import loader
from buyergroups.ingest.sources import Limits, sources_from_paths
from tests.ingest.paths import FIXTURES, fixture_bytes

NOTICE_ID = "11111111-2222-4333-8444-555555555555"
CHANGE_ID = "99999999-2222-4333-8444-555555555555"


def _import(conn, kind: str, *paths: Path) -> loader.BatchSummary:
    sources = sources_from_paths(paths, kind, Limits())
    return loader.import_sources(conn, kind, sources, None, system=True)


def _counts(summary: loader.BatchSummary) -> tuple[int, int, int, int]:
    return summary.imported, summary.updated, summary.unchanged, len(summary.rejected)


def _stored(conn, source_id: str) -> dict:
    with db.reading(conn) as cur:
        return db.row(
            cur,
            "SELECT title, last_notice_id, updated_at, content_hash FROM tenders"
            " WHERE source_id = ?",
            [source_id],
        )


def test_identical_eforms_notice_is_unchanged_and_not_rewritten(conn) -> None:
    _import(conn, "eforms", FIXTURES / "cn_two_lots.xml")
    before = _stored(conn, NOTICE_ID)
    summary = _import(conn, "eforms", FIXTURES / "cn_two_lots.xml")
    assert _counts(summary) == (0, 0, 1, 0)
    assert [result.status for result in summary.results] == ["unchanged"]
    assert _stored(conn, NOTICE_ID) == before  # updated_at too: nothing was written
    assert len(before["content_hash"]) == 64
    with db.reading(conn) as cur:
        logged = db.value(
            cur, "SELECT summary FROM activity WHERE action = 'import' ORDER BY id DESC"
        )
    assert logged.endswith("cn_two_lots.xml: 0 imported, 0 updated, 1 unchanged")


def test_same_notice_with_other_whitespace_is_unchanged(conn) -> None:
    original, reformatted = (
        fixture_bytes("cn_two_lots.xml"),
        fixture_bytes("cn_two_lots_reformatted.xml"),
    )
    assert original != reformatted and b"\r\n\t" in reformatted
    _import(conn, "eforms", FIXTURES / "cn_two_lots.xml")
    summary = _import(conn, "eforms", FIXTURES / "cn_two_lots_reformatted.xml")
    assert _counts(summary) == (0, 0, 1, 0)


def test_a_real_change_is_still_updated(conn, tmp_path: Path) -> None:
    _import(conn, "eforms", FIXTURES / "cn_two_lots.xml")
    changed = tmp_path / "cn_more_lots_value.xml"
    changed.write_bytes(fixture_bytes("cn_two_lots.xml").replace(b">500000<", b">510000<", 1))
    summary = _import(conn, "eforms", changed)
    assert _counts(summary) == (0, 1, 0, 0)
    with db.reading(conn) as cur:
        assert db.value(cur, "SELECT list(estimated_value ORDER BY position) FROM tender_lots") == [
            510000.0,
            250000.0,
        ]


def test_change_notice_applies_and_its_reimport_is_unchanged(conn) -> None:
    _import(conn, "eforms", FIXTURES / "cn_two_lots.xml")
    first = _import(conn, "eforms", FIXTURES / "change_cn_two_lots.xml")
    assert _counts(first) == (0, 1, 0, 0)
    assert _stored(conn, NOTICE_ID)["last_notice_id"] == CHANGE_ID
    again = _import(conn, "eforms", FIXTURES / "change_cn_two_lots.xml")
    assert _counts(again) == (0, 0, 1, 0)
    original = _import(conn, "eforms", FIXTURES / "cn_two_lots.xml")  # older: superseded
    assert _counts(original) == (0, 0, 1, 0)
    assert _stored(conn, NOTICE_ID)["title"] == "Circulair kantoormeubilair (gewijzigd)"


def test_ocds_reimport_with_reordered_keys_is_unchanged_and_a_new_release_updates(
    conn, tmp_path: Path
) -> None:
    assert _counts(_import(conn, "ocds", FIXTURES / "ocds_two_releases.json")) == (1, 0, 0, 0)
    assert _counts(_import(conn, "ocds", FIXTURES / "ocds_two_releases.json")) == (0, 0, 1, 0)
    package = json.loads(fixture_bytes("ocds_two_releases.json"))
    package["releases"] = [dict(reversed(list(r.items()))) for r in package["releases"]]
    reordered = tmp_path / "reordered.json"
    reordered.write_text(json.dumps(package, indent=7), encoding="utf-8")
    assert _counts(_import(conn, "ocds", reordered)) == (0, 0, 1, 0)
    later = tmp_path / "later.json"
    later.write_text(
        json.dumps(
            {
                "releases": [
                    {
                        "ocid": "ocds-test-0001",
                        "date": "2024-04-01T00:00:00Z",
                        "tender": {"value": {"amount": 16000000}},
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    assert _counts(_import(conn, "ocds", later)) == (0, 1, 0, 0)
    with db.reading(conn) as cur:
        assert db.value(cur, "SELECT estimated_value FROM tenders") == 16000000.0


def test_csv_reimport_counts_changed_and_unchanged_rows(conn, tmp_path: Path) -> None:
    _import(conn, "csv", FIXTURES / "tenders.csv")
    assert _counts(_import(conn, "csv", FIXTURES / "tenders.csv")) == (0, 0, 2, 0)
    edited = tmp_path / "tenders.csv"
    edited.write_bytes(fixture_bytes("tenders.csv").replace(b";300000;", b";320000;"))
    summary = _import(conn, "csv", edited)
    assert _counts(summary) == (0, 1, 1, 0)
    assert [(r.status, r.imported, r.updated, r.unchanged) for r in summary.results] == [
        ("updated", 0, 1, 1)
    ]


def test_command_line_reports_the_reimport_as_unchanged(tmp_path: Path, capsys) -> None:
    database = str(tmp_path / "cli.duckdb")
    notice = str(FIXTURES / "cn_two_lots.xml")
    assert main(["import", "eforms", notice, "--db", database]) == 0
    capsys.readouterr()
    assert main(["import", "eforms", notice, "--db", database]) == 0
    assert capsys.readouterr().out == (
        "1 file(s) read: 0 imported, 0 updated, 1 unchanged, 0 rejected.\n"
    )
