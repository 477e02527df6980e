"""Indexer: passages, incremental sync, re-index after a save, model change."""

from __future__ import annotations

from datetime import date

from buyergroups import db
from buyergroups.search import indexer
from buyergroups.search.embedder import HashingEmbedder
from tests.search import builders as b


def test_split_passages_follows_headings_and_length() -> None:
    body = "# Scope\nChairs and desks.\n\nSecond paragraph.\n\n## Circularity\n" + "A. " * 10
    assert indexer.split_passages(body, max_chars=40) == [
        ("Scope", "Chairs and desks.\n\nSecond paragraph."),
        ("Circularity", "A. A. A. A. A. A. A. A. A. A."),
    ]
    long = "One two three. " * 6
    assert indexer.split_passages(long.strip(), max_chars=40) == [
        ("", "One two three. One two three."),
        ("", "One two three. One two three."),
        ("", "One two three. One two three."),
    ]
    assert indexer.split_passages("") == [("", "")]


def _workspace(conn: db.Connection) -> dict[str, int]:
    group = b.add_group(conn, "Zero emission sites", countries=("NO",))
    return {
        "group": group,
        "excavators": b.add_criterion(conn, group, "Zero-emission excavators", "Electric."),
        "loaders": b.add_criterion(conn, group, "Electric wheel loaders", "Battery."),
        "document": b.add_document(conn, group, "Vision", "# A\nFirst.\n\n# B\nSecond."),
        "dialogue": b.add_dialogue(
            conn, group, "Supplier day", "Ready by 2026.", held_on=date(2024, 3, 1)
        ),
    }


def _stored(conn: db.Connection) -> list[tuple]:
    with db.reading(conn) as cur:
        return cur.execute(
            "SELECT item_kind, item_id, passage_no, heading, visibility FROM search_items"
            " ORDER BY ALL"
        ).fetchall()


def test_sync_indexes_every_kind_and_a_second_sync_does_nothing(
    search_conn: db.Connection, hashing: HashingEmbedder
) -> None:
    ids = _workspace(search_conn)
    assert indexer.sync(search_conn, hashing) == {
        "embedded": 5,
        "metadata_updated": 0,
        "removed": 0,
        "unchanged": 0,
    }
    assert _stored(search_conn) == [
        ("criterion", ids["excavators"], 0, "", "published"),
        ("criterion", ids["loaders"], 0, "", "published"),
        ("dialogue", ids["dialogue"], 0, "", "published"),
        ("document", ids["document"], 1, "A", "published"),
        ("document", ids["document"], 2, "B", "published"),
    ]
    assert indexer.sync(search_conn, hashing)["unchanged"] == 5
    assert hashing.calls == [5]


def test_an_edit_re_embeds_only_that_item(
    search_conn: db.Connection, hashing: HashingEmbedder
) -> None:
    ids = _workspace(search_conn)
    indexer.sync(search_conn, hashing)
    b.edit_criterion(search_conn, ids["loaders"], body="Battery-electric, 8 hours.")
    counts = indexer.reindex_item(search_conn, hashing, "criterion", ids["loaders"])
    assert counts == {"embedded": 1, "metadata_updated": 0, "removed": 0, "unchanged": 0}
    b.edit_criterion(search_conn, ids["excavators"], title="Emission-free excavators")
    assert indexer.sync(search_conn, hashing)["embedded"] == 1
    assert hashing.calls == [5, 1, 1]


def test_publishing_updates_metadata_without_embedding(
    search_conn: db.Connection, hashing: HashingEmbedder
) -> None:
    ids = _workspace(search_conn)
    indexer.sync(search_conn, hashing)
    b.edit_criterion(search_conn, ids["loaders"], visibility="group")
    assert indexer.sync(search_conn, hashing) == {
        "embedded": 0,
        "metadata_updated": 1,
        "removed": 0,
        "unchanged": 4,
    }
    assert ("criterion", ids["loaders"], 0, "", "group") in _stored(search_conn)


def test_deleted_items_leave_the_index(
    search_conn: db.Connection, hashing: HashingEmbedder
) -> None:
    ids = _workspace(search_conn)
    indexer.sync(search_conn, hashing)
    b.edit_criterion(search_conn, ids["loaders"], deleted_at=b.WHEN)
    assert indexer.reindex_item(search_conn, hashing, "criterion", ids["loaders"])["removed"] == 1
    assert [row[1] for row in _stored(search_conn) if row[0] == "criterion"] == [ids["excavators"]]


def test_a_model_change_re_embeds_everything(search_conn: db.Connection) -> None:
    _workspace(search_conn)
    indexer.sync(search_conn, HashingEmbedder(dim=64, model_id="old"))
    new = HashingEmbedder(dim=32, model_id="new")
    assert indexer.sync(search_conn, new)["embedded"] == 5
    with db.reading(search_conn) as cur:
        assert cur.execute(
            "SELECT DISTINCT model_id, len(vector) FROM search_items"
        ).fetchall() == [("new", 32)]


def test_tenders_are_indexed_as_public_items(
    search_conn: db.Connection, hashing: HashingEmbedder
) -> None:
    with db.transaction(search_conn) as cur:
        cur.execute(
            "INSERT INTO tenders (id, source, source_id, title, description, buyer_country,"
            " cpv_codes, mvi_themes, published_on, raw_hash, imported_at, updated_at)"
            " VALUES (9, 'csv', 't9', 'Electric excavators', 'Zero-emission', 'DK',"
            " ['43260000'], ['climate'], DATE '2024-02-01', 'h', ?, ?)",
            [b.WHEN, b.WHEN],
        )
    indexer.sync(search_conn, hashing)
    with db.reading(search_conn) as cur:
        assert cur.execute(
            "SELECT item_kind, item_id, group_id, visibility, countries, cpv_codes, concept_codes"
            " FROM search_items"
        ).fetchall() == [("tender", 9, None, "published", ["DK"], ["43260000"], ["43260000"])]
