"""The command line: import with summary and exit code, export, bench."""

from __future__ import annotations

import json
import re
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


def test_bench_prints_rates_beside_the_raw_parse_with_memory(capsys) -> None:
    argv = ["bench", "import", "--copies", "1", "--processes", "10", "--notices", "20"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"eForms: \d+ notices \(\d+ example notices x 1\), [\d.]+ MB", lines[0])
    assert re.fullmatch(r"  raw lxml parse \(same files, same run\): \d+ notices/s", lines[1])
    assert re.fullmatch(
        r"  import: \d+ notices/s = [\d.]+x the raw parse; resident \d+ MB after a tenth of"
        r" the files, \d+ MB at the end \([+-]\d+ MB\); peak \d+ MB",
        lines[2],
    )
    assert lines[3] == "OCDS: 40 releases of 10 processes"
    assert re.fullmatch(r"  raw json.loads \(same files, same run\): \d+ releases/s", lines[4])
    assert re.fullmatch(r"  import: \d+ releases/s; resident .* peak \d+ MB", lines[5])
    assert lines[6].startswith("eForms fixture notice: 20 notices in ")
    assert lines[-1].startswith("eForms contract + award notices: 20 notices as 10 procedures")
    assert " notices/s; each its own procedure " in lines[-1]
