"""A Generator served by any OpenAI-compatible server (llama.cpp's server, vLLM) at RAG_LLM_URL.

Requests time out after `timeout` seconds; a server that cannot be reached, times out or answers
502/503/504 is retried `retries` times with exponential backoff, then ModelUnavailable says so.
Only the opening of a request is retried: a stream that breaks after tokens were sent fails.

The model judge needs P(yes) for the next token. It is read from the chat endpoint's
`top_logprobs` when the server gives them; a server that does not is asked for a one-word reply
instead, scored 1 for yes and 0 for no (logged once: the judge is then coarser).
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from rag.errors import ModelUnavailable
from rag.generation import Message

log = logging.getLogger(__name__)

_RETRY_STATUSES = frozenset({502, 503, 504})


class RetryingClient:
    """httpx requests to one server, retried with exponential backoff while it cannot be reached or
    answers 502/503/504; any failure is a ModelUnavailable naming `setting` (the variable that points
    here, RAG_LLM_URL or RAG_EMBED_URL). `transport` is injectable (httpx.MockTransport in tests)."""

    def __init__(self, setting: str, url: str, timeout: float, retries: int, backoff: float = 0.5,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.setting, self.url = setting, url.rstrip("/").removesuffix("/v1")
        self._retries, self._backoff = retries, backoff
        self._client = httpx.Client(base_url=self.url, transport=transport,
                                    timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)))

    def send(self, method: str, path: str, body: dict[str, Any] | None = None, stream: bool = False) -> httpx.Response:
        """One request, retried with backoff while the server is unreachable or overloaded."""
        problem = ""
        for attempt in range(self._retries + 1):
            if attempt:
                time.sleep(self._backoff * 2 ** (attempt - 1))
            try:
                response = self._client.send(self._client.build_request(method, path, json=body), stream=stream)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                continue
            if response.status_code in _RETRY_STATUSES:
                response.close()
                problem = f"HTTP {response.status_code}"
                continue
            if response.status_code >= 400:
                response.read()
                raise ModelUnavailable(f"{self.setting}={self.url}: {method} {path} answered HTTP "
                                       f"{response.status_code}: {response.text[:300]}")
            return response
        raise ModelUnavailable(f"{self.setting}={self.url}: the model server cannot be reached ({problem}) "
                               f"after {self._retries + 1} attempts")


class RemoteGenerator:
    """Chat completions over HTTP; `transport` is injectable (httpx.MockTransport in tests)."""

    def __init__(self, url: str, model: str | None = None, timeout: float = 120.0, retries: int = 2,
                 backoff: float = 0.5, transport: httpx.BaseTransport | None = None) -> None:
        self._http = RetryingClient("RAG_LLM_URL", url, timeout, retries, backoff, transport)
        self.url = self._http.url
        self.name = model or self._first_model()
        self.path = self.url  # what /health reports as the model file
        self._has_logprobs: bool | None = None  # unknown until the first judgement

    def _first_model(self) -> str:
        models = self._send("GET", "/v1/models").json().get("data") or []
        if not models:
            raise ModelUnavailable(f"RAG_LLM_URL={self.url}: the server lists no model; set RAG_LLM_MODEL")
        return str(models[0]["id"])

    def _send(self, method: str, path: str, body: dict[str, Any] | None = None,
              stream: bool = False) -> httpx.Response:
        return self._http.send(method, path, body, stream)

    def _chat(self, messages: Sequence[Message], **options: Any) -> dict[str, Any]:
        return {"model": self.name, "messages": list(messages), "temperature": 0.0, **options}

    def generate(self, messages: Sequence[Message], max_tokens: int, grammar: str | None = None) -> RemoteGeneration:
        # `grammar` is llama.cpp's server extension (RAG_GRAMMAR); other servers ignore unknown fields.
        options: dict[str, Any] = {"grammar": grammar} if grammar else {}
        return RemoteGeneration(self, self._chat(messages, max_tokens=max_tokens, stream=True, **options))

    def yes_probability(self, messages: Sequence[Message], reusable: str = "") -> float:
        # `reusable` is for an in-process model; a server does its own prompt caching.
        body = self._chat(messages, max_tokens=1)
        if self._has_logprobs is not False:
            choice = self._send("POST", "/v1/chat/completions", {**body, "logprobs": True, "top_logprobs": 20}
                                ).json()["choices"][0]
            p_yes = _yes_share((choice.get("logprobs") or {}).get("content") or [])
            self._has_logprobs = p_yes is not None
            if p_yes is not None:
                return p_yes
            log.warning("RAG_LLM_URL=%s gives no logprobs: the model judge uses the one-word reply (yes=1, no=0)",
                        self.url)
            return _word_score(choice)
        return _word_score(self._send("POST", "/v1/chat/completions", body).json()["choices"][0])


def _yes_share(content: list[dict[str, Any]]) -> float | None:
    """P(yes) / (P(yes) + P(no)) from the first token's top logprobs; None when there are none."""
    if not content or not content[0].get("top_logprobs"):
        return None
    weights = {"yes": 0.0, "no": 0.0}
    for entry in content[0]["top_logprobs"]:
        word = str(entry.get("token", "")).strip().lower()
        if word in weights:
            weights[word] += math.exp(float(entry["logprob"]))
    total = weights["yes"] + weights["no"]
    return weights["yes"] / total if total > 0 else 0.5


def _word_score(choice: dict[str, Any]) -> float:
    word = str((choice.get("message") or {}).get("content") or "").strip().lower()
    return 1.0 if word.startswith("yes") else 0.0 if word.startswith("no") else 0.5


class RemoteGeneration:
    """Text pieces from the server's stream (server-sent events); token counts once it ends."""

    def __init__(self, owner: RemoteGenerator, body: dict[str, Any]) -> None:
        self._owner, self._body = owner, body
        self.prompt_tokens = 0
        self.completion_tokens = 0

    def __iter__(self) -> Iterator[str]:
        response = self._owner._send("POST", "/v1/chat/completions", self._body, stream=True)
        try:
            for line in response.iter_lines():
                if not line.startswith("data:") or line.strip() == "data: [DONE]":
                    continue
                chunk = json.loads(line.removeprefix("data:"))
                if usage := chunk.get("usage"):
                    self.prompt_tokens = int(usage.get("prompt_tokens") or 0)
                    self.completion_tokens = int(usage.get("completion_tokens") or self.completion_tokens)
                for choice in chunk.get("choices") or []:
                    if text := (choice.get("delta") or {}).get("content"):
                        self.completion_tokens += 1
                        yield text
        except httpx.HTTPError as exc:
            raise ModelUnavailable(f"RAG_LLM_URL={self._owner.url}: the stream broke off ({exc})") from None
        finally:
            response.close()
