"""The optional API key, CORS closed by default, and no stack trace in any response."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from rag.services import Services
from rag.settings import Settings

KEY = "s3cret-key"


def _client(services: Services, **overrides: object) -> TestClient:
    services.settings = Settings(**{**services.settings.__dict__, **overrides})
    return TestClient(create_app(services), raise_server_exceptions=False)


@pytest.fixture
def keyed(services: Services) -> Iterator[TestClient]:
    with _client(services, api_key=KEY) as client:
        yield client


def test_writes_need_the_key_when_one_is_set(keyed: TestClient) -> None:
    note = {"id": "note-1", "text": "A short note."}
    refused = keyed.post("/documents", json=note)
    assert refused.status_code == 401 and refused.json()["code"] == "unauthorized"
    assert keyed.delete("/documents/note-1", headers={"X-API-Key": "wrong"}).status_code == 401
    assert keyed.post("/documents", json=note, headers={"X-API-Key": KEY}).status_code == 201
    assert keyed.delete("/documents/note-1", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200


def test_reads_stay_open_unless_reads_are_protected_too(keyed: TestClient, services: Services) -> None:
    assert keyed.post("/search", json={"query": "force"}).status_code == 200
    with _client(services, api_key=KEY, api_key_reads=True) as strict:
        for method, path, body in [("POST", "/search", {"query": "force"}), ("POST", "/ask", {"question": "force"}),
                                   ("GET", "/documents", None)]:
            assert strict.request(method, path, json=body).status_code == 401, path
            assert strict.request(method, path, json=body, headers={"X-API-Key": KEY}).status_code == 200, path
        assert strict.get("/health").status_code == 200  # the container's health check needs no key


def test_without_a_key_setting_everything_is_open(client: TestClient) -> None:
    assert client.post("/documents", json={"id": "n", "text": "A note."}).status_code == 201


def test_cors_is_closed_by_default_and_opens_only_to_listed_origins(client: TestClient, services: Services) -> None:
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    assert "access-control-allow-origin" not in client.options("/ask", headers=preflight).headers
    assert "access-control-allow-origin" not in client.get("/health", headers={"Origin": "https://evil.example"}).headers
    with _client(services, cors_origins="https://news.example") as open_client:
        allowed = open_client.get("/health", headers={"Origin": "https://news.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://news.example"
        other = open_client.get("/health", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_an_unexpected_failure_answers_500_without_a_stack_trace(services: Services,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def explode() -> int:
        raise RuntimeError("secret detail at /srv/internal/path.py line 12")

    monkeypatch.setattr(services.store, "count", explode)
    with _client(services) as client:
        response = client.get("/health")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error; see the server log", "code": "internal_error"}
    assert "secret" not in response.text and "Traceback" not in response.text
