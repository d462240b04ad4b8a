"""Under load the API refuses early (503 + Retry-After) and keeps /search and /health responsive."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from rag.articles import read_path
from rag.fakes import HashingEmbedder, ScriptedGenerator, quote_source
from rag.services import build_services
from rag.settings import Settings

QUESTION = {"question": "How many countries committed in September?"}


@pytest.fixture
def slow_client(settings: Settings) -> Iterator[TestClient]:
    """One slow model (about 1.5 s per answer) with room for one question in the queue."""
    settings = Settings(**{**settings.__dict__, "max_queue": 1})
    services = build_services(settings, HashingEmbedder(), ScriptedGenerator(quote_source(1), delay=0.08))
    for path in sorted(settings.articles_dir.glob("*.txt")):
        for article in read_path(path):
            services.indexer.index(article)
    with TestClient(create_app(services)) as client:
        yield client


def test_questions_beyond_the_queue_get_503_with_retry_after_and_the_rest_are_answered(
        slow_client: TestClient) -> None:
    with ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(lambda _: slow_client.post("/ask", json=QUESTION), range(6)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) >= 2 and set(statuses) == {200, 503}, statuses
    refused = next(r for r in responses if r.status_code == 503)
    assert refused.json()["code"] == "busy" and int(refused.headers["Retry-After"]) >= 1


def test_search_and_health_answer_quickly_while_a_generation_runs(slow_client: TestClient) -> None:
    with ThreadPoolExecutor(2) as pool:
        asking = pool.submit(slow_client.post, "/ask", json=QUESTION)
        time.sleep(0.15)  # the answer is being generated now
        started = time.perf_counter()
        assert slow_client.get("/health").status_code == 200
        assert slow_client.post("/search", json={"query": "reassurance force"}).status_code == 200
        elapsed = time.perf_counter() - started
        assert not asking.done() and elapsed < 1.0, elapsed
        assert asking.result().status_code == 200


def test_a_full_queue_refuses_a_stream_before_it_opens(slow_client: TestClient) -> None:
    with ThreadPoolExecutor(3) as pool:
        busy = [pool.submit(slow_client.post, "/ask", json=QUESTION) for _ in range(2)]
        time.sleep(0.15)
        refused = slow_client.post("/ask/stream", json=QUESTION)
        assert refused.status_code == 503 and refused.json()["code"] == "busy"
        assert [f.result().status_code for f in busy] == [200, 200]
