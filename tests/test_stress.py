"""Searches, answers, uploads and deletes at once, over a real HTTP server on loopback: no 5xx but 503.

The models are the deterministic fakes (so the run is bounded: a few seconds); Chroma, BM25, chunking,
the queue and the HTTP stack are real, which is where a concurrent write can break a reader.
"""

from __future__ import annotations

import random
import re
import threading
from collections import Counter
from collections.abc import Callable

import httpx

from tests.conftest import live_server  # noqa: F401  (the fixture)

ROUNDS = 25  # per worker


def _worker(url: str, seed: int, statuses: Counter[int], failures: list[str], lock: threading.Lock,
            action: Callable[[httpx.Client, random.Random, int], httpx.Response]) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=url, timeout=60) as client:
        for i in range(ROUNDS):
            response = action(client, rng, i)
            with lock:
                statuses[response.status_code] += 1
                if response.status_code >= 500 and response.status_code != 503:
                    failures.append(f"{response.request.method} {response.request.url.path}: "
                                    f"{response.status_code} {response.text[:200]}")


def _upload(client: httpx.Client, rng: random.Random, i: int) -> httpx.Response:
    text = " ".join(f"The reassurance force met in city {rng.randint(1, 9)} on day {i}." for _ in range(40))
    return client.post("/documents", json={"id": f"churn-{i % 3}", "title": "Churn", "text": text,
                                           "published": "2025-09-04"})


def _delete(client: httpx.Client, rng: random.Random, i: int) -> httpx.Response:
    response = client.delete(f"/documents/churn-{rng.randint(0, 2)}")
    return response if response.status_code != 404 else httpx.Response(200, request=response.request)


def _search(client: httpx.Client, rng: random.Random, i: int) -> httpx.Response:
    return client.post("/search", json={"query": "Where did the reassurance force meet?", "top_k": 8})


def _ask(client: httpx.Client, rng: random.Random, i: int) -> httpx.Response:
    return client.post("/ask", json={"question": "How many countries committed to the reassurance force this week?",
                                     "as_of": "2025-09-06"})


def test_concurrent_searches_answers_uploads_and_deletes_never_fail_with_a_server_error(
        live_server: str) -> None:  # noqa: F811
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    lock = threading.Lock()
    actions = [_upload, _delete, _search, _search, _ask]
    threads = [threading.Thread(target=_worker, args=(live_server, n, statuses, failures, lock, action))
               for n, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    assert failures == []
    assert sum(statuses.values()) == ROUNDS * len(actions) and statuses[200] + statuses[201] > 0


def test_a_search_during_rewrites_of_an_article_sees_one_version_of_it(live_server: str) -> None:  # noqa: F811
    """Each version of the article differs in every chunk and in how many chunks it has, so a search
    that caught a rewrite half done (new chunks beside stale ones, or BM25 and the vectors on different
    versions) would return passages of two versions."""
    stop = threading.Event()
    errors: list[str] = []

    def rewrite() -> None:
        with httpx.Client(base_url=live_server, timeout=60) as client:
            for version in range(1, 31):
                sentences = 60 if version % 2 else 25
                text = " ".join(f"Edition v{version} of the harbour report, part {n}, on the new pier."
                                for n in range(sentences))
                response = client.post("/documents", json={"id": "harbour", "title": "Harbour", "text": text})
                if response.status_code >= 500:
                    errors.append(f"upload {response.status_code}")
        stop.set()

    writer = threading.Thread(target=rewrite)
    writer.start()
    mixed: list[set[str]] = []
    searches = 0
    with httpx.Client(base_url=live_server, timeout=60) as client:
        while not stop.is_set():
            response = client.post("/search", json={"query": "harbour report on the new pier", "top_k": 10})
            assert response.status_code in (200, 503), response.text
            if response.status_code == 200:
                searches += 1
                versions = {word for hit in response.json()["passages"] if hit["article_id"] == "harbour"
                            for word in hit["text"].split() if word.startswith("v") and word[1:].isdigit()}
                if len(versions) > 1:
                    mixed.append(versions)
    writer.join(timeout=300)
    assert errors == [] and searches > 0
    assert mixed == []


def test_two_writers_of_one_article_leave_one_version_of_it(services: object) -> None:
    """Both read the stored version before either writes; each must remove what the other wrote."""
    from rag.articles import make_article

    indexer = services.indexer  # type: ignore[attr-defined]
    barrier = threading.Barrier(2)
    original = indexer.store.chunk_hashes_of

    first_reads: set[str] = set()

    def in_step(ids: list[str]) -> dict[str, dict[str, str]]:
        found = original(ids)
        name = threading.current_thread().name
        if name.startswith("writer") and name not in first_reads:  # a writer's first read, before embedding
            first_reads.add(name)
            barrier.wait(timeout=10)  # both writers have read before either writes
        return found

    indexer.store.chunk_hashes_of = in_step
    versions = [make_article("twice", " ".join(f"Version {v} of the report, part {n}." for n in range(sentences)))
                for v, sentences in ((1, 80), (2, 30))]
    writers = [threading.Thread(target=indexer.index, args=(article,), name=f"writer-{i}")
               for i, article in enumerate(versions)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=60)
    indexer.store.chunk_hashes_of = original
    stored = indexer.store.chunks("twice")
    versions = {v for c in stored for v in re.findall(r"Version (\d)", c.text)}
    assert stored and len(versions) == 1, versions
