"""Changing the model: the index notices vectors of another model and reindex re-embeds them."""

from __future__ import annotations

from pathlib import Path

import pytest

from buyergroups import cli, db
from buyergroups.errors import ValidationError
from buyergroups.search import indexer, service
from buyergroups.search.embedder import HashingEmbedder
from tests.search import builders as b


@pytest.fixture
def two_criteria(search_conn: db.Connection) -> tuple[int, int]:
    group = b.add_group(search_conn, "Sites", countries=("NL",))
    first = b.add_criterion(search_conn, group, "Electric excavators", "Excavators are electric.")
    second = b.add_criterion(search_conn, group, "Fair trade coffee", "Coffee is fair trade.")
    return first, second


def test_vectors_of_another_model_are_noticed_and_re_embedded(
    search_conn: db.Connection, two_criteria: tuple[int, int]
) -> None:
    old, new = HashingEmbedder(64, "old-model"), HashingEmbedder(64, "new-model")
    indexer.sync(search_conn, old)
    status = service.index_status(search_conn, new)
    assert (status.current, status.other_models, status.needs_reindex) == (
        0,
        {"old-model": 2},
        True,
    )
    with pytest.raises(ValidationError, match=r"another model \(2 passages of old-model\)"):
        service.require_current_vectors(search_conn, new)
    assert len(service.open_index(search_conn, new)) == 0  # never mixes the two models

    progress: list[tuple[int, int]] = []
    counts = indexer.sync(search_conn, new, lambda done, total: progress.append((done, total)))
    assert counts == {"embedded": 2, "metadata_updated": 0, "removed": 0, "unchanged": 0}
    assert progress == [(0, 2), (2, 2)]
    assert service.require_current_vectors(search_conn, new).current == 2
    assert len(service.open_index(search_conn, new)) == 2


def test_an_item_query_never_uses_a_vector_of_another_model(
    search_conn: db.Connection, two_criteria: tuple[int, int]
) -> None:
    old, new = HashingEmbedder(64, "old-model"), HashingEmbedder(64, "new-model")
    indexer.sync(search_conn, old)
    index = service.open_index(search_conn, new)
    viewer = b.add_user(search_conn, "Vic")
    with pytest.raises(Exception, match="is not in the search index"):
        service.search(
            search_conn, index, new, viewer, service.ItemRef("criterion", two_criteria[0])
        )


@pytest.mark.model
def test_reindex_after_a_model_change_re_embeds_with_progress(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    default_model,
    minilm,
) -> None:
    path = tmp_path / "change.duckdb"
    conn = db.connect(path)
    group = b.add_group(conn, "Kantoren", countries=("NL",))
    b.add_criterion(conn, group, "Gereviseerd kantoormeubilair", "Meubilair is gereviseerd.")
    indexer.sync(conn, minilm)
    conn.close()
    monkeypatch.delenv("BUYERGROUPS_MODEL", raising=False)
    assert cli.main(["--db", str(path), "search", "office furniture"]) == 2
    assert "run `python -m buyergroups reindex` to re-embed them" in capsys.readouterr().err
    assert cli.main(["--db", str(path), "reindex"]) == 0
    out, err = capsys.readouterr()
    assert (
        "1 stored passages have vectors of all-MiniLM-L6-v2: re-embedding them with"
        " multilingual-e5-small"
    ) in err
    assert "1/1" in err  # the progress bar
    assert out.strip() == (
        "search index (multilingual-e5-small): 1 passages embedded, 0 updated, 0 removed,"
        " 0 unchanged"
    )
    assert cli.main(["--db", str(path), "search", "office furniture", "--k", "1"]) == 0
    assert "Gereviseerd kantoormeubilair" in capsys.readouterr().out
