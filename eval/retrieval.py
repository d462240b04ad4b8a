"""`python -m eval retrieval`: the retrieval benchmark. Dense-only, BM25-only, hybrid and
hybrid + rerank on the seed questions and the MultiHop-RAG subset; the table goes into
docs/retrieval.md, written by this command.

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
from rag.retrieval import Mode, Retriever
from rag.settings import PROJECT_ROOT, Settings
from rag.types import Article, Hit

DOC = PROJECT_ROOT / "docs" / "retrieval.md"
START, END = "<!-- retrieval-table:start -->", "<!-- retrieval-table:end -->"
CONFIGS: tuple[tuple[str, Mode, bool], ...] = (
    ("dense", "dense", False), ("bm25", "lexical", False), ("hybrid (RRF)", "hybrid", False),
    ("dense + rerank", "dense", True), ("hybrid + rerank", "hybrid", True))


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
        for name, mode, rerank in CONFIGS:
            retriever = Retriever(embedder, store, reranker if rerank else None, settings.rerank_candidates,
                                  lexical, mode)
            rows.append(_measure(suite, store.count(), name, retriever, questions, fact_rule))
            print(_markdown_row(rows[-1]), flush=True)
    if write_doc:
        write_table(rows, embedder)
    return rows


def _suite(suite: str, settings: Settings) -> tuple[list[Question], list[Article], bool]:
    if suite == "multihop":
        return [q for q in multihop_questions() if q.answerable], multihop_corpus(), True
    corpus = [a for p in sorted(settings.articles_dir.glob("*.txt")) for a in read_path(p)]
    return [q for q in seed_questions() if q.answerable], corpus, False


def _index(indexer: Indexer, corpus: Sequence[Article]) -> None:
    for article in corpus:
        indexer.index(article)


def _measure(suite: str, chunks: int, name: str, retriever: Retriever, questions: Sequence[Question],
             fact_rule: bool) -> Row:
    retriever.search("warm-up query", 10)
    ranks: list[int | None] = []
    recalls: list[float] = []
    latencies: list[float] = []
    for q in questions:
        started = time.perf_counter()
        hits = retriever.search(q.question, 10)
        latencies.append(time.perf_counter() - started)
        passages = [(h.chunk.article_id, h.chunk.text) for h in hits]
        ranks.append(hits_and_rank(passages, q.articles, q.quotes, fact_rule))
        recalls.append(_evidence_recall(hits, q.quotes))
    n = len(questions)
    return Row(suite, name, chunks, n, _share(ranks, 4, n), _share(ranks, 10, n),
               sum(1 / r for r in ranks if r and r <= 10) / n, sum(recalls) / n if fact_rule else None,
               percentile(latencies, 50) * 1000, percentile(latencies, 95) * 1000)


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


def write_table(rows: Sequence[Row], embedder: Embedder) -> None:
    """Replace the table between the markers in docs/retrieval.md."""
    table = "\n".join([
        f"Written by `python -m eval retrieval` on {dt.date.today().isoformat()} ({platform.machine()}, "
        f"embedder `{embedder.name}`). Latency is per query, the whole retrieval: embedding the query, "
        "search, fusion, rerank.",
        "",
        "| suite | configuration | chunks | questions | Hits@4 | Hits@10 | MRR@10 | evidence recall@10 | p50 ms "
        "| p95 ms |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *(_markdown_row(r) for r in rows)])
    text = DOC.read_text() if DOC.exists() else f"# Retrieval\n\n{START}\n{END}\n"
    head, rest = text.split(START, 1)
    DOC.write_text(f"{head}{START}\n{table}\n{END}{rest.split(END, 1)[1]}")
