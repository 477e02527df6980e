"""bench store counts what it claims, on the engine under test (figures printed, never timed).

On PostgreSQL (the suite's second pass) the concurrent writers are separate processes,
each with its own connection pool: this is the across-processes check that nothing
is lost under concurrent writers, on one document and on several.
"""

from __future__ import annotations

from pathlib import Path

from buyergroups import cli, store_bench


def test_concurrent_writers_lose_nothing_and_one_wins_per_revision(db_path: Path | str) -> None:
    results = store_bench.bench(str(db_path), writers=4, saves=3, report=lambda _: None)
    assert [r.label for r in results] == [
        "one writer",
        "4 writers, 4 documents",
        "4 writers, one document",
    ]
    for result in results:
        assert (result.outcome.lost, result.outcome.phantom) == (0, 0), result.label
    single, apart, together = (r.outcome for r in results)
    assert [bool(e.revision_no) for e in single.edits] == [True] * 3
    # On different documents every save is stored, each in its own document's history.
    assert len(apart.edits) == 12
    assert all(e.revision_no for e in apart.edits)
    assert apart.revisions == 4 * (1 + 3)
    # On one document the same line cannot merge: each stored save made one revision,
    # every other one was refused with the writer's text and the stored one kept.
    stored = [e for e in together.edits if e.revision_no]
    refused = [e for e in together.edits if e.refusal]
    assert len(stored) + len(refused) == 12
    assert stored
    assert together.revisions == 1 + len(stored)
    assert sorted(e.revision_no for e in stored) == list(range(2, 2 + len(stored)))
    assert all(e.kept_both for e in refused)


def test_the_command_prints_each_scenario_and_the_verdict(tmp_path: Path, capsys) -> None:
    target = tmp_path / "store.duckdb"
    code = cli.main(["bench", "store", "--writers", "2", "--saves", "2", str(target)])
    out = capsys.readouterr().out
    assert code == 0
    assert "2 writers, one document" in out
    assert "writers are threads of one process" in out
    assert "target 0 lost, 0 phantom: met on every scenario" in out
