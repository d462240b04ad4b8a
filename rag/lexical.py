"""BM25 over the same chunks as the vector store (bm25s), for the exact names, numbers and dates
that a small embedder blurs.

The store is the source of truth: this index is derived from its contents, so it cannot drift.
It is rebuilt when the store changes (this process's writes bump `store.revision`; a different
chunk count means another writer) and saved to disk with a fingerprint of what it was built
from, so a restart loads it instead of rebuilding when nothing changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import threading
from pathlib import Path
from typing import Any

from rag.filters import NO_FILTER, SearchFilter, day_number, source_key
from rag.store import ChromaStore
from rag.types import Chunk, Hit

log = logging.getLogger(__name__)

# Single characters count: "5" and "G7"-style tokens matter in news questions.
_TOKEN_PATTERN = r"(?u)\b\w+\b"


class LexicalIndex:
    """BM25 (Lucene variant) over every chunk in `store`, kept in step with it."""

    def __init__(self, store: ChromaStore, directory: Path | None = None) -> None:
        self._store = store
        self._directory = directory  # where the index is saved; None keeps it in memory only
        self._lock = threading.Lock()
        self._built_revision = -1
        self._built_count = -1
        self._chunks: list[Chunk] = []
        self._days: Any = None  # each chunk's publication day as YYYYMMDD (0: undated), set with the chunks
        self._bm25: Any = None
        self._stemmer: Any = None

    def search(self, query: str, top_k: int, filters: SearchFilter = NO_FILTER) -> list[Hit]:
        """The `top_k` chunks with the highest BM25 score for `query`; `score` is that BM25 score."""
        with self._lock:
            self._refresh()
            if not self._chunks:
                return []

            tokens = self._tokenize([query], as_ids=False)  # words the corpus lacks score 0
            if not tokens[0]:  # only stop words
                return []
            mask = self._mask(filters) if filters.active else None
            k = min(top_k, len(self._chunks))
            docs, scores = self._bm25.retrieve(tokens, k=k, show_progress=False, weight_mask=mask, n_threads=1)
        return [Hit(self._chunks[int(d)], float(s), 0.0) for d, s in zip(docs[0], scores[0]) if s > 0]

    def _mask(self, filters: SearchFilter) -> Any:
        """1.0 for each chunk `filters` accepts (`SearchFilter.accepts`, vectorised), else 0.0: every question
        carries an `as_of`, so this runs on every search, over every chunk."""
        import numpy as np

        days = self._days
        keep = np.ones(len(days), dtype=bool)
        if filters.after_day or filters.before_day:
            keep &= days > 0
        if filters.after_day:
            keep &= days >= filters.after_day
        if filters.before_day:
            keep &= days <= filters.before_day
        if filters.as_of_day:
            keep &= days <= filters.as_of_day  # undated (0) passes
        if filters.source:
            wanted = source_key(filters.source)
            keep &= np.array([source_key(c.source) == wanted for c in self._chunks])
        return keep.astype(np.float32)

    def refresh(self) -> None:
        """Bring the index in step with the store now (a search does it too, when needed)."""
        with self._lock:
            self._refresh()

    def _refresh(self) -> None:
        if self._built_revision == self._store.revision and self._built_count == self._store.count():
            return
        revision = self._store.revision
        rows = list(self._store.all_chunks())
        rows.sort(key=lambda row: row[0].chunk_id)
        fingerprint = _fingerprint(rows)
        self._chunks = [chunk for chunk, _ in rows]
        self._days = _days(self._chunks)
        if not (self._chunks and self._load(fingerprint)):
            self._build(fingerprint)
        self._built_revision, self._built_count = revision, len(rows)

    def _build(self, fingerprint: str) -> None:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import

        self._bm25 = None
        if not self._chunks:
            return
        tokens = self._tokenize([c.text for c in self._chunks])
        self._bm25 = bm25s.BM25()
        self._bm25.index(tokens, show_progress=False)
        log.info("BM25 index built over %d chunks", len(self._chunks))
        if self._directory is not None:
            self._save(fingerprint)

    def _save(self, fingerprint: str) -> None:
        assert self._directory is not None
        staging = self._directory.with_name(self._directory.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        self._bm25.save(str(staging), show_progress=False)
        (staging / "fingerprint.json").write_text(json.dumps({"fingerprint": fingerprint}))
        shutil.rmtree(self._directory, ignore_errors=True)
        staging.rename(self._directory)  # a crash leaves the old index or the new one, never half of one

    def _load(self, fingerprint: str) -> bool:
        if self._directory is None or not (self._directory / "fingerprint.json").exists():
            return False
        saved = json.loads((self._directory / "fingerprint.json").read_text()).get("fingerprint")
        if saved != fingerprint:
            return False
        import bm25s

        self._bm25 = bm25s.BM25.load(str(self._directory), show_progress=False)
        log.info("BM25 index loaded from %s", self._directory)
        return True

    def _tokenize(self, texts: list[str], as_ids: bool = True) -> Any:
        """Words, English stop words dropped, Snowball-stemmed; ids for the corpus, strings for a query."""
        import bm25s
        import Stemmer

        if self._stemmer is None:
            self._stemmer = Stemmer.Stemmer("english")
        return bm25s.tokenize(texts, token_pattern=_TOKEN_PATTERN, stopwords="en", stemmer=self._stemmer,
                              return_ids=as_ids, show_progress=False)


def _days(chunks: list[Chunk]) -> Any:
    import numpy as np

    return np.array([day_number(c.published) or 0 for c in chunks], dtype=np.int64)


def _fingerprint(rows: list[tuple[Chunk, str]]) -> str:
    digest = hashlib.sha256()
    for chunk, content_hash in rows:
        digest.update(f"{chunk.chunk_id}\x1f{content_hash}\x1e".encode())
    return digest.hexdigest()


def tokens_of(text: str) -> set[str]:
    """Lower-cased word tokens, for the cheap lexical comparisons elsewhere."""
    return set(re.findall(_TOKEN_PATTERN, text.lower()))
