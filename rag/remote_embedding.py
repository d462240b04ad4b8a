"""An Embedder served by any OpenAI-compatible `/v1/embeddings` server at RAG_EMBED_URL: another instance
of this service, Hugging Face TEI, vLLM, or llama.cpp's server with an embedding model.

Texts go in batches of `batch_size` per request; each request times out and is retried like the
remote generator's (`rag.remote.RetryingClient`), then fails as ModelUnavailable (HTTP 503). Vectors are
L2-normalised here, whatever the server does, so cosine distances mean what they mean locally.

The embedder's name, which the index records, is the server's model as the server reports it, marked
as served ("server:all-MiniLM-L6-v2"): an index built by a local embedder refuses it, and the
reverse, since two builds of one model may not give the same vectors.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import httpx

from rag.errors import ModelUnavailable
from rag.remote import RetryingClient

SERVED = "server:"


class RemoteEmbedder:
    """Embeddings over HTTP; the server is asked once at start, so a wrong URL or model fails at once."""

    def __init__(self, url: str, model: str, timeout: float = 60.0, retries: int = 2, batch_size: int = 64,
                 backoff: float = 0.5, transport: httpx.BaseTransport | None = None) -> None:
        self._http = RetryingClient("RAG_EMBED_URL", url, timeout, retries, backoff, transport)
        self.url, self.model, self.batch_size = self._http.url, model, batch_size
        served, _ = self._request(["probe"])
        self.served_model = served or model
        self.name = SERVED + self.served_model

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            vectors.extend(self._request(list(texts[start:start + self.batch_size]))[1])
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self._request([text])[1][0]

    def _request(self, texts: list[str]) -> tuple[str, list[list[float]]]:
        """(the model the server says it used, one normalised vector per text, in order)."""
        response = self._http.send("POST", "/v1/embeddings", {"model": self.model, "input": texts,
                                                               "encoding_format": "float"})
        try:
            body: dict[str, Any] = response.json()
            rows = sorted(body["data"], key=lambda row: int(row["index"]))
            vectors = [_normalised([float(x) for x in row["embedding"]]) for row in rows]
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelUnavailable(f"RAG_EMBED_URL={self.url}: the answer to /v1/embeddings is not an "
                                   f"OpenAI embeddings list ({type(exc).__name__}: {exc})") from None
        if len(vectors) != len(texts):
            raise ModelUnavailable(f"RAG_EMBED_URL={self.url}: asked for {len(texts)} embeddings, got {len(vectors)}")
        return str(body.get("model") or ""), vectors


def _normalised(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector] if norm else vector
