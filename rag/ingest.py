"""Articles into the index: chunk, embed, upsert. Idempotent, and safe to re-run after a crash.

Chunk ids come from the article id and character offsets, so indexing the same article twice
is an upsert, never a duplicate. New chunks are written before stale ones are deleted, so a
reader never sees an article vanish while it is being replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rag.chunking import chunk_article
from rag.embedding import Embedder
from rag.errors import DocumentNotFound
from rag.store import ChromaStore
from rag.types import Article

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

    def index(self, article: Article) -> IndexOutcome:
        """Add or replace one article; an unchanged article costs no embedding."""
        chunks = chunk_article(article, self.chunk_chars)
        existing = self.store.chunk_hashes(article.article_id)
        new_ids = {c.chunk_id for c in chunks}
        if set(existing) == new_ids and set(existing.values()) == {article.content_hash}:
            return IndexOutcome(article.article_id, "unchanged", len(chunks))
        vectors = self.embedder.embed_documents([c.text for c in chunks])
        self.store.upsert(chunks, vectors, content_hash=article.content_hash, origin=article.origin)
        self.store.delete_chunks(set(existing) - new_ids)
        return IndexOutcome(article.article_id, "updated" if existing else "added", len(chunks))

    def delete(self, article_id: str) -> int:
        """Remove an article and all its chunks; DocumentNotFound when there is none."""
        removed = self.store.delete_article(article_id)
        if not removed:
            raise DocumentNotFound(f"no indexed article has id {article_id!r}")
        return removed
