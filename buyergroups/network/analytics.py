"""Analytics on the Buyer Group network: bridges, communities, reuse spread, suggestions.

Every function takes a :class:`~buyergroups.network.graphs.Snapshot` (already read for
one actor, so private criteria of other groups carry no title) and returns a
pandas DataFrame or a dict. Results are deterministic: communities use Louvain
with a fixed seed, and betweenness on graphs above :data:`SAMPLE_ABOVE` nodes is
estimated from :data:`SAMPLE_K` sampled sources with a fixed seed.

Definitions used in the tables:

* *betweenness* on the organisation—group membership graph, normalised;
* *reused* criteria: descendants follow ``derived_from`` chains transitively;
  *groups reached* are the groups holding a descendant, other than the
  criterion's own group; *countries reached* are those groups' countries;
* *similar groups*: Jaccard overlap of MVI themes plus Jaccard overlap of CPV
  divisions (first two digits), leaving out the group itself, the actor's own
  groups and every group sharing a member organisation with it;
* *organisations abroad*: members of groups holding a criterion in the same
  reuse lineage (weakly connected) as one of the group's criteria, based in a
  country the group does not work in, and not members of the group.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import networkx as nx
import pandas as pd

from buyergroups.errors import NotFoundError, msg
from buyergroups.network.graphs import (
    Snapshot,
    co_membership_graph,
)

SEED = 42
SAMPLE_ABOVE = 1000
SAMPLE_K = 128


def summary(snapshot: Snapshot) -> dict[str, int]:
    """Counts for the page header; private criteria of other groups count only here."""
    countries = {code for group in snapshot.groups.values() for code in group.countries}
    reuse = snapshot.reuse
    return {
        "groups": len(snapshot.groups),
        "organisations": len(snapshot.organisations),
        "countries": len(countries),
        "criteria": len(snapshot.criteria),
        "private_criteria_hidden": sum(c.title is None for c in snapshot.criteria.values()),
        "reuse_links": reuse.number_of_edges(),
        "tender_links": len(snapshot.tender_links),
    }


def betweenness(graph: nx.Graph) -> dict[Any, float]:
    """Normalised betweenness; k-sampled (fixed seed) above SAMPLE_ABOVE nodes."""
    if graph.number_of_nodes() > SAMPLE_ABOVE:
        return nx.betweenness_centrality(graph, k=SAMPLE_K, seed=SEED)
    return nx.betweenness_centrality(graph)


def bridges(snapshot: Snapshot, top: int = 15) -> pd.DataFrame:
    """Organisations and groups that connect otherwise distant parts, highest first."""
    graph = snapshot.membership
    scores = betweenness(graph)
    records = []
    for node, score in scores.items():
        if score <= 0:
            continue
        attrs = graph.nodes[node]
        if attrs["kind"] == "organisation":
            country = snapshot.organisations[attrs["key"]].country
        else:
            country = ", ".join(snapshot.groups[attrs["key"]].countries)
        records.append(
            {
                "kind": attrs["kind"],
                "name": attrs["label"],
                "country": country,
                "connections": graph.degree(node),
                "betweenness": round(score, 4),
            }
        )
    frame = pd.DataFrame(records, columns=["kind", "name", "country", "connections", "betweenness"])
    return (
        frame.sort_values(["betweenness", "name"], ascending=[False, True])
        .head(top)
        .reset_index(drop=True)
    )


def communities(snapshot: Snapshot) -> pd.DataFrame:
    """Clusters of groups and organisations that work together (Louvain, fixed seed)."""
    graph = snapshot.membership.copy()
    graph.remove_nodes_from(list(nx.isolates(graph)))
    found = nx.community.louvain_communities(graph, seed=SEED) if graph.number_of_nodes() else []
    rows = []
    for members in found:
        groups = sorted(graph.nodes[n]["label"] for n in members if n.startswith("group:"))
        orgs = sorted(graph.nodes[n]["label"] for n in members if n.startswith("org:"))
        rows.append((groups, orgs))
    rows.sort(key=lambda pair: (-len(pair[0]) - len(pair[1]), pair[0]))
    return pd.DataFrame(
        [
            {
                "community": number,
                "groups": len(groups),
                "organisations": len(orgs),
                "group_names": "; ".join(groups),
                "organisation_names": "; ".join(orgs),
            }
            for number, (groups, orgs) in enumerate(rows, start=1)
        ],
        columns=["community", "groups", "organisations", "group_names", "organisation_names"],
    )


def descendants(snapshot: Snapshot) -> dict[int, set[int]]:
    """Every criterion's transitive descendants along ``derived_from`` (one pass, leaves first)."""
    reuse = snapshot.reuse
    found: dict[int, set[int]] = {}
    for node in reversed(list(nx.topological_sort(reuse))):
        below: set[int] = set()
        for child in reuse.successors(node):
            below.add(child)
            below |= found[child]
        found[node] = below
    return found


def reuse_spread(snapshot: Snapshot, top: int = 20) -> pd.DataFrame:
    """The most reused criteria with the groups and countries their copies reached."""
    columns = [
        "criterion_id",
        "title",
        "group",
        "theme",
        "direct_reuses",
        "descendants",
        "groups_reached",
        "countries_reached",
    ]
    records = []
    for criterion_id, below in descendants(snapshot).items():
        if not below:
            continue
        criterion = snapshot.criteria[criterion_id]
        reached = {snapshot.criteria[d].group_id for d in below} - {criterion.group_id}
        countries = sorted({c for g in reached for c in snapshot.groups[g].countries})
        direct = sum(1 for d in below if snapshot.criteria[d].derived_from == criterion_id)
        records.append(
            [
                criterion_id,
                criterion.shown_title,
                snapshot.groups[criterion.group_id].name,
                criterion.theme,
                direct,
                len(below),
                len(reached),
                ", ".join(countries),
            ]
        )
    frame = pd.DataFrame(records, columns=columns)
    order = ["descendants", "groups_reached", "criterion_id"]
    return _top(frame, order, 2, top)


def org_pairs(snapshot: Snapshot, min_shared: int = 2, top: int = 20) -> pd.DataFrame:
    """Pairs of organisations that take part in at least ``min_shared`` groups together."""
    records = []
    for a, b, attrs in co_membership_graph(snapshot).edges(data=True):
        if attrs["weight"] < min_shared:
            continue
        first, second = sorted(
            (snapshot.organisations[int(a[4:])].name, snapshot.organisations[int(b[4:])].name)
        )
        names = sorted(snapshot.groups[g].name for g in attrs["groups"])
        records.append([first, second, attrs["weight"], "; ".join(names)])
    frame = pd.DataFrame(
        records, columns=["organisation_a", "organisation_b", "shared_groups", "groups"]
    )
    order = ["shared_groups", "organisation_a", "organisation_b"]
    return _top(frame, order, 1, top)


def _top(frame: pd.DataFrame, order: list[str], descending: int, top: int) -> pd.DataFrame:
    """The first ``top`` rows by ``order``; the first ``descending`` keys sort high to low."""
    ascending = [index >= descending for index in range(len(order))]
    return frame.sort_values(order, ascending=ascending).head(top).reset_index(drop=True)


def _jaccard(first: set[str], second: set[str]) -> float:
    union = first | second
    return len(first & second) / len(union) if union else 0.0


def _divisions(codes: tuple[str, ...]) -> set[str]:
    return {code[:2] for code in codes if len(code) >= 2}


def _require_group(snapshot: Snapshot, group_id: int) -> None:
    if group_id not in snapshot.groups:
        raise NotFoundError(msg("There is no group {group_id}.", group_id=group_id))


def similar_groups(snapshot: Snapshot, group_id: int, top: int = 10) -> pd.DataFrame:
    """Groups on similar CPV divisions and themes that the group is not yet connected to."""
    _require_group(snapshot, group_id)
    mine = snapshot.groups[group_id]
    members = snapshot.members_of(group_id)
    connected = {g for g, org, _role in snapshot.memberships if org in members}
    excluded = connected | snapshot.actor_group_ids | {group_id}
    records = []
    for other in snapshot.groups.values():
        if other.id in excluded:
            continue
        themes = set(mine.themes) & set(other.themes)
        divisions = _divisions(mine.cpv_codes) & _divisions(other.cpv_codes)
        score = _jaccard(set(mine.themes), set(other.themes)) + _jaccard(
            _divisions(mine.cpv_codes), _divisions(other.cpv_codes)
        )
        if score > 0:
            records.append(
                [
                    other.id,
                    other.name,
                    ", ".join(other.countries),
                    other.sector,
                    ", ".join(sorted(themes)),
                    ", ".join(sorted(divisions)),
                    round(score, 3),
                ]
            )
    frame = pd.DataFrame(
        records,
        columns=[
            "group_id",
            "group",
            "countries",
            "sector",
            "shared_themes",
            "shared_cpv_divisions",
            "score",
        ],
    )
    return (
        frame.sort_values(["score", "group"], ascending=[False, True])
        .head(top)
        .reset_index(drop=True)
    )


def foreign_adopters(snapshot: Snapshot, group_id: int, top: int = 20) -> pd.DataFrame:
    """Organisations in other countries whose groups use criteria of the same lineage as yours."""
    _require_group(snapshot, group_id)
    home = set(snapshot.groups[group_id].countries)
    members = snapshot.members_of(group_id)
    lineage_of = {
        node: number
        for number, component in enumerate(nx.weakly_connected_components(snapshot.reuse))
        for node in component
    }
    mine = {c.id: c for c in snapshot.criteria.values() if c.group_id == group_id}
    lineages = {lineage_of[c]: c for c in sorted(mine)}
    via: dict[int, set[str]] = defaultdict(set)
    groups: dict[int, set[str]] = defaultdict(set)
    for other in snapshot.criteria.values():
        source = lineages.get(lineage_of[other.id])
        if other.group_id == group_id or source is None:
            continue
        for org_id in snapshot.members_of(other.group_id) - members:
            if snapshot.organisations[org_id].country not in home:
                via[org_id].add(mine[source].shown_title)
                groups[org_id].add(snapshot.groups[other.group_id].name)
    records = [
        [
            snapshot.organisations[o].name,
            snapshot.organisations[o].country,
            len(via[o]),
            "; ".join(sorted(via[o])),
            "; ".join(sorted(groups[o])),
        ]
        for o in via
    ]
    frame = pd.DataFrame(
        records,
        columns=["organisation", "country", "shared_lineages", "your_criteria", "their_groups"],
    )
    order = ["shared_lineages", "organisation"]
    return _top(frame, order, 1, top)


def lineage(snapshot: Snapshot, criterion_id: int) -> pd.DataFrame:
    """A criterion's reuse tree: its ancestors from the root, itself, then its descendants.

    ``depth`` counts from the root (0); rows are in tree order, for an indented list.
    """
    if criterion_id not in snapshot.criteria:
        raise NotFoundError(msg("There is no criterion {criterion_id}.", criterion_id=criterion_id))
    reuse = snapshot.reuse
    chain = [criterion_id]
    while (parent := next(iter(reuse.predecessors(chain[-1])), None)) is not None:
        chain.append(parent)
    chain.reverse()
    rows = [(depth, "ancestor", node) for depth, node in enumerate(chain[:-1])]
    rows.append((len(chain) - 1, "this criterion", criterion_id))
    stack = [(child, len(chain)) for child in sorted(reuse.successors(criterion_id), reverse=True)]
    while stack:
        node, depth = stack.pop()
        rows.append((depth, "descendant", node))
        stack += [(child, depth + 1) for child in sorted(reuse.successors(node), reverse=True)]
    return pd.DataFrame(
        [_lineage_row(snapshot, depth, relation, node) for depth, relation, node in rows],
        columns=["depth", "relation", "criterion_id", "title", "group", "countries"],
    )


def _lineage_row(snapshot: Snapshot, depth: int, relation: str, node: int) -> dict[str, Any]:
    criterion = snapshot.criteria[node]
    group = snapshot.groups[criterion.group_id]
    return {
        "depth": depth,
        "relation": relation,
        "criterion_id": node,
        "title": criterion.shown_title,
        "group": group.name,
        "countries": ", ".join(group.countries),
    }


def lineage_choices(snapshot: Snapshot) -> dict[int, str]:
    """Criteria the actor may see by title that take part in a reuse lineage: id → label."""
    reuse = snapshot.reuse
    return {
        c.id: f"{c.title} — {snapshot.groups[c.group_id].name}"
        for c in snapshot.criteria.values()
        if c.title is not None and reuse.degree(c.id) > 0
    }
