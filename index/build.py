"""Index a set of article files, reporting each bad file by name and carrying on with the rest."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rag.articles import SUPPORTED_SUFFIXES, read_path
from rag.errors import BadArticle
from rag.ingest import Indexer, IndexOutcome
from rag.types import Article

log = logging.getLogger(__name__)


@dataclass
class BuildReport:
    outcomes: list[IndexOutcome] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    pruned: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def summary(self) -> str:
        return (f"{self.count('added')} added, {self.count('updated')} updated, "
                f"{self.count('unchanged')} unchanged, {len(self.pruned)} removed, {len(self.failures)} failed")


def find_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Article files under `paths` (directories are searched recursively), in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                              and not p.name.startswith("."))
        else:
            yield path  # named explicitly: a wrong type is reported, not silently skipped


def build(indexer: Indexer, files: list[Path], prune: bool = False,
          progress: Callable[[Iterable[Path]], Iterable[Path]] = lambda files: files) -> BuildReport:
    """Index every file; with `prune`, delete indexed articles that no longer come from these files."""
    report = BuildReport()
    origins: dict[str, str] = {}  # article id -> the file it came from in this build

    def readable_articles() -> Iterator[Article]:
        for path in progress(files):
            try:
                articles = read_path(path)
            except BadArticle as exc:
                report.failures.append((str(path), exc.message))
                continue
            for article in articles:
                if article.article_id in origins:  # two files, one id: the second would silently replace the first
                    report.failures.append((str(path), f"article id {article.article_id!r} is also used by "
                                                       f"{origins[article.article_id]}"))
                    continue
                origins[article.article_id] = str(path)
                yield article

    report.outcomes.extend(indexer.index_all(readable_articles()))
    if prune and not report.failures:  # a failed read must not look like a removed article
        seen = {o.article_id for o in report.outcomes}
        for summary in indexer.store.articles():
            # Articles sent through the API have no file to be missing from.
            if summary.article_id not in seen and not summary.origin.startswith(("api", "upload:")):
                indexer.delete(summary.article_id)
                report.pruned.append(summary.article_id)
    return report
