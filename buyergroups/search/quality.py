"""``bench quality``: cross-language recall of each model, raw and with the hybrid ranking.

The evaluation set (``eval/cross_language.json``, written for the project)
holds criteria and tenders, each in seven EU languages with the same meaning.
For every ordered language pair (A, B) every item's A version is a query and
the B versions of all items are the corpus; the hit is the same item. Two
tasks follow the app's two ways of searching:

- ``item``: a stored item is the query (its stored vector, as "Similar
  elsewhere" and "Find similar" with an item do), with the CPV code, theme and
  criterion type its group entered;
- ``text``: a short typed text is the query (the item's title in A, embedded
  as a search text), whose only language-neutral signal is the CPV concepts
  recognised in it.

Groups in different countries do not tag alike, so the metadata of each
language version is what "its" group would have entered: the item's own
values, except that a fixed share (chosen by a hash of item and language,
the same in every run) records the CPV code one level up the hierarchy, no
code at all, another criterion type or a neighbouring theme. Without that
the target would always carry the query's exact metadata and the bonuses
could only help.

Both scores go through the app's own code: a :class:`VectorIndex` of the
corpus, the language filter, and :func:`ranking.bonus_vector` for the hybrid.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from buyergroups.search import ranking
from buyergroups.search.embedder import Embedder
from buyergroups.search.index import Access, Filters, VectorIndex
from buyergroups.search.ranking import WEIGHTS, BonusWeights, ConceptMatcher, QueryProfile
from buyergroups.search.store import Passage, passages_table

EVAL_SET = Path(__file__).resolve().parent / "eval" / "cross_language.json"
TASKS = ("item", "text")
TOP_K = 5
# Neighbouring values a group might pick instead of the item's own.
_OTHER_TYPE = {
    "technical_specification": "award_criterion",
    "award_criterion": "technical_specification",
    "contract_clause": "technical_specification",
    "selection": "technical_specification",
}
_OTHER_THEME = {
    "climate": "environment_biodiversity",
    "environment_biodiversity": "climate",
    "circular": "environment_biodiversity",
    "international_social_conditions": "social_return",
    "social_return": "diversity_inclusion",
    "diversity_inclusion": "social_return",
}

Report = Callable[[str], None]


@dataclass(frozen=True)
class EvalItem:
    """One item of the set: its metadata and its (title, text) per language."""

    item_id: str
    kind: str
    cpv: str
    theme: str
    criterion_type: str
    texts: Mapping[str, tuple[str, str]]


@dataclass(frozen=True)
class EvalSet:
    """The languages and items of an evaluation set."""

    languages: tuple[str, ...]
    items: tuple[EvalItem, ...]


def load_eval_set(path: Path = EVAL_SET) -> EvalSet:
    """Read an evaluation set; every item must have every language."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    languages = tuple(raw["languages"])
    items = []
    for entry in raw["items"]:
        texts = {lang: (pair[0], pair[1]) for lang, pair in entry["texts"].items()}
        if set(texts) != set(languages):
            raise ValueError(f"{entry['id']}: languages {sorted(texts)} != {sorted(languages)}")
        items.append(
            EvalItem(
                entry["id"],
                entry["kind"],
                entry["cpv"],
                entry["theme"],
                entry["type"],
                texts,
            )
        )
    return EvalSet(languages, tuple(items))


def _draw(item_id: str, language: str, what: str) -> int:
    """A number 0..99 fixed by item, language and purpose (no randomness between runs)."""
    digest = hashlib.sha256(f"{item_id}|{language}|{what}".encode()).digest()
    return int.from_bytes(digest[:4], "little") % 100


def recorded_metadata(item: EvalItem, language: str) -> tuple[tuple[str, ...], str, str]:
    """(CPV codes, theme, criterion type) as the group writing in ``language`` entered them."""
    cpv: tuple[str, ...] = (item.cpv,)
    draw = _draw(item.item_id, language, "cpv")
    if draw < 20:
        significant = item.cpv.rstrip("0")
        parent = significant[:-1] if len(significant) > 2 else significant
        cpv = (parent.ljust(8, "0"),)
    elif draw < 30:
        cpv = ()
    theme = item.theme
    if _draw(item.item_id, language, "theme") < 20:
        theme = _OTHER_THEME.get(theme, theme)
    criterion_type = item.criterion_type
    if criterion_type and _draw(item.item_id, language, "type") < 25:
        criterion_type = _OTHER_TYPE[criterion_type]
    return cpv, theme, criterion_type


def passages(eval_set: EvalSet, matcher: ConceptMatcher) -> list[Passage]:
    """Every item in every language as an indexable passage (item_id = position in the set)."""
    found = []
    for number, item in enumerate(eval_set.items):
        for at, language in enumerate(eval_set.languages):
            title, text = item.texts[language]
            cpv, theme, criterion_type = recorded_metadata(item, language)
            passage = Passage(
                item.kind,
                number,
                at,
                None,
                "published",
                title,
                "",
                text,
                language,
                (),
                (theme,),
                "",
                criterion_type,
                cpv,
                (),
                None,
            )
            concepts = tuple(matcher.concepts(passage.embedded_text))
            found.append(replace(passage, concept_codes=concepts))
    return found


def rank_counts(ranked: Sequence[int], target: int) -> tuple[int, int]:
    """(hit at 1, hit in the top ``TOP_K``) for one query: 1 or 0 each."""
    top = list(ranked[:TOP_K])
    return int(bool(top) and top[0] == target), int(target in top)


def recall(hits: Iterable[tuple[int, int]]) -> tuple[float, float]:
    """(recall@1, recall@5) over queries' ``rank_counts``; (0, 0) for no queries."""
    rows = list(hits)
    if not rows:
        return 0.0, 0.0
    return sum(r[0] for r in rows) / len(rows), sum(r[1] for r in rows) / len(rows)


@dataclass(frozen=True)
class PairScores:
    """Recall of one model on one task and language pair."""

    raw: tuple[float, float]
    hybrid: tuple[float, float]


class QualityRun:
    """One model's vectors of the whole set, and recall per task and language pair."""

    def __init__(self, eval_set: EvalSet, embedder: Embedder, matcher: ConceptMatcher) -> None:
        self.eval_set, self.matcher = eval_set, matcher
        self.passages = passages(eval_set, matcher)
        texts = [p.embedded_text for p in self.passages]
        self.vectors = np.asarray(embedder.encode(texts), dtype=np.float32)
        titles = [p.title for p in self.passages]
        self.title_vectors = np.asarray(embedder.encode_query(titles), dtype=np.float32)
        self.index = VectorIndex(self.vectors.shape[1], embedder.model_id)
        self.index.add_table(passages_table(self.passages), self.vectors)
        self._masks = {
            lang: self.index.candidates(Filters(languages=(lang,)), Access.everything())
            for lang in eval_set.languages
        }

    def _profile(self, task: str, passage: Passage) -> QueryProfile:
        if task == "text":
            return QueryProfile(concepts=tuple(self.matcher.concepts(passage.title)))
        return QueryProfile(
            cpv_codes=passage.cpv_codes,
            concepts=passage.concept_codes,
            themes=passage.themes,
            criterion_type=passage.criterion_type,
        )

    def pair(
        self, task: str, source: str, target: str, weights: BonusWeights = WEIGHTS
    ) -> PairScores:
        """Recall@1/@5 of queries in ``source`` against the corpus in ``target``."""
        vectors = self.title_vectors if task == "text" else self.vectors
        raw, hybrid = [], []
        for row, passage in enumerate(self.passages):
            if passage.language != source:
                continue
            query = vectors[row]
            mask = self._masks[target]
            plain = self.index.search(query, TOP_K, mask)
            raw.append(rank_counts([r.item_id for r in plain], passage.item_id))
            bonus = ranking.bonus_vector(self.index, self._profile(task, passage), weights)
            mixed = self.index.search(query, TOP_K, mask, bonus)
            hybrid.append(rank_counts([r.item_id for r in mixed], passage.item_id))
        return PairScores(recall(raw), recall(hybrid))

    def pairs(
        self, task: str, weights: BonusWeights = WEIGHTS
    ) -> dict[tuple[str, str], PairScores]:
        """Every ordered language pair of the set."""
        return {
            (a, b): self.pair(task, a, b, weights)
            for a, b in itertools.permutations(self.eval_set.languages, 2)
        }


def mean_scores(scores: Mapping[tuple[str, str], PairScores]) -> PairScores:
    """The mean over language pairs."""
    values = list(scores.values())

    def avg(pick: Callable[[PairScores], tuple[float, float]]) -> tuple[float, float]:
        return (
            float(np.mean([pick(v)[0] for v in values])),
            float(np.mean([pick(v)[1] for v in values])),
        )

    return PairScores(avg(lambda v: v.raw), avg(lambda v: v.hybrid))


def _cell(scores: PairScores, digits: int = 2) -> str:
    raw, hybrid = scores.raw, scores.hybrid
    values = (raw[0], raw[1], hybrid[0], hybrid[1])
    return "{:.{d}f} {:.{d}f}  {:.{d}f} {:.{d}f}".format(*values, d=digits)


def report_table(
    task: str, runs: Mapping[str, QualityRun], report: Report
) -> dict[str, PairScores]:
    """Print recall per language pair, every model side by side; returns the means."""
    scores = {name: run.pairs(task) for name, run in runs.items()}
    width = max(24, *(len(name) for name in runs))
    report("pair    " + "".join(f"{name[:width]:<{width + 4}}" for name in runs))
    report("        " + "".join(f"{'raw r@1 r@5  hyb r@1 r@5':<{width + 4}}" for _ in runs))
    first = next(iter(scores.values()))
    for pair in first:
        cells = "".join(f"{_cell(scores[name][pair]):<{width + 4}}" for name in runs)
        report(f"{pair[0]}→{pair[1]}   {cells}")
    means = {name: mean_scores(pairs) for name, pairs in scores.items()}
    report("mean    " + "".join(f"{_cell(means[name], 3):<{width + 4}}" for name in runs))
    return means


def describe(eval_set: EvalSet) -> str:
    """One line naming the set's size and languages."""
    criteria = sum(item.kind == "criterion" for item in eval_set.items)
    pairs = len(eval_set.languages) * (len(eval_set.languages) - 1)
    return (
        f"{len(eval_set.items)} items ({criteria} criteria, {len(eval_set.items) - criteria}"
        f" tenders) in {len(eval_set.languages)} languages ({' '.join(eval_set.languages)}),"
        f" {pairs} ordered language pairs"
    )
