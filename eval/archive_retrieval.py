"""`python -m eval retrieval --suite realtimeqa`: retrieval over the 714-article archive, each question on
its own date, through the service's own search (its `as_of` filter, time windows and recency prior).

RealTimeQA has no gold passages, only gold answers: a question counts as found in the top k when the
gold answer (or every content word of it, the suite's rule) is in the top k passages, the first four
counted only at or above the relevance floor, as the model would be shown them (`eval.runner.lost_at`'s
"not retrieved"). Each question is searched as the service searches it (its `top_k`, which with the
reranker's candidates sets the candidate pool) and, for the top-8 column, eight deep. Configurations
vary one setting at a time from the defaults: the recency prior, and more reranked candidates.
RealTimeQA is the development set: what it picks must hold on the seed and MultiHop-RAG suites too
before it becomes a default.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from eval.datasets import realtimeqa_articles, realtimeqa_questions
from eval.metrics import contains_answer, percentile
from rag.filters import SearchFilter
from rag.pipeline import Pipeline
from rag.settings import Settings

# (name, what changes from the default retriever)
CONFIGS: tuple[tuple[str, dict[str, object]], ...] = (
    ("default", {}), ("no recency prior", {"recency": 0.0}), ("recency 0.3", {"recency": 0.3}),
    ("12 candidates", {"candidates": 12}), ("20 candidates", {"candidates": 20}))


def run(out: Path, embed_model: str | None = None) -> list[str]:
    from rag.fakes import ScriptedGenerator
    from rag.services import build_services, load_embedder, load_reranker

    settings = Settings.from_env()
    # The eval runner's archive index when the embedder is the default; another embedder builds its own.
    settings = replace(settings, embed_model=embed_model or settings.embed_model, index_dir=out / "index",
                       collection=f"retrieval-realtimeqa-{embed_model}"[:60] if embed_model else "eval-realtimeqa")
    # Search needs no generator: a stand-in keeps the 1 GB model out of a retrieval benchmark.
    services = build_services(settings, load_embedder(settings), ScriptedGenerator(lambda _: ""),
                              load_reranker(settings))
    for _ in services.indexer.index_all(realtimeqa_articles()):
        pass
    pipeline, default = services.pipeline, services.pipeline.retriever
    lines = ["| configuration | found in top 4 (shown) | top 8 | search p50 ms |", "|---|---|---|---|"]
    for name, change in CONFIGS:
        pipeline.retriever = replace(default, **change)  # type: ignore[arg-type]
        top4, top8, asked, p50 = _measure(pipeline)
        label = f"default ({default.candidates} reranked candidates)" if name == "default" else name
        lines.append(f"| {label} | {top4} of {asked} | {top8} | {p50:.0f} |")
        print(lines[-1], flush=True)
    pipeline.retriever = default
    return lines


def _measure(pipeline: Pipeline) -> tuple[int, int, int, float]:
    questions = [q for q in realtimeqa_questions() if q.answerable]
    top4 = top8 = 0
    seconds = []
    for q in questions:
        # Searched as the service searches (its top_k, so its candidate pool), timed; then eight deep.
        started = time.perf_counter()
        hits = pipeline.search(q.question, top_k=pipeline.policy.top_k, filters=SearchFilter(as_of=q.as_of))
        seconds.append(time.perf_counter() - started)
        shown = [h.chunk.text for h in hits if h.score >= pipeline.policy.min_relevance]
        top4 += contains_answer(" ".join(shown), q.accepted, q.match)
        deeper = pipeline.search(q.question, top_k=8, filters=SearchFilter(as_of=q.as_of))
        top8 += contains_answer(" ".join(h.chunk.text for h in deeper), q.accepted, q.match)
    return top4, top8, len(questions), percentile(seconds, 50) * 1000
