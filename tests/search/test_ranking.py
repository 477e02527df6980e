"""CPV concepts in many languages and the hierarchy of CPV bonuses."""

from __future__ import annotations

import pytest

from buyergroups.search.cpv_terms import builtin_labels
from buyergroups.search.ranking import ConceptMatcher, QueryProfile, cpv_concepts, explain


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Levering van duurzaam kantoormeubilair", ["39130000"]),
        ("Remanufactured office furniture and desks", ["39121100", "39130000"]),
        ("Emissionsfreie Bagger auf der Baustelle", ["43260000"]),
        ("Nollutsläpp för grävmaskiner", ["43260000"]),
        ("Mobilier de bureau reconditionné", ["39130000"]),
        ("Zero-emission construction machinery", ["43000000"]),
        ("Fair trade coffee", []),
    ],
)
def test_builtin_concepts_recognise_products_in_several_languages(text: str, codes: list) -> None:
    assert cpv_concepts(text, builtin_labels(), curated=True) == codes


def test_vague_label_parts_are_not_concepts() -> None:
    labels = {
        "11000000": ["Widgets, accessories"],
        "12000000": ["Gadgets, accessories"],
        "13000000": ["Sprockets, accessories"],
        "14000000": ["Gizmos and accessories"],
    }
    assert cpv_concepts("accessories for gadgets", labels) == ["12000000"]


@pytest.mark.parametrize(
    ("hit_code", "level", "bonus"),
    [
        ("39130000", "same code", 0.03),
        ("39131000", "same class", 0.02),
        ("39112000", "same group", 0.012),
        ("39000000", "same division", 0.006),
    ],
)
def test_cpv_bonus_follows_the_hierarchy(hit_code: str, level: str, bonus: float) -> None:
    matcher = ConceptMatcher.from_labels(builtin_labels(), curated=True)
    profile = QueryProfile(cpv_codes=("39130000",))
    explanation = explain(profile, 0.5, {"cpv_codes": [hit_code]}, matcher)
    assert [(s.level, s.via_text) for s in explanation.shared_codes] == [(level, False)]
    assert explanation.cpv_bonus == bonus


def test_explanation_summary_names_bridge_concepts() -> None:
    matcher = ConceptMatcher.from_labels(builtin_labels(), curated=True)
    profile = QueryProfile(concepts=("39130000",), themes=("circular",))
    hit = {"cpv_codes": [], "concept_codes": ["39130000"], "themes": ["circular"]}
    explanation = explain(profile, 0.25, hit, matcher)
    assert explanation.bridge_concepts == ("39130000",)
    assert explanation.summary() == (
        "semantic 0.25; CPV 39130000 office furniture (same code via text); same theme: circular"
    )


def test_imported_cpv_list_replaces_the_builtin_one(search_conn) -> None:
    from buyergroups import db
    from buyergroups.search.indexer import load_matcher

    with db.transaction(search_conn) as cur:
        cur.execute(
            "INSERT INTO cpv_codes (code, kind, labels, label_en, imported_at) VALUES"
            " ('39130000', 'main', ?, 'Office furniture', now()),"
            " ('44211100', 'main', ?, 'Modular and portable buildings', now())",
            [
                '{"en": "Office furniture", "nl": "Kantoormeubilair", "fi": "Toimistokalusteet"}',
                '{"en": "Modular and portable buildings", "nl": "Modulaire gebouwen"}',
            ],
        )
    with db.reading(search_conn) as cur:
        matcher = load_matcher(cur)
    assert matcher.concepts("Toimistokalusteet ja modulaire gebouwen") == ["39130000", "44211100"]
    assert matcher.label("44211100") == "Modular and portable buildings"
