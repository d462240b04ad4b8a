"""Shared fixtures. Fakes replace only the models: chunking, Chroma and prompting stay real."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from api.main import create_app
from rag.articles import read_path
from rag.fakes import HashingEmbedder, ScriptedGenerator, quote_source
from rag.services import Services, build_services
from rag.settings import PROJECT_ROOT, Settings

SEED_DIR = PROJECT_ROOT / "data" / "articles"
SEPTEMBER_ARTICLE = "003_9141dd36a55c9439"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    articles = tmp_path / "articles"
    shutil.copytree(SEED_DIR, articles)
    return Settings(articles_dir=articles, index_dir=tmp_path / "index", collection=f"test-{tmp_path.name}"[:60],
                    embed_model="fake-hashing", min_relevance=0.05)


@pytest.fixture
def generator() -> ScriptedGenerator:
    # Quotes source [1] faithfully, then makes a claim no source supports, citing a source that does not exist.
    return ScriptedGenerator(quote_source(1, "Zebras number 99 in Paris [9]."))


@pytest.fixture
def services(settings: Settings, generator: ScriptedGenerator) -> Services:
    built = build_services(settings, HashingEmbedder(), generator)
    for path in sorted(settings.articles_dir.glob("*.txt")):
        for article in read_path(path):
            built.indexer.index(article)
    return built


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services)) as test_client:
        yield test_client


def serve_in_thread(services: Services) -> Iterator[str]:
    """A real uvicorn server for `services` on a free loopback port; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # bound here, handed to uvicorn: no race for the port
    server = uvicorn.Server(uvicorn.Config(create_app(services), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def live_server(services: Services) -> Iterator[str]:
    """The app with fake models behind a real HTTP server, for real clients (openai, a browser)."""
    yield from serve_in_thread(services)
