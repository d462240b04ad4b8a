"""Request size limits enforced before a body is read: a client cannot make the service buffer megabytes."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# JSON and multipart wrap the article: room for the envelope on top of RAG_MAX_UPLOAD_BYTES.
_ENVELOPE = 64 * 1024


class BodyLimit:
    """ASGI middleware: 413 when a body is larger than `max_bytes` (declared or as it streams in)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes + _ENVELOPE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _too_large(send, self.max_bytes)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _TooLarge(self.max_bytes)
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLarge:
            await _too_large(send, self.max_bytes)


class _TooLarge(HTTPException):
    """Raised while a body streams in. An HTTPException, because FastAPI turns any other failure of
    reading a body into a 400 "error parsing the body"; this one reaches the error handlers as a 413."""

    code = "too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(413, _message(limit))


def _message(limit: int) -> str:
    return f"the request body is larger than the {limit}-byte limit (RAG_MAX_UPLOAD_BYTES plus 64 KiB)"


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"detail": _message(limit), "code": "too_large"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
