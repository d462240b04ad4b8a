"""Dense retrieval: embed the query, ask the store for its nearest chunks."""

from __future__ import annotations

from dataclasses import dataclass

from rag.embedding import Embedder
from rag.store import ChromaStore
from rag.types import Hit


@dataclass
class Retriever:
    embedder: Embedder
    store: ChromaStore

    def search(self, query: str, top_k: int) -> list[Hit]:
        """The `top_k` chunks closest to `query`, best first."""
        return self.store.query(self.embedder.embed_query(query), top_k)
