"""Request ids, structured logs and the Prometheus /metrics endpoint."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from api.observability import JsonFormatter, RequestIdFilter, request_id


def test_every_response_carries_a_request_id_and_a_sane_client_id_is_kept(client: TestClient) -> None:
    generated = client.get("/health").headers["x-request-id"]
    assert len(generated) == 32
    assert client.get("/health", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    forged = client.get("/health", headers={"X-Request-ID": "x\n{\"level\": \"fake\"}"}).headers["x-request-id"]
    assert "\n" not in forged and len(forged) == 32


def test_metrics_count_requests_by_route_stages_abstentions_and_verification_failures(client: TestClient) -> None:
    client.post("/ask", json={"question": "How many countries committed in September?"})  # one sentence removed
    client.get("/documents/nope")
    text = client.get("/metrics").text
    assert 'rag_requests_total{method="POST",route="/ask",status="200"} 1.0' in text
    assert 'rag_requests_total{method="GET",route="/documents/{article_id}",status="404"} 1.0' in text
    assert 'rag_request_seconds_bucket{le="0.5",method="POST",route="/ask"}' in text
    assert 'rag_stage_seconds_count{stage="generate"} 1.0' in text
    assert "rag_verification_failures_total 1.0" in text and "rag_abstentions_total 0.0" in text
    assert "rag_queue_depth 0.0" in text and "rag_generations_running 0.0" in text


def test_each_request_and_answer_is_logged_as_json_with_its_request_id(client: TestClient,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.addFilter(RequestIdFilter())  # as configure_logging does: the id is read when logging
    with caplog.at_level(logging.INFO, logger="api.observability"):
        client.post("/ask", json={"question": "reassurance force"}, headers={"X-Request-ID": "req-7"})
    lines = [json.loads(JsonFormatter().format(record)) for record in caplog.records]
    answer = next(line for line in lines if line.get("event") == "answer")
    request = next(line for line in lines if line.get("event") == "request")
    assert set(answer["timings"]) >= {"retrieve", "generate", "verify", "total"}
    assert request["route"] == "/ask" and request["status"] == 200 and request["seconds"] > 0
    assert {line["request_id"] for line in lines} == {"req-7"}


def test_the_request_id_is_unset_outside_a_request() -> None:
    assert request_id.get() == "-"
