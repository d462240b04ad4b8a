"""Every endpoint refuses bad input by name, with a reason, in the one error shape — and never with a 500."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from rag.services import Services


@pytest.mark.parametrize("path", ["/documents/..%2F..%2Fetc%2Fpasswd", "/documents/.hidden", "/documents/a%00b",
                                  "/documents/" + "x" * 200])
def test_document_ids_cannot_leave_their_namespace(client: TestClient, path: str) -> None:
    for response in (client.get(path), client.delete(path)):
        assert response.status_code in (404, 422), response.text
        assert set(response.json()) == {"detail", "code"}


def test_bodies_over_the_limit_are_refused_before_they_are_read(client: TestClient, services: Services) -> None:
    limit = services.settings.max_upload_bytes
    huge = client.post("/ask", content=b'{"question": "' + b"x" * (limit + 70_000) + b'"}',
                       headers={"content-type": "application/json"})
    assert huge.status_code == 413 and huge.json()["code"] == "too_large"
    streamed = client.post("/documents", content=iter([b"x" * 65536] * ((limit // 65536) + 3)),
                           headers={"content-type": "application/json"})
    assert streamed.status_code == 413


def test_an_upload_with_more_articles_than_the_batch_limit_is_refused_whole(client: TestClient,
                                                                           services: Services) -> None:
    count = services.settings.max_batch + 1
    lines = "\n".join(json.dumps({"id": f"n{i}", "text": f"Note {i}."}) for i in range(count)).encode()
    response = client.post("/documents", files={"file": ("many.jsonl", lines, "application/jsonl")})
    assert response.status_code == 422 and "RAG_MAX_BATCH" in response.json()["detail"]
    assert len(client.get("/documents").json()) == 5


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("report.pdf", b"%PDF-1.7", "unsupported file type '.pdf'"),
    ("noext", b"text", "unsupported file type '(none)'"),
    ("latin.txt", "café".encode("latin-1"), "not UTF-8"),
    ("empty.md", b"   ", "no text"),
    ("bad.jsonl", b"{oops", "invalid JSON"),
])
def test_unsupported_or_undecodable_uploads_are_named_with_the_reason(client: TestClient, name: str, content: bytes,
                                                                      reason: str) -> None:
    response = client.post("/documents", files={"file": (name, content, "application/octet-stream")})
    assert response.status_code == 422, response.text
    assert name in response.json()["detail"] or reason in response.json()["detail"]
    assert reason in response.json()["detail"], response.json()


@pytest.mark.parametrize("body", [{"query": ""}, {"query": "x" * 1001}, {"query": "ok", "top_k": 21},
                                  {"query": "ok", "extra": 1}, {"query": 5}])
def test_search_validates_its_query(client: TestClient, body: dict[str, object]) -> None:
    response = client.post("/search", json=body)
    assert response.status_code == 422 and set(response.json()) == {"detail", "code"}
