"""The load test of bench/, run on loopback against a real uvicorn server with a slow fake model."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from api.main import create_app
from bench.load import run_load
from rag.articles import read_path
from rag.fakes import HashingEmbedder, ScriptedGenerator, quote_source
from rag.services import build_services
from rag.settings import Settings
from tests.servers import free_port


@pytest.fixture
def live_url(settings: Settings) -> Iterator[str]:
    settings = Settings(**{**settings.__dict__, "max_queue": 2})
    services = build_services(settings, HashingEmbedder(), ScriptedGenerator(quote_source(1), delay=0.01))
    for path in sorted(settings.articles_dir.glob("*.txt")):
        for article in read_path(path):
            services.indexer.index(article)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(services), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_sixteen_clients_get_no_5xx_but_503_no_hang_and_latency_percentiles(live_url: str) -> None:
    report = run_load(live_url, clients=16, requests=96, duration=60, timeout=20)
    summary = report.summary()
    assert report.bad == [] and summary["ok"] is True, summary
    assert set(summary["statuses"]) <= {"200", "503"} and "503" in summary["statuses"], summary  # type: ignore[arg-type]
    assert len(report.results) == 96
    assert {"p50", "p95", "max"} <= set(summary["latency"]["ask 200"])  # type: ignore[index]
