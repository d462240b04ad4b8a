"""BM25 over the same chunks as the vector store (tantivy), for the exact names, numbers and dates
that a small embedder blurs.

The store is the source of truth; this index follows it write by write. The indexer hands it each
write's new and removed chunks (`updating`), so a write costs one small tantivy commit and a search
right after it rebuilds nothing. What it cannot be told is caught up from the store
(`rag.lexical_sync`): a crash between the store's write and the commit, another process's writes,
a folder left by the earlier bm25s index.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from rag.filters import NO_FILTER, SearchFilter, day_number, source_key
from rag.lexical_sync import ANALYZER, Sync, chunk_key
from rag.store import ChromaStore
from rag.types import Chunk, Hit

log = logging.getLogger(__name__)

# Single characters count: "5" and "G7"-style tokens matter in news questions.
_TOKEN_PATTERN = r"(?u)\b\w+\b"
# Longer "words" are URLs, hashes or base64: never asked for, and tantivy skips huge terms anyway.
_LONGEST_TOKEN = 255
_CHUNK_FIELDS = ("chunk_id", "article_id", "start", "end", "position", "title", "published", "source", "url", "page")


class LexicalIndex:
    """BM25 (Lucene variant) over every chunk in `store`, kept in step with it."""

    def __init__(self, store: ChromaStore, directory: Path | None = None) -> None:
        self._store = store
        self._directory = directory  # where the index is kept; None keeps it in memory only
        self._lock = threading.Lock()
        self._analyzer: Any = None
        self._sync: Sync | None = None  # opened on first use: nothing heavy in the constructor

    def search(self, query: str, top_k: int, filters: SearchFilter = NO_FILTER) -> list[Hit]:
        """The `top_k` chunks with the highest BM25 score for `query`; `score` is that BM25 score."""
        with self._lock:  # the analyzer too: tantivy-py borrows it mutably
            sync = self._opened()
            sync.catch_up(wait=False, now=False)
            terms = Counter(self._analyzer.analyze(query))  # words the corpus lacks score 0
        if not terms or top_k <= 0:  # only stop words
            return []
        searcher = sync.index.searcher()
        found = searcher.search(_query(sync.index.schema, terms, filters), top_k, count=False).hits
        return [Hit(_chunk(searcher.doc(address)), float(s), 0.0) for s, address in found if s > 0]

    def refresh(self) -> None:
        """Bring the index in step with the store now, waiting for another process's write if need be
        (a search does it too, every few seconds, without waiting: `rag.lexical_sync.RECHECK_SECONDS`)."""
        with self._lock:
            self._opened().catch_up(wait=True, now=True)

    @contextlib.contextmanager
    def updating(self, added: Sequence[Chunk], removed: Sequence[str]) -> Iterator[None]:
        """Around the store's write of `added` chunks and the removal of `removed` ids: those ids are
        recorded first, so a crash before the commit is caught up from the store on the next open."""
        with self._lock:
            sync = self._opened()
            with sync.writing([c.chunk_id for c in added] + list(removed)):
                yield
                sync.write(added, [chunk_key(cid) for cid in removed])

    def _opened(self) -> Sync:
        if self._sync is None:
            self._analyzer = _analyzer()
            self._sync = Sync.open(self._store, self._directory, _schema(), self._analyzer, document)
        return self._sync


def _analyzer() -> Any:
    """Words, lower-cased, English stop words dropped, Snowball-stemmed: the same for chunks and queries."""
    from tantivy import Filter, TextAnalyzerBuilder, Tokenizer

    return (TextAnalyzerBuilder(Tokenizer.regex(r"\w+")).filter(Filter.remove_long(_LONGEST_TOKEN))
            .filter(Filter.lowercase()).filter(Filter.stopword("english")).filter(Filter.stemmer("english")).build())


def _schema() -> Any:
    from tantivy import SchemaBuilder

    builder = SchemaBuilder()
    builder.add_unsigned_field("key", indexed=True, fast=True)  # the chunk id, hashed (rag.lexical_sync)
    builder.add_text_field("text", stored=True, tokenizer_name=ANALYZER)
    builder.add_integer_field("day", indexed=True, fast=True)  # YYYYMMDD, 0: undated
    builder.add_text_field("source_key", tokenizer_name="raw")
    builder.add_bytes_field("chunk", stored=True)  # the Chunk's other fields, so a hit needs no store read
    return builder.build()


def document(chunk: Chunk) -> Any:
    """The tantivy document of a chunk."""
    import json

    from tantivy import Document

    doc = Document()
    doc.add_unsigned("key", chunk_key(chunk.chunk_id))
    doc.add_text("text", chunk.text)
    doc.add_integer("day", day_number(chunk.published) or 0)
    doc.add_text("source_key", source_key(chunk.source))
    doc.add_bytes("chunk", json.dumps({name: getattr(chunk, name) for name in _CHUNK_FIELDS}).encode())
    return doc


def _chunk(doc: Any) -> Chunk:
    import json

    return Chunk(text=doc.get_first("text"), **json.loads(doc.get_first("chunk")))


def _query(schema: Any, terms: Counter[str], filters: SearchFilter) -> Any:
    """Any of the words (built from tokens, never parsed: a user's quotes, colons or "AND" are just text),
    within the filters."""
    from tantivy import Occur, Query

    # A word asked twice counts twice, as it did with bm25s: a boost, not a second clause.
    words = Query.boolean_query([(Occur.Should, Query.boost_query(Query.term_query(schema, "text", t), n))
                                 for t, n in terms.items()])
    # The filters only select: a score of 0 leaves BM25's alone.
    return Query.boolean_query([(Occur.Must, words), *((Occur.Must, Query.const_score_query(f, 0.0))
                                                       for f in _filter_queries(schema, filters))])


def _filter_queries(schema: Any, filters: SearchFilter) -> list[Any]:
    """`SearchFilter.accepts` as tantivy queries: a date bound excludes undated chunks (day 0), `as_of` keeps them."""
    from tantivy import FieldType, Query

    queries = []
    lowest = filters.after_day or (1 if filters.before_day else None)
    highest = min((d for d in (filters.before_day, filters.as_of_day) if d), default=None)
    if lowest is not None or highest is not None:
        queries.append(Query.range_query(schema, "day", FieldType.Integer, lowest, highest))
    if filters.source:
        queries.append(Query.term_query(schema, "source_key", source_key(filters.source)))
    return queries


def tokens_of(text: str) -> set[str]:
    """Lower-cased word tokens, for the cheap lexical comparisons elsewhere."""
    return set(re.findall(_TOKEN_PATTERN, text.lower()))
