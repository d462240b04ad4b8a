"""RAG_EMBED_URL: embeddings from an OpenAI-compatible /v1/embeddings server, this service's own among them."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from rag.articles import read_path
from rag.embedding import SentenceTransformerEmbedder
from rag.errors import IndexMismatch, ModelUnavailable
from rag.fakes import HashingEmbedder, ScriptedGenerator
from rag.remote_embedding import RemoteEmbedder
from rag.services import Services, build_services, open_store
from rag.settings import Settings
from rag.untrusted import InjectionDetector
from tests.conftest import SEED_DIR, serve_in_thread


def _server(requests: list[dict[str, object]], statuses: list[int] | None = None) -> httpx.MockTransport:
    """A /v1/embeddings stand-in: answers each text with [len, 1], in reverse order, after `statuses`."""
    pending = list(statuses or [])

    def handle(request: httpx.Request) -> httpx.Response:
        if pending:
            return httpx.Response(pending.pop(0))
        body = json.loads(request.content)
        requests.append(body)
        rows = [{"object": "embedding", "index": i, "embedding": [float(len(t)), 1.0]}
                for i, t in enumerate(body["input"])]
        return httpx.Response(200, json={"object": "list", "data": rows[::-1], "model": "tei-minilm"})
    return httpx.MockTransport(handle)


def test_texts_go_in_batches_and_come_back_in_order_normalised() -> None:
    requests: list[dict[str, object]] = []
    embedder = RemoteEmbedder("http://embed/v1", "minilm", batch_size=2, transport=_server(requests))
    vectors = embedder.embed_documents(["a", "bbb", "cc"])
    assert embedder.name == "server:tei-minilm"
    assert [len(r["input"]) for r in requests[1:]] == [2, 1]  # type: ignore[arg-type]  # the first was the probe
    assert [round(v[0] / v[1], 6) for v in vectors] == [1.0, 3.0, 2.0]
    assert all(math.isclose(math.hypot(*v), 1.0) for v in vectors)


def test_an_overloaded_server_is_retried_and_a_dead_one_is_a_model_unavailable_naming_the_setting() -> None:
    requests: list[dict[str, object]] = []
    RemoteEmbedder("http://embed", "minilm", backoff=0.0, transport=_server(requests, [503, 502]))
    assert len(requests) == 1
    with pytest.raises(ModelUnavailable, match="RAG_EMBED_URL=http://embed: .*HTTP 503"):
        RemoteEmbedder("http://embed", "minilm", retries=1, backoff=0.0, transport=_server([], [503, 503]))


def test_an_answer_that_is_no_embeddings_list_is_named() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"data": [{"index": 0}]}))
    with pytest.raises(ModelUnavailable, match="not an OpenAI embeddings list"):
        RemoteEmbedder("http://embed", "minilm", transport=transport)


def test_the_embeddings_route_answers_openai_style_and_names_what_it_refuses(client: TestClient) -> None:
    body = client.post("/v1/embeddings", json={"input": ["Ministers met in Oslo.", "Troops"]}).json()
    assert body["object"] == "list" and body["model"] == "fake-hashing-256"
    assert [row["index"] for row in body["data"]] == [0, 1] and len(body["data"][0]["embedding"]) == 256
    other = client.post("/v1/embeddings", json={"input": "x", "model": "text-embedding-3-small"})
    assert other.status_code == 404 and other.json()["code"] == "model_not_found"
    assert "fake-hashing-256" in other.json()["detail"]
    for bad in ({"input": []}, {"input": ["  "]}, {"input": "x", "encoding_format": "base64"}):
        assert client.post("/v1/embeddings", json=bad).status_code == 422, bad
    surrogate = client.post("/v1/embeddings", content=b'{"input": ["\\ud800"]}',
                            headers={"Content-Type": "application/json"})
    assert surrogate.status_code == 422 and "surrogate" in surrogate.text


def _seeded(settings: Settings, embedder: object) -> Services:
    services = build_services(settings, embedder, ScriptedGenerator(""))  # type: ignore[arg-type]
    for path in sorted(SEED_DIR.glob("*.txt")):
        for article in read_path(path):
            services.indexer.index(article)
    return services


@pytest.fixture
def embedding_server(services: Services) -> Iterator[str]:
    yield from serve_in_thread(services)


def test_an_index_built_through_a_served_embedder_searches_and_refuses_a_local_one(
        embedding_server: str, settings: Settings, tmp_path: Path) -> None:
    settings = replace(settings, index_dir=tmp_path / "served", collection="served")
    remote = RemoteEmbedder(embedding_server, "fake-hashing-256")
    local = HashingEmbedder()
    assert remote.embed_query("Who hosted the summit?") == pytest.approx(local.embed_query("Who hosted the summit?"))
    services = _seeded(settings, remote)
    with TestClient(create_app(services)) as client:
        hits = client.post("/search", json={"query": "Where was the Paris summit held?"}).json()["passages"]
        assert hits, "the served embedder's index finds passages"
    with pytest.raises(IndexMismatch, match="server:fake-hashing-256"):
        open_store(settings, local.name)


def test_a_search_while_the_embeddings_server_is_down_is_a_503(settings: Settings, tmp_path: Path,
                                                                 services: Services) -> None:
    served = serve_in_thread(services)
    url = next(served)
    remote = RemoteEmbedder(url, "fake-hashing-256", retries=0)
    searching = _seeded(replace(settings, index_dir=tmp_path / "served", collection="served"), remote)
    served.close()  # the server stops
    with TestClient(create_app(searching)) as client:
        reply = client.post("/search", json={"query": "Where was the Paris summit held?"})
    assert reply.status_code == 503 and reply.json()["code"] == "model_unavailable"
    assert "RAG_EMBED_URL" in reply.json()["detail"]


@pytest.mark.real
def test_the_real_embedder_served_over_http_gives_its_own_vectors_and_keeps_the_injection_detector(
        settings: Settings) -> None:
    local = SentenceTransformerEmbedder("all-MiniLM-L6-v2")
    server = build_services(replace(settings, embed_model=local.name, collection="real-served"), local,
                            ScriptedGenerator(""))
    served = serve_in_thread(server)
    url = next(served)
    try:
        remote = RemoteEmbedder(url, "all-MiniLM-L6-v2")
        texts = ["Macron hosted the summit at the Elysee Palace.", "Norway will send 300 engineers."]
        for mine, theirs in zip(local.embed_documents(texts), remote.embed_documents(texts)):
            assert sum(a * b for a, b in zip(mine, theirs)) > 0.9999
        assert remote.name == "server:all-MiniLM-L6-v2" and InjectionDetector.load(remote) is not None
    finally:
        served.close()
