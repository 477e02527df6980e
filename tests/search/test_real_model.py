"""The English all-MiniLM-L6-v2 model, still available by name: meaning and the CPV bridge."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from buyergroups import db
from buyergroups.search import indexer, service
from buyergroups.search.embedder import Embedder
from buyergroups.search.index import Filters
from tests.search import builders as b

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def model(minilm: Embedder) -> Embedder:
    return minilm


@pytest.fixture(scope="module")
def indexed(model: Embedder, tmp_path_factory: pytest.TempPathFactory):
    conn = db.connect(Path(tmp_path_factory.mktemp("model")) / "t.duckdb")
    sites = b.add_group(conn, "Zero emission construction sites", countries=("NO",))
    furniture = b.add_group(conn, "Circular office furniture", countries=("GB",))
    meals = b.add_group(conn, "Sustainable catering", countries=("NL",))
    ids = {
        "electric_excavators": b.add_criterion(
            conn,
            sites,
            "Emission-free excavators",
            "At least half of the excavators and wheel loaders on site are electric or "
            "hydrogen powered and emit no exhaust gases.",
        ),
        "fossil_free": b.add_criterion(
            conn,
            sites,
            "Fossil-free machinery on building sites",
            "All construction equipment runs without fossil fuels; diesel machines are "
            "replaced by battery-electric machines.",
        ),
        "office_furniture": b.add_criterion(
            conn,
            furniture,
            "Remanufactured office furniture",
            "At least 50% of the delivered office furniture is remanufactured or refurbished.",
            theme="circular",
        ),
        "seating": b.add_criterion(
            conn,
            furniture,
            "Take-back of office furniture",
            "The supplier takes back used office furniture for reuse at the end of the contract.",
            theme="circular",
        ),
        "coffee": b.add_criterion(
            conn,
            meals,
            "Fair trade coffee and tea",
            "Coffee and tea served in the canteen carry a fair trade label.",
            theme="international_social_conditions",
        ),
        "organic": b.add_criterion(
            conn,
            meals,
            "Organic vegetables",
            "At least 30% of vegetables are organic.",
            theme="environment_biodiversity",
        ),
        "sroi": b.add_criterion(
            conn,
            meals,
            "Social return on investment",
            "The contractor spends 5% of the contract value on jobs for people with a distance "
            "to the labour market.",
            theme="social_return",
        ),
    }
    viewer = b.add_user(conn, "Vera")
    indexer.sync(conn, model)
    yield conn, service.open_index(conn, model), viewer, ids
    conn.close()


def test_model_vectors_are_normalised_float32(model: Embedder) -> None:
    vectors = model.encode(["excavator", "office chair"])
    assert (vectors.dtype, vectors.shape) == (np.float32, (2, 384))
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_zero_emission_machinery_ranks_emission_free_equipment_first(model, indexed) -> None:
    conn, index, viewer, ids = indexed
    hits = service.search(conn, index, model, viewer, "zero-emission construction machinery", k=7)
    top_two = {h.item_id for h in hits[:2]}
    assert top_two == {ids["electric_excavators"], ids["fossil_free"]}
    unrelated = {ids["coffee"], ids["organic"], ids["sroi"], ids["office_furniture"]}
    best_unrelated = max(h.score for h in hits if h.item_id in unrelated)
    assert min(h.score for h in hits[:2]) > best_unrelated


def test_dutch_office_furniture_text_finds_english_criteria_through_cpv(model, indexed) -> None:
    conn, index, viewer, ids = indexed
    dutch = (
        "Kantoormeubilair: minimaal de helft van het geleverde kantoormeubilair is "
        "gereviseerd of hergebruikt."
    )
    hits = service.search(conn, index, model, viewer, dutch, Filters(kinds=("criterion",)), k=3)
    assert {h.item_id for h in hits[:2]} == {ids["office_furniture"], ids["seating"]}
    assert hits[0].explanation.bridge_concepts == ("39130000",)
    assert hits[0].explanation.shared_codes[0].level == "same code"
