"""The OpenAI-compatible endpoints, driven by the official `openai` client against a real server."""

import json
from collections.abc import Iterator

import openai
import pytest
from fastapi.testclient import TestClient
from openai import OpenAI

from api.openai_compat import with_references
from api.schemas import AnswerOut
from rag.errors import StoreUnavailable
from rag.services import Services

QUESTION = "How many countries committed to the reassurance force in September?"


@pytest.fixture
def client_openai(live_server: str) -> Iterator[OpenAI]:
    with OpenAI(base_url=f"{live_server}/v1", api_key="unused", max_retries=0, timeout=60) as client:
        yield client


def test_models_lists_the_served_model(client_openai: OpenAI) -> None:
    assert [m.id for m in client_openai.models.list()] == ["fake-scripted"]


def test_completion_carries_the_answer_its_references_and_the_citations(client_openai: OpenAI) -> None:
    completion = client_openai.chat.completions.create(model="any", messages=[{"role": "user", "content": QUESTION}])
    content = completion.choices[0].message.content or ""
    answer, references = content.split("\n\nReferences:\n")
    assert "[1]" in answer and "Zebras" not in answer  # the verified answer, not the draft
    citation = completion.to_dict()["citations"][0]
    assert references.startswith(f"[1] {citation['title']} — ")
    assert completion.model == "fake-scripted" and completion.choices[0].finish_reason == "stop"
    assert completion.usage and completion.usage.total_tokens > 0
    assert completion.to_dict()["abstained"] is False


def test_stream_sends_the_same_content_and_the_citations_in_the_last_chunk(client_openai: OpenAI) -> None:
    messages = [{"role": "user", "content": QUESTION}]
    whole = client_openai.chat.completions.create(model="any", messages=messages)
    chunks = list(client_openai.chat.completions.create(model="any", messages=messages, stream=True))
    assert chunks[0].choices[0].delta.role == "assistant"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == whole.choices[0].message.content
    last = chunks[-1].to_dict()
    assert last["choices"][0]["finish_reason"] == "stop"
    assert last["citations"] == whole.to_dict()["citations"]


def test_earlier_turns_make_the_last_message_a_follow_up(client_openai: OpenAI) -> None:
    messages = [{"role": "system", "content": "Be brief."},
                {"role": "user", "content": "How many troops will France send?"},
                {"role": "assistant", "content": "France will send troops [1]."},
                {"role": "user", "content": [{"type": "text", "text": "and Germany?"}]}]
    completion = client_openai.chat.completions.create(model="any", messages=messages)
    assert completion.to_dict()["rewritten_question"] == "How many troops will Germany send?"


def test_a_conversation_ending_with_the_assistant_is_refused(client_openai: OpenAI) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as caught:
        client_openai.chat.completions.create(model="any", messages=[{"role": "assistant", "content": "Hi"}])
    assert caught.value.body == {"detail": "messages: the last user or assistant message must be the user's question",
                                 "code": "bad_request"}


def test_openapi_documents_the_extension_fields(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "`citations`" in spec["paths"]["/v1/chat/completions"]["post"]["description"]
    assert "/v1/models" in spec["paths"]


def test_a_failure_after_the_stream_began_arrives_as_an_openai_error_event(client: TestClient, services: Services,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(*args: object, **kwargs: object) -> None:
        raise StoreUnavailable("the Chroma server at http://127.0.0.1:8001 cannot be reached")

    monkeypatch.setattr(services.pipeline.retriever, "search", unreachable)
    with client.stream("POST", "/v1/chat/completions",
                       json={"messages": [{"role": "user", "content": QUESTION}], "stream": True}) as response:
        lines = [line for line in response.iter_lines() if line]
    assert json.loads(lines[0].removeprefix("data: "))["choices"][0]["delta"]["role"] == "assistant"
    assert json.loads(lines[-1].removeprefix("data: ")) == {"error": {
        "message": "the Chroma server at http://127.0.0.1:8001 cannot be reached", "code": "store_unavailable"}}


def test_references_list_the_cited_articles_and_an_abstention_has_none() -> None:
    citation = {"n": 1, "article_id": "a", "title": "Title", "published": "2025-09-05", "source": "Reuters",
                "url": None, "chunk_id": "a:0", "text": "t", "start": 0, "end": 1}
    answer = {"question": "q", "answer": "Yes [1].", "abstained": False, "citations": [citation], "passages": [],
              "sentences": [], "timings": {}, "usage": {"prompt_tokens": 1, "completion_tokens": 1}, "model": "m"}
    assert with_references(AnswerOut.model_validate(answer)) == (
        "Yes [1].\n\nReferences:\n[1] Title — Reuters, 2025-09-05")
    abstained = {**answer, "answer": "The articles do not say.", "abstained": True, "citations": []}
    assert with_references(AnswerOut.model_validate(abstained)) == "The articles do not say."


def test_ask_filters_are_accepted_as_extension_fields(client_openai: OpenAI) -> None:
    completion = client_openai.chat.completions.create(
        model="any", messages=[{"role": "user", "content": QUESTION}],
        extra_body={"published_after": "2025-09-01", "top_k": 2})
    assert {c["published"] for c in completion.to_dict()["citations"]} == {"2025-09-05"}
