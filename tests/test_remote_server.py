"""RAG_LLM_URL against a real OpenAI-compatible server: `python -m llama_cpp.server` with the default model."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from rag.articles import read_path
from rag.fakes import HashingEmbedder
from rag.modelfile import resolve_model_path
from rag.prompting import build_judge_messages
from rag.remote import RemoteGenerator
from rag.services import build_services, load_generator
from rag.settings import Settings
from tests.servers import Server, free_port

pytestmark = pytest.mark.real

COMMITTED = "How many countries formally committed to the reassurance force in September 2025?"
PASSAGE = "Norway said it would send 300 engineers to the mission."


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    model = resolve_model_path(None, Settings.from_env({}).model_cache)
    server = Server([sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", "qwen-local",
                     "--host", "127.0.0.1", "--port", str(port := free_port()), "--n_ctx", "4096",
                     "--n_threads", "2", "--n_threads_batch", "2"],
                    port, "/v1/models", tmp_path_factory.mktemp("llama") / "server.log").start(timeout=300)
    yield server
    server.stop()


def test_the_remote_model_judges_with_logprobs(llama_server: Server) -> None:
    generator = RemoteGenerator(llama_server.url, timeout=120)
    assert generator.name == "qwen-local"
    supported = generator.yes_probability(build_judge_messages("Norway will send 300 engineers.", PASSAGE))
    invented = generator.yes_probability(build_judge_messages("Norway will send 900 tanks.", PASSAGE))
    assert generator._has_logprobs is True and supported > 0.5 > invented


def test_the_service_answers_through_the_remote_model_503s_while_it_is_away_and_recovers(
        llama_server: Server, settings: Settings, tmp_path: Path) -> None:
    settings = Settings(**{**settings.__dict__, "llm_url": llama_server.url, "llm_retries": 1, "max_tokens": 64})
    services = build_services(settings, HashingEmbedder(), load_generator(settings))
    for path in sorted(settings.articles_dir.glob("*.txt")):
        for article in read_path(path):
            services.indexer.index(article)
    with TestClient(create_app(services)) as client:
        body = client.post("/ask", json={"question": COMMITTED}).json()
        assert body["model"] == "qwen-local" and body["usage"]["completion_tokens"] > 0, body
        assert all(s["verdict"] in ("supported", "repaired", "quoted", "removed") for s in body["sentences"])
        llama_server.stop()
        gone = client.post("/ask", json={"question": COMMITTED})
        assert gone.status_code == 503 and gone.json()["code"] == "model_unavailable", gone.text
        assert "RAG_LLM_URL" in gone.json()["detail"] and "cannot be reached" in gone.json()["detail"]
        llama_server.start(timeout=300)  # back on the same port: the same generator object works again
        assert 0.0 <= services.pipeline.generator.yes_probability(
            build_judge_messages("Norway will send 300 engineers.", PASSAGE)) <= 1.0
