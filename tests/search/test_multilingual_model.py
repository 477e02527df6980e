"""The default multilingual-e5-small model: cross-language hits through the app's search."""

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

# One criterion per language, each on another subject; the English query names the subject.
CRITERIA = {
    "nl": (
        "Elektrische graafmachines",
        "Minstens de helft van de graafmachines op de bouwplaats is batterij-elektrisch.",
        "battery-powered excavators on the construction site",
    ),
    "de": (
        "Fair gehandelter Kaffee",
        "Kaffee, Tee und Kakao in der Kantine tragen ein Fairtrade-Siegel.",
        "fair trade coffee and tea in the canteen",
    ),
    "sv": (
        "Återvunnen asfalt",
        "Asfalten till det nya slitlagret innehåller minst 30 % återvunnen asfalt.",
        "recycled asphalt in the road surface",
    ),
    "fr": (
        "Vêtements de travail en coton biologique",
        "Au moins 70 % du coton des vêtements de travail est issu de l'agriculture biologique.",
        "organic cotton workwear",
    ),
    "es": (
        "Empleo para personas en paro de larga duración",
        "El contratista destina el 5 % del valor del contrato a empleo para parados de larga duración.",
        "jobs for the long-term unemployed",
    ),
    "it": (
        "Pompe di calore nelle palestre",
        "Le caldaie a gas delle palestre comunali sono sostituite da pompe di calore.",
        "heat pumps replacing gas boilers in sports halls",
    ),
}


@pytest.fixture(scope="module")
def indexed(default_model: Embedder, tmp_path_factory: pytest.TempPathFactory):
    conn = db.connect(Path(tmp_path_factory.mktemp("e5")) / "t.duckdb")
    groups = {lang: b.add_group(conn, f"Group {lang}", countries=("NL",)) for lang in CRITERIA}
    ids = {
        lang: b.add_criterion(conn, groups[lang], title, body, language=lang)
        for lang, (title, body, _query) in CRITERIA.items()
    }
    dutch_twin = b.add_criterion(
        conn,
        b.add_group(conn, "Dutch twin", countries=("NL",)),
        "Hergebruikt asfalt",
        "Het asfalt voor de nieuwe deklaag bevat minimaal 30% hergebruikt asfaltgranulaat.",
        language="nl",
    )
    viewer = b.add_user(conn, "Vera")
    indexer.sync(conn, default_model)
    yield conn, service.open_index(conn, default_model), viewer, ids, dutch_twin
    conn.close()


def test_the_default_model_is_multilingual_e5_with_its_prompts(default_model: Embedder) -> None:
    assert (default_model.model_id, default_model.dim) == ("multilingual-e5-small", 384)
    passage = default_model.encode(["Elektrische bussen voor de stadslijnen"])
    query = default_model.encode_query(["Elektrische bussen voor de stadslijnen"])
    assert passage.dtype == np.float32
    assert np.allclose(np.linalg.norm(np.vstack([passage, query]), axis=1), 1.0, atol=1e-5)
    # "query: " and "passage: " make different, close vectors of the same text.
    assert 0.85 < float(passage[0] @ query[0]) < 0.999


@pytest.mark.parametrize("language", sorted(CRITERIA))
def test_an_english_query_finds_the_criterion_written_in_another_language(
    indexed, default_model: Embedder, language: str
) -> None:
    conn, index, viewer, ids, twin = indexed
    query = CRITERIA[language][2]
    not_the_twin = Filters(exclude_items=(("criterion", twin),))
    hits = service.search(conn, index, default_model, viewer, query, not_the_twin, k=3)
    assert hits[0].item_id == ids[language]
    assert hits[0].language == language
    assert hits[0].explanation.summary().startswith("semantic ")


def test_an_item_query_finds_its_translation_in_another_group(
    indexed, default_model: Embedder
) -> None:
    conn, index, viewer, ids, twin = indexed
    ref = service.ItemRef("criterion", ids["sv"], other_groups=True)
    hits = service.search(conn, index, default_model, viewer, ref, Filters(languages=("nl",)), k=2)
    assert [h.item_id for h in hits] == [twin, ids["nl"]]
    assert hits[0].semantic > hits[1].semantic + 0.05


@pytest.mark.model
def test_the_int8_precision_quantizes_the_linear_layers_close_to_float32(
    default_model: Embedder,
) -> None:
    """BUYERGROUPS_MODEL_PRECISION=int8: quantized linear layers, its own model id, close vectors."""
    import torch

    from buyergroups.search.embedder import load_embedder, model_id_of

    quantized = load_embedder(precision="int8")
    assert quantized.model_id == model_id_of("multilingual-e5-small", "int8")
    assert quantized.model_id == "multilingual-e5-small+int8"
    layers = [m for m in quantized._model.modules() if isinstance(m, torch.nn.Linear)]
    assert not layers  # every float Linear was replaced by a dynamically quantized one
    texts = ["Elektrische bussen voor de stadslijnen", "Recycled asphalt in the new surface"]
    cosines = np.sum(quantized.encode(texts) * default_model.encode(texts), axis=1)
    assert cosines.min() > 0.97
    assert not np.allclose(cosines, 1.0, atol=1e-4)  # it is not the float32 model again
