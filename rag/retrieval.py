"""Retrieval: dense candidates from the store, then (optionally) a cross-encoder reranks them."""

from __future__ import annotations

from dataclasses import dataclass, replace

from rag.embedding import Embedder
from rag.rerank import Reranker
from rag.store import ChromaStore
from rag.types import Hit


@dataclass
class Retriever:
    embedder: Embedder
    store: ChromaStore
    reranker: Reranker | None = None
    candidates: int = 12  # dense candidates the reranker chooses from

    def search(self, query: str, top_k: int) -> list[Hit]:
        """The `top_k` best chunks for `query`, best first."""
        hits = self.store.query(self.embedder.embed_query(query), max(top_k, self.candidates if self.reranker else 0))
        if self.reranker is None:
            return hits[:top_k]
        scores = self.reranker.score(query, [hit.chunk.text for hit in hits])
        reranked = [replace(hit, score=score) for hit, score in zip(hits, scores)]
        return sorted(reranked, key=lambda hit: hit.score, reverse=True)[:top_k]
