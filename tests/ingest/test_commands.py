"""The command line: import with summary and exit code, export, bench."""

from __future__ import annotations

import json
from pathlib import Path

from buyergroups.cli import main
from tests.ingest.paths import FIXTURES


def test_import_then_export(tmp_path: Path, capsys) -> None:
    database = str(tmp_path / "cli.duckdb")
    assert main(["import", "eforms", str(FIXTURES / "cn_two_lots.xml"), "--db", database]) == 0
    assert capsys.readouterr().out == (
        "1 file(s) read: 1 imported, 0 updated, 0 unchanged, 0 rejected.\n"
    )
    assert main(["import", "eforms", str(FIXTURES / "empty.xml"), "--db", database]) == 1
    assert capsys.readouterr().out.splitlines()[1] == (
        f"  rejected {FIXTURES / 'empty.xml'}: the file is empty (0 bytes)."
    )
    output = tmp_path / "tenders.jsonl"
    assert (
        main(["export", "tenders", "--format", "jsonl", "--output", str(output), "--db", database])
        == 0
    )
    (record,) = [json.loads(line) for line in output.read_text().splitlines()]
    assert (record["source_id"], record["lots"]) == ("11111111-2222-4333-8444-555555555555", 2)


def test_import_into_missing_group_is_an_error(tmp_path: Path, capsys) -> None:
    database = str(tmp_path / "cli.duckdb")
    code = main(["import", "csv", str(FIXTURES / "tenders.csv"), "--group", "42", "--db", database])
    assert (code, capsys.readouterr().err) == (2, "error: There is no buyer group 42.\n")


def test_bench_prints_rates(capsys) -> None:
    assert main(["bench", "import", "--notices", "20"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("eForms: 20 notices in ")
    assert lines[0].endswith(" notices/s")
    assert lines[-1].startswith("eForms contract + award notices: 20 notices as 10 procedures")
    assert " notices/s; each its own procedure " in lines[-1]
