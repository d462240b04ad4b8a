"""A bundled sentence-transformers encoder exported to ONNX and quantised to INT8, once, into the model cache.

No INT8 ONNX all-MiniLM-L6-v2 ships on the package index, and nothing may be fetched from a model hub,
so the set-up step makes one from the bundled torch weights: `torch.onnx.export` of the BERT encoder
(token vectors out; sentence-transformers' own Pooling and Normalize run after it, `rag.embedding`),
then onnxruntime's dynamic quantisation of its weights to INT8. The folder is written beside the
default GGUF with a manifest of the source weights' and the result's checksums; a folder whose files
do not match its manifest, or whose source weights changed, is exported again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
_SOURCE_WEIGHTS = "model.safetensors"
_COPIED = ("tokenizer.json", "config.json", "sentence_bert_config.json")  # what the ONNX loader reads besides
_OPSET = 17


def int8_folder(source: Path, target: Path) -> Path:
    """`target`, holding `source`'s encoder as INT8 ONNX; exported now unless an intact export is there."""
    source_digest = _sha256(source / _SOURCE_WEIGHTS)
    if _intact(target, source_digest):
        return target
    log.info("exporting %s to INT8 ONNX in %s (once; about half a minute)", source, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.name}-") as tmp:
        staging = Path(tmp) / "out"
        staging.mkdir()
        _export(source, staging)
        manifest = {"source": str(source), _SOURCE_WEIGHTS: source_digest,
                    "model.onnx": _sha256(staging / "model.onnx"), **_versions()}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
        if target.exists():
            shutil.rmtree(target)
        try:
            staging.rename(target)  # one rename: a reader never sees half a folder
        except OSError:
            if not _intact(target, source_digest):  # unless another process's export got there first
                raise
    return target


def _intact(folder: Path, source_digest: str) -> bool:
    manifest = _manifest(folder)
    return (manifest is not None and manifest.get(_SOURCE_WEIGHTS) == source_digest
            and (folder / "model.onnx").is_file() and _sha256(folder / "model.onnx") == manifest.get("model.onnx"))


def _manifest(folder: Path) -> dict[str, str] | None:
    try:
        return dict(json.loads((folder / MANIFEST).read_text()))
    except (OSError, ValueError):
        return None


def _export(source: Path, out: Path) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel, AutoTokenizer

    class TokenVectors(torch.nn.Module):
        """The encoder called by keyword: its positional order is not stable across transformers releases."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(source)).eval()

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> torch.Tensor:
            return self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids).last_hidden_state

    model = TokenVectors().eval()
    sample = AutoTokenizer.from_pretrained(str(source))(["A sentence to trace the graph with."], return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "tokens"} for name in names}
    fp32 = out / "model-fp32.onnx"
    with torch.inference_mode():
        # The TorchScript exporter: one self-contained file, and no onnxscript dependency.
        torch.onnx.export(model, tuple(sample[name] for name in names), str(fp32), input_names=names,
                          output_names=["last_hidden_state"],
                          dynamic_axes={**axes, "last_hidden_state": {0: "batch", 1: "tokens"}},
                          opset_version=_OPSET, dynamo=False)
    # Weights to signed INT8 with a scale per output channel (one scale per tensor moved the vectors to a
    # median cosine of 0.953 from torch's, per channel 0.993), activations quantised per batch at run time.
    quantize_dynamic(str(fp32), str(out / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True)
    fp32.unlink()
    for name in _COPIED:
        if (source / name).is_file():
            shutil.copy2(source / name, out / name)


def _versions() -> dict[str, str]:
    import onnxruntime
    import torch

    return {"torch": torch.__version__, "onnxruntime": onnxruntime.__version__}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m rag.onnx_export`: export each bundled INT8 embedder into the model cache (a set-up step)."""
    import argparse

    from rag.embedding import BUNDLED_EMBEDDERS, resolve_embedder_path
    from rag.settings import Settings

    argparse.ArgumentParser(prog="python -m rag.onnx_export", description=main.__doc__).parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    cache = Settings.from_env().model_cache
    for name, bundled in BUNDLED_EMBEDDERS.items():
        if bundled.int8_export:
            print(resolve_embedder_path(name, cache))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
