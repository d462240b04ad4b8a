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
    ("report.pdf", b"%PDF-1.7", "report.pdf: not a readable PDF"),
    ("report.docx", b"PK", "unsupported file type '.docx'"),
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


def test_a_chunked_body_over_the_limit_is_a_413_on_every_route(client: TestClient, services: Services) -> None:
    pieces = (services.settings.max_upload_bytes // 65536) + 3
    for path in ("/ask", "/search", "/v1/chat/completions", "/documents"):
        response = client.post(path, content=iter([b"x" * 65536] * pieces),
                               headers={"content-type": "application/json"})
        assert response.status_code == 413 and response.json()["code"] == "too_large", (path, response.text)


@pytest.mark.parametrize("bad", ["\ud800", "a\x00b", "x\x07"])
def test_unpaired_surrogates_and_control_characters_are_a_422_naming_the_field(client: TestClient, bad: str) -> None:
    requests = [("/ask", {"question": f"Who {bad}?"}, "question"), ("/search", {"query": bad}, "query"),
                ("/ask", {"question": "Who?", "source": bad}, "source"),
                ("/ask", {"question": "Who?", "history": [{"role": "user", "content": bad}]}, "history"),
                ("/v1/chat/completions", {"messages": [{"role": "user", "content": bad}]}, "messages"),
                ("/documents", {"text": f"An article {bad}."}, "text")]
    for path, body, field in requests:
        raw = json.dumps(body)  # json.dumps writes a lone surrogate as the escape "\ud800", as a client would
        response = client.post(path, content=raw.encode(), headers={"content-type": "application/json"})
        assert response.status_code == 422, (path, response.text)
        assert field in response.json()["detail"], (path, response.text)


def test_an_impossible_date_and_an_id_with_a_newline_are_refused(client: TestClient) -> None:
    bad_date = client.post("/documents", json={"id": "d1", "text": "A note.", "published": "2025-13-45"})
    assert bad_date.status_code == 422 and "2025-13-45" in bad_date.json()["detail"]
    bad_id = client.post("/documents", json={"id": "abc\n", "text": "A note."})
    assert bad_id.status_code == 422 and "invalid" in bad_id.json()["detail"]
    assert client.get("/documents/abc%0A").status_code in (404, 422)


def test_control_characters_in_an_uploaded_file_are_not_indexed(client: TestClient) -> None:
    upload = ("nul.txt", b"The mayor\x00 spoke on Monday.\x07", "text/plain")
    response = client.post("/documents", files={"file": upload})
    assert response.status_code == 201, response.text
    article_id = response.json()["documents"][0]["article_id"]
    text = client.get(f"/documents/{article_id}").json()["text"]
    assert "\x00" not in text and "\x07" not in text and "The mayor spoke on Monday." in text


def test_as_of_must_be_a_date(client: TestClient) -> None:
    response = client.post("/search", json={"query": "troops", "as_of": "yesterday"})
    assert response.status_code == 422 and "as_of" in response.json()["detail"]


def test_two_file_parts_n_of_two_and_the_models_path_are_refused_or_hidden(client: TestClient) -> None:
    files = [("file", ("a.txt", b"One note.", "text/plain")), ("file", ("b.txt", b"Two notes.", "text/plain"))]
    two = client.post("/documents", files=files)
    assert two.status_code == 422 and "one file per request" in two.json()["detail"]
    many = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "Who?"}], "n": 2})
    assert many.status_code == 422 and "n" in many.json()["detail"]
    assert "/" not in client.get("/health").json()["model_file"]
