"""RAG_LLM_URL: the OpenAI-compatible client, its retries and its errors (httpx.MockTransport, no server)."""

from __future__ import annotations

import json
import math

import httpx
import pytest

from rag.errors import ModelUnavailable
from rag.remote import RemoteGenerator
from tests.servers import free_port

MESSAGES = [{"role": "user", "content": "Does the passage state this? Answer yes or no."}]


def _stream(*pieces: str) -> bytes:
    events = [{"choices": [{"delta": {"content": p}}]} for p in pieces]
    events.append({"choices": [], "usage": {"prompt_tokens": 40, "completion_tokens": len(pieces)}})
    return "".join(f"data: {json.dumps(e)}\n\n" for e in events).encode() + b"data: [DONE]\n\n"


def _server(failures: int = 0,
            logprobs: bool = True) -> tuple[httpx.MockTransport, list[str]]:
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if len(seen) <= failures:
            raise httpx.ConnectError("connection refused")
        if request.url.path == "/v1/models":
            return httpx.Response(200, json={"data": [{"id": "qwen-test"}]})
        body = json.loads(request.content)
        if body.get("stream"):
            return httpx.Response(200, content=_stream("Norway ", "sends ", "300 [1]."))
        top = [{"token": "yes", "logprob": math.log(0.6)}, {"token": " No", "logprob": math.log(0.2)},
               {"token": "maybe", "logprob": math.log(0.2)}]
        choice = {"message": {"content": "No"},
                  "logprobs": {"content": [{"token": "yes", "top_logprobs": top}]} if logprobs else None}
        return httpx.Response(200, json={"choices": [choice]})

    return httpx.MockTransport(handle), seen


def test_generation_streams_the_server_s_pieces_and_its_token_counts() -> None:
    transport, _ = _server()
    generator = RemoteGenerator("http://model.test/v1", transport=transport)
    generation = generator.generate(MESSAGES, 64)
    assert "".join(generation) == "Norway sends 300 [1]." and generator.name == "qwen-test"
    assert (generation.prompt_tokens, generation.completion_tokens) == (40, 3)


def test_yes_probability_comes_from_top_logprobs_and_falls_back_to_the_reply_without_them() -> None:
    transport, _ = _server()
    assert RemoteGenerator("http://model.test", transport=transport).yes_probability(MESSAGES) == pytest.approx(0.75)
    transport, _ = _server(logprobs=False)
    assert RemoteGenerator("http://model.test", transport=transport).yes_probability(MESSAGES) == 0.0


def test_an_unreachable_server_is_retried_with_backoff_then_recovers() -> None:
    transport, seen = _server(failures=2)
    generator = RemoteGenerator("http://model.test", retries=2, backoff=0.01, transport=transport)
    assert generator.name == "qwen-test" and seen == ["/v1/models"] * 3


def test_a_server_that_stays_away_gives_model_unavailable_naming_the_setting() -> None:
    transport, seen = _server(failures=99)
    with pytest.raises(ModelUnavailable, match=r"RAG_LLM_URL=http://model.test: .*cannot be reached.*3 attempts"):
        RemoteGenerator("http://model.test", retries=2, backoff=0.01, transport=transport)
    with pytest.raises(ModelUnavailable, match="ConnectError"):
        RemoteGenerator(f"http://127.0.0.1:{free_port()}", retries=1, backoff=0.01)
