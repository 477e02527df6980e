"""Search service: access rules, item queries, explanations, catching up with saves."""

from __future__ import annotations

import pytest

from buyergroups import db
from buyergroups.errors import NotFoundError, ValidationError
from buyergroups.search import indexer, service
from buyergroups.search.embedder import HashingEmbedder
from buyergroups.search.index import Filters
from buyergroups.search.ranking import SharedCode
from tests.search import builders as b


@pytest.fixture
def workspace(search_conn: db.Connection, hashing: HashingEmbedder) -> dict:
    sites = b.add_group(search_conn, "Zero emission sites", countries=("NO",))
    furniture = b.add_group(
        search_conn, "Circular furniture", countries=("NL",), themes=("circular",)
    )
    member = b.add_user(search_conn, "Mia")
    b.add_member(search_conn, furniture, member)
    ids = {
        "sites": sites,
        "furniture": furniture,
        "member": member,
        "outsider": b.add_user(search_conn, "Olle"),
        "admin": b.add_user(search_conn, "Ada", is_admin=True),
        "excavators": b.add_criterion(
            search_conn,
            sites,
            "Zero-emission excavators",
            "Excavators shall be electric.",
            cpv_codes=("43260000",),
        ),
        "private": b.add_criterion(
            search_conn,
            furniture,
            "Remanufactured office furniture",
            "Office furniture shall be remanufactured.",
            theme="circular",
            cpv_codes=("39130000",),
            visibility="group",
        ),
        "chairs": b.add_criterion(
            search_conn,
            sites,
            "Repairable office chairs",
            "Chairs with spare parts for 10 years.",
            theme="circular",
            cpv_codes=("39112000",),
        ),
    }
    indexer.sync(search_conn, hashing)
    return ids


def _found(hits: list[service.Hit]) -> list[tuple[str, int]]:
    return [(h.item_kind, h.item_id) for h in hits]


def test_a_non_member_never_gets_a_private_hit(
    search_conn: db.Connection, hashing: HashingEmbedder, workspace: dict
) -> None:
    index = service.open_index(search_conn, hashing)
    query = "remanufactured office furniture"
    as_outsider = service.search(search_conn, index, hashing, workspace["outsider"], query)
    as_member = service.search(search_conn, index, hashing, workspace["member"], query)
    assert ("criterion", workspace["private"]) not in _found(as_outsider)
    assert len(as_outsider) == 2
    assert _found(as_member)[0] == ("criterion", workspace["private"])
    assert service.search(search_conn, index, hashing, None, query) == []


def test_an_item_query_explains_shared_codes_and_theme(
    search_conn: db.Connection, hashing: HashingEmbedder, workspace: dict
) -> None:
    index = service.open_index(search_conn, hashing)
    ref = service.ItemRef("criterion", workspace["private"])
    hits = service.search(search_conn, index, hashing, workspace["member"], ref, k=2)
    assert sorted(_found(hits)) == [
        ("criterion", workspace["excavators"]),
        ("criterion", workspace["chairs"]),
    ]
    chairs = next(h for h in hits if h.item_id == workspace["chairs"])
    explanation = chairs.explanation
    assert explanation.shared_codes == (
        SharedCode("39130000", "39112000", "same group", "office chairs", False),
    )
    assert explanation.same_themes == ("circular",)
    assert explanation.same_type is True
    assert chairs.score == pytest.approx(chairs.semantic + 0.012 + 0.01 + 0.01, abs=1e-5)
    assert chairs.group_name == "Zero emission sites"
    assert chairs.countries == ("NO",)


def test_an_outsider_cannot_query_with_a_private_item(
    search_conn: db.Connection, hashing: HashingEmbedder, workspace: dict
) -> None:
    index = service.open_index(search_conn, hashing)
    ref = service.ItemRef("criterion", workspace["private"])
    with pytest.raises(NotFoundError):
        service.search(search_conn, index, hashing, workspace["outsider"], ref)


def test_the_in_memory_index_catches_up_with_a_save(
    search_conn: db.Connection, hashing: HashingEmbedder, workspace: dict
) -> None:
    index = service.open_index(search_conn, hashing)
    b.edit_criterion(search_conn, workspace["excavators"], visibility="group")
    indexer.reindex_item(search_conn, hashing, "criterion", workspace["excavators"])
    hits = service.search(
        search_conn,
        index,
        hashing,
        workspace["outsider"],
        "excavators",
        Filters(kinds=("criterion",)),
    )
    assert ("criterion", workspace["excavators"]) not in _found(hits)
    assert len(index) == 3


def test_filters_and_bad_arguments(
    search_conn: db.Connection, hashing: HashingEmbedder, workspace: dict
) -> None:
    index = service.open_index(search_conn, hashing)
    hits = service.search(
        search_conn, index, hashing, workspace["admin"], "furniture", Filters(countries=("NL",))
    )
    assert _found(hits) == [("criterion", workspace["private"])]
    with pytest.raises(ValidationError):
        service.search(search_conn, index, hashing, workspace["admin"], "   ")
    with pytest.raises(ValidationError):
        service.search(search_conn, index, hashing, workspace["admin"], "x", k=0)
    with pytest.raises(ValidationError):
        service.search(search_conn, index, HashingEmbedder(model_id="other"), None, "x")
