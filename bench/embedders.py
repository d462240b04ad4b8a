"""`python -m bench.embedders`: index build speed and peak memory of each bundled MiniLM embedder.

Each embedder builds a fresh index of the same articles (the RealTimeQA archive by default: what
`python -m index build` runs, in-process, into a temporary folder) and then encodes the same chunk
texts alone, in a process of its own so that its peak resident memory (VmHWM) is its own. Both
embedders run in one invocation, so their ratio is measured on one machine at one time.

    .venv/bin/python -m bench.embedders              # writes the table in docs/benchmarks.md
    .venv/bin/python -m bench.embedders --no-doc     # prints it only
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.speed import _memory_mb, write_section
from rag.settings import PROJECT_ROOT, Settings

EMBEDDERS = ("all-MiniLM-L6-v2", "all-MiniLM-L6-v2-int8")
DOC = PROJECT_ROOT / "docs" / "benchmarks.md"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.embedders", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, help="only the first N articles of the archive")
    parser.add_argument("--no-doc", action="store_true", help="print the table only; leave docs/benchmarks.md")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # one embedder's measurement, in its own process
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_measure(args.child, args.articles)))
        return 0
    rows = [_in_child(name, args.articles) for name in EMBEDDERS]
    table = _table(rows, args.articles)
    print(table)
    if not args.no_doc:
        write_section(DOC, "embedders", table)
    return 0


def _in_child(name: str, articles: int | None) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.embedders", "--child", name]
    if articles:
        command += ["--articles", str(articles)]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=PROJECT_ROOT)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _measure(name: str, limit: int | None) -> dict[str, Any]:
    from eval.datasets import realtimeqa_articles
    from rag.chunking import chunk_article
    from rag.ingest import Indexer
    from rag.services import load_embedder, open_store

    articles = realtimeqa_articles()[:limit] if limit else realtimeqa_articles()
    with tempfile.TemporaryDirectory(prefix="bench-embedders-") as folder:
        settings = replace(Settings.from_env(), embed_model=name, index_dir=Path(folder), collection="bench")
        started = time.perf_counter()
        embedder = load_embedder(settings)
        loaded = time.perf_counter() - started
        texts = [c.text for a in articles for c in chunk_article(a, settings.chunk_chars)]
        embedder.embed_documents(texts[:8])  # warm-up
        indexer = Indexer(embedder, open_store(settings, embedder.name, fresh=True), settings.chunk_chars)
        started = time.perf_counter()
        for _ in indexer.index_all(articles):
            pass
        build = time.perf_counter() - started
        started = time.perf_counter()
        embedder.embed_documents(texts)
        encode = time.perf_counter() - started
    return {"embedder": name, "articles": len(articles), "chunks": len(texts), "load_s": loaded,
            "build_chunks_per_s": len(texts) / build, "encode_chunks_per_s": len(texts) / encode,
            "peak_mb": _memory_mb(os.getpid())[0]}


def _table(rows: Sequence[dict[str, Any]], limit: int | None) -> str:
    base = rows[0]
    command = "python -m bench.embedders" + (f" --articles {limit}" if limit else "")
    lines = [f"Written by `{command}` on {datetime.date.today().isoformat()} ({platform.machine()}, "
             f"{base['articles']} RealTimeQA articles, {base['chunks']} chunks, one build each, one run).",
             "",
             "| embedder | index build chunks/s | encode alone chunks/s | build vs torch | peak memory MB | load s |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['embedder']} | {row['build_chunks_per_s']:.1f} | {row['encode_chunks_per_s']:.1f} | "
                     f"{row['build_chunks_per_s'] / base['build_chunks_per_s']:.2f}x | {row['peak_mb']:.0f} | "
                     f"{row['load_s']:.1f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
