"""The Buyer Group network: a snapshot read from the DB and networkx graphs built from it.

Node ids are strings ``"<kind>:<key>"`` (``org:3``, ``group:1``, ``country:NL``,
``criterion:12``, ``tender:5``). The graphs:

* :func:`membership_graph` organisations — groups (edge attribute ``role``);
* :func:`co_membership_graph` organisations — organisations, ``weight`` = shared groups;
* :func:`reuse_graph` a DiGraph source criterion → criterion derived from it;
* :func:`full_graph` every node kind and edge kind, for the picture.

Access: the snapshot is read for one actor. A criterion's title is read only
when the actor may see it (published, or private to one of the actor's
groups); otherwise ``title`` is None and the criterion counts only as a number.
Analytics live in :mod:`buyergroups.network.analytics`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import networkx as nx
import pandas as pd

from buyergroups import auth, db
from buyergroups.accounts.users import User, groups_of

PRIVATE_TITLE = "(private criterion)"
LAYOUT_SEED = 7
# Above this many nodes a spring layout takes too long for an interactive page.
PICTURE_LIMIT = 1500
NODE_KINDS = ("organisation", "group", "country", "criterion", "tender")
EDGE_KINDS = ("membership", "works_in", "criterion_of", "reuse", "tender_of", "co_membership")


@dataclass(frozen=True, slots=True)
class Organisation:
    id: int
    name: str
    kind: str
    country: str


@dataclass(frozen=True, slots=True)
class Group:
    id: int
    name: str
    sector: str
    programme: str
    phase: str
    countries: tuple[str, ...]
    themes: tuple[str, ...]
    cpv_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Criterion:
    """A criterion as the actor may see it: ``title`` is None when private to others."""

    id: int
    group_id: int
    theme: str
    ambition_level: str
    status: str
    derived_from: int | None
    title: str | None

    @property
    def shown_title(self) -> str:
        """The title, or a neutral placeholder for a private criterion of another group."""
        return self.title if self.title is not None else PRIVATE_TITLE


@dataclass(frozen=True, slots=True)
class TenderLink:
    tender_id: int
    group_id: int
    title: str
    buyer_country: str | None


@dataclass(frozen=True)
class Snapshot:
    """Everything the graphs need, read in one unit of work for one actor."""

    organisations: dict[int, Organisation]
    groups: dict[int, Group]
    memberships: list[tuple[int, int, str]]  # (group_id, organisation_id, role)
    criteria: dict[int, Criterion]
    tender_links: list[TenderLink] = field(default_factory=list)
    actor_group_ids: frozenset[int] = frozenset()

    def members_of(self, group_id: int) -> set[int]:
        """Organisation ids taking part in the group (a copy the caller may change)."""
        return set(self._members.get(group_id, ()))

    @cached_property
    def reuse(self) -> nx.DiGraph:
        """:func:`reuse_graph` of this snapshot, built once (shared: never change it)."""
        return reuse_graph(self)

    @cached_property
    def membership(self) -> nx.Graph:
        """:func:`membership_graph` of this snapshot, built once (shared: never change it)."""
        return membership_graph(self)

    @cached_property
    def _members(self) -> dict[int, frozenset[int]]:
        by_group: dict[int, set[int]] = {}
        for group_id, org_id, _role in self.memberships:
            by_group.setdefault(group_id, set()).add(org_id)
        return {group_id: frozenset(orgs) for group_id, orgs in by_group.items()}


_ORGANISATIONS_SQL = "SELECT id, name, kind, country FROM organisations ORDER BY id"
_GROUPS_SQL = (
    "SELECT id, name, sector, programme, phase, countries, themes, cpv_codes"
    " FROM buyer_groups WHERE deleted_at IS NULL ORDER BY id"
)
_MEMBERSHIPS_SQL = (
    "SELECT m.group_id, m.organisation_id, m.role FROM memberships m"
    " JOIN buyer_groups g ON g.id = m.group_id WHERE g.deleted_at IS NULL"
    " ORDER BY m.group_id, m.organisation_id"
)
# The title leaves the database only when the actor may read it.
_CRITERIA_SQL = (
    "SELECT id, group_id, theme, ambition_level, status, derived_from,"
    " CASE WHEN visible THEN title END AS title FROM ("
    "  SELECT c.*, (c.visibility = 'published' OR ? OR list_contains(?::INTEGER[], c.group_id))"
    "  AS visible FROM criteria c JOIN buyer_groups g ON g.id = c.group_id"
    "  WHERE c.deleted_at IS NULL AND g.deleted_at IS NULL) ORDER BY id"
)
_TENDER_LINKS_SQL = (
    "SELECT tg.tender_id, tg.group_id, t.title, t.buyer_country FROM tender_groups tg"
    " JOIN tenders t ON t.id = tg.tender_id JOIN buyer_groups g ON g.id = tg.group_id"
    " WHERE g.deleted_at IS NULL ORDER BY tg.tender_id, tg.group_id"
)


def load(conn: db.Connection, actor: User | None) -> Snapshot:
    """Read the network as ``actor`` may see it (signed-in users only)."""
    actor = auth.require_signed_in(actor)
    with db.reading(conn) as cur:
        readable = auth.member_group_ids(cur, actor)
        organisations = {r["id"]: Organisation(**r) for r in db.rows(cur, _ORGANISATIONS_SQL)}
        groups = {r["id"]: _group(r) for r in db.rows(cur, _GROUPS_SQL)}
        memberships = [
            (r["group_id"], r["organisation_id"], r["role"]) for r in db.rows(cur, _MEMBERSHIPS_SQL)
        ]
        criteria = {
            r["id"]: Criterion(**r)
            for r in db.rows(cur, _CRITERIA_SQL, [readable is None, readable or []])
        }
        links = [TenderLink(**r) for r in db.rows(cur, _TENDER_LINKS_SQL)]
        own = frozenset(groups_of(cur, actor.id))
    return Snapshot(organisations, groups, memberships, criteria, links, own)


def _group(found: dict[str, Any]) -> Group:
    lists = {key: tuple(found[key] or ()) for key in ("countries", "themes", "cpv_codes")}
    return Group(**{**found, **lists})


def filtered(
    snapshot: Snapshot,
    *,
    country: str | None = None,
    sector: str | None = None,
    theme: str | None = None,
) -> Snapshot:
    """The part of the network around the groups matching every given filter."""
    kept = {
        gid: group
        for gid, group in snapshot.groups.items()
        if (country is None or country in group.countries)
        and (sector is None or group.sector == sector)
        and (theme is None or theme in group.themes)
    }
    memberships = [m for m in snapshot.memberships if m[0] in kept]
    org_ids = {org for _group_id, org, _role in memberships}
    return replace(
        snapshot,
        groups=kept,
        organisations={k: v for k, v in snapshot.organisations.items() if k in org_ids},
        memberships=memberships,
        criteria={k: v for k, v in snapshot.criteria.items() if v.group_id in kept},
        tender_links=[t for t in snapshot.tender_links if t.group_id in kept],
    )


def org_node(org_id: int) -> str:
    return f"org:{org_id}"


def group_node(group_id: int) -> str:
    return f"group:{group_id}"


def criterion_node(criterion_id: int) -> str:
    return f"criterion:{criterion_id}"


def _add_groups_and_orgs(graph: nx.Graph, snapshot: Snapshot) -> None:
    for group in snapshot.groups.values():
        graph.add_node(group_node(group.id), kind="group", label=group.name, key=group.id)
    for org in snapshot.organisations.values():
        graph.add_node(
            org_node(org.id), kind="organisation", label=org.name, key=org.id, country=org.country
        )
    for group_id, org_id, role in snapshot.memberships:
        graph.add_edge(org_node(org_id), group_node(group_id), kind="membership", role=role)


def membership_graph(snapshot: Snapshot) -> nx.Graph:
    """Organisations and groups, an edge per membership (attribute ``role``)."""
    graph = nx.Graph()
    _add_groups_and_orgs(graph, snapshot)
    return graph


def co_membership_graph(snapshot: Snapshot) -> nx.Graph:
    """Organisations linked by the groups they share (``weight`` and ``groups``)."""
    by_group: dict[int, list[int]] = {}
    for group_id, org_id, _role in snapshot.memberships:
        by_group.setdefault(group_id, []).append(org_id)
    graph = nx.Graph()
    graph.add_nodes_from(org_node(org) for org in snapshot.organisations)
    for group_id, orgs in by_group.items():
        ordered = sorted(orgs)
        for i, first in enumerate(ordered):
            for second in ordered[i + 1 :]:
                a, b = org_node(first), org_node(second)
                if graph.has_edge(a, b):
                    graph[a][b]["weight"] += 1
                    graph[a][b]["groups"].append(group_id)
                else:
                    graph.add_edge(a, b, weight=1, groups=[group_id], kind="co_membership")
    return graph


def reuse_graph(snapshot: Snapshot) -> nx.DiGraph:
    """Criteria as nodes, an edge from each source to every criterion derived from it."""
    graph = nx.DiGraph()
    for criterion in snapshot.criteria.values():
        graph.add_node(criterion.id, group_id=criterion.group_id)
    for criterion in snapshot.criteria.values():
        # A deleted source ends the chain: it is not in the snapshot.
        if criterion.derived_from in snapshot.criteria:
            graph.add_edge(criterion.derived_from, criterion.id)
    return graph


def full_graph(snapshot: Snapshot, edge_kinds: tuple[str, ...] = EDGE_KINDS) -> nx.Graph:
    """Groups, organisations, countries; criteria and tenders when their edges are chosen."""
    graph = nx.Graph()
    _add_groups_and_orgs(graph, snapshot if "membership" in edge_kinds else _no_members(snapshot))
    for group in snapshot.groups.values():
        for code in group.countries:
            graph.add_node(f"country:{code}", kind="country", label=code, key=code)
            if "works_in" in edge_kinds:
                graph.add_edge(group_node(group.id), f"country:{code}", kind="works_in")
    if {"criterion_of", "reuse"} & set(edge_kinds):
        _add_criteria(graph, snapshot, edge_kinds)
    if "tender_of" in edge_kinds:
        for link in snapshot.tender_links:
            node = f"tender:{link.tender_id}"
            graph.add_node(node, kind="tender", label=link.title, key=link.tender_id)
            graph.add_edge(node, group_node(link.group_id), kind="tender_of")
    if "co_membership" in edge_kinds:
        for a, b, attrs in co_membership_graph(snapshot).edges(data=True):
            graph.add_edge(a, b, kind="co_membership", weight=attrs["weight"])
    return graph


def picture_size(snapshot: Snapshot, edge_kinds: tuple[str, ...] = EDGE_KINDS) -> int:
    """How many nodes :func:`full_graph` would hold, without building it."""
    nodes = {group_node(g) for g in snapshot.groups} | {org_node(o) for o in snapshot.organisations}
    nodes |= {f"country:{code}" for group in snapshot.groups.values() for code in group.countries}
    if {"criterion_of", "reuse"} & set(edge_kinds):
        nodes |= {criterion_node(c.id) for c in snapshot.criteria.values()}
        if "criterion_of" in edge_kinds:
            nodes |= {group_node(c.group_id) for c in snapshot.criteria.values()}
    if "membership" in edge_kinds:
        for group_id, org_id, _role in snapshot.memberships:
            nodes |= {group_node(group_id), org_node(org_id)}
    if "tender_of" in edge_kinds:
        for link in snapshot.tender_links:
            nodes |= {f"tender:{link.tender_id}", group_node(link.group_id)}
    return len(nodes)


def _no_members(snapshot: Snapshot) -> Snapshot:
    return replace(snapshot, memberships=[])


def _add_criteria(graph: nx.Graph, snapshot: Snapshot, edge_kinds: tuple[str, ...]) -> None:
    for criterion in snapshot.criteria.values():
        node = criterion_node(criterion.id)
        graph.add_node(node, kind="criterion", label=criterion.shown_title, key=criterion.id)
        if "criterion_of" in edge_kinds:
            graph.add_edge(node, group_node(criterion.group_id), kind="criterion_of")
    if "reuse" in edge_kinds:
        for source, derived in reuse_graph(snapshot).edges:
            graph.add_edge(criterion_node(source), criterion_node(derived), kind="reuse")


def layout(graph: nx.Graph, seed: int = LAYOUT_SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Node and edge tables with spring-layout positions (fixed seed: same picture each run).

    Nodes: id, kind, label, degree, x, y. Edges: source, target, kind, x, y, x2, y2.
    """
    positions = nx.spring_layout(graph, seed=seed) if graph.number_of_nodes() else {}
    nodes = pd.DataFrame(
        [
            {
                "id": node,
                "kind": attrs.get("kind", ""),
                "label": attrs.get("label", node),
                "degree": graph.degree(node),
                "x": float(positions[node][0]),
                "y": float(positions[node][1]),
            }
            for node, attrs in graph.nodes(data=True)
        ],
        columns=["id", "kind", "label", "degree", "x", "y"],
    )
    edges = pd.DataFrame(
        [
            {
                "source": a,
                "target": b,
                "kind": attrs.get("kind", ""),
                "x": float(positions[a][0]),
                "y": float(positions[a][1]),
                "x2": float(positions[b][0]),
                "y2": float(positions[b][1]),
            }
            for a, b, attrs in graph.edges(data=True)
        ],
        columns=["source", "target", "kind", "x", "y", "x2", "y2"],
    )
    return nodes, edges
