"""Keep ``search_items`` in step with the workspace: passages, incremental sync, re-index.

Only passages whose text or model changed are embedded (all of them in one
batched pass); metadata-only changes (published, moved, re-tagged) update rows
without touching vectors; items deleted at the source disappear.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from buyergroups import db
from buyergroups.search import cpv_terms, store
from buyergroups.search.embedder import Embedder
from buyergroups.search.ranking import ConceptMatcher
from buyergroups.search.store import Key, Passage

Progress = Callable[[int, int], None]
PASSAGE_CHARS = 900
EMBED_CHUNK = 512
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

# Fixed SQL per kind; {where} is one of the fixed fragments below, never user text.
_SOURCES: dict[str, str] = {
    "criterion": """
        SELECT c.id, c.group_id, c.visibility, c.title, c.body, c.language, g.countries,
               ARRAY[c.theme] AS themes, c.ambition_level, c.criterion_type,
               CASE WHEN len(c.cpv_codes) > 0 THEN c.cpv_codes ELSE g.cpv_codes END,
               CAST(c.updated_at AS DATE)
        FROM criteria c JOIN buyer_groups g ON g.id = c.group_id
        WHERE c.deleted_at IS NULL AND g.deleted_at IS NULL {where}""",
    "document": """
        SELECT d.id, d.group_id, d.visibility, d.title, d.body, d.language, g.countries,
               CASE WHEN len(d.themes) > 0 THEN d.themes ELSE g.themes END, '', '',
               CASE WHEN len(d.cpv_codes) > 0 THEN d.cpv_codes ELSE g.cpv_codes END,
               CAST(d.updated_at AS DATE)
        FROM documents d JOIN buyer_groups g ON g.id = d.group_id
        WHERE d.deleted_at IS NULL AND g.deleted_at IS NULL {where}""",
    "dialogue": """
        SELECT e.id, e.group_id, e.visibility, e.title,
               CASE WHEN trim(e.takeaways) <> '' THEN e.takeaways ELSE e.notes END,
               e.language, g.countries, g.themes, '', '', g.cpv_codes, e.held_on
        FROM dialogue_events e JOIN buyer_groups g ON g.id = e.group_id
        WHERE e.deleted_at IS NULL AND g.deleted_at IS NULL {where}""",
    "tender": """
        SELECT t.id, NULL, 'published', t.title, coalesce(t.description, ''),
               coalesce(t.language, ''),
               CASE WHEN t.buyer_country IS NULL THEN ARRAY[]::VARCHAR[]
                    ELSE ARRAY[t.buyer_country] END,
               coalesce(t.mvi_themes, ARRAY[]::VARCHAR[]), '', '',
               coalesce(t.cpv_codes, ARRAY[]::VARCHAR[]),
               CAST(t.published_on AS DATE)
        FROM tenders t WHERE TRUE {where}""",
}
_ITEM_WHERE = {
    "criterion": "AND c.id = ?",
    "document": "AND d.id = ?",
    "dialogue": "AND e.id = ?",
    "tender": "AND t.id = ?",
}


def split_passages(body: str, max_chars: int = PASSAGE_CHARS) -> list[tuple[str, str]]:
    """(heading, text) pieces of at most about ``max_chars``, split at headings and paragraphs."""
    pieces: list[tuple[str, str]] = []
    heading, current = "", ""
    for block in re.split(r"\n\s*\n", body or ""):
        lines = block.strip().splitlines()
        while lines and (match := _HEADING.match(lines[0])):
            if current:
                pieces.append((heading, current))
                current = ""
            heading, lines = match.group(1), lines[1:]
        for part in _fit(" ".join(line.strip() for line in lines).strip(), max_chars):
            if current and len(current) + len(part) + 2 > max_chars:
                pieces.append((heading, current))
                current = ""
            current = f"{current}\n\n{part}" if current else part
    if current or not pieces:
        pieces.append((heading, current))
    return pieces


def _fit(paragraph: str, max_chars: int) -> list[str]:
    """A paragraph cut at sentence ends into parts of at most ``max_chars`` (when possible)."""
    if len(paragraph) <= max_chars:
        return [paragraph] if paragraph else []
    parts, current = [], ""
    for sentence in _SENTENCE_END.split(paragraph):
        if current and len(current) + len(sentence) + 1 > max_chars:
            parts.append(current)
            current = ""
        current = f"{current} {sentence}" if current else sentence
    return [*parts, current] if current else parts


def _table_exists(cur: db.Connection, table: str) -> bool:
    return bool(
        db.value(
            cur, "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
        )
    )


def _passages_of(kind: str, found: tuple[Any, ...], matcher: ConceptMatcher) -> list[Passage]:
    item_id, group_id, visibility, title, body, language, countries, themes, *rest = found
    ambition, criterion_type, cpv_codes, item_date = rest
    base = Passage(
        kind,
        int(item_id),
        0,
        group_id,
        visibility or "group",
        title or "",
        "",
        "",
        language or "",
        tuple(countries or ()),
        tuple(themes or ()),
        ambition or "",
        criterion_type or "",
        tuple(cpv_codes or ()),
        (),
        item_date,
    )
    pieces = split_passages(body) if kind == "document" else [("", (body or "").strip())]
    passages = []
    for number, (heading, text) in enumerate(pieces, start=1 if kind == "document" else 0):
        passage = replace(base, passage_no=number, heading=heading, text=text)
        concepts = tuple(matcher.concepts(passage.embedded_text))
        passages.append(replace(passage, concept_codes=concepts))
    return passages


def source_passages(
    cur: db.Connection, matcher: ConceptMatcher, scope: tuple[str, int] | None = None
) -> list[Passage]:
    """Every passage the workspace holds now (or those of one item)."""
    kinds = [scope[0]] if scope else list(_SOURCES)
    passages: list[Passage] = []
    for kind in kinds:
        if kind == "tender" and not _table_exists(cur, "tenders"):
            continue
        where, params = (_ITEM_WHERE[kind], [scope[1]]) if scope else ("", [])
        sql = _SOURCES[kind].format(where=where)  # nosec B608 - fixed fragments
        for found in cur.execute(sql, params).fetchall():
            passages.extend(_passages_of(kind, found, matcher))
    return passages


@dataclass
class SyncPlan:
    """What a sync has to do."""

    embed: list[Passage] = field(default_factory=list)
    metadata: list[Passage] = field(default_factory=list)
    remove: list[Key] = field(default_factory=list)
    unchanged: int = 0

    def relabelled_or_removed(self) -> set[tuple[str, int]]:
        """Items whose stored passages change without a new vector (metadata, removal)."""
        keys = [p.key for p in self.metadata] + self.remove
        return {(kind, item_id) for kind, item_id, _ in keys}


def plan_sync(wanted: list[Passage], stored: dict[Key, store.StoredRow], model_id: str) -> SyncPlan:
    """Compare the passages wanted with the stored ones."""
    plan = SyncPlan()
    for passage in wanted:
        row = stored.get(passage.key)
        if row is None or row.text_hash != passage.text_hash or row.model_id != model_id:
            plan.embed.append(passage)
        elif row.metadata != passage.metadata():
            plan.metadata.append(passage)
        else:
            plan.unchanged += 1
    wanted_keys = {p.key for p in wanted}
    plan.remove = sorted(key for key in stored if key not in wanted_keys)
    return plan


def _embed_and_store(
    conn: db.Connection, embedder: Embedder, passages: list[Passage], progress: Progress | None
) -> None:
    total = len(passages)
    if progress:
        progress(0, total)
    # Chunks of similar length pad as little as one call over all texts would.
    passages = sorted(passages, key=lambda passage: len(passage.embedded_text))
    for start in range(0, total, EMBED_CHUNK):
        chunk = passages[start : start + EMBED_CHUNK]
        vectors = embedder.encode([p.embedded_text for p in chunk])
        with db.transaction(conn) as cur:
            store.write_embedded(cur, chunk, np.asarray(vectors), embedder.model_id)
            # Logged with the vectors: other processes load them, never embed again.
            store.log_changes(cur, {(p.item_kind, p.item_id) for p in chunk})
        if progress:
            progress(min(start + EMBED_CHUNK, total), total)


def _apply(
    conn: db.Connection, embedder: Embedder, plan: SyncPlan, progress: Progress | None
) -> dict[str, int]:
    _embed_and_store(conn, embedder, plan.embed, progress)
    with db.transaction(conn) as cur:
        for passage in plan.metadata:
            store.update_metadata(cur, passage)
        store.delete_keys(cur, plan.remove)
        store.log_changes(cur, plan.relabelled_or_removed())
    return {
        "embedded": len(plan.embed),
        "metadata_updated": len(plan.metadata),
        "removed": len(plan.remove),
        "unchanged": plan.unchanged,
    }


def sync(
    conn: db.Connection,
    embedder: Embedder,
    progress: Progress | None = None,
    matcher: ConceptMatcher | None = None,
) -> dict[str, int]:
    """Bring the whole index up to date; returns counts of embedded/updated/removed passages."""
    with db.reading(conn) as cur:
        matcher = matcher or load_matcher(cur)
        wanted = source_passages(cur, matcher)
        stored = store.stored_rows(cur)
    return _apply(conn, embedder, plan_sync(wanted, stored, embedder.model_id), progress)


def reindex_item(
    conn: db.Connection,
    embedder: Embedder,
    item_kind: str,
    item_id: int,
    matcher: ConceptMatcher | None = None,
) -> dict[str, int]:
    """Re-index one item after a save or delete (the UI calls this)."""
    if item_kind not in _SOURCES:
        raise ValueError(f"unknown item kind {item_kind!r}")
    scope = (item_kind, int(item_id))
    with db.reading(conn) as cur:
        matcher = matcher or load_matcher(cur)
        wanted = source_passages(cur, matcher, scope)
        stored = store.stored_rows(cur, scope)
    return _apply(conn, embedder, plan_sync(wanted, stored, embedder.model_id), None)


_MATCHERS: dict[str, ConceptMatcher] = {}


def load_matcher(cur: db.Connection) -> ConceptMatcher:
    """The CPV concept matcher for the labels stored now (built once per label set)."""
    source = cpv_terms.labels_source(cur)
    if source not in _MATCHERS:
        _MATCHERS.clear()
        labels = cpv_terms.load_labels(cur)
        _MATCHERS[source] = ConceptMatcher.from_labels(labels, curated=source == "builtin")
    return _MATCHERS[source]
