"""`python -m index` as a user runs it, with the deterministic embedder and real Chroma."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag.settings import PROJECT_ROOT
from tests.conftest import SEED_DIR


def run_index(tmp_path: Path, *args: str, embedder: str = "fake-hashing") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RAG_INDEX_DIR": str(tmp_path / "index"), "RAG_ARTICLES_DIR": str(tmp_path / "articles"),
           "RAG_EMBED_MODEL": embedder}
    return subprocess.run([sys.executable, "-m", "index", *args], cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    shutil.copytree(SEED_DIR, tmp_path / "articles")
    return tmp_path / "articles"


def test_build_indexes_the_articles_and_a_rerun_changes_nothing(tmp_path: Path, articles: Path) -> None:
    first = run_index(tmp_path, "build")
    assert first.returncode == 0, first.stderr
    assert "5 added" in first.stdout
    second = run_index(tmp_path, "build")
    assert "0 added, 0 updated, 5 unchanged" in second.stdout
    assert first.stdout.split("; ")[1] == second.stdout.split("; ")[1]  # same chunk count


def test_a_bad_file_is_named_the_rest_indexed_and_the_exit_code_says_so(tmp_path: Path, articles: Path) -> None:
    (articles / "broken.jsonl").write_text('{"text": "fine"}\n{oops\n')
    (articles / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    result = run_index(tmp_path, "build")
    assert result.returncode == 1
    assert "broken.jsonl" in result.stderr and "line 2: invalid JSON" in result.stderr
    assert "latin1.txt" in result.stderr and "not UTF-8" in result.stderr
    assert "5 added" in result.stdout and "2 failed" in result.stdout


def test_prune_removes_articles_whose_files_are_gone_and_delete_removes_by_id(tmp_path: Path, articles: Path) -> None:
    run_index(tmp_path, "build")
    (articles / "000_8ccc7c54daaef6ab.txt").unlink()
    pruned = run_index(tmp_path, "build", "--prune")
    assert "1 removed" in pruned.stdout
    deleted = run_index(tmp_path, "delete", "001_0d6942e559b954e6")
    assert deleted.returncode == 0 and "deleted 001_0d6942e559b954e6" in deleted.stdout
    missing = run_index(tmp_path, "delete", "001_0d6942e559b954e6")
    assert missing.returncode == 2 and "no indexed article" in missing.stderr


def test_changing_the_embedder_is_refused_until_a_rebuild(tmp_path: Path, articles: Path) -> None:
    run_index(tmp_path, "build")
    refused = run_index(tmp_path, "build", embedder="all-MiniLM-L6-v2")
    assert refused.returncode == 2 and "--rebuild" in refused.stderr


@pytest.mark.real
def test_rebuild_re_indexes_cleanly_with_bge_small_and_a_rerun_changes_nothing(tmp_path: Path, articles: Path) -> None:
    run_index(tmp_path, "build")
    rebuilt = run_index(tmp_path, "build", "--rebuild", embedder="bge-small-en-v1.5")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "5 added" in rebuilt.stdout
    again = run_index(tmp_path, "build", embedder="bge-small-en-v1.5")
    assert "0 added, 0 updated, 5 unchanged" in again.stdout
    assert rebuilt.stdout.split("; ")[1] == again.stdout.split("; ")[1]
    assert run_index(tmp_path, "build").returncode == 2  # and now the old embedder is the one refused
