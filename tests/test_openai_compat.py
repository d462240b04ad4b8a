"""The OpenAI-compatible endpoints, driven by the official `openai` client against a real server."""

from collections.abc import Iterator

import openai
import pytest
from fastapi.testclient import TestClient
from openai import OpenAI

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
