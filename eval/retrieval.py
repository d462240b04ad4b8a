"""`python -m eval retrieval`: the retrieval benchmark. Dense-only, BM25-only, hybrid and
hybrid + rerank on the seed questions and the MultiHop-RAG subset; the table goes into
docs/benchmarks.md, written by this command.

Metrics (definitions shared with the question suites, eval/metrics.py): Hits@k is 1 when a gold
article (seed) or a gold fact (MultiHop-RAG, upstream's whitespace-free substring rule) is in the
top k; MRR@10; for MultiHop-RAG also evidence recall@10, the share of a question's gold facts found
in the top 10 (its questions need two to four). Unanswerable questions have no gold and are left out.
"""

from __future__ import annotations

import datetime as dt
import platform
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from eval.datasets import Question, multihop_corpus, multihop_questions, seed_questions
from eval.metrics import hits_and_rank, percentile
from rag.articles import read_path
from rag.embedding import Embedder
from rag.ingest import Indexer
from rag.retrieval import RERANK_WEIGHT, Mode, Retriever
from rag.settings import PROJECT_ROOT, Settings
from rag.types import Article, Hit

DOC = PROJECT_ROOT / "docs" / "benchmarks.md"
START, END = "<!-- retrieval-table:start -->", "<!-- retrieval-table:end -->"
# (name, candidate source, rerank?, candidates per retriever (None: RAG_RERANK_CANDIDATES), rerank weight).
# A reranking configuration scores only its candidates, as the service does; the quality table's
# places past them come from the fused list in order (see `_ranked`).
Config = tuple[str, Mode, bool, int | None, float]
DEFAULT = ("hybrid + rerank (default)", "hybrid", True, None, RERANK_WEIGHT)
EIGHT = ("hybrid + rerank, 8 candidates", "hybrid", True, 8, RERANK_WEIGHT)
TWELVE = ("hybrid + rerank, 12 candidates", "hybrid", True, 12, RERANK_WEIGHT)
CONFIGS: tuple[Config, ...] = (
    ("dense", "dense", False, None, RERANK_WEIGHT), ("bm25", "lexical", False, None, RERANK_WEIGHT),
    ("hybrid (RRF)", "hybrid", False, None, RERANK_WEIGHT),
    ("dense + rerank", "dense", True, None, RERANK_WEIGHT), DEFAULT,
    ("hybrid + rerank alone, no blend", "hybrid", True, None, 1.0), EIGHT, TWELVE)
SCALE_CONFIGS: tuple[Config, ...] = (*CONFIGS[:3], DEFAULT, EIGHT, TWELVE)


@dataclass(frozen=True)
class Row:
    suite: str
    config: str
    chunks: int
    questions: int
    hits4: float
    hits10: float
    mrr10: float
    evidence_recall10: float | None
    p50_ms: float
    p95_ms: float


def run(suites: Sequence[str], out: Path, embed_model: str | None = None, write_doc: bool = True) -> list[Row]:
    """Index each suite's corpus once, then time every configuration on its questions."""
    from rag.rerank import CrossEncoderReranker
    from rag.services import load_embedder, open_lexical, open_store

    settings = Settings.from_env()
    if embed_model:
        settings = replace(settings, embed_model=embed_model)
    embedder = load_embedder(settings)
    reranker = CrossEncoderReranker(threads=settings.llm_threads)
    rows: list[Row] = []
    for suite in suites:
        questions, corpus, fact_rule = _suite(suite, settings)
        collection = f"retrieval-{suite}-{embedder.name}"[:60]
        suite_settings = replace(settings, index_dir=out / "index", collection=collection)
        store = open_store(suite_settings, embedder.name)
        _index(Indexer(embedder, store, settings.chunk_chars), corpus)
        lexical = open_lexical(suite_settings, store)
        lexical.refresh()
        for name, mode, rerank, candidates, weight in CONFIGS:
            retriever = Retriever(embedder, store, reranker if rerank else None,
                                  candidates or settings.rerank_candidates, lexical, mode, weight)
            fused = Retriever(embedder, store, None, lexical=lexical, mode=mode) if rerank else None
            rows.append(_measure(suite, store.count(), name, retriever, questions, fact_rule, fused=fused))
            print(_markdown_row(rows[-1]), flush=True)
    if write_doc:
        write_table(rows, embedder, settings.rerank_candidates, default=not embed_model)
    return rows


def _suite(suite: str, settings: Settings) -> tuple[list[Question], list[Article], bool]:
    if suite == "multihop":
        return [q for q in multihop_questions() if q.answerable], multihop_corpus(), True
    corpus = [a for p in sorted(settings.articles_dir.glob("*.txt")) for a in read_path(p)]
    return [q for q in seed_questions() if q.answerable], corpus, False


def _index(indexer: Indexer, corpus: Sequence[Article]) -> None:
    for _ in indexer.index_all(corpus):
        pass


def _measure(suite: str, chunks: int, name: str, retriever: Retriever, questions: Sequence[Question],
             fact_rule: bool, top_k: int = 10, fused: Retriever | None = None) -> Row:
    """Quality and latency of one configuration; `top_k` passages asked per question (ranks past
    it count as misses: the scale benchmark asks the service's top_k, since only latency matters there)."""
    retriever.search("warm-up query", top_k)
    ranks: list[int | None] = []
    recalls: list[float] = []
    latencies: list[float] = []
    for q in questions:
        hits, seconds = _ranked(retriever, fused, q.question, top_k)
        latencies.append(seconds)
        passages = [(h.chunk.article_id, h.chunk.text) for h in hits]
        ranks.append(hits_and_rank(passages, q.articles, q.quotes, fact_rule))
        recalls.append(_evidence_recall(hits, q.quotes))
    n = len(questions)
    return Row(suite, name, chunks, n, _share(ranks, 4, n), _share(ranks, 10, n),
               sum(1 / r for r in ranks if r and r <= 10) / n, sum(recalls) / n if fact_rule else None,
               percentile(latencies, 50) * 1000, percentile(latencies, 95) * 1000)


def _ranked(retriever: Retriever, fused: Retriever | None, question: str, top_k: int) -> tuple[list[Hit], float]:
    """The `top_k` passages for `question` and the seconds the retriever took.

    A reranking retriever asked for more than its candidates would rerank them all; the service
    never does (it asks for its top_k, 4, and reranks RAG_RERANK_CANDIDATES, 6), so here the
    reranker scores only the candidates, and the places after them follow the `fused` (unreranked)
    order, untimed. Hits@4 and MRR then measure the candidate count the service uses."""
    if fused is None or retriever.candidates >= top_k:
        started = time.perf_counter()
        hits = retriever.search(question, top_k)
        return hits, time.perf_counter() - started
    started = time.perf_counter()
    head = retriever.search(question, retriever.candidates)
    seconds = time.perf_counter() - started
    shown = {hit.chunk.chunk_id for hit in head}
    tail = [hit for hit in fused.search(question, top_k) if hit.chunk.chunk_id not in shown]
    return head + tail[:top_k - len(head)], seconds


def _share(ranks: Sequence[int | None], k: int, n: int) -> float:
    return sum(1 for r in ranks if r and r <= k) / n


def _evidence_recall(hits: Sequence[Hit], facts: Sequence[str]) -> float:
    squashed = [re.sub(r"\s+", "", f) for f in facts if f]
    found = [re.sub(r"\s+", "", h.chunk.text) for h in hits]
    return sum(any(f in text for text in found) for f in squashed) / len(squashed) if squashed else 0.0


def _markdown_row(row: Row) -> str:
    recall = f"{row.evidence_recall10:.3f}" if row.evidence_recall10 is not None else "—"
    return (f"| {row.suite} | {row.config} | {row.chunks} | {row.questions} | {row.hits4:.3f} | {row.hits10:.3f} | "
            f"{row.mrr10:.3f} | {recall} | {row.p50_ms:.0f} | {row.p95_ms:.0f} |")


def write_table(rows: Sequence[Row], embedder: Embedder, candidates: int, default: bool = True) -> None:
    """Replace the table between the markers in docs/benchmarks.md: the default embedder's, or, for
    another (`--embed-model`), a table of its own beside it (appended the first time)."""
    table = "\n".join([
        f"Written by `python -m eval retrieval` on {dt.date.today().isoformat()} ({platform.machine()}, "
        f"embedder `{embedder.name}`, default {candidates} rerank candidates). Latency is per query, the "
        "whole retrieval: embedding the query, search, fusion, rerank.",
        "",
        "| suite | configuration | chunks | questions | Hits@4 | Hits@10 | MRR@10 | evidence recall@10 | p50 ms "
        "| p95 ms |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *(_markdown_row(r) for r in rows)])
    start, end = (START, END) if default else (f"<!-- retrieval-table {embedder.name}:start -->",
                                               f"<!-- retrieval-table {embedder.name}:end -->")
    text = DOC.read_text() if DOC.exists() else "# Retrieval\n"
    if start not in text:
        text += f"\n## Embedder `{embedder.name}`\n\n{start}\n{end}\n"
    head, rest = text.split(start, 1)
    DOC.write_text(f"{head}{start}\n{table}\n{end}{rest.split(end, 1)[1]}")


SCALE_START, SCALE_END = "<!-- retrieval-scale:start -->", "<!-- retrieval-scale:end -->"


@dataclass(frozen=True)
class ScaleRow:
    chunks: int
    config: str
    p50_ms: float
    p95_ms: float


def run_scale(sizes: Sequence[int], out: Path, write_doc: bool = True) -> list[ScaleRow]:
    """Latency of every configuration on the seed questions as the index grows to each size.

    The filler chunks are seed sentences shuffled together with random unit vectors: realistic
    for timing (index sizes, BM25 vocabulary, rerank input lengths), meaningless for relevance,
    which is why quality is measured on the real corpora above and only latency here.
    """
    from rag.rerank import CrossEncoderReranker
    from rag.services import load_embedder, open_lexical, open_store

    settings = Settings.from_env()
    embedder = load_embedder(settings)
    reranker = CrossEncoderReranker(threads=settings.llm_threads)
    questions, corpus, _ = _suite("seed", settings)
    rows: list[ScaleRow] = []
    for size in sizes:
        scaled = replace(settings, index_dir=out / "index", collection=f"scale-{size}-{embedder.name}"[:60])
        store = open_store(scaled, embedder.name)
        _index(Indexer(embedder, store, settings.chunk_chars), corpus)
        pad(store, corpus, size, len(embedder.embed_query("dimension probe")))
        lexical = open_lexical(scaled, store)
        lexical.refresh()
        for name, mode, rerank, candidates, weight in SCALE_CONFIGS:
            retriever = Retriever(embedder, store, reranker if rerank else None,
                                  candidates or settings.rerank_candidates, lexical, mode, weight)
            row = _measure("seed", store.count(), name, retriever, questions, False, settings.top_k)
            rows.append(ScaleRow(row.chunks, name, row.p50_ms, row.p95_ms))
            print(f"| {row.chunks} | {name} | {row.p50_ms:.0f} | {row.p95_ms:.0f} |", flush=True)
    if write_doc:
        _write_scale_table(rows, settings.rerank_candidates)
    return rows


def pad(store: object, corpus: Sequence[Article], size: int, dimension: int) -> None:
    """Fill the index with generated chunks up to `size` (kept between runs: same ids)."""
    import random

    import numpy as np

    from rag.chunking import sentence_spans
    from rag.store import ChromaStore
    from rag.types import Chunk

    assert isinstance(store, ChromaStore)
    missing = size - store.count()
    if missing <= 0:
        return
    sentences = [a.text[s.start:s.end] for a in corpus for s in sentence_spans(a.text)]
    rng = random.Random(size)
    vectors_rng = np.random.default_rng(size)
    base = store.count()
    for batch_start in range(0, missing, 1000):
        chunks, n = [], min(1000, missing - batch_start)
        for i in range(base + batch_start, base + batch_start + n):
            text = " ".join(rng.sample(sentences, 4))
            article = f"filler-{i // 8}"
            chunks.append(Chunk(f"{article}:{i}", article, text, 0, len(text), i % 8, f"Filler {i // 8}",
                                published=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", source="Filler"))
        vectors = vectors_rng.normal(size=(n, dimension)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.upsert(chunks, vectors.tolist(), content_hash="filler", origin="filler")


def _write_scale_table(rows: Sequence[ScaleRow], candidates: int) -> None:
    table = "\n".join([
        f"Written by `python -m eval retrieval --scale ...` on {dt.date.today().isoformat()}: the seed "
        "questions against the seed articles padded with generated filler chunks to each size "
        f"(default {candidates} rerank candidates).",
        "",
        "| chunks | configuration | p50 ms | p95 ms |",
        "|---|---|---|---|",
        *(f"| {r.chunks} | {r.config} | {r.p50_ms:.0f} | {r.p95_ms:.0f} |" for r in rows)])
    text = DOC.read_text() if DOC.exists() else f"# Retrieval\n\n{SCALE_START}\n{SCALE_END}\n"
    if SCALE_START not in text:
        text += f"\n{SCALE_START}\n{SCALE_END}\n"
    head, rest = text.split(SCALE_START, 1)
    DOC.write_text(f"{head}{SCALE_START}\n{table}\n{SCALE_END}{rest.split(SCALE_END, 1)[1]}")
