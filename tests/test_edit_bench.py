"""The concurrent-edit benchmark counts what it claims (figures are printed, never timed here)."""

from __future__ import annotations

from pathlib import Path

from buyergroups import cli, db, documents, edit_bench
from buyergroups.edit_bench import Edit, Outcome, Scenario


def test_a_small_run_lands_every_edit_and_loses_none(conn: db.Connection) -> None:
    people, group_id = edit_bench._workspace(conn, 3)
    outcome = edit_bench.run_scenario(conn, people, group_id, 2, Scenario("small", 10, 0))
    assert len(outcome.edits) == 6
    assert [e.refusal for e in outcome.edits] == [""] * 6
    assert (outcome.lost, outcome.phantom, outcome.revisions) == (0, 0, 7)
    assert edit_bench.share_landed(outcome) == 1.0


def _doc_with_revisions(conn: db.Connection, bodies: list[list[str]]) -> tuple[int, object]:
    people, group_id = edit_bench._workspace(conn, 1)
    doc = documents.create_document(
        conn,
        people[0],
        group_id,
        "market_vision",
        title="t",
        body=edit_bench._body(bodies[0]),
        language="en",
    )
    for number, lines in enumerate(bodies[1:], start=1):
        documents.save_document(conn, people[0], doc, number, body=edit_bench._body(lines))
    return doc, people[0]


def test_an_edit_overwritten_by_someone_else_counts_as_lost(conn: db.Connection) -> None:
    # Revision 2 stores writer 0's line; revision 3 (writer 1's save) brings the old line back.
    doc, reader = _doc_with_revisions(conn, [["a0", "b0"], ["a1", "b0"], ["a0", "b1"]])
    outcome = Outcome(Scenario("check", 10, 0))
    outcome.edits = [
        Edit(0, 0, "a1", revision_no=2),
        Edit(1, 0, "b1", revision_no=3),
        Edit(1, 1, "refused text", refusal="overlapping edit"),
    ]
    edit_bench._check(conn, reader, doc, outcome)
    assert (outcome.lost, outcome.phantom, outcome.revisions) == (1, 0, 3)


def test_a_refused_text_found_in_a_revision_is_reported(conn: db.Connection) -> None:
    doc, reader = _doc_with_revisions(conn, [["a0", "b0"], ["a1", "b0"]])
    outcome = Outcome(Scenario("check", 10, 0))
    outcome.edits = [Edit(0, 0, "a1", refusal="overlapping edit")]
    edit_bench._check(conn, reader, doc, outcome)
    # No stored edit explains revision 2, and the refused text is in it.
    assert (outcome.lost, outcome.phantom) == (1, 1)


def test_the_command_prints_every_scenario_and_the_target(tmp_path: Path, capsys) -> None:
    code = cli.main(
        [
            "bench",
            "edits",
            "--db",
            str(tmp_path / "bench.duckdb"),
            "--writers",
            "2",
            "--rounds",
            "1",
            "--pause-ms",
            "0",
        ]
    )
    printed = capsys.readouterr().out.splitlines()
    assert code == 0
    assert printed[0].startswith("bench edits: 2 writers x 1 rounds on one document; ")
    assert printed[1].split()[:3] == ["scenario", "edits", "direct"]
    assert [line.split(",")[0] for line in printed[2:9]] == [
        "no retry (baseline)",
        "retry x10",
        "retry x10 + queue",
        "no retry (baseline)",
        "retry x10",
        "retry x10 + queue",
        "same line",
    ]
    assert all(" 2 " in line for line in printed[2:9])  # two edits attempted in each
    assert [line.rsplit(" for ", 1)[1] for line in printed[9:]] == [
        "retry x10, no queue, no pause",
        "retry x10 + queue, no pause",
        "retry x10, no queue, pauses 0-0 ms",
        "retry x10 + queue, pauses 0-0 ms",
    ]
