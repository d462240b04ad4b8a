"""Request ids, structured request logs and Prometheus metrics.

Every request gets an id (the client's `X-Request-ID` when it is sane, else a new one), returned in
the `X-Request-ID` header and attached to every log record written while the request runs. One JSON
line is logged per request (method, route, status, seconds) and one per answer (its stage timings).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.types import Answer

log = logging.getLogger(__name__)

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")  # a client's id is echoed only if it cannot forge log lines
_LATENCY_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160)


class Metrics:
    """The service's Prometheus metrics, in a registry of their own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("rag_requests_total", "HTTP requests by route and status",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("rag_request_seconds", "HTTP request latency", ["method", "route"],
                                 buckets=_LATENCY_BUCKETS, registry=self.registry)
        self.stages = Histogram("rag_stage_seconds", "Seconds per answer stage (retrieve, select, queue, "
                                "generate, verify, total)", ["stage"], buckets=_LATENCY_BUCKETS, registry=self.registry)
        self.queue_depth = Gauge("rag_queue_depth", "Questions waiting for the model", registry=self.registry)
        self.generating = Gauge("rag_generations_running", "Questions the model is answering now",
                                registry=self.registry)
        self.answers = Counter("rag_answers_total", "Answers given", registry=self.registry)
        self.abstentions = Counter("rag_abstentions_total", "Answers that abstained", registry=self.registry)
        self.verification_failures = Counter("rag_verification_failures_total",
                                             "Answer sentences removed by verification", registry=self.registry)
        self.repairs = Counter("rag_verification_repairs_total", "Answer sentences re-cited by verification",
                               registry=self.registry)
        self.quotes = Counter("rag_verification_quotes_total",
                              "Answer sentences verification replaced by the source sentence stating their facts",
                              registry=self.registry)

    def observe_answer(self, answer: Answer) -> None:
        self.answers.inc()
        if answer.abstained:
            self.abstentions.inc()
        for stage, seconds in answer.timings.items():
            self.stages.labels(stage).observe(seconds)
        verdicts = [s.verdict for s in answer.sentences]
        self.verification_failures.inc(verdicts.count("removed"))
        self.repairs.inc(verdicts.count("repaired"))
        self.quotes.inc(verdicts.count("quoted"))
        log.info(json.dumps({"event": "answer", "abstained": answer.abstained, "model": answer.model,
                             "timings": {k: round(v, 4) for k, v in answer.timings.items()},
                             "sentences": verdicts, "completion_tokens": answer.usage.completion_tokens}))


class RequestContext:
    """ASGI middleware: request id, one structured log line and the HTTP metrics per request."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _incoming_id(scope) or uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, status, time.perf_counter() - started)
            request_id.reset(token)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", "unmatched")  # the template: /documents/{article_id}
        method = scope["method"]
        self.metrics.requests.labels(method, route, str(status)).inc()
        self.metrics.latency.labels(method, route).observe(seconds)
        log.info(json.dumps({"event": "request", "method": method, "route": route, "path": scope["path"],
                             "status": status, "seconds": round(seconds, 4)}))


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            return candidate if _SANE_ID.match(candidate) else None
    return None


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record, as `record.request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a message that is itself JSON is merged in rather than quoted."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
                                 "logger": record.name, "request_id": getattr(record, "request_id", "-")}
        message = record.getMessage()
        try:
            parsed = json.loads(message) if message.startswith("{") else None
        except ValueError:
            parsed = None
        entry.update(parsed if isinstance(parsed, dict) else {"message": message})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)  # in the log only, never in a response
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: int = logging.INFO) -> None:
    """For entry points: JSON lines on stderr, each carrying the request id."""
    import sys

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
