"""Chroma server mode for real: `chroma run` on loopback, indexed through RAG_CHROMA_URL, then taken away."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from rag.fakes import HashingEmbedder, ScriptedGenerator, quote_source
from rag.services import build_services
from rag.settings import PROJECT_ROOT, Settings
from tests.servers import Server, chroma_server, free_port

QUESTION = {"question": "How many countries committed in September?"}


@pytest.fixture
def chroma(tmp_path: Path) -> Iterator[Server]:
    server = chroma_server(tmp_path / "chroma-data", free_port(), tmp_path / "chroma.log").start()
    yield server
    server.stop()


def _index_through_the_cli(settings: Settings, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RAG_CHROMA_URL": url, "RAG_ARTICLES_DIR": str(settings.articles_dir),
           "RAG_EMBED_MODEL": "fake-hashing", "RAG_COLLECTION": settings.collection}
    return subprocess.run([sys.executable, "-m", "index", "build"], cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_seed_articles_are_indexed_on_a_chroma_server_and_answered_from_it(
        settings: Settings, chroma: Server) -> None:
    built = _index_through_the_cli(settings, chroma.url)
    assert built.returncode == 0 and "5 added" in built.stdout, built.stderr
    settings = Settings(**{**settings.__dict__, "chroma_url": chroma.url})
    services = build_services(settings, HashingEmbedder(), ScriptedGenerator(quote_source(1)))
    with TestClient(create_app(services)) as client:
        health = client.get("/health").json()
        assert health["store_mode"] == "server" and health["index_articles"] == 5
        answer = client.post("/ask", json=QUESTION)
        assert answer.status_code == 200 and answer.json()["citations"], answer.json()


def test_a_chroma_server_that_goes_away_gives_503_with_the_reason_and_recovery_when_it_returns(
        settings: Settings, chroma: Server) -> None:
    assert _index_through_the_cli(settings, chroma.url).returncode == 0
    settings = Settings(**{**settings.__dict__, "chroma_url": chroma.url})
    services = build_services(settings, HashingEmbedder(), ScriptedGenerator(quote_source(1)))
    with TestClient(create_app(services)) as client:
        chroma.stop()
        for response in (client.post("/ask", json=QUESTION), client.get("/health"),
                         client.post("/search", json={"query": "force"})):
            body = response.json()
            assert response.status_code == 503 and body["code"] == "store_unavailable", body
            assert "Chroma server" in body["detail"], body
        chroma.start()
        assert client.post("/ask", json=QUESTION).status_code == 200
        assert client.get("/health").json()["index_articles"] == 5


def test_an_unreachable_chroma_url_stops_start_up_naming_the_setting(settings: Settings) -> None:
    settings = Settings(**{**settings.__dict__, "chroma_url": f"http://127.0.0.1:{free_port()}"})
    from rag.errors import StoreUnavailable

    with pytest.raises(StoreUnavailable, match="Chroma server"):
        build_services(settings, HashingEmbedder(), ScriptedGenerator("x"))
