"""MVI detection: the documented code mapping, multilingual phrases, evidence per flag."""

from __future__ import annotations

import re

import pytest

from buyergroups.ingest import mvi
from buyergroups.ingest.eforms import parse_eforms
from buyergroups.ingest.records import AwardCriterion, Lot, MviFlag, Tender
from tests.ingest.paths import fixture_bytes


def _tender(**fields: object) -> Tender:
    return Tender(
        source="csv", source_id="T", title=str(fields.pop("title", "Kantoorartikelen")), **fields
    )


def test_fixture_flags_codes_first_then_phrases_with_evidence() -> None:
    tender = parse_eforms(fixture_bytes("cn_two_lots.xml"))
    tender.mvi_flags = mvi.detect(tender)
    assert [flag.as_dict() for flag in tender.mvi_flags] == [
        {
            "theme": "circular",
            "kind": "code",
            "field": "BT-774 environmental-impact",
            "evidence": "circ-econ",
        },
        {
            "theme": None,
            "kind": "code",
            "field": "BT-06 strategic-procurement",
            "evidence": "env-imp",
        },
        {"theme": None, "kind": "code", "field": "BT-805 gpp-criteria", "evidence": "eu"},
        {"theme": "circular", "kind": "text", "field": "title", "evidence": "Circulair"},
        {
            "theme": "circular",
            "kind": "text",
            "field": "LOT-0001 award criterion 2 name",
            "evidence": "Hergebruik",
        },
        {
            "theme": "climate",
            "kind": "text",
            "field": "LOT-0001 award criterion 2 description",
            "evidence": "CO2",
        },
        {
            "theme": "climate",
            "kind": "text",
            "field": "LOT-0001 award criterion 2 description",
            "evidence": "uitstoot",
        },
        {
            "theme": "circular",
            "kind": "text",
            "field": "LOT-0001 award criterion 2 description",
            "evidence": "gerecycl",
        },
        {
            "theme": "social_return",
            "kind": "text",
            "field": "LOT-0001 performance condition 1",
            "evidence": "social return",
        },
    ]
    assert tender.mvi is True
    assert tender.mvi_themes == ["climate", "circular", "social_return"]


@pytest.mark.parametrize(
    ("fields", "themes"),
    [
        ({"environmental_impact": ["clim-mitig", "clim-adapt"]}, ["climate"]),
        (
            {"environmental_impact": ["biodiv-eco", "pollu-prev", "water-mar"]},
            ["environment_biodiversity"],
        ),
        ({"social_objective": ["hum-right", "work-cond"]}, ["international_social_conditions"]),
        ({"social_objective": ["et-eq", "gen-eq", "acc-all"]}, ["diversity_inclusion"]),
        ({"social_objective": ["opp"]}, ["social_return"]),
        ({"strategic_procurement": ["env-imp"]}, ["environment_biodiversity"]),
        ({"gpp_criteria": ["national"]}, ["environment_biodiversity"]),
        ({"strategic_procurement": ["soc-obj"]}, []),
    ],
)
def test_documented_code_mapping(fields: dict, themes: list[str]) -> None:
    tender = _tender(**fields)
    tender.mvi_flags = mvi.detect(tender)
    assert (tender.mvi, tender.mvi_themes) == (True, themes)


def test_innovation_alone_is_not_mvi() -> None:
    tender = _tender(strategic_procurement=["inn-pur"], innovative_acquisition=["proc-innov"])
    assert mvi.detect(tender) == []


@pytest.mark.parametrize(
    ("text", "theme", "phrase"),
    [
        ("Reduction of CO2 of vehicles", "climate", "CO2"),
        ("Minder uitstoot van vrachtwagens", "climate", "uitstoot"),
        ("Reduzierung der Treibhausgasemissionen", "climate", "Treibhausgas"),
        ("Réduction des émissions des véhicules", "climate", "émissions"),
        ("Minskade utsläpp från fordon", "climate", "utsläpp"),
        ("Lavere udledning fra køretøjer", "climate", "udledning"),
        ("Reducción de emisiones", "climate", "emisiones"),
        ("Share of recycled material", "circular", "recycl"),
        ("Möbel aus der Kreislaufwirtschaft", "circular", "Kreislauf"),
        ("Mobilier issu du réemploi", "circular", "réemploi"),
        ("Andel återvunnen plast", "circular", "återvun"),
        ("Genbrug af møbler", "circular", "Genbrug"),
        ("Plástico reciclado", "circular", "reciclad"),
        (
            "Koffie met keurmerk voor eerlijke handel",
            "international_social_conditions",
            "eerlijke handel",
        ),
        (
            "Keine Kinderarbeit in der Lieferkette",
            "international_social_conditions",
            "Kinderarbeit",
        ),
        (
            "Respect des conditions de travail",
            "international_social_conditions",
            "conditions de travail",
        ),
        ("Comercio justo", "international_social_conditions", "Comercio justo"),
        (
            "Plaatsing van mensen met een arbeidsbeperking",
            "diversity_inclusion",
            "arbeidsbeperking",
        ),
        ("Främja jämställdhet", "diversity_inclusion", "jämställdhet"),
        ("5% social return verplicht", "social_return", "social return"),
        ("Clauses sociales d'insertion", "social_return", "Clauses sociales"),
        ("Beskæftigelse af langtidsledige", "social_return", "langtidsledig"),
        ("Protection of biodiversity", "environment_biodiversity", "biodivers"),
        ("Produkte mit Blauer Engel", "environment_biodiversity", "Blauer Engel"),
    ],
)
def test_phrases_in_seven_languages(text: str, theme: str, phrase: str) -> None:
    tender = _tender(
        lots=[Lot("L1", award_criteria=[AwardCriterion("quality", "Criterion", text)])]
    )
    flags = [flag for flag in mvi.detect(tender) if flag.theme == theme]
    assert flags == [MviFlag(theme, "text", "L1 award criterion 1 description", phrase)]


@pytest.mark.parametrize(
    ("text", "themes"),
    [
        ("Wartung der Klimaanlage", set()),  # air conditioning, not climate
        ("Biologisk mångfald i parker", {"environment_biodiversity"}),  # not diversity & inclusion
        ("The inclusion of optional services", set()),  # plain "inclusion"
        ("Milieu de gamme", set()),  # French "middle", not Dutch "milieu"
    ],
)
def test_lookalikes_are_not_flagged_as_the_wrong_theme(text: str, themes: set[str]) -> None:
    assert {flag.theme for flag in mvi.detect(_tender(description=text))} == themes


def test_ocds_sustainability_goals_map_to_themes() -> None:
    tender = _tender(
        sustainability=[
            {"goal": "environmental.circularEconomy", "strategies": ["euGPPCriteria"]},
            {"goal": "social.laborRightsPromotion"},
            {"goal": "economic.innovativePurchase"},
        ]
    )
    assert [flag.as_dict() for flag in mvi.detect(tender)] == [
        {
            "theme": "circular",
            "kind": "code",
            "field": "OCDS tender.sustainability.goal",
            "evidence": "environmental.circularEconomy",
        },
        {
            "theme": None,
            "kind": "code",
            "field": "OCDS tender.sustainability.strategies",
            "evidence": "euGPPCriteria",
        },
        {
            "theme": "international_social_conditions",
            "kind": "code",
            "field": "OCDS tender.sustainability.goal",
            "evidence": "social.laborRightsPromotion",
        },
    ]


def _slow_spans(text: str) -> list[tuple[str, tuple[int, int]]]:
    """The phrase spans by the case-insensitive patterns alone (the reference)."""
    return [
        (theme, match.span())
        for theme, pattern in mvi._PATTERNS.items()
        for match in pattern.finditer(text)
    ]


def test_phrases_are_written_in_lowercase() -> None:
    # The fast path matches them case-sensitively in the lowercased text.
    for phrases in mvi.PHRASES.values():
        for phrase in phrases:
            letters = re.sub(r"\\.", "", phrase)
            assert letters == letters.lower(), phrase


def test_lowercasing_equates_the_same_letters_as_ignorecase_except_the_two_excluded() -> None:
    # Every code point that IGNORECASE matches to a phrase's letter is one whose lowercase is
    # that letter, except dotless i and long s (the fast path leaves texts with them to the
    # slow one) and those whose lowercase is longer (so is the text: slow path too).
    every = "".join(chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF)
    letters = {char for phrases in mvi.PHRASES.values() for p in phrases for char in p}
    letters = {char for char in letters if char.isalnum()}
    lowered: dict[str, set[str]] = {}
    for char in every:
        lowered.setdefault(char.lower(), set()).add(char)
    for letter in letters:
        ignorecase = set(re.findall(re.escape(letter), every, re.IGNORECASE))
        odd = ignorecase - lowered.get(letter, set())
        assert odd <= {"\u0131", "\u017f", "\u0130"}, (letter, odd)
        assert lowered.get(letter, set()) <= ignorecase


@pytest.mark.parametrize(
    "text",
    [
        "CO2-Prestatieladder, RECYCLED paper and Fair Trade coffee",
        "İstanbul: emisiones y reciclado",  # lowercase is one character longer
        "Cırcular design with a dotless i",
        "Reuſe of furniture, with a long s",
        "ÉMISSIONS DE GAZ À EFFET DE SERRE; Biologisk MÅNGFALD; ÅTERVINNING",
        "Σ ΕΚΠΟΜΠΕΣ climate",
    ],
)
def test_fast_path_finds_what_the_case_insensitive_patterns_find(text: str) -> None:
    assert mvi.phrase_spans(text) == _slow_spans(text)
    assert _slow_spans(text)  # every case holds a phrase
