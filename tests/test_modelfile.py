import hashlib
from pathlib import Path

import pytest

from rag import modelfile
from rag.errors import ModelUnavailable
from rag.modelfile import PartedModel, assemble, resolve_model_path
from rag.services import load_generator
from rag.settings import Settings


def fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PartedModel:
    parts = {f"pkg-part{i}": tmp_path / f"part{i:02d}.bin" for i in (1, 2, 3)}
    for i, path in enumerate(parts.values()):
        path.write_bytes(b"GGUF" * (i + 1) if i == 0 else bytes([i]) * 1000)
    monkeypatch.setattr(modelfile, "_part_file", lambda package: parts[package])
    joined = b"".join(p.read_bytes() for p in parts.values())
    return PartedModel("fake", "fake.gguf", tuple(parts), len(joined), hashlib.sha256(joined).hexdigest())


def test_parts_are_joined_in_order_and_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = fake_parts(tmp_path, monkeypatch)
    target = assemble(model, tmp_path / "cache" / "fake.gguf")
    assert hashlib.sha256(target.read_bytes()).hexdigest() == model.sha256
    assert not target.with_suffix(".partial").exists()


def test_a_checksum_mismatch_leaves_no_model_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = fake_parts(tmp_path, monkeypatch)
    wrong = PartedModel(model.name, model.filename, model.packages, model.size, "0" * 64)
    with pytest.raises(ModelUnavailable, match="checksum"):
        assemble(wrong, tmp_path / "cache" / "fake.gguf")
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_wrong_or_missing_model_path_names_the_setting(tmp_path: Path) -> None:
    bogus = tmp_path / "model.gguf"
    bogus.write_bytes(b"not a model")
    for path, message in [(bogus, "not a GGUF"), (tmp_path / "missing.gguf", "no such file")]:
        with pytest.raises(ModelUnavailable, match=f"RAG_LLM_PATH=.*{message}"):
            load_generator(Settings(llm_path=path))


def test_missing_part_packages_name_the_fix() -> None:
    with pytest.raises(ModelUnavailable, match="no-such-package-part1.*RAG_LLM_PATH"):
        modelfile._part_file("no-such-package-part1")


def test_an_explicit_model_path_is_used_as_is(tmp_path: Path) -> None:
    model = tmp_path / "other.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 16)
    assert resolve_model_path(model, tmp_path / "cache") == model
