"""Find similar work: the one search entry point for the UI and the CLI.

A query is pasted text or a stored item; filters select rows before scoring;
the access rule keeps only rows the actor may read (published items, the
actor's groups, tenders); hits carry why they ranked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from buyergroups import auth, db
from buyergroups.accounts.users import User
from buyergroups.db import vectors as stored_vectors
from buyergroups.errors import Message, NotFoundError, ValidationError, msg
from buyergroups.search import store
from buyergroups.search.embedder import Embedder
from buyergroups.search.index import KINDS, Access, Filters, RankedRow, VectorIndex
from buyergroups.search.indexer import load_matcher
from buyergroups.search.ranking import (
    ConceptMatcher,
    Explanation,
    QueryProfile,
    bonus_vector,
    explain,
)

MAX_K = 200
PASSAGES_PER_ITEM_FETCH = 3
SNIPPET_CHARS = 300
# The kinds of indexed items as a message names them ("The criterion 12 is not ...").
_KIND_NAMES: dict[str, Message] = {
    "criterion": msg("criterion"),
    "document": msg("document"),
    "dialogue": msg("dialogue"),
    "tender": msg("tender"),
}


@dataclass(frozen=True)
class ItemRef:
    """A stored item used as the query (a document's passage, or all its passages).

    With ``other_groups`` the hits leave out the item's own group.
    """

    item_kind: str
    item_id: int
    passage_no: int | None = None
    other_groups: bool = False


@dataclass(frozen=True)
class Hit:
    """One search result, pointing back to its item (and passage for documents)."""

    item_kind: str
    item_id: int
    passage_no: int
    title: str
    heading: str
    snippet: str
    group_id: int | None
    group_name: str
    countries: tuple[str, ...]
    language: str
    criterion_type: str
    themes: tuple[str, ...]
    ambition_level: str
    cpv_codes: tuple[str, ...]
    score: float
    semantic: float
    explanation: Explanation

    @property
    def theme(self) -> str:
        return ", ".join(self.themes)


def open_index(conn: db.Connection, embedder: Embedder) -> VectorIndex:
    """Load the in-memory index of ``embedder``'s model from the stored vectors."""
    return store.load_index(conn, embedder.model_id, embedder.dim)


@dataclass(frozen=True)
class IndexStatus:
    """How many stored passages have vectors of the model, and how many of other models."""

    model_id: str
    current: int
    other_models: dict[str, int]

    @property
    def needs_reindex(self) -> bool:
        """True when some stored vectors were made by another model."""
        return bool(self.other_models)


def index_status(conn: db.Connection, embedder: Embedder) -> IndexStatus:
    """Whether the stored vectors belong to ``embedder``'s model."""
    with db.reading(conn) as cur:
        counts = store.model_counts(cur)
    current = counts.pop(embedder.model_id, 0)
    return IndexStatus(embedder.model_id, current, counts)


def require_current_vectors(conn: db.Connection, embedder: Embedder) -> IndexStatus:
    """The index status; ValidationError when stored vectors belong to another model."""
    status = index_status(conn, embedder)
    if status.needs_reindex:
        others = ", ".join(
            f"{count} passages of {name}" for name, count in status.other_models.items()
        )
        raise ValidationError(
            msg(
                "The stored search vectors belong to another model ({others}) and "
                "the model is {model}: run `python -m buyergroups reindex` to re-embed them.",
                others=others,
                model=embedder.model_id,
            )
        )
    return status


def access_of(cur: db.Connection, actor: User | None) -> Access:
    """The rows ``actor`` may read, in the index's terms."""
    if actor is None or actor.disabled:
        return Access(signed_in=False, groups=frozenset())
    groups = auth.member_group_ids(cur, actor)
    return Access(signed_in=True, groups=None if groups is None else frozenset(groups))


_HIT_SELECT = """
    SELECT s.item_kind, s.item_id, s.passage_no, s.title, s.heading, s.text, s.group_id,
           coalesce(g.name, '') AS group_name, s.countries, s.language, s.criterion_type,
           s.themes, s.ambition_level, s.cpv_codes, s.concept_codes
    FROM search_items s LEFT JOIN buyer_groups g ON g.id = s.group_id
    WHERE (s.item_kind || ':' || s.item_id || ':' || s.passage_no)
          IN (SELECT unnest(?::VARCHAR[])) AND {visible}"""


def _stored_hits(
    cur: db.Connection, actor: User | None, keys: list[tuple[str, int, int]]
) -> dict[tuple[str, int, int], dict[str, Any]]:
    # The access rule is checked again on the stored rows: a stale in-memory
    # index can never show a row the actor may not read.
    visible, params = auth.visible_sql(cur, actor, "s")
    sql = _HIT_SELECT.format(visible=visible)  # nosec B608 - fixed fragments
    found = db.rows(cur, sql, [[f"{k}:{i}:{p}" for k, i, p in keys], *params])
    return {(r["item_kind"], r["item_id"], r["passage_no"]): r for r in found}


def _query_item(
    cur: db.Connection, actor: User | None, ref: ItemRef, index: VectorIndex
) -> tuple[np.ndarray, QueryProfile, int | None]:
    visible, params = auth.visible_sql(cur, actor, "s")
    dim = index.dim
    passage = "" if ref.passage_no is None else " AND s.passage_no = ?"
    fits, fits_params = stored_vectors.fits_sql(cur, "s.vector", dim)
    sql = (
        f"SELECT {stored_vectors.select_sql(cur, 's.vector', dim)} AS vector,"  # nosec B608
        " s.cpv_codes, s.concept_codes, s.themes, s.criterion_type, s.group_id"
        f" FROM search_items s WHERE s.item_kind = ? AND s.item_id = ?{passage}"
        f" AND s.model_id = ? AND {fits} AND {visible}"
    )
    extra = [] if ref.passage_no is None else [ref.passage_no]
    values = [ref.item_kind, ref.item_id, *extra, index.model_id, *fits_params, *params]
    found = db.rows(cur, sql, values)
    if not found:
        raise NotFoundError(
            msg(
                "The {kind} {item_id} is not in the search index or you may not read it.",
                kind=_KIND_NAMES.get(ref.item_kind, ref.item_kind),
                item_id=ref.item_id,
            )
        )
    vector = np.mean(np.asarray([stored_vectors.as_array(r["vector"]) for r in found]), axis=0)
    first = found[0]
    profile = QueryProfile(
        cpv_codes=tuple(first["cpv_codes"]),
        concepts=tuple(dict.fromkeys(c for r in found for c in r["concept_codes"])),
        themes=tuple(first["themes"]) if ref.item_kind == "criterion" else (),
        criterion_type=first["criterion_type"] or "",
    )
    return vector / max(float(np.linalg.norm(vector)), 1e-12), profile, first["group_id"]


def _query_text(
    text: str, embedder: Embedder, matcher: ConceptMatcher
) -> tuple[np.ndarray, QueryProfile]:
    cleaned = (text or "").strip()
    if not cleaned:
        raise ValidationError(msg("Type or paste some text to search for."), field="query")
    vector = np.asarray(embedder.encode_query([cleaned])[0], dtype=np.float32)
    return vector, QueryProfile(concepts=tuple(matcher.concepts(cleaned)))


def _best_per_item(ranked: list[RankedRow], k: int) -> list[RankedRow]:
    seen: set[tuple[str, int]] = set()
    kept = []
    for row in ranked:
        if (row.item_kind, row.item_id) not in seen:
            seen.add((row.item_kind, row.item_id))
            kept.append(row)
    return kept[:k]


def _hit(row: RankedRow, stored: dict[str, Any], explanation: Explanation) -> Hit:
    text = stored["text"] or ""
    snippet = text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1] + "…"
    return Hit(
        row.item_kind,
        row.item_id,
        row.passage_no,
        stored["title"],
        stored["heading"],
        snippet,
        stored["group_id"],
        stored["group_name"],
        tuple(stored["countries"]),
        stored["language"],
        stored["criterion_type"],
        tuple(stored["themes"]),
        stored["ambition_level"],
        tuple(stored["cpv_codes"]),
        round(row.score, 6),
        round(row.semantic, 6),
        explanation,
    )


def search(
    conn: db.Connection,
    index: VectorIndex,
    embedder: Embedder,
    actor: User | None,
    query: str | ItemRef,
    filters: Filters | None = None,
    k: int = 10,
    matcher: ConceptMatcher | None = None,
) -> list[Hit]:
    """The ``k`` best hits the actor may read for ``query`` (text or an item), best first."""
    if not 1 <= k <= MAX_K:
        raise ValidationError(
            msg("Ask for between 1 and {max_k} hits, not {k}.", max_k=MAX_K, k=k), field="k"
        )
    if index.model_id != embedder.model_id:
        raise ValidationError(
            msg(
                "The search index holds vectors of {index_model}, the model is "
                "{model}: run `python -m buyergroups reindex`.",
                index_model=index.model_id,
                model=embedder.model_id,
            )
        )
    filters = filters or Filters()
    with db.reading(conn) as cur:
        matcher = matcher or load_matcher(cur)
        access = access_of(cur, actor)
        if isinstance(query, ItemRef):
            if query.item_kind not in KINDS:
                raise ValidationError(msg("Unknown item kind {kind}.", kind=repr(query.item_kind)))
            vector, profile, group_id = _query_item(cur, actor, query, index)
            filters = replace(
                filters, exclude_items=(*filters.exclude_items, (query.item_kind, query.item_id))
            )
            if query.other_groups and group_id is not None:
                filters = replace(filters, exclude_group_ids=(*filters.exclude_group_ids, group_id))
        else:
            vector, profile = _query_text(query, embedder, matcher)
    with index.lock:
        store.refresh_index(conn, index)
        mask = index.candidates(filters, access)
        ranked = index.search(
            vector, k * PASSAGES_PER_ITEM_FETCH, mask, bonus_vector(index, profile)
        )
    ranked = _best_per_item(ranked, k)
    with db.reading(conn) as cur:
        stored = _stored_hits(cur, actor, [(r.item_kind, r.item_id, r.passage_no) for r in ranked])
    return [
        _hit(row, stored[key], explain(profile, row.semantic, stored[key], matcher))
        for row in ranked
        if (key := (row.item_kind, row.item_id, row.passage_no)) in stored
    ]


def readable_items(
    conn: db.Connection, actor: User | None, item_kind: str, limit: int = 500
) -> list[dict[str, Any]]:
    """Indexed items of one kind the actor may read (to pick a query item), newest first."""
    if item_kind not in KINDS:
        raise ValidationError(msg("Unknown item kind {kind}.", kind=repr(item_kind)))
    with db.reading(conn) as cur:
        visible, params = auth.visible_sql(cur, actor, "s")
        sql = (
            "SELECT s.item_id, any_value(s.title) AS title, any_value(coalesce(g.name, ''))"
            " AS group_name FROM search_items s LEFT JOIN buyer_groups g ON g.id = s.group_id"
            f" WHERE s.item_kind = ? AND {visible} GROUP BY s.item_id"  # nosec B608
            " ORDER BY max(s.item_date) DESC NULLS LAST, s.item_id DESC LIMIT ?"
        )
        return db.rows(cur, sql, [item_kind, *params, int(limit)])
