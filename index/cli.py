"""Command line: `python -m index build [PATHS...] [--prune] [--rebuild]`, `python -m index delete ID...`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from index.build import build, find_files
from rag.errors import RagError
from rag.ingest import Indexer
from rag.services import load_embedder, open_lexical, open_store
from rag.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description="Build the vector index of articles.")
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="index article files (.txt .md .html .jsonl)")
    build_cmd.add_argument("paths", nargs="*", type=Path, help="files or folders (default: RAG_ARTICLES_DIR)")
    build_cmd.add_argument("--prune", action="store_true", help="delete indexed articles not found in PATHS")
    build_cmd.add_argument("--rebuild", action="store_true", help="drop the index first (e.g. after changing embedder)")
    delete_cmd = commands.add_parser("delete", help="remove articles from the index by id")
    delete_cmd.add_argument("ids", nargs="+")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env()
        return _build(settings, args) if args.command == "build" else _delete(settings, args.ids)
    except RagError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2


def _indexer(settings: Settings, rebuild: bool = False) -> Indexer:
    embedder = load_embedder(settings)
    store = open_store(settings, embedder.name, fresh=rebuild)
    return Indexer(embedder, store, settings.chunk_chars, lexical=open_lexical(settings, store))


def _build(settings: Settings, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    files = list(find_files(args.paths or [settings.articles_dir]))
    indexer = _indexer(settings, args.rebuild)
    report = build(indexer, files, prune=args.prune,
                   progress=lambda items: tqdm(items, desc="indexing", unit="file", disable=None))
    for path, reason in report.failures:
        print(f"failed: {path}: {reason}", file=sys.stderr)
    if indexer.lexical is not None:
        indexer.lexical.refresh()  # caught up now (a folder of the earlier format too), not on the first search
    print(f"{report.summary()}; {indexer.store.count()} chunks in the index")
    return 1 if report.failures else 0


def _delete(settings: Settings, ids: list[str]) -> int:
    indexer = _indexer(settings)
    for article_id in ids:
        print(f"deleted {article_id}: {indexer.delete(article_id)} chunks")
    return 0
