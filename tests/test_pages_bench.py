"""bench pages: the programme-scale builder and the page timing it runs."""

from __future__ import annotations

import pytest

from buyergroups import cli, db
from buyergroups.demo import programme
from buyergroups.errors import ValidationError
from buyergroups.pages_bench import _run, percentile


@pytest.fixture(scope="module")
def small_programme(tmp_path_factory):
    path = tmp_path_factory.mktemp("programme") / "programme.duckdb"
    conn = db.connect(path)
    counts = programme.build(conn, 0.01, say=lambda _line: None)
    conn.close()
    return path, counts


def test_build_stores_the_counts_it_reports(small_programme) -> None:
    path, counts = small_programme
    assert counts["groups"] == 3 and counts["organisations"] == 20
    assert counts["documents"] == 50 and counts["criteria"] == 150
    assert counts["tenders"] == 1000 and counts["co2_estimates"] == 20
    conn = db.connect(path)
    with db.reading(conn) as cur:
        stored = {
            table: db.value(cur, f"SELECT count(*) FROM {table}")  # nosec B608
            for table in ("buyer_groups", "documents", "criteria", "tenders", "co2_estimates")
        }
        languages = {r[0] for r in cur.execute("SELECT DISTINCT language FROM tenders").fetchall()}
        revised = db.value(cur, "SELECT count(*) FROM criteria WHERE current_revision = 2")
        award_rows = db.value(cur, "SELECT count(*) FROM tender_award_criteria")
    conn.close()
    assert stored == {
        "buyer_groups": 3,
        "documents": 50,
        "criteria": 150,
        "tenders": 1000,
        "co2_estimates": 20,
    }
    assert revised == 30 and award_rows > 0
    assert {"nl", "en", "de", "sv", "fr", "es", "it"} <= languages


def test_build_refuses_a_database_that_is_not_empty(small_programme) -> None:
    conn = db.connect(small_programme[0])
    with pytest.raises(ValidationError, match="not empty"):
        programme.build(conn, 0.01, say=lambda _line: None)
    conn.close()


def test_a_page_is_timed_cold_and_warm_in_its_own_process(small_programme) -> None:
    rows = _run("pages/home.py", str(small_programme[0]), programme.BENCH_USERS["member"], 2, 300)
    assert [row["name"] for row in rows] == ["pages/home.py"]
    assert rows[0]["error"] is None
    assert rows[0]["cold"] > 0 and len(rows[0]["warm"]) == 2


def test_percentile_is_the_nearest_rank() -> None:
    assert percentile([0.1, 0.2, 0.3, 0.4, 0.5], 0.5) == 0.3
    assert percentile([0.1, 0.2, 0.3, 0.4, 0.5], 0.95) == 0.5
    assert percentile([0.7], 0.95) == 0.7


def test_the_command_needs_a_database(capsys) -> None:
    assert cli.main(["bench", "pages"]) == 2
    assert "--db FILE" in capsys.readouterr().err


def test_every_page_of_the_app_is_timed() -> None:
    from pathlib import Path

    from buyergroups.pages_bench import PAGES, ROOT

    files = sorted(f"pages/{path.name}" for path in Path(ROOT / "pages").glob("*.py"))
    assert sorted(PAGES) == files and PAGES[0] == "pages/home.py"
