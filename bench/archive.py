"""`python -m bench.archive`: `/ask`'s latency per stage over the 714-article RealTimeQA archive against
the five seed articles, in one process with the same models, so the ratio is of one machine.

Each index is built (or reused: an upsert skips unchanged articles) under bench/results/, then
`--questions` questions are asked of each: the seed suite's CI questions over the seed articles, and
RealTimeQA questions (each on its own date) over the archive. One untimed question first warms
each. The table goes into docs/benchmarks.md between markers, with the command and date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bench.speed import write_section
from eval.cli import CI_SUBSET
from eval.datasets import realtimeqa_articles, realtimeqa_questions, seed_questions
from eval.metrics import percentile
from rag.articles import read_path
from rag.filters import SearchFilter
from rag.services import build_services, load_embedder, load_generator, load_reranker
from rag.settings import PROJECT_ROOT, Settings
from rag.types import Article

DOC = PROJECT_ROOT / "docs" / "benchmarks.md"
RESULTS = PROJECT_ROOT / "bench" / "results"
STAGES = ("retrieve", "screen", "first_token", "generate", "verify", "total")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.archive", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=12)
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md")
    parser.add_argument("--index-dir", type=Path, default=RESULTS / "archive-index",
                        help="where the two indexes live (an eval run's <out>/index is reused as is)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    embedder, generator, reranker = load_embedder(settings), load_generator(settings), load_reranker(settings)
    seed = [a for p in sorted(settings.articles_dir.glob("*.txt")) for a in read_path(p)]
    seed_asked = [(q.question, None) for q in seed_questions() if q.id in CI_SUBSET][:args.questions]
    archive_asked = [(q.question, q.as_of) for q in realtimeqa_questions()][:args.questions]
    rows = {}
    for name, corpus, asked in (("seed", seed, seed_asked), ("realtimeqa", realtimeqa_articles(), archive_asked)):
        local = replace(settings, index_dir=args.index_dir, collection=f"eval-{name}")  # as `python -m eval run`
        services = build_services(local, embedder, generator, reranker)
        _index(services.indexer.index, corpus)
        rows[name] = (_ask(services.pipeline, asked), services.store.count(), len(corpus))
    table = _table(rows, args.questions)
    print(table)
    if not args.no_doc:
        write_section(DOC, "archive", table)
    return 0


def _index(index: object, corpus: Sequence[Article]) -> None:
    for article in corpus:
        index(article)  # type: ignore[operator]


def _ask(pipeline: object, asked: Sequence[tuple[str, str | None]]) -> list[dict[str, float]]:
    pipeline.ask(asked[0][0], filters=SearchFilter(as_of=asked[0][1]))  # type: ignore[attr-defined]  # warm-up
    timings = []
    for question, as_of in asked:
        started = time.perf_counter()
        answer = pipeline.ask(question, filters=SearchFilter(as_of=as_of))  # type: ignore[attr-defined]
        timings.append(dict(answer.timings) | {"wall": time.perf_counter() - started})
    return timings


def _table(rows: dict[str, tuple[list[dict[str, float]], int, int]], questions: int) -> str:
    def p50(timings: list[dict[str, float]], stage: str) -> float:
        return percentile([t[stage] for t in timings if stage in t], 50)

    (seed, seed_chunks, seed_articles), (archive, chunks, articles) = rows["seed"], rows["realtimeqa"]
    lines = [f"`python -m bench.archive --questions {questions}`, {dt.date.today().isoformat()}: p50 seconds per "
             f"stage of `/ask` (in-process), seed index ({seed_articles} articles, {seed_chunks} chunks) against "
             f"the RealTimeQA archive ({articles} articles, {chunks} chunks), same models, one run.", "",
             "| stage | seed | archive | archive / seed |", "|---|---|---|---|"]
    for stage in STAGES:
        a, b = p50(seed, stage), p50(archive, stage)
        lines.append(f"| {stage} | {a:.3f} | {b:.3f} | {b / a:.2f}x |" if a else f"| {stage} | {a:.3f} | {b:.3f} | — |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
