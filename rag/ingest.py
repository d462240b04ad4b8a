"""Articles into the index: chunk, embed, upsert. Idempotent, and safe to re-run after a crash.

Chunk ids come from the article id and character offsets, so indexing the same article twice
is an upsert, never a duplicate. New chunks are written before stale ones are deleted, so a
reader never sees an article vanish while it is being replaced.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from rag.chunking import chunk_article
from rag.embedding import Embedder
from rag.errors import DocumentNotFound
from rag.lexical import LexicalIndex
from rag.store import ChromaStore
from rag.types import Article, Chunk

Status = Literal["added", "updated", "unchanged"]


@dataclass(frozen=True)
class IndexOutcome:
    article_id: str
    status: Status
    chunks: int


@dataclass
class Indexer:
    embedder: Embedder
    store: ChromaStore
    chunk_chars: int = 600
    # Chunks embedded per encoder call when indexing many articles. On the MultiHop-RAG corpus (336
    # chunks) a probe measured index build at 0.61-0.63x the raw encode rate with 64 and 0.74-0.80x
    # with 256 (bench.speed: 0.75x, docs/benchmarks.md): the encoder pads each batch to its longest
    # text and sorts by length only within one call.
    batch_chunks: int = 256
    lexical: LexicalIndex | None = None  # told of every write, so BM25 never re-reads the store for it

    def index(self, article: Article) -> IndexOutcome:
        """Add or replace one article; an unchanged article costs no embedding."""
        [outcome] = self.index_all([article])
        return outcome

    def index_all(self, articles: Iterable[Article]) -> Iterator[IndexOutcome]:
        """Add or replace articles, yielding each one's outcome once it is written.

        Articles go in groups of about `batch_chunks` chunks: one store read to find what changed,
        one encoder call, one store write (per-article calls left index build at 0.30x the raw
        encode rate on 326 one-chunk articles). New chunks are written before stale ones are
        deleted, and an interrupted group is simply re-indexed on the next run: an article whose
        stored chunks do not match its ids and content hash counts as changed.
        """
        group: list[tuple[Article, list[Chunk]]] = []
        for article in articles:
            if any(queued.article_id == article.article_id for queued, _ in group):
                yield from self._index_group(group)  # a second version must see the first one's chunks
                group = []
            group.append((article, chunk_article(article, self.chunk_chars)))
            if sum(len(chunks) for _, chunks in group) >= self.batch_chunks:
                yield from self._index_group(group)
                group = []
        yield from self._index_group(group)

    def _index_group(self, group: list[tuple[Article, list[Chunk]]]) -> Iterator[IndexOutcome]:
        stored = self.store.chunk_hashes_of(list(dict.fromkeys(article.article_id for article, _ in group)))
        changed: list[tuple[Article, list[Chunk], dict[str, str]]] = []
        outcomes: list[IndexOutcome] = []
        for article, chunks in group:
            existing = stored[article.article_id]
            if set(existing) == {c.chunk_id for c in chunks} and set(existing.values()) == {article.content_hash}:
                outcomes.append(IndexOutcome(article.article_id, "unchanged", len(chunks)))
                continue
            changed.append((article, chunks, existing))
            outcomes.append(IndexOutcome(article.article_id, "updated" if existing else "added", len(chunks)))
        if changed:
            vectors = self.embedder.embed_documents([c.text for _, chunks, _ in changed for c in chunks])
            offset, writes = 0, []
            for article, chunks, _ in changed:
                writes.append((chunks, vectors[offset:offset + len(chunks)], article.content_hash, article.origin))
                offset += len(chunks)
            with self.store.writing():  # a search sees the old version or the new one, never a mix
                # Read again under the lock: another writer may have replaced the article since.
                current = self.store.chunk_hashes_of([article.article_id for article, _, _ in changed])
                stale = sorted({cid for article, chunks, _ in changed
                                for cid in set(current[article.article_id]) - {c.chunk_id for c in chunks}})
                with self._lexical_update([c for _, chunks, _ in changed for c in chunks], stale):
                    self.store.upsert_articles(writes)
                    self.store.delete_chunks(stale)
        yield from outcomes

    def delete(self, article_id: str) -> int:
        """Remove an article and all its chunks; DocumentNotFound when there is none."""
        with self.store.writing():
            ids = sorted(self.store.chunk_hashes(article_id))
            with self._lexical_update([], ids):
                self.store.delete_chunks(ids)
        if not ids:
            raise DocumentNotFound(f"no indexed article has id {article_id!r}")
        return len(ids)

    def _lexical_update(self, added: Sequence[Chunk],
                        removed: Sequence[str]) -> contextlib.AbstractContextManager[None]:
        if self.lexical is None or not (added or removed):
            return contextlib.nullcontext()
        return self.lexical.updating(added, removed)
