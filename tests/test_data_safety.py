"""An index build killed mid-way and re-run ends exactly as a clean build, BM25 in step with the vectors even
before the re-run; a deleted article leaves no trace."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from rag.fakes import HashingEmbedder
from rag.settings import PROJECT_ROOT
from tests.conftest import SEED_DIR, SEPTEMBER_ARTICLE

# More chunks than one indexing group (Indexer.batch_chunks, 256), so a kill can land between two writes.
ARTICLES = 72


def _corpus(folder: Path, edition: str) -> Path:
    """ARTICLES variants of the seed articles; each edition words its opening differently (so chunks change).

    Every paragraph names its bulletin, so no two chunks are the same text. With 14 identical copies
    of a chunk (one per variant of a seed), Chroma's HNSW index, after the deletes of a re-run, once
    returned only 561 of 567 rows to a query for all of them (all rows present and identical to the
    clean build's): a property of HNSW with many exact duplicates, not of what a build writes."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = sorted(SEED_DIR.glob("*.txt"))
    for i in range(ARTICLES):
        seed = seeds[i % len(seeds)].read_text().replace("\n\n", f"\n\nBulletin {i}: ")
        (folder / f"a{i:03d}.txt").write_text(f"Bulletin {i} ({edition}) opens with a {edition} remark. {seed}")
    return folder


def _build(articles: Path, index: Path, kill_after: float | None = None) -> subprocess.CompletedProcess[str] | int:
    env = {**os.environ, "RAG_INDEX_DIR": str(index), "RAG_EMBED_MODEL": "fake-hashing"}
    args = [sys.executable, "-m", "index", "build", str(articles), "--prune"]
    if kill_after is None:
        return subprocess.run(args, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    process = subprocess.Popen(args, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(kill_after)
    process.send_signal(signal.SIGKILL)
    return process.wait(30)


_DUMP = """
import json, sys
from pathlib import Path
from rag.fakes import HashingEmbedder
from rag.store import ChromaStore
store = ChromaStore.open(Path(sys.argv[1]), None, "news", HashingEmbedder().name)
rows = store._collection.get(include=["documents", "metadatas", "embeddings"])  # the raw rows, on purpose
reachable = store.query(HashingEmbedder().embed_query("countries force troops Ukraine"), max(1, store.count()))
print(json.dumps({"rows": sorted(zip(rows["ids"], rows["documents"], [sorted(m.items()) for m in rows["metadatas"]],
                                     [[round(float(x), 6) for x in e] for e in rows["embeddings"]])),
                  "reachable": sorted(h.chunk.chunk_id for h in reachable), "count": store.count()}))
"""


# BM25 as the next process opens it (which catches it up with the store): every chunk it holds, and what
# a search for the words opening each article (in its first chunk) finds, beside the store's chunks.
_BM25 = """
import json, sys
from pathlib import Path
from tantivy import Query
from rag.fakes import HashingEmbedder
from rag.lexical import LexicalIndex, _chunk
from rag.store import ChromaStore
store = ChromaStore.open(Path(sys.argv[1]), None, "news", HashingEmbedder().name)
lexical = LexicalIndex(store, Path(sys.argv[1]) / "bm25" / "news")
found = lexical.search("opens with a remark", 10 * store.count())
searcher = lexical._opened().index.searcher()  # every document it holds, on purpose
held = [_chunk(searcher.doc(a)) for _, a in searcher.search(Query.all_query(), max(1, searcher.num_docs)).hits]
rows = store._collection.get(include=["documents", "metadatas"])
print(json.dumps({"bm25": sorted((c.chunk_id, c.text) for c in held),
                  "store": sorted(zip(rows["ids"], rows["documents"])),
                  "found": sorted({h.chunk.article_id for h in found}),
                  "articles": sorted({str(m["article_id"]) for m in rows["metadatas"]})}))
"""


def _read(script: str, index: Path) -> dict[str, Any]:
    """Run `script` on `index` in a fresh process: an embedded Chroma client caches the index in memory
    and does not see another process's writes."""
    dump = subprocess.run([sys.executable, "-c", script, str(index)], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert dump.returncode == 0, dump.stderr
    contents: dict[str, Any] = json.loads(dump.stdout)
    return contents


def _contents(index: Path) -> dict[str, Any]:
    """Everything the index holds, and what its vector search can reach."""
    return _read(_DUMP, index)


def _assert_bm25_agrees_with_the_vectors(index: Path) -> None:
    bm25 = _read(_BM25, index)
    assert bm25["bm25"] == bm25["store"]
    assert bm25["found"] == bm25["articles"] and bm25["articles"]


def _timed_clean_build(articles: Path, index: Path) -> float:
    started = time.perf_counter()
    result = _build(articles, index)
    assert not isinstance(result, int) and result.returncode == 0, result
    return time.perf_counter() - started


def _kill_mid_way(articles: Path, index: Path, seconds: float, start: Path | None, done: dict[str, Any]) -> None:
    """SIGKILL a build of `articles` into `index` (a copy of `start`, or empty) part-way: retried with an earlier
    or later kill until it leaves something between the start and `done` (one guess is unreliable under load)."""
    before = _contents(start) if start else {"count": 0}
    low, high = 0.0, seconds
    for _ in range(6):
        shutil.rmtree(index, ignore_errors=True)
        if start:
            shutil.copytree(start, index)
        when = (low + high) / 2
        code = _build(articles, index, kill_after=when)
        assert code in (0, -signal.SIGKILL), code
        if code == 0:  # the build finished before the kill (a warm process beats the timed one): kill earlier
            high = when
            continue
        left = _contents(index)
        if left == done:
            high = when
        elif left["count"] == 0 or left == before:
            low = when
        else:
            return
    raise AssertionError("could not kill the build mid-way")


def test_a_build_killed_mid_way_then_rerun_equals_a_clean_build_even_mid_update(tmp_path: Path) -> None:
    first, second = _corpus(tmp_path / "first", "early"), _corpus(tmp_path / "second", "late")
    seconds = _timed_clean_build(first, tmp_path / "clean-first")
    _timed_clean_build(second, tmp_path / "clean-second")
    clean_first, clean_second = _contents(tmp_path / "clean-first"), _contents(tmp_path / "clean-second")

    index = tmp_path / "killed"
    _kill_mid_way(first, index, seconds, start=None, done=clean_first)
    _assert_bm25_agrees_with_the_vectors(index)  # before any re-run: on opening, BM25 catches up
    _build(first, index)
    assert _contents(index) == clean_first
    _assert_bm25_agrees_with_the_vectors(index)

    # Killed while replacing every article by a new edition: stale chunks must not survive the re-run.
    _kill_mid_way(second, index, seconds, start=tmp_path / "clean-first", done=clean_second)
    _assert_bm25_agrees_with_the_vectors(index)
    _build(second, index)
    assert _contents(index) == clean_second
    _assert_bm25_agrees_with_the_vectors(index)


def test_deleting_an_article_removes_every_trace_of_it(client: TestClient) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    chunks = services.store.chunks(SEPTEMBER_ARTICLE)
    vector = HashingEmbedder().embed_query(chunks[0].text)
    assert client.delete(f"/documents/{SEPTEMBER_ARTICLE}").status_code == 200
    assert services.store.chunks(SEPTEMBER_ARTICLE) == [] and services.store.chunk_hashes(SEPTEMBER_ARTICLE) == {}
    nearest = services.store.query(vector, services.store.count())  # the whole vector index, nearest first
    assert all(h.chunk.article_id != SEPTEMBER_ARTICLE for h in nearest) and len(nearest) == services.store.count()
    assert SEPTEMBER_ARTICLE not in {d["article_id"] for d in client.get("/documents").json()}
    assert client.get(f"/documents/{SEPTEMBER_ARTICLE}").status_code == 404
    found = client.post("/search", json={"query": chunks[0].text[:200], "top_k": 20}).json()["passages"]
    assert all(p["article_id"] != SEPTEMBER_ARTICLE for p in found)
    assert client.delete(f"/documents/{SEPTEMBER_ARTICLE}").status_code == 404
