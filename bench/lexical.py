"""`python -m bench.lexical --chunks N...`: BM25 (tantivy) search and write costs as the index grows.

For each size: the seed articles padded with generated chunks to N (`eval.retrieval.pad`), the fake
embedder (the embedding is not what is measured), BM25 caught up from the store once; then BM25
searches of the seed questions before any write, and `--writes` times: one new article indexed
(store and BM25, timed), the next search right after it (timed), an article deleted (timed). Last,
the index reopened as a restarted process would (an ids-only read of the store). Prints one
markdown row per size; the index lives in a temporary folder.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from eval.datasets import seed_questions
from eval.metrics import percentile
from eval.retrieval import pad
from rag.articles import read_path
from rag.fakes import HashingEmbedder
from rag.ingest import Indexer
from rag.lexical import LexicalIndex
from rag.services import open_store
from rag.settings import Settings
from rag.types import Article

HEADER = ("| chunks | catch-up from empty s | search p50 ms before writes | search p50 ms right after a write "
          "| add one article p50 ms | delete one p50 ms | reopen in step s |\n|---|---|---|---|---|---|---|")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lexical", description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--writes", type=int, default=20)
    args = parser.parse_args(argv)
    print(HEADER, flush=True)
    for size in args.chunks:
        with tempfile.TemporaryDirectory(prefix="bench-lexical-") as folder:
            print(measure(Path(folder), size, args.writes), flush=True)
    return 0


def measure(folder: Path, size: int, writes: int) -> str:
    """One size's markdown row."""
    settings = Settings.from_env()
    store = open_store(Settings(index_dir=folder, collection="bench-lexical"), HashingEmbedder().name)
    corpus = [a for p in sorted(settings.articles_dir.glob("*.txt")) for a in read_path(p)]
    for _ in Indexer(HashingEmbedder(), store).index_all(corpus):
        pass
    pad(store, corpus, size, HashingEmbedder().dimension)
    lexical = LexicalIndex(store, folder / "bm25")
    build = _seconds(lexical.refresh)
    questions = [q.question for q in seed_questions()]
    lexical.search(questions[0], 10)  # warm
    before = [_seconds(lambda q=q: lexical.search(q, 10)) for q in questions]  # type: ignore[misc]
    indexer = Indexer(HashingEmbedder(), store, lexical=lexical)
    added, after, deleted = [], [], []
    for i in range(writes):
        article, question = _new_article(corpus, i), questions[i % len(questions)]
        added.append(_seconds(lambda a=article: indexer.index(a)))  # type: ignore[misc]
        after.append(_seconds(lambda q=question: lexical.search(q, 10)))  # type: ignore[misc]
        deleted.append(_seconds(lambda a=article: indexer.delete(a.article_id)))  # type: ignore[misc]
    reopen = _seconds(LexicalIndex(store, folder / "bm25").refresh)
    return (f"| {store.count()} | {build:.1f} | {_ms(before)} | {_ms(after)} | {_ms(added)} | {_ms(deleted)} "
            f"| {reopen:.2f} |")


def _new_article(corpus: Sequence[Article], i: int) -> Article:
    """A new article of about three chunks, made of seed sentences."""
    source = corpus[i % len(corpus)]
    return Article(f"bench-new-{i}", f"New {i}", f"Bulletin {i}. " + source.text[:1700], published="2025-10-01",
                   source="Bench")


def _seconds(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _ms(samples: Sequence[float]) -> str:
    return f"{percentile(list(samples), 50) * 1000:.1f}"


if __name__ == "__main__":
    raise SystemExit(main())
