"""Network graphs and analytics on the hand-checked world of tests/network_world.py."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from buyergroups import db, groups, organisations
from buyergroups.errors import NotFoundError, NotSignedIn
from buyergroups.network import analytics, graphs
from tests import network_world
from tests.factories import make_group, make_user
from tests.network_world import PUBLISHED_TITLE, SECRET_COPY, SECRET_OWN, NetworkWorld


@pytest.fixture(scope="module")
def world_conn(tmp_path_factory) -> Iterator[tuple[db.Connection, NetworkWorld]]:
    """One world for the module: the tests only read it."""
    connection = db.connect(tmp_path_factory.mktemp("network") / "graphs.duckdb")
    yield connection, network_world.build(connection)
    connection.close()


@pytest.fixture
def conn(world_conn) -> db.Connection:
    return world_conn[0]


@pytest.fixture
def nw(world_conn) -> NetworkWorld:
    return world_conn[1]


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict("records")


def test_rijkswaterstaat_bridges_the_viaduct_groups(conn, nw) -> None:
    """Membership graph of 12 nodes: normalised by (11 × 10) / 2 = 55 pairs.

    Rijkswaterstaat is on every path from g2 and Gent to Almere, g1 and g5
    (6 pairs) and on half the paths between g1 and g5: 6.5 / 55.
    """
    frame = analytics.bridges(graphs.load(conn, nw.member))
    assert _records(frame) == [
        {
            "kind": "organisation",
            "name": "Rijkswaterstaat",
            "country": "NL",
            "connections": 3,
            "betweenness": 0.1182,
        },  # 6.5 / 55
        {
            "kind": "organisation",
            "name": "Aarhus Kommune",
            "country": "DK",
            "connections": 2,
            "betweenness": 0.0727,
        },  # 4 / 55
        {
            "kind": "group",
            "name": "Bridges Flanders",
            "country": "BE",
            "connections": 2,
            "betweenness": 0.0727,
        },  # Gent to the 4 others: 4 / 55
        {
            "kind": "group",
            "name": "ICT Denmark",
            "country": "DK",
            "connections": 2,
            "betweenness": 0.0545,
        },  # 3 / 55
        {
            "kind": "group",
            "name": "ICT Sweden",
            "country": "SE",
            "connections": 2,
            "betweenness": 0.0545,
        },
        {
            "kind": "group",
            "name": "Circular viaducts",
            "country": "NL",
            "connections": 2,
            "betweenness": 0.0273,
        },  # half of Almere–Rijkswaterstaat, Almere–g2, Almere–Gent
        {
            "kind": "group",
            "name": "Clean vehicles NO",
            "country": "NO",
            "connections": 2,
            "betweenness": 0.0273,
        },
        {
            "kind": "organisation",
            "name": "Gemeente Almere",
            "country": "NL",
            "connections": 2,
            "betweenness": 0.0091,
        },  # half of g1–g5
    ]


def test_criterion_reached_belgium_and_denmark_through_a_chain(conn, nw) -> None:
    """c1 (NL) → c2 (g2, BE) → c3 (g4, DK): two descendants, two groups, two countries."""
    frame = analytics.reuse_spread(graphs.load(conn, nw.admin))
    assert _records(frame) == [
        {
            "criterion_id": nw.criteria["c1"],
            "title": PUBLISHED_TITLE,
            "group": "Circular viaducts",
            "theme": "climate",
            "direct_reuses": 1,
            "descendants": 2,
            "groups_reached": 2,
            "countries_reached": "BE, DK",
        },
        {
            "criterion_id": nw.criteria["c2"],
            "title": SECRET_COPY,
            "group": "Bridges Flanders",
            "theme": "climate",
            "direct_reuses": 1,
            "descendants": 1,
            "groups_reached": 1,
            "countries_reached": "DK",
        },
    ]


def test_lineage_tree_lists_ancestors_then_descendants(conn, nw) -> None:
    frame = analytics.lineage(graphs.load(conn, nw.admin), nw.criteria["c2"])
    assert _records(frame) == [
        {
            "depth": 0,
            "relation": "ancestor",
            "criterion_id": nw.criteria["c1"],
            "title": PUBLISHED_TITLE,
            "group": "Circular viaducts",
            "countries": "NL",
        },
        {
            "depth": 1,
            "relation": "this criterion",
            "criterion_id": nw.criteria["c2"],
            "title": SECRET_COPY,
            "group": "Bridges Flanders",
            "countries": "BE",
        },
        {
            "depth": 2,
            "relation": "descendant",
            "criterion_id": nw.criteria["c3"],
            "title": SECRET_COPY,
            "group": "ICT Denmark",
            "countries": "DK",
        },
    ]


def test_lineage_of_unknown_criterion_is_refused(conn, nw) -> None:
    with pytest.raises(NotFoundError):
        analytics.lineage(graphs.load(conn, nw.admin), 999)


def test_two_separate_clusters_become_two_communities(tmp_path) -> None:
    """Two groups sharing three organisations, twice, with nothing between the pairs."""
    conn = db.connect(tmp_path / "clusters.duckdb")
    ids = {
        name: make_group(conn, name, countries=[country])
        for name, country in [
            ("North A", "SE"),
            ("North B", "SE"),
            ("South A", "ES"),
            ("South B", "ES"),
        ]
    }
    with db.transaction(conn) as cur:
        for prefix, country in (("North", "SE"), ("South", "ES")):
            for n in range(1, 4):
                org = organisations.insert_organisation(
                    cur, None, f"{prefix} org {n}", "other", country
                )
                for side in ("A", "B"):
                    groups.set_organisation_role(cur, None, ids[f"{prefix} {side}"], org, "lead")
    user = make_user(conn, "Nina Nobody")
    frame = analytics.communities(graphs.load(conn, user))
    conn.close()
    assert _records(frame) == [
        {
            "community": 1,
            "groups": 2,
            "organisations": 3,
            "group_names": "North A; North B",
            "organisation_names": "North org 1; North org 2; North org 3",
        },
        {
            "community": 2,
            "groups": 2,
            "organisations": 3,
            "group_names": "South A; South B",
            "organisation_names": "South org 1; South org 2; South org 3",
        },
    ]


def test_no_community_mixes_the_viaduct_and_ict_clusters(conn, nw) -> None:
    frame = analytics.communities(graphs.load(conn, nw.admin))
    ict = {"ICT Denmark", "ICT Sweden"}
    for names in frame["group_names"]:
        members = set(names.split("; "))
        assert members <= ict or not (members & ict), names
    assert "ICT Denmark; ICT Sweden" in list(frame["group_names"])


def test_organisations_sharing_two_groups(conn, nw) -> None:
    frame = analytics.org_pairs(graphs.load(conn, nw.member), min_shared=2)
    assert _records(frame) == [
        {
            "organisation_a": "Gemeente Almere",
            "organisation_b": "Rijkswaterstaat",
            "shared_groups": 2,
            "groups": "Circular viaducts; Clean vehicles NO",
        },
    ]


def test_similar_groups_leave_out_own_and_connected_groups(conn, nw) -> None:
    """For g1: g2 and g5 share members, g4 shares no theme or CPV division, and the
    member belongs to g3 already; only g6 remains (themes 1/2, divisions 0/2)."""
    frame = analytics.similar_groups(graphs.load(conn, nw.member), nw.groups["g1"])
    assert _records(frame) == [
        {
            "group_id": nw.groups["g6"],
            "group": "Circular textiles",
            "countries": "DK",
            "sector": "civil_works",
            "shared_themes": "circular",
            "shared_cpv_divisions": "",
            "score": 0.5,
        },
    ]


def test_similar_groups_for_someone_outside_g3_include_it(conn, nw) -> None:
    frame = analytics.similar_groups(graphs.load(conn, nw.admin), nw.groups["g1"])
    assert list(frame["group"]) == ["Circular textiles", "ICT Sweden"]
    assert list(frame["score"]) == [0.5, 0.333]  # g3: themes 1/3, divisions 0/2


def test_organisations_abroad_adopting_the_same_lineage(conn, nw) -> None:
    """c1's copies are in g2 (Gent; Rijkswaterstaat is in g1) and g4 (Aarhus, Midtjylland)."""
    frame = analytics.foreign_adopters(graphs.load(conn, nw.member), nw.groups["g1"])
    assert _records(frame) == [
        {
            "organisation": "Aarhus Kommune",
            "country": "DK",
            "shared_lineages": 1,
            "your_criteria": PUBLISHED_TITLE,
            "their_groups": "ICT Denmark",
        },
        {
            "organisation": "Region Midtjylland",
            "country": "DK",
            "shared_lineages": 1,
            "your_criteria": PUBLISHED_TITLE,
            "their_groups": "ICT Denmark",
        },
        {
            "organisation": "Stad Gent",
            "country": "BE",
            "shared_lineages": 1,
            "your_criteria": PUBLISHED_TITLE,
            "their_groups": "Bridges Flanders",
        },
    ]


def test_suggestions_for_unknown_group_are_refused(conn, nw) -> None:
    with pytest.raises(NotFoundError):
        analytics.similar_groups(graphs.load(conn, nw.member), 999)


def _every_text(conn, actor, nw) -> str:
    snapshot = graphs.load(conn, actor)
    frames = [
        analytics.bridges(snapshot),
        analytics.communities(snapshot),
        analytics.reuse_spread(snapshot),
        analytics.org_pairs(snapshot, min_shared=1),
        analytics.similar_groups(snapshot, nw.groups["g1"]),
        analytics.foreign_adopters(snapshot, nw.groups["g1"]),
        analytics.foreign_adopters(snapshot, nw.groups["g4"]),
        analytics.lineage(snapshot, nw.criteria["c3"]),
        graphs.layout(graphs.full_graph(snapshot))[0],
    ]
    texts = [frame.to_csv() for frame in frames]
    texts += list(analytics.lineage_choices(snapshot).values())
    texts += [repr(c) for c in snapshot.criteria.values()]
    return "\n".join(texts)


def test_private_titles_never_reach_a_non_member(conn, nw) -> None:
    text = _every_text(conn, nw.outsider, nw)
    assert SECRET_COPY not in text
    assert SECRET_OWN not in text
    assert PUBLISHED_TITLE in text
    assert text.count(graphs.PRIVATE_TITLE) > 0


def test_private_counts_stay_as_numbers(conn, nw) -> None:
    """c2, c3 (copies) and c4 are private to g2/g4; c5 and c6 are the member's own (g1)."""
    assert analytics.summary(graphs.load(conn, nw.member)) == {
        "groups": 6,
        "organisations": 6,
        "countries": 5,
        "criteria": 6,
        "private_criteria_hidden": 3,
        "reuse_links": 2,
        "tender_links": 0,
    }
    assert analytics.summary(graphs.load(conn, nw.admin))["private_criteria_hidden"] == 0


def test_admin_sees_every_title(conn, nw) -> None:
    text = _every_text(conn, nw.admin, nw)
    assert SECRET_COPY in text
    assert SECRET_OWN in text


def test_lineage_choices_offer_only_readable_criteria_in_a_lineage(conn, nw) -> None:
    assert analytics.lineage_choices(graphs.load(conn, nw.member)) == {
        nw.criteria["c1"]: f"{PUBLISHED_TITLE} — Circular viaducts"
    }


def test_signed_out_reads_nothing(conn, nw) -> None:
    with pytest.raises(NotSignedIn):
        graphs.load(conn, None)


def test_filters_keep_the_groups_and_their_surroundings(conn, nw) -> None:
    part = graphs.filtered(graphs.load(conn, nw.admin), country="DK")
    assert sorted(g.name for g in part.groups.values()) == ["Circular textiles", "ICT Denmark"]
    assert sorted(o.name for o in part.organisations.values()) == [
        "Aarhus Kommune",
        "Region Midtjylland",
    ]
    assert sorted(part.criteria) == [nw.criteria["c3"]]
    assert sorted(graphs.filtered(graphs.load(conn, nw.admin), theme="climate").groups) == [
        nw.groups["g1"],
        nw.groups["g5"],
    ]


def test_full_graph_has_every_node_and_edge_kind(conn, nw) -> None:
    graph = graphs.full_graph(graphs.load(conn, nw.admin))
    kinds = sorted({attrs["kind"] for _node, attrs in graph.nodes(data=True)})
    assert kinds == ["country", "criterion", "group", "organisation"]
    edge_kinds = sorted({attrs["kind"] for _a, _b, attrs in graph.edges(data=True)})
    assert edge_kinds == ["co_membership", "criterion_of", "membership", "reuse", "works_in"]
    # 6 groups + 6 organisations + 5 countries + 6 criteria
    assert graph.number_of_nodes() == 23
    assert graph.edges["criterion:1", "criterion:2"]["kind"] == "reuse"
    assert graph.edges["org:2", "group:2"]["role"] == "follower"


def test_layout_is_the_same_on_every_run(conn, nw) -> None:
    graph = graphs.full_graph(graphs.load(conn, nw.admin))
    first, edges = graphs.layout(graph)
    second, _ = graphs.layout(graph)
    assert first.equals(second)
    assert len(edges) == graph.number_of_edges()
    assert list(first.columns) == ["id", "kind", "label", "degree", "x", "y"]


def test_picture_size_counts_the_nodes_full_graph_would_hold(conn, nw) -> None:
    import itertools

    for snapshot in (graphs.load(conn, nw.admin), graphs.load(conn, nw.outsider)):
        for count in range(len(graphs.EDGE_KINDS) + 1):
            for kinds in itertools.combinations(graphs.EDGE_KINDS, count):
                built = graphs.full_graph(snapshot, edge_kinds=kinds).number_of_nodes()
                assert graphs.picture_size(snapshot, edge_kinds=kinds) == built, kinds
