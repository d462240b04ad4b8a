"""The vector store: Chroma, embedded on disk or a server at `RAG_CHROMA_URL`. The only chromadb import.

Embeddings are always passed in: Chroma's default embedding function must never run, since it
would try to download a model.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import fasteners

from rag.errors import IndexMismatch, RagError, StoreUnavailable
from rag.filters import NO_FILTER, SearchFilter, day_number, source_key
from rag.types import ArticleSummary, Chunk, Hit

log = logging.getLogger(__name__)

_BATCH = 1000  # rows per write; Chroma caps a single request
_ID_PAGE = 50_000  # ids per read when only ids are asked: small rows, so far fewer calls


class ChromaStore:
    """Chunks with their vectors and metadata, in one Chroma collection."""

    def __init__(self, client: Any, collection: str, embedder_name: str, mode: str, fresh: bool = False) -> None:
        self.mode = mode  # "embedded" or "server"
        self._client = client
        self._name = collection
        self._embedder_name = embedder_name
        # A reader (one search: vectors, BM25 and their join) and a writer (one group of articles: new
        # chunks in, stale ones out) never overlap, so a search sees each article wholly or not at all,
        # in this process. Another process writing the same index (a second server, `python -m index`)
        # is not covered: BM25 catches up when the chunk count changes, and a chunk gone meanwhile is skipped.
        self._versions = fasteners.ReaderWriterLock()
        if fresh:
            self._drop()
        with self._guard():
            self._collection = self._open_collection()
        self._check_embedder()

    def reading(self) -> contextlib.AbstractContextManager[Any]:
        """Held while a search reads the index: no write lands in the middle of it."""
        return self._versions.read_lock()

    def writing(self) -> contextlib.AbstractContextManager[Any]:
        """Held while a change that must be seen whole (an article replaced or removed) is written."""
        return self._versions.write_lock()

    def _open_collection(self) -> Any:
        return self._client.get_or_create_collection(
            self._name, embedding_function=_refusing_embedding_function(),
            metadata={"hnsw:space": "cosine", "embedder": self._embedder_name})

    def _drop(self) -> None:
        with self._guard():
            if self._name in [getattr(c, "name", c) for c in self._client.list_collections()]:
                self._client.delete_collection(self._name)

    @classmethod
    def open(cls, index_dir: Path, chroma_url: str | None, collection: str, embedder_name: str,
             fresh: bool = False) -> ChromaStore:
        """Embedded store under `index_dir`, or the Chroma server at `chroma_url`; `fresh` empties it first."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if chroma_url:
            url = urlparse(chroma_url)
            try:
                client = chromadb.HttpClient(host=url.hostname or "127.0.0.1", port=url.port or 8000,
                                             ssl=url.scheme == "https", settings=chroma_settings)
            except Exception as exc:  # chromadb raises plain ValueError/ConnectError here
                raise StoreUnavailable(f"RAG_CHROMA_URL={chroma_url}: cannot reach the Chroma server ({exc})") from None
            return cls(client, collection, embedder_name, mode="server", fresh=fresh)
        index_dir.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(index_dir / "chroma"), settings=chroma_settings)
        return cls(client, collection, embedder_name, mode="embedded", fresh=fresh)

    def _check_embedder(self) -> None:
        stored = (self._collection.metadata or {}).get("embedder")
        if stored == self._embedder_name:
            return
        if self.count() == 0:
            # get_or_create keeps an existing collection's metadata, and Chroma refuses a modify() that
            # names hnsw:space (and drops it from a metadata that doesn't): re-create the empty collection.
            self._drop()
            with self._guard():
                self._collection = self._open_collection()
            return
        # Two embedders may share a dimension (MiniLM and bge-small are both 384), so Chroma would take
        # the other model's vectors without complaint: an untagged, non-empty collection is refused too.
        built_with = f"embedder {stored!r}" if stored else "an unrecorded embedder"
        raise IndexMismatch(f"the index was built with {built_with} but RAG_EMBED_MODEL is "
                            f"{self._embedder_name!r}; rebuild it with `python -m index build --rebuild`")

    def upsert(self, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]], content_hash: str,
               origin: str) -> None:
        self.upsert_articles([(chunks, vectors, content_hash, origin)])

    def upsert_articles(self, articles: Sequence[tuple[Sequence[Chunk], Sequence[Sequence[float]], str, str]]) -> None:
        """Write the chunks of several articles, each (chunks, vectors, content hash, origin), in as few
        Chroma calls as possible: each call costs ~20 ms whatever its size."""
        rows = [(chunk, vector, _metadata(chunk, content_hash, origin))
                for chunks, vectors, content_hash, origin in articles for chunk, vector in zip(chunks, vectors)]
        for i in range(0, len(rows), _BATCH):
            batch = rows[i:i + _BATCH]
            with self._guard():
                self._collection.upsert(ids=[c.chunk_id for c, _, _ in batch],
                                        embeddings=[list(v) for _, v, _ in batch],
                                        documents=[c.text for c, _, _ in batch], metadatas=[m for _, _, m in batch])

    def chunk_hashes(self, article_id: str) -> dict[str, str]:
        """chunk_id -> content hash of the article version it came from."""
        return self.chunk_hashes_of([article_id])[article_id]

    def chunk_hashes_of(self, article_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        """For each article id: chunk_id -> content hash, in one query."""
        found: dict[str, dict[str, str]] = {article_id: {} for article_id in article_ids}
        if not article_ids:
            return found
        with self._guard():
            rows = self._collection.get(where={"article_id": {"$in": list(article_ids)}}, include=["metadatas"])
        for cid, meta in zip(rows["ids"], rows["metadatas"] or []):
            found.setdefault(str(meta["article_id"]), {})[cid] = str(meta.get("content_hash", ""))
        return found

    def delete_chunks(self, chunk_ids: Iterable[str]) -> None:
        ids = list(chunk_ids)
        for i in range(0, len(ids), _BATCH):
            with self._guard():
                self._collection.delete(ids=ids[i:i + _BATCH])

    def chunks(self, article_id: str) -> list[Chunk]:
        """An article's chunks in order."""
        with self._guard():
            rows = self._collection.get(where={"article_id": article_id}, include=["documents", "metadatas"])
        found = [_chunk(cid, doc, meta) for cid, doc, meta in zip(rows["ids"], rows["documents"] or [],
                                                                   rows["metadatas"] or [])]
        return sorted(found, key=lambda c: c.position)

    def query(self, vector: Sequence[float], top_k: int, filters: SearchFilter = NO_FILTER) -> list[Hit]:
        """The `top_k` nearest chunks that pass `filters`, best first; score is cosine similarity."""
        with self._guard():
            rows = self._collection.query(query_embeddings=[list(vector)], n_results=top_k, where=_where(filters),
                                          include=["documents", "metadatas", "distances"])
        return [Hit(_chunk(cid, doc, meta), 1.0 - float(dist), 1.0 - float(dist))
                for cid, doc, meta, dist in zip(rows["ids"][0], rows["documents"][0], rows["metadatas"][0],
                                                rows["distances"][0])]

    def similarities(self, vector: Sequence[float], chunk_ids: Sequence[str]) -> dict[str, float]:
        """Cosine similarity of the query vector to given chunks (vectors are stored normalised)."""
        if not chunk_ids:
            return {}
        import numpy as np

        with self._guard():
            rows = self._collection.get(ids=list(chunk_ids), include=["embeddings"])
        if not rows["ids"]:  # every one deleted meanwhile (a concurrent write)
            return {}
        stored = np.asarray(rows["embeddings"], dtype=np.float32)
        return dict(zip(rows["ids"], (stored @ np.asarray(vector, dtype=np.float32)).tolist()))

    def all_chunks(self) -> Iterator[tuple[Chunk, str]]:
        """Every chunk with the content hash of its article version, a page at a time."""
        for offset in range(0, self.count(), _BATCH):
            with self._guard():
                rows = self._collection.get(include=["documents", "metadatas"], limit=_BATCH, offset=offset)
            for cid, doc, meta in zip(rows["ids"], rows["documents"] or [], rows["metadatas"] or []):
                yield _chunk(cid, doc, meta), str(meta.get("content_hash", ""))

    def chunk_ids(self) -> set[str]:
        """Every chunk id, without documents or metadata: what a derived index (BM25) is checked against."""
        ids: set[str] = set()
        for offset in range(0, self.count(), _ID_PAGE):
            with self._guard():
                ids.update(self._collection.get(include=[], limit=_ID_PAGE, offset=offset)["ids"])
        return ids

    def chunks_by_id(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        """The chunks of these ids that the store holds; an id it does not hold is left out."""
        found: list[Chunk] = []
        for i in range(0, len(chunk_ids), _BATCH):
            with self._guard():
                rows = self._collection.get(ids=list(chunk_ids[i:i + _BATCH]), include=["documents", "metadatas"])
            found += [_chunk(cid, doc, meta) for cid, doc, meta in zip(rows["ids"], rows["documents"] or [],
                                                                       rows["metadatas"] or [])]
        return found

    def count(self) -> int:
        with self._guard():
            return int(self._collection.count())

    def articles(self) -> list[ArticleSummary]:
        """Every indexed article with its chunk count, newest first."""
        with self._guard():
            rows = self._collection.get(include=["metadatas"])
        summaries: dict[str, ArticleSummary] = {}
        counts: dict[str, int] = {}
        for meta in rows["metadatas"] or []:
            aid = str(meta["article_id"])
            counts[aid] = counts.get(aid, 0) + 1
            summaries.setdefault(aid, ArticleSummary(
                article_id=aid, title=str(meta.get("title", "")), published=_opt(meta, "published"),
                source=_opt(meta, "source"), url=_opt(meta, "url"), origin=str(meta.get("origin", "")), chunks=0))
        listed = [ArticleSummary(**{**s.__dict__, "chunks": counts[aid]}) for aid, s in summaries.items()]
        return sorted(listed, key=lambda s: (s.published or "", s.article_id), reverse=True)

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn Chroma's assorted failures into one error the API can answer 503 with."""
        try:
            yield
        except RagError:
            raise
        except Exception as exc:
            where = "the Chroma server" if self.mode == "server" else "the embedded Chroma index"
            log.warning("store failure: %r", exc)
            raise StoreUnavailable(f"{where} failed: {exc}") from exc


def _refusing_embedding_function() -> Any:
    """An embedding function that fails loudly: passing `None` would let Chroma fall back to its
    default one, which downloads a model. Vectors always come from our own embedder."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class ExternalEmbeddings(EmbeddingFunction[Documents]):
        def __init__(self) -> None:
            pass

        def __call__(self, input: Documents) -> Embeddings:
            raise RuntimeError("news-rag passes embeddings explicitly; Chroma was asked to embed text itself")

        @staticmethod
        def name() -> str:
            return "news-rag-external"

        def get_config(self) -> dict[str, Any]:
            return {}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> ExternalEmbeddings:
            return ExternalEmbeddings()

    return ExternalEmbeddings()


def _metadata(chunk: Chunk, content_hash: str, origin: str) -> dict[str, str | int]:
    # Chroma metadata cannot hold None: absent values are stored as "".
    return {"article_id": chunk.article_id, "title": chunk.title, "published": chunk.published or "",
            "source": chunk.source or "", "url": chunk.url or "", "start": chunk.start, "end": chunk.end,
            "position": chunk.position, "content_hash": content_hash, "origin": origin,
            "published_day": day_number(chunk.published) or 0, "source_key": source_key(chunk.source),
            "page": chunk.page or 0}


def _where(filters: SearchFilter) -> dict[str, Any] | None:
    """The filter in Chroma's metadata query language; dates compare as YYYYMMDD numbers."""
    clauses: list[dict[str, Any]] = []
    if filters.after_day:
        clauses.append({"published_day": {"$gte": filters.after_day}})
    if filters.before_day:
        clauses.append({"published_day": {"$lte": filters.before_day}})
    if filters.after_day or filters.before_day:
        clauses.append({"published_day": {"$gt": 0}})  # 0 stands for "no date": never in a range
    if filters.as_of_day:  # undated articles (0) pass
        clauses.append({"published_day": {"$lte": filters.as_of_day}})
    if filters.source:
        clauses.append({"source_key": source_key(filters.source)})
    if len(clauses) > 1:
        return {"$and": clauses}
    return clauses[0] if clauses else None


def _chunk(chunk_id: str, text: str, meta: Any) -> Chunk:
    return Chunk(chunk_id=chunk_id, article_id=str(meta["article_id"]), text=text, start=int(meta["start"]),
                 end=int(meta["end"]), position=int(meta["position"]), title=str(meta.get("title", "")),
                 published=_opt(meta, "published"), source=_opt(meta, "source"), url=_opt(meta, "url"),
                 page=int(meta.get("page") or 0) or None)


def _opt(meta: Any, key: str) -> str | None:
    return str(meta.get(key) or "") or None
