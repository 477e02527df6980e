"""Hybrid ranking: semantic score plus language-neutral bonuses, with an explanation.

score = semantic + best CPV bonus (by hierarchy: same code > class > group >
division, over explicit codes and CPV concepts recognised in text) + same MVI
theme + same criterion type. The CPV concepts are the cross-language bridge:
"kantoormeubilair", "Büromöbel" and "office furniture" all become 39130000.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from buyergroups.search.index import VectorIndex

Level = tuple[int, str, float]
# (prefix digits, name, bonus) before re-tuning; the best level reached counts once per hit.
BASE_CPV_LEVELS: tuple[Level, ...] = (
    (8, "same code", 0.15),
    (4, "same class", 0.10),
    (3, "same group", 0.06),
    (2, "same division", 0.03),
)


@dataclass(frozen=True)
class BonusWeights:
    """What each language-neutral signal adds to the semantic score."""

    cpv: tuple[Level, ...] = BASE_CPV_LEVELS
    theme: float = 0.04
    type: float = 0.02

    def scaled(self, cpv: float, theme: float, criterion_type: float) -> BonusWeights:
        """The CPV levels times ``cpv``, with these theme and type bonuses."""
        levels = tuple((digits, name, round(bonus * cpv, 6)) for digits, name, bonus in self.cpv)
        return BonusWeights(levels, theme, criterion_type)


# Tuned on the cross-language evaluation set (`bench quality --tune`). With the
# multilingual model the scores of the right item and of a wrong one lie close
# together, and the old bonuses (same code 0.15, theme 0.04, type 0.02) drowned
# the semantic score: item-to-item recall@1 fell from 0.998 (raw) to 0.904.
# A fifth of the CPV bonus with small theme and type bonuses lifts it to 1.000
# and still lifts the English-only model (0.47 raw -> 0.56).
WEIGHTS = BonusWeights().scaled(cpv=0.2, theme=0.01, criterion_type=0.01)
CPV_LEVELS = WEIGHTS.cpv
THEME_BONUS = WEIGHTS.theme
TYPE_BONUS = WEIGHTS.type

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_PART_SPLIT = re.compile(
    r"[,;()]|\b(?:and|und|en|och|og|et|sowie|samt|or|oder|of|ou|eller)\b", re.IGNORECASE
)
_SUFFIXES = ("erne", "ene", "ern", "ar", "or", "er", "en", "es", "et", "e", "s", "n")
MAX_CODES_PER_TERM = 3
MIN_SINGLE_WORD = 7
MAX_TERM_WORDS = 5


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    """Case-folded, crudely stemmed words of ``text`` (same rule for labels and text)."""
    folded = unicodedata.normalize("NFC", text or "").casefold()
    return [_stem(word) for word in _WORD.findall(folded)]


def _label_terms(label: str, curated: bool) -> Iterable[tuple[str, ...]]:
    if curated:
        yield tuple(words(label))
        return
    parts = [label, *_PART_SPLIT.split(label)]
    for part in parts:
        if not part:
            continue
        raw = _WORD.findall(part)
        if not raw or len(raw) > MAX_TERM_WORDS:
            continue
        if len(raw) == 1 and len(raw[0]) < MIN_SINGLE_WORD:
            continue
        yield tuple(words(part))


@dataclass
class ConceptMatcher:
    """Recognises CPV concepts in text through their labels in any language."""

    display: dict[str, str] = field(default_factory=dict)
    _by_first: dict[str, list[tuple[tuple[str, ...], frozenset[str]]]] = field(default_factory=dict)

    @classmethod
    def from_labels(
        cls, labels: Mapping[str, Sequence[str]], curated: bool = False
    ) -> ConceptMatcher:
        """Build from labels per code; terms naming more than a few codes are too vague.

        Official labels are cut into parts (at commas and conjunctions) and short
        or vague parts dropped; ``curated`` terms are used whole, as written.
        """
        codes_of: dict[tuple[str, ...], set[str]] = {}
        for code, texts in labels.items():
            for text in texts:
                for term in _label_terms(text, curated):
                    codes_of.setdefault(term, set()).add(code)
        matcher = cls(display={code: texts[0] for code, texts in labels.items() if texts})
        for term, codes in codes_of.items():
            if term and len(codes) <= MAX_CODES_PER_TERM:
                matcher._by_first.setdefault(term[0], []).append((term, frozenset(codes)))
        return matcher

    def concepts(self, text: str) -> list[str]:
        """The CPV codes whose labels occur in ``text``, sorted."""
        tokens = words(text)
        found: set[str] = set()
        for at, token in enumerate(tokens):
            for term, codes in self._by_first.get(token, ()):
                if tuple(tokens[at : at + len(term)]) == term:
                    found |= codes
        return sorted(found)

    def label(self, code: str) -> str:
        """A label to show for ``code`` (the code itself when unknown)."""
        return self.display.get(code, code)


def cpv_concepts(
    text: str, labels: Mapping[str, Sequence[str]], curated: bool = False
) -> list[str]:
    """The CPV codes whose labels (any language) occur in ``text``."""
    return ConceptMatcher.from_labels(labels, curated).concepts(text)


@dataclass(frozen=True)
class QueryProfile:
    """The language-neutral signals of a query."""

    cpv_codes: tuple[str, ...] = ()
    concepts: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    criterion_type: str = ""

    @property
    def all_codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.cpv_codes + self.concepts))

    def is_empty(self) -> bool:
        return not (self.cpv_codes or self.concepts or self.themes or self.criterion_type)


def bonus_vector(
    index: VectorIndex, profile: QueryProfile, weights: BonusWeights = WEIGHTS
) -> np.ndarray | None:
    """The bonus of every index row for ``profile`` (None when there is none)."""
    if profile.is_empty():
        return None
    total = index.matrix.shape[0]
    cpv = np.zeros(total, dtype=np.float32)
    for code in profile.all_codes:
        for digits, _name, bonus in reversed(weights.cpv):
            rows = index.rows_with_code_prefix(code[:digits])
            cpv[rows] = np.maximum(cpv[rows], np.float32(bonus))
    for theme in profile.themes:
        cpv[np.unique(index.rows_with_theme(theme))] += np.float32(weights.theme)
    if profile.criterion_type:
        cpv[index.rows_with_type(profile.criterion_type)] += np.float32(weights.type)
    return cpv


@dataclass(frozen=True)
class SharedCode:
    """A CPV code of the query met by a code of the hit, at a hierarchy level."""

    query_code: str
    hit_code: str
    level: str
    label: str
    via_text: bool


@dataclass(frozen=True)
class Explanation:
    """Why a hit ranked where it did."""

    semantic: float
    cpv_bonus: float
    shared_codes: tuple[SharedCode, ...]
    same_themes: tuple[str, ...]
    same_type: bool

    @property
    def bridge_concepts(self) -> tuple[str, ...]:
        """Codes recognised in text on either side that made the match."""
        return tuple(dict.fromkeys(s.query_code for s in self.shared_codes if s.via_text))

    def summary(self) -> str:
        """One line for people: semantic score and each bonus."""
        parts = [f"semantic {self.semantic:.2f}"]
        for shared in self.shared_codes:
            bridge = " via text" if shared.via_text else ""
            parts.append(f"CPV {shared.hit_code} {shared.label} ({shared.level}{bridge})")
        if self.same_themes:
            parts.append("same theme: " + ", ".join(self.same_themes))
        if self.same_type:
            parts.append("same criterion type")
        return "; ".join(parts)


def _level(a: str, b: str) -> tuple[str, float] | None:
    for digits, name, bonus in CPV_LEVELS:
        if a[:digits] == b[:digits]:
            return name, bonus
    return None


def _shared_codes(
    profile: QueryProfile,
    hit_cpv: Sequence[str],
    hit_concepts: Sequence[str],
    labels: ConceptMatcher,
) -> tuple[tuple[SharedCode, ...], float]:
    best = 0.0
    shared: list[SharedCode] = []
    hit_codes = list(dict.fromkeys([*hit_cpv, *hit_concepts]))
    for query_code in profile.all_codes:
        matches = [(m, hit) for hit in hit_codes if (m := _level(query_code, hit))]
        if not matches:
            continue
        (level, bonus), hit = max(matches, key=lambda pair: pair[0][1])
        best = max(best, bonus)
        via_text = query_code not in profile.cpv_codes or hit not in hit_cpv
        shared.append(SharedCode(query_code, hit, level, labels.label(hit), via_text))
    shared.sort(key=lambda s: -dict((n, b) for _d, n, b in CPV_LEVELS)[s.level])
    return tuple(shared), best


def explain(
    profile: QueryProfile,
    semantic: float,
    hit: Mapping[str, object],
    labels: ConceptMatcher,
) -> Explanation:
    """The explanation for one hit (``hit``: its search_items metadata)."""
    hit_cpv = list(hit.get("cpv_codes") or [])  # type: ignore[call-overload]
    hit_concepts = list(hit.get("concept_codes") or [])  # type: ignore[call-overload]
    shared, cpv_bonus = _shared_codes(profile, hit_cpv, hit_concepts, labels)
    hit_themes = set(hit.get("themes") or [])  # type: ignore[call-overload]
    same_themes = tuple(t for t in profile.themes if t in hit_themes)
    same_type = bool(profile.criterion_type) and profile.criterion_type == hit.get("criterion_type")
    return Explanation(semantic, cpv_bonus, shared, same_themes, same_type)
