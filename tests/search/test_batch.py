"""Batch search: one JSON query per line in, one JSON result per line out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from buyergroups import cli, db
from buyergroups.errors import ValidationError
from buyergroups.search import batch, indexer
from buyergroups.search.index import Filters
from tests.search import builders as b


def test_a_line_with_filters_becomes_a_query() -> None:
    line = json.dumps(
        {
            "id": "q1",
            "text": "electric buses",
            "filters": {"kind": "tender", "language": ["en", "nl"], "country": "nl", "group": 3},
        }
    )
    assert batch.parse_line(line, 1) == batch.BatchQuery(
        "q1",
        "electric buses",
        Filters(kinds=("tender",), languages=("en", "nl"), countries=("NL",), group_ids=(3,)),
    )
    assert batch.parse_line('{"text": "laptops"}', 7) == batch.BatchQuery(7, "laptops", Filters())


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("{not json", "not valid JSON"),
        ('["text"]', 'each line must be a JSON object with a "text".'),
        ('{"id": "x"}', '"text" must be a non-empty string.'),
        ('{"text": "  "}', '"text" must be a non-empty string.'),
        ('{"id": [1], "text": "a"}', "id must be a string or a number."),
        ('{"text": "a", "filters": []}', "filters must be a JSON object."),
        ('{"text": "a", "filters": {"colour": "red"}}', "Unknown filter 'colour'; use kind,"),
        ('{"text": "a", "filters": {"kind": "car"}}', "Unknown kind 'car'; use one of criterion,"),
        ('{"text": "a", "filters": {"group": "3"}}', "The filter group takes group ids"),
        ('{"text": "a", "filters": {"language": 5}}', "The filter language takes text values."),
    ],
)
def test_a_bad_line_says_what_is_wrong(line: str, error: str) -> None:
    with pytest.raises(ValidationError) as caught:
        batch.parse_line(line, 1)
    assert str(caught.value).startswith(error)


def test_run_batch_keeps_order_skips_blank_lines_and_reports_bad_ones() -> None:
    asked: list[tuple[str, Filters]] = []

    def search(text: str, filters: Filters) -> list:
        asked.append((text, filters))
        return []

    lines = ['{"id": "a", "text": "one"}', "", "{oops", '{"id": 9, "text": "two"}', '{"id": "c"}']
    results = list(batch.run_batch(lines, search))
    assert [r["id"] for r in results] == ["a", 3, 9, "c"]
    assert results[0] == {"id": "a", "hits": []}
    assert results[1]["line"] == 3 and results[1]["error"].startswith("not valid JSON")
    assert results[3] == {"id": "c", "line": 5, "error": '"text" must be a non-empty string.'}
    assert asked == [("one", Filters()), ("two", Filters())]


@pytest.mark.model
def test_search_batch_prints_one_line_per_query_and_loads_the_model_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    default_model,
) -> None:  # fmt: skip
    path = tmp_path / "batch.duckdb"
    conn = db.connect(path)
    group = b.add_group(conn, "Bouwplaatsen", countries=("NL",))
    other = b.add_group(conn, "Byggen", countries=("SE",))
    excavators = b.add_criterion(
        conn, group, "Elektrische graafmachines", "Graafmachines zijn elektrisch.", language="nl"
    )
    coffee = b.add_criterion(
        conn, other, "Rättvisemärkt kaffe", "Kaffet är rättvisemärkt.", language="sv"
    )
    indexer.sync(conn, default_model)
    conn.close()
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        "\n".join(
            [
                json.dumps({"id": "digging", "text": "electric excavators"}),
                json.dumps(
                    {"id": "drinks", "text": "fair trade coffee", "filters": {"country": "SE"}}
                ),
                "not json",
                json.dumps({"id": "nl only", "text": "coffee", "filters": {"language": "nl"}}),
            ]
        ),
        encoding="utf-8",
    )
    from buyergroups.search import commands

    loads: list[str] = []
    real_load = commands.load_embedder

    def counting_load(model: str = ""):
        loads.append(model)
        return default_model if model == "multilingual-e5-small" else real_load(model)

    monkeypatch.setattr(commands, "load_embedder", counting_load)
    code = cli.main(["--db", str(path), "search", "--batch", str(queries), "--k", "1", "--json"])
    out, err = capsys.readouterr()
    results = [json.loads(line) for line in out.splitlines()]
    assert code == 1  # one line failed
    assert loads == ["multilingual-e5-small"]
    assert [r["id"] for r in results] == ["digging", "drinks", 3, "nl only"]
    assert [(h["item_kind"], h["item_id"]) for h in results[0]["hits"]] == [
        ("criterion", excavators)
    ]
    assert results[1]["hits"][0]["item_id"] == coffee
    assert results[1]["hits"][0]["countries"] == ["SE"]
    assert results[1]["hits"][0]["why"].startswith("semantic ")
    assert results[2]["error"].startswith("not valid JSON")
    assert [h["item_id"] for h in results[3]["hits"]] == [excavators]
    assert err.splitlines()[-1].startswith("line 3: not valid JSON")
    assert "Traceback" not in err


def test_search_needs_a_text_or_a_batch_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["search"]) == 2
    assert capsys.readouterr().err == (
        "error: Give a text to search for or --batch FILE, not both.\n"
    )
